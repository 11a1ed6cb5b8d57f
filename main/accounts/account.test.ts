import { describe, expect, it } from "vitest";
import type { AccountStatus } from "../../shared/contract.js";
import { restoredStatus } from "./account.js";

const now = 1_700_000_000_000;
const saved = (s: Partial<AccountStatus>): AccountStatus => ({
  state: "registered",
  code: 200,
  reason: "OK",
  lastChange: now - 60_000,
  regEvent: { state: "active" },
  bindings: [{ uri: "sip:me@127.0.0.1:5060", own: true, expiresAt: now + 600_000 }],
  ...s,
});

describe("the status restored at start", () => {
  it("keeps a binding that has not expired yet as the last known state", () => {
    const status = restoredStatus(saved({ expiresAt: now + 600_000 }), now);
    expect(status).toMatchObject({ state: "registered", code: 200, reason: "OK", expiresAt: now + 600_000, lastChange: now - 60_000 });
    expect(status.bindings).toHaveLength(1);
    // No subscription survives a restart.
    expect(status.regEvent).toEqual({ state: "off" });
  });

  it("shows a binding whose expiry passed while not running as unregistered, since it expired", () => {
    const status = restoredStatus(saved({ expiresAt: now - 5_000 }), now);
    expect(status).toMatchObject({ state: "unregistered", reason: "Binding expired while Regwatch was not running", lastChange: now - 5_000, bindings: [] });
    expect(status.code).toBeUndefined();
    expect(status.expiresAt).toBeUndefined();
  });

  it("drops timers that died with the process and keeps failures as they were", () => {
    const status = restoredStatus(saved({ state: "failed", code: 403, reason: "Forbidden", retryAt: now + 30_000, queued: true, bindings: [] }), now);
    expect(status).toMatchObject({ state: "failed", code: 403, reason: "Forbidden" });
    expect(status.retryAt).toBeUndefined();
    expect(status.queued).toBeUndefined();
  });
});
