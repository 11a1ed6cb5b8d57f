/**
 * RFC 3263 end to end: the registrar is found through NAPTR -> SRV -> A at a scripted DNS
 * server, a failing server hands over to the next one, and a DNS that knows nothing yet makes
 * the account retry until the records appear.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForAccount } from "../e2e/support/engine-waits.js";
import { ScriptedDns } from "../e2e/support/scripted-dns.js";
import { ScriptedSipPeer } from "../e2e/support/scripted-sip-peer.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let dns: ScriptedDns;
let engine: Engine;
let testEngine: TestEngine;
const peers: ScriptedSipPeer[] = [];

beforeAll(async () => {
  dns = await ScriptedDns.start();
  testEngine = await createTestEngine({ deltaIntervalMs: 10, dnsServers: [dns.server], retry: { baseMs: 2000, capMs: 2000, slowRetryMs: 60_000 } });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  await Promise.all(peers.map((p) => p.close()));
  await dns?.close();
});

async function peer() {
  const p = await ScriptedSipPeer.start();
  peers.push(p);
  return p;
}

describe("RFC 3263", () => {
  it("finds the registrar by NAPTR and SRV, and fails over from a server answering 503", async () => {
    const [bad, good] = [await peer(), await peer()];
    bad.registerResponder = () => [503, "Service Unavailable"];
    dns.zone.naptr["voip.test"] = [{ order: 10, preference: 10, flags: "S", services: "SIP+D2U", regexp: "", replacement: "_sip._udp.voip.test" }];
    dns.zone.srv["_sip._udp.voip.test"] = [
      { priority: 10, weight: 0, port: bad.port, target: "first.voip.test" },
      { priority: 20, weight: 0, port: good.port, target: "second.voip.test" },
    ];
    dns.zone.a["first.voip.test"] = ["127.0.0.1"];
    dns.zone.a["second.voip.test"] = ["127.0.0.1"];
    const { id } = await engine.handle("accounts.create", AccountInput.parse({ name: "SRV", aor: "sip:srv@voip.test", password: "", watchRegEvent: false }));
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    expect(bad.count("REGISTER")).toBe(1);
    expect(good.count("REGISTER")).toBe(1);
    expect(dns.queries).toEqual(expect.arrayContaining(["NAPTR voip.test", "SRV _sip._udp.voip.test", "A first.voip.test", "A second.voip.test"]));
    const history = await engine.handle("accounts.history", { id });
    expect(history.some((h) => /503 from 127\.0\.0\.1:\d+; failing over/.test(h.reason ?? ""))).toBe(true);
  });

  it("retries while DNS has no records, then registers once they appear", async () => {
    const target = await peer();
    const { id } = await engine.handle("accounts.create", AccountInput.parse({ name: "Late DNS", aor: "sip:late@late.test", password: "", watchRegEvent: false }));
    const waiting = await waitForAccount(engine, id, (v) => v.status.state === "retrying");
    expect(waiting.status.reason).toMatch(/DNS has no address for late\.test/);
    dns.zone.srv["_sip._udp.late.test"] = [{ priority: 1, weight: 1, port: target.port, target: "sip.late.test" }];
    dns.zone.a["sip.late.test"] = ["127.0.0.1"];
    await waitForAccount(engine, id, (v) => v.status.state === "registered", 10_000);
    expect(target.count("REGISTER")).toBe(1);
  }, 15_000);
});
