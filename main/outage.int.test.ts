/**
 * A registrar that is down (answering 503 without Retry-After) for a while: every account goes
 * `retrying` with jittered exponential backoff, the number of REGISTERs stays bounded (no
 * storm), and all come back when the registrar does. Backoff base shortened to 1 s for the test.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedSipPeer } from "../e2e/support/scripted-sip-peer.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

const ACCOUNTS = 40;
let engine: Engine;
let peer: ScriptedSipPeer;
let testEngine: TestEngine;

beforeAll(async () => {
  peer = await ScriptedSipPeer.start();
  testEngine = await createTestEngine({ deltaIntervalMs: 20, retry: { baseMs: 1000, capMs: 4000, slowRetryMs: 60_000 } });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  await peer?.close();
});

describe("registrar outage", () => {
  it("backs off without a storm while the registrar is down, and recovers every account", async () => {
    const lines = ["name,aor,outboundProxy,watchRegEvent"];
    for (let i = 0; i < ACCOUNTS; i++) lines.push(`O${i},sip:o${i}@outage.test,${peer.uri},false`);
    await engine.handle("accounts.import", { format: "csv", content: lines.join("\n") });
    const registered = async () => (await engine.handle("accounts.list", undefined)).filter((a) => a.status.state === "registered").length;
    await expect.poll(registered, { timeout: 10_000 }).toBe(ACCOUNTS);

    peer.registerResponder = () => [503, "Service Unavailable"];
    const before = peer.count("REGISTER");
    await engine.handle("engine.networkChanged", undefined); // everyone re-registers into the outage
    const outageMs = 8000;
    await new Promise((r) => setTimeout(r, outageMs));
    const during = peer.count("REGISTER") - before;
    const states = new Set((await engine.handle("accounts.list", undefined)).map((a) => a.status.state));
    expect(states).toEqual(new Set(["retrying"]));
    // Backoff 1 s, 2 s, 4 s, 4 s... each drawn from [50 %, 100 %]: at most 1 + 8/0.5 x ... attempts;
    // bounded far below a storm of one per account per tick.
    const perAccount = during / ACCOUNTS;
    expect(perAccount).toBeGreaterThanOrEqual(2);
    expect(perAccount).toBeLessThanOrEqual(7);

    peer.registerResponder = undefined;
    await expect.poll(registered, { timeout: 10_000 }).toBe(ACCOUNTS);
    const history = await engine.handle("accounts.history", { id: (await engine.handle("accounts.list", undefined))[0]!.id });
    expect(history.some((h) => h.code === 503)).toBe(true);
  }, 40_000);
});

describe("the end of an outage", () => {
  it("sends the retries of many accounts through the pacer, never more than its rate", async () => {
    const rate = 20;
    const busy = await ScriptedSipPeer.start();
    const paced = await createTestEngine({ startRatePerSec: rate, retry: { baseMs: 1000, capMs: 2000, slowRetryMs: 60_000 } });
    try {
      const lines = ["name,aor,outboundProxy,watchRegEvent"];
      for (let i = 0; i < 60; i++) lines.push(`P${i},sip:p${i}@outage.test,${busy.uri},false`);
      await paced.engine.handle("accounts.import", { format: "csv", content: lines.join("\n") });
      const registered = async () => (await paced.engine.handle("accounts.list", undefined)).filter((a) => a.status.state === "registered").length;
      await expect.poll(registered, { timeout: 10_000 }).toBe(60);

      // Unpaced, 60 accounts retrying every 0.5-2 s would send about 40 REGISTERs a second.
      const sentAt: number[] = [];
      busy.registerResponder = () => (sentAt.push(Date.now()), [503, "Service Unavailable"]);
      await paced.engine.handle("engine.networkChanged", undefined);
      await new Promise((r) => setTimeout(r, 6000));
      busy.registerResponder = undefined;
      const start = sentAt[0]!;
      const perSecond = new Map<number, number>();
      for (const t of sentAt) perSecond.set(Math.floor((t - start) / 1000), (perSecond.get(Math.floor((t - start) / 1000)) ?? 0) + 1);
      expect(sentAt.length).toBeGreaterThan(4 * rate);
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(rate + 2);
      await expect.poll(registered, { timeout: 15_000 }).toBe(60);
    } finally {
      await paced.dispose();
      await busy.close();
    }
  }, 60_000);
});
