import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistrar, type Registrar } from "../e2e/registrar/registrar.js";
import { alertsFor, waitForAccount } from "../e2e/support/engine-waits.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let registrar: Registrar;
let engine: Engine;
let testEngine: TestEngine;

beforeAll(async () => {
  registrar = await startRegistrar({ users: { dave: "dave-secret", erin: "erin-secret", frank: "frank-secret" } });
  testEngine = await createTestEngine({ deltaIntervalMs: 20 });
  engine = testEngine.engine;
});

afterAll(async () => {
  await testEngine?.dispose();
  await registrar?.stop();
});

const create = (user: string, password: string) =>
  engine.handle(
    "accounts.create",
    AccountInput.parse({ name: user, aor: `sip:${user}@${registrar.domain}`, password, outboundProxy: registrar.proxyUri, expires: 300 }),
  );

describe("reg event against a real Kamailio", () => {
  it("subscribes after registering, alerts when an admin removes the binding, and re-registers", async () => {
    const { id } = await create("dave", "dave-secret");
    const active = await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active" && v.status.bindings.some((b) => b.own));
    expect(active.status.state).toBe("registered");

    // The admin's way: remove the binding from the location table.
    await registrar.removeBindings("dave");
    await expect.poll(async () => (await alertsFor(engine, id)).map((a) => a.kind), { timeout: 5000 }).toEqual(["unregistered"]);
    const alerted = await alertsFor(engine, id);
    expect(alerted[0]!.message).toMatch(/removed by someone else/);

    // Default action: re-register at once; the registrar has our binding again.
    await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.lastChange > alerted[0]!.at - 1000);
    await expect.poll(() => registrar.contacts("dave"), { timeout: 5000 }).toHaveLength(1);
    const history = await engine.handle("accounts.history", { id });
    expect(history.map((h) => h.reason)).toContain("unregistered by someone else");
  });

  it("subscribes with the credentials of the REGISTER's challenge: Kamailio takes them without a 401", async () => {
    const { id } = await create("frank", "frank-secret");
    await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active");
    const trace = await engine.handle("accounts.trace", { id });
    const subscribes = trace.filter((t) => t.direction === "sent" && t.text.startsWith("SUBSCRIBE "));
    expect(subscribes).toHaveLength(1);
    expect(subscribes[0]!.text).toMatch(/^Authorization: Digest username="frank", \[credentials redacted\]/m);
    const answers = trace.filter((t) => t.direction === "received" && /^CSeq: *\d+ SUBSCRIBE/m.test(t.text)).map((t) => t.text.split("\r\n")[0]);
    expect(answers).toEqual(["SIP/2.0 200 OK"]);
    // The REGISTER itself was challenged as usual.
    expect(trace.some((t) => t.direction === "received" && t.text.startsWith("SIP/2.0 401") && /^CSeq: *\d+ REGISTER/m.test(t.text))).toBe(true);
  });

  it("never alerts for our own unregister", async () => {
    const { id } = await create("erin", "erin-secret");
    await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active");
    await engine.handle("accounts.unregister", { id });
    await waitForAccount(engine, id, (v) => v.status.state === "unregistered");
    expect(await registrar.contacts("erin")).toEqual([]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await alertsFor(engine, id)).toEqual([]);
    const history = await engine.handle("accounts.history", { id });
    expect(history.map((h) => h.reason)).toContain("unregistered by us");
  });
});

describe("other devices and remove-all", () => {
  it("lists another device on the AOR, then removes every binding with Contact: * and no alert", async () => {
    await registrar.addUser("fay", "fay-secret");
    const { id } = await create("fay", "fay-secret");
    await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active");
    // pua_reginfo publishes on REGISTER; the admin-added binding shows up with our next refresh.
    await registrar.addBinding("fay", "sip:deskphone@10.0.0.9:5060", 3600);
    await engine.handle("accounts.register", { id });
    const both = await waitForAccount(engine, id, (v) => v.status.bindings.length === 2);
    expect(both.status.bindings.find((b) => !b.own)?.uri).toBe("sip:deskphone@10.0.0.9:5060");
    expect(await registrar.contacts("fay")).toHaveLength(2);

    await engine.handle("accounts.unregisterAll", { id });
    await waitForAccount(engine, id, (v) => v.status.state === "unregistered");
    expect(await registrar.contacts("fay")).toEqual([]);
    await new Promise((r) => setTimeout(r, 800));
    expect(await alertsFor(engine, id)).toEqual([]);
  });
});
