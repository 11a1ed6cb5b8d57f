import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistrar, type Registrar } from "../e2e/registrar/registrar.js";
import { waitForAccount } from "../e2e/support/engine-waits.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let registrar: Registrar;
let engine: Engine;
let testEngine: TestEngine;

beforeAll(async () => {
  registrar = await startRegistrar({ users: { alice: "alice-secret", bob: "bob-secret", carol: "carol-secret" } });
  testEngine = await createTestEngine({ deltaIntervalMs: 20 });
  engine = testEngine.engine;
});

afterAll(async () => {
  await testEngine?.dispose();
  await registrar?.stop();
});

const account = (user: string, password: string) =>
  AccountInput.parse({
    name: `${user} at the test registrar`,
    aor: `sip:${user}@${registrar.domain}`,
    password,
    outboundProxy: registrar.proxyUri,
    expires: 300,
  });

describe("registration against a real Kamailio", () => {
  it("registers with digest auth and shows the granted expiry and our binding", async () => {
    const created = await engine.handle("accounts.create", account("alice", "alice-secret"));
    expect(created.hasPassword).toBe(true);
    expect(JSON.stringify(created)).not.toContain("alice-secret");
    const view = await waitForAccount(engine, created.id, (v) => v.status.state === "registered");
    expect(view.status.code).toBe(200);
    const remaining = (view.status.expiresAt! - Date.now()) / 1000;
    expect(remaining).toBeGreaterThan(250);
    expect(remaining).toBeLessThanOrEqual(300);
    const own = view.status.bindings.filter((b) => b.own);
    expect(own).toHaveLength(1);
    // The registrar holds exactly the Contact we registered, with our real port.
    const contacts = await registrar.contacts("alice");
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toContain(`127.0.0.1:${engine.sipAddress.port}`);
    expect(own[0]!.uri).toContain(`127.0.0.1:${engine.sipAddress.port}`);

    const history = await engine.handle("accounts.history", { id: created.id });
    expect(history.map((h) => h.code)).toContain(200);
  });

  it("fails on a wrong password with the registrar's code, raises auth-failed and does not retry", async () => {
    const created = await engine.handle("accounts.create", account("bob", "not-bobs-password"));
    const view = await waitForAccount(engine, created.id, (v) => v.status.state === "failed");
    expect(view.status.code).toBe(401);
    expect(view.status.retryAt).toBeUndefined();
    const alerts = await engine.handle("alerts.list", undefined);
    expect(alerts.some((a) => a.accountId === created.id && a.kind === "auth-failed")).toBe(true);
    // No retry storm: one attempt recorded, and none more after a while.
    await new Promise((r) => setTimeout(r, 1500));
    const history = await engine.handle("accounts.history", { id: created.id });
    expect(history.filter((h) => h.kind === "register")).toHaveLength(1);
    expect(await registrar.contacts("bob")).toEqual([]);
    // A network change re-registers everything else, but not credentials the registrar refused.
    await engine.handle("engine.networkChanged", undefined);
    await new Promise((r) => setTimeout(r, 1000));
    const afterChange = await engine.handle("accounts.history", { id: created.id });
    expect(afterChange.filter((h) => h.kind === "register")).toHaveLength(1);
    expect((await engine.handle("accounts.get", { id: created.id })).status).toMatchObject({ state: "failed", code: 401 });
    // Asked by the user, it tries again (and fails again, once).
    await engine.handle("accounts.register", { id: created.id });
    await waitForAccount(engine, created.id, (v) => v.status.state === "failed");
    await new Promise((r) => setTimeout(r, 500));
    const afterAsk = await engine.handle("accounts.history", { id: created.id });
    expect(afterAsk.filter((h) => h.kind === "register" && h.code === 401)).toHaveLength(2);
  });

  it("unregisters before delete, and keeps the stored password when an edit leaves it empty", async () => {
    const created = await engine.handle("accounts.create", account("carol", "carol-secret"));
    await waitForAccount(engine, created.id, (v) => v.status.state === "registered");
    const edited = await engine.handle("accounts.update", { id: created.id, patch: { name: "Carol renamed", password: "" } });
    expect(edited.name).toBe("Carol renamed");
    expect(edited.hasPassword).toBe(true);
    await engine.handle("accounts.register", { id: created.id });
    await waitForAccount(engine, created.id, (v) => v.status.state === "registered");
    expect(await registrar.contacts("carol")).toHaveLength(1);

    await engine.handle("accounts.delete", { id: created.id });
    expect(await registrar.contacts("carol")).toEqual([]);
    await expect(engine.handle("accounts.get", { id: created.id })).rejects.toThrow(/not found/);
  });

  it("never stores a password in plaintext", () => {
    const file = readFileSync(join(testEngine.dataDir, "regwatch.db"));
    const wal = (() => {
      try {
        return readFileSync(join(testEngine.dataDir, "regwatch.db-wal"));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    for (const secret of ["alice-secret", "not-bobs-password", "carol-secret"]) {
      expect(file.includes(secret)).toBe(false);
      expect(wal.includes(secret)).toBe(false);
    }
  });
});
