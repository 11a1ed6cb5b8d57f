import { describe, expect, it } from "vitest";
import type { ContactChange } from "../sip/reginfo-state.js";
import { applyAccountPolicy, decideOwnChange, decideTermination } from "./reg-event-policy.js";

const change = (over: Partial<ContactChange["contact"]>, vanished = false): ContactChange => ({
  contact: { id: "o", state: "terminated", event: "", uri: "sip:o@h", ...over },
  own: true,
  isNew: false,
  vanished,
});
const ctx = { weUnregistered: false, grantedExpiresAt: 1_000_000, now: 500_000 };

describe("decideOwnChange", () => {
  it.each([
    ["deactivated", "deactivated", "reregister-now"],
    ["rejected", "rejected", "hold"],
    ["unregistered", "unregistered", "reregister-now"],
    ["expired", "expired", "reregister-now"],
    ["giveup", "registration-lost", "reregister-now"],
  ])("%s -> alert %s, %s", (event, alert, action) => {
    const d = decideOwnChange(change({ event }), ctx);
    expect(d.alert?.kind).toBe(alert);
    expect(d.action.kind).toBe(action);
  });

  it("probation waits retry-after seconds, or the default", () => {
    expect(decideOwnChange(change({ event: "probation", retryAfter: 30 }), ctx).action).toEqual({ kind: "reregister-after", delayMs: 30_000 });
    expect(decideOwnChange(change({ event: "probation" }), { ...ctx, probationDefaultMs: 5000 }).action).toEqual({ kind: "reregister-after", delayMs: 5000 });
  });

  it("never alerts for an unregister we sent", () => {
    const d = decideOwnChange(change({ event: "unregistered" }), { ...ctx, weUnregistered: true });
    expect(d.alert).toBeUndefined();
    expect(d.action.kind).toBe("none");
  });

  it("tells an early expiry (forced) from a missed refresh", () => {
    expect(decideOwnChange(change({ event: "expired" }), ctx).alert!.message).toMatch(/before the expiry we were granted/);
    expect(decideOwnChange(change({ event: "expired" }), { ...ctx, now: 999_000 }).alert!.message).toMatch(/refresh was missed/);
  });

  it("shortened refreshes before the new expiry; active events need nothing", () => {
    expect(decideOwnChange(change({ state: "active", event: "shortened", expires: 40 }), ctx)).toMatchObject({
      alert: { kind: "shortened" },
      action: { kind: "refresh-before", expiresInSec: 40 },
    });
    for (const event of ["registered", "refreshed", "created"]) {
      expect(decideOwnChange(change({ state: "active", event, expires: 300 }), ctx)).toMatchObject({ action: { kind: "none" } });
    }
  });

  it("a binding that vanished is a lost registration", () => {
    expect(decideOwnChange(change({ state: "active", event: "registered" }, true), ctx).alert?.kind).toBe("registration-lost");
  });
});

describe("decideTermination (RFC 6665 4.1.3)", () => {
  it("resubscribes now, later, or never by reason", () => {
    expect(decideTermination("deactivated", undefined, 9)).toEqual({ kind: "resubscribe", delayMs: 0 });
    expect(decideTermination("timeout", undefined, 9)).toEqual({ kind: "resubscribe", delayMs: 0 });
    expect(decideTermination("probation", 30, 9)).toEqual({ kind: "resubscribe", delayMs: 30_000 });
    expect(decideTermination("giveup", undefined, 9)).toEqual({ kind: "resubscribe", delayMs: 9 });
    expect(decideTermination("rejected", undefined, 9).kind).toBe("unavailable");
    expect(decideTermination("noresource", undefined, 9).kind).toBe("unavailable");
    expect(decideTermination(undefined, undefined, 9)).toEqual({ kind: "resubscribe", delayMs: 9 });
  });
});

describe("applyAccountPolicy", () => {
  const d = decideOwnChange(change({ event: "deactivated" }), ctx);
  it("keeps the default decision unless the account says otherwise", () => {
    expect(applyAccountPolicy(d, "deactivated", {})).toBe(d);
    expect(applyAccountPolicy(d, "deactivated", { deactivated: "default" })).toBe(d);
    expect(applyAccountPolicy(d, "refreshed", { deactivated: "ignore" })).toBe(d);
  });
  it("alert-only keeps the alert and drops the action; ignore drops both", () => {
    expect(applyAccountPolicy(d, "deactivated", { deactivated: "alert-only" })).toMatchObject({ alert: { kind: "deactivated" }, action: { kind: "none" } });
    const ignored = applyAccountPolicy(d, "deactivated", { deactivated: "ignore" });
    expect(ignored.alert).toBeUndefined();
    expect(ignored.action.kind).toBe("none");
    expect(ignored.summary).toMatch(/policy: ignore/);
  });
});
