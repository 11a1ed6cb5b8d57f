/**
 * A UDP account when the registrar restarts and forgets everything: nothing on the wire tells
 * us, so recovery comes with our next request. Here the REGISTER expiry is long and the
 * reg-event subscription short, so the subscription refresh is that request: the registrar
 * answers 481, the account re-registers at once and subscribes again, and a later forced
 * removal is seen as before.
 */
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
  registrar = await startRegistrar({ users: { ursula: "ursula-pw" } });
  testEngine = await createTestEngine({ deltaIntervalMs: 20, regEventExpiresSec: 20 });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  await registrar?.stop();
});

describe("registrar restart, UDP", () => {
  it("re-registers when the subscription refresh meets 481, and watches again", async () => {
    const { id } = await engine.handle(
      "accounts.create",
      AccountInput.parse({ name: "Ursula", aor: `sip:ursula@${registrar.domain}`, password: "ursula-pw", outboundProxy: registrar.proxyUri, expires: 3600 }),
    );
    await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.regEvent.state === "active");
    await registrar.restart();
    expect(await registrar.contacts("ursula")).toEqual([]);

    // The subscription (20 s) is refreshed at about half its expiry.
    await expect.poll(() => registrar.contacts("ursula"), { timeout: 20_000, interval: 500 }).toHaveLength(1);
    await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.regEvent.state === "active", 10_000);
    const history = await engine.handle("accounts.history", { id });
    expect(history.map((h) => h.reason)).toContain("reg-event subscription terminated by the registrar (subscription unknown to the registrar (481))");
    expect(await alertsFor(engine, id)).toEqual([]);

    await registrar.removeBindings("ursula");
    await expect.poll(async () => (await alertsFor(engine, id)).map((a) => a.kind), { timeout: 5000 }).toEqual(["unregistered"]);
  }, 45_000);
});
