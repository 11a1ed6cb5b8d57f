import { describe, expect, it } from "vitest";
import type { AccountView, Alert } from "../../shared/contract.js";
import { applyDelta, fromSnapshot } from "./apply-delta.js";

const acc = (id: string, name: string, state: AccountView["status"]["state"] = "registered"): AccountView => ({
  id,
  name,
  aor: `sip:${id}@x`,
  transport: "udp",
  expires: 60,
  enabled: true,
  watchRegEvent: true,
  regEventPolicy: {},
  hasPassword: true,
  status: { state, lastChange: 0, regEvent: { state: "off" }, bindings: [] },
});

describe("applyDelta", () => {
  const base = fromSnapshot({ rev: 4, accounts: [acc("b", "Bravo"), acc("a", "alpha")], alerts: [] });

  it("orders ids by name and applies a following batch", () => {
    expect(base.ids).toEqual(["a", "b"]);
    const next = applyDelta(base, { fromRev: 4, toRev: 5, accounts: [acc("b", "Bravo", "failed")], removed: [], alerts: [] })!;
    expect(next.rev).toBe(5);
    expect(next.accounts.b!.status.state).toBe("failed");
    // A status change keeps the order array and the untouched account objects.
    expect(next.ids).toBe(base.ids);
    expect(next.accounts.a).toBe(base.accounts.a);
  });

  it("reorders on add, rename and removal", () => {
    const next = applyDelta(base, { fromRev: 4, toRev: 5, accounts: [acc("c", "Aardvark")], removed: ["b"], alerts: [] })!;
    expect(next.ids).toEqual(["c", "a"]);
  });

  it("asks for a reload on a gap and ignores batches already in the snapshot", () => {
    expect(applyDelta(base, { fromRev: 5, toRev: 6, accounts: [], removed: [], alerts: [] })).toBeUndefined();
    expect(applyDelta(base, { fromRev: 3, toRev: 4, accounts: [], removed: ["a"], alerts: [] })).toBe(base);
  });

  it("upserts alerts", () => {
    const alert: Alert = { id: "x", accountId: "a", kind: "deactivated", at: 1, message: "m", acknowledged: false, count: 1 };
    const next = applyDelta(base, { fromRev: 4, toRev: 5, accounts: [], removed: [], alerts: [alert] })!;
    expect(next.alerts.x).toEqual(alert);
  });
});
