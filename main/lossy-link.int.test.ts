/**
 * 20 % packet loss and 200 ms delay each way between the engine and the real Kamailio (a lossy
 * relay in user space: this machine's kernel has no netem). Every account ends registered and
 * keeps refreshing, thanks to retransmission; nothing waits for Timer F.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistrar, type Registrar } from "../e2e/registrar/registrar.js";
import { LossyUdpRelay } from "../e2e/support/lossy-udp-relay.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

const ACCOUNTS = 20;
let registrar: Registrar;
let relay: LossyUdpRelay;
let engine: Engine;
let testEngine: TestEngine;

beforeAll(async () => {
  const users = Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, i) => [`lossy${i}`, `pw${i}`]));
  registrar = await startRegistrar({ users });
  relay = await LossyUdpRelay.start({ upstreamPort: registrar.udpPort, loss: 0.2, delayMs: 200, seed: 7 });
  testEngine = await createTestEngine({ deltaIntervalMs: 50, retry: { baseMs: 2000, capMs: 4000, slowRetryMs: 60_000 } });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  relay?.close();
  await registrar?.stop();
});

describe("lossy, slow link", () => {
  it("registers every account and keeps refreshing through 20 % loss and 200 ms delay", async () => {
    const lines = ["name,aor,password,outboundProxy,expires,watchRegEvent"];
    for (let i = 0; i < ACCOUNTS; i++) lines.push(`L${i},sip:lossy${i}@${registrar.domain},pw${i},${relay.uri},20,false`);
    await engine.handle("accounts.import", { format: "csv", content: lines.join("\n") });
    const list = () => engine.handle("accounts.list", undefined);
    await expect.poll(async () => (await list()).filter((a) => a.status.state === "registered").length, { timeout: 30_000 }).toBe(ACCOUNTS);
    // Granted 20 s: refreshed at about 10 s. Wait for everyone's second successful REGISTER.
    const okCount = async (id: string) => (await engine.handle("accounts.history", { id })).filter((h) => h.kind === "register" && h.code === 200).length;
    for (const a of await list()) await expect.poll(() => okCount(a.id), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect((await list()).every((a) => a.status.state === "registered")).toBe(true);
    expect(relay.dropped).toBeGreaterThan(0);
    for (let i = 0; i < ACCOUNTS; i += 5) expect(await registrar.contacts(`lossy${i}`)).toHaveLength(1);
  }, 90_000);
});
