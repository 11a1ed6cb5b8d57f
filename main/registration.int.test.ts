/**
 * The REGISTER client against a scripted registrar: digest variants, expiry negotiation (423),
 * the retry policy by error class, and the watchdog that recreates a stuck registration.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alertsFor, waitForAccount } from "../e2e/support/engine-waits.js";
import { ScriptedSipPeer } from "../e2e/support/scripted-sip-peer.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let engine: Engine;
let testEngine: TestEngine;
const peers: ScriptedSipPeer[] = [];
let n = 0;

beforeAll(async () => {
  testEngine = await createTestEngine({ deltaIntervalMs: 10, retry: { baseMs: 60_000, capMs: 120_000, slowRetryMs: 600_000 }, stuckAfterMs: 1500 });
  engine = testEngine.engine;
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await testEngine?.dispose();
});

async function account(responder: ScriptedSipPeer["registerResponder"], expires = 300) {
  const peer = await ScriptedSipPeer.start();
  peers.push(peer);
  peer.registerResponder = responder;
  const { id } = await engine.handle(
    "accounts.create",
    AccountInput.parse({ name: `Reg ${++n}`, aor: `sip:reg${n}@scripted.test`, password: "", outboundProxy: peer.uri, expires, watchRegEvent: false }),
  );
  return { peer, id };
}
const expiresOf = (p: ScriptedSipPeer, i: number) => /;expires=(\d+)/.exec(p.requests.filter((r) => r.method === "REGISTER")[i]!.getHeader("contact")!)?.[1];

describe("423 Interval Too Brief", () => {
  it("retries once with Min-Expires and registers", async () => {
    const { peer, id } = await account((_req, count) => (count === 1 ? [423, "Interval Too Brief", ["Min-Expires: 900"]] : undefined));
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    expect([expiresOf(peer, 0), expiresOf(peer, 1)]).toEqual(["300", "900"]);
  });

  it("ends as failed on a second 423, and on a 423 without Min-Expires, instead of looping", async () => {
    const twice = await account(() => [423, "Interval Too Brief", ["Min-Expires: 900"]]);
    const none = await account(() => [423, "Interval Too Brief"]);
    expect((await waitForAccount(engine, twice.id, (v) => v.status.state === "failed")).status.code).toBe(423);
    expect((await waitForAccount(engine, none.id, (v) => v.status.state === "failed")).status.code).toBe(423);
    await new Promise((r) => setTimeout(r, 500));
    expect(twice.peer.count("REGISTER")).toBe(2);
    expect(none.peer.count("REGISTER")).toBe(1);
  });
});

describe("retry policy by error class", () => {
  it("honours Retry-After on 503 and registers when it has passed", async () => {
    const { peer, id } = await account((_req, count) => (count === 1 ? [503, "Service Unavailable", ["Retry-After: 2"]] : undefined));
    const view = await waitForAccount(engine, id, (v) => v.status.state === "retrying");
    expect(view.status.code).toBe(503);
    const wait = view.status.retryAt! - Date.now();
    expect(wait).toBeGreaterThan(1000);
    expect(wait).toBeLessThanOrEqual(2000);
    await waitForAccount(engine, id, (v) => v.status.state === "registered", 5000);
    expect(peer.count("REGISTER")).toBe(2);
  });

  it("backs off on a 5xx without Retry-After, fails 4xx with a slow retry, and records every attempt", async () => {
    const five = await account(() => [500, "Server Error"]);
    const four = await account(() => [404, "Not Found"]);
    const v5 = await waitForAccount(engine, five.id, (v) => v.status.state === "retrying");
    const v4 = await waitForAccount(engine, four.id, (v) => v.status.state === "failed");
    expect(v5.status.retryAt! - Date.now()).toBeGreaterThan(25_000); // 60 s x [0.5, 1] in this engine
    expect(v4.status).toMatchObject({ code: 404, reason: "Not Found" });
    expect(v4.status.retryAt! - Date.now()).toBeGreaterThan(500_000);
    const history = await engine.handle("accounts.history", { id: four.id });
    const attempt = history.find((h) => h.kind === "register")!;
    expect(attempt).toMatchObject({ code: 404, reason: "Not Found" });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    expect(history.find((h) => h.kind === "state")).toMatchObject({ state: "failed", code: 404 });
  });

  it("re-registers every enabled account on a network change, paced", async () => {
    const { peer, id } = await account(undefined);
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    const before = peer.count("REGISTER");
    await engine.handle("engine.networkChanged", undefined);
    await expect.poll(() => peer.count("REGISTER")).toBe(before + 1);
  });
});

describe("watchdog", () => {
  it("recreates a registration whose REGISTER never completes", async () => {
    let stuckCallId: string | undefined;
    const { peer, id } = await account((req) => {
      stuckCallId ??= req.callId;
      return req.callId === stuckCallId ? [100, "Trying"] : undefined;
    });
    // The registrar answers 100 Trying and then nothing: sip.js would wait; the watchdog does not.
    await waitForAccount(engine, id, (v) => v.status.state === "registered", 15_000);
    expect(peer.count("REGISTER")).toBeGreaterThanOrEqual(2);
    const history = await engine.handle("accounts.history", { id });
    expect(history.map((h) => h.reason)).toContain("REGISTER stuck without a final response: registration recreated");
  }, 20_000);
});

describe("digest authentication against a scripted registrar", () => {
  async function authAccount(auth: NonNullable<ScriptedSipPeer["auth"]>, password: string) {
    const peer = await ScriptedSipPeer.start();
    peers.push(peer);
    peer.auth = auth;
    const { id } = await engine.handle(
      "accounts.create",
      AccountInput.parse({ name: `Auth ${++n}`, aor: `sip:auth${n}@scripted.test`, password, outboundProxy: peer.uri, watchRegEvent: false }),
    );
    return { peer, id };
  }

  it("picks SHA-256 when it is offered after MD5 (sip.js alone would abort or take the last)", async () => {
    const { peer, id } = await authAccount({ realm: "scripted.test", password: "pw-sha", algorithms: ["MD5", "SHA-256"] }, "pw-sha");
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    expect(peer.answeredWith).toEqual(["SHA-256"]);
  });

  it("answers a stale-nonce challenge once more, then registers", async () => {
    const { peer, id } = await authAccount({ realm: "scripted.test", password: "pw-st", algorithms: ["SHA-256"], staleOnce: true }, "pw-st");
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    expect(peer.answeredWith).toEqual(["SHA-256", "SHA-256"]);
  });

  it("stops after one wrong answer: failed 401, two REGISTERs, no retry storm", async () => {
    const { peer, id } = await authAccount({ realm: "scripted.test", password: "right", algorithms: ["SHA-256", "MD5"] }, "wrong");
    const view = await waitForAccount(engine, id, (v) => v.status.state === "failed");
    expect(view.status.code).toBe(401);
    await new Promise((r) => setTimeout(r, 1500));
    expect(peer.count("REGISTER")).toBe(2);
    expect((await alertsFor(engine, id)).map((a) => a.kind)).toEqual(["auth-failed"]);
  });
});

describe("one REGISTER dialog per binding", () => {
  it("answers a 407 proxy challenge, and keeps one Call-ID with rising CSeq across refreshes", async () => {
    const peer = await ScriptedSipPeer.start();
    peers.push(peer);
    peer.auth = { realm: "proxy.test", password: "pp", algorithms: ["MD5"], proxy: true };
    const { id } = await engine.handle(
      "accounts.create",
      AccountInput.parse({ name: "Proxy auth", aor: `sip:pa${++n}@scripted.test`, password: "pp", outboundProxy: peer.uri, watchRegEvent: false }),
    );
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    await engine.handle("accounts.register", { id });
    // The refresh re-sends the last credentials, which this registrar still accepts: no new challenge.
    await expect.poll(() => peer.count("REGISTER")).toBe(3);
    const regs = peer.requests.filter((r) => r.method === "REGISTER");
    expect(new Set(regs.map((r) => r.callId)).size).toBe(1);
    const cseqs = regs.map((r) => r.cseq);
    expect([...cseqs].sort((a, b) => a - b)).toEqual(cseqs);
    expect(new Set(cseqs).size).toBe(3);
    expect(peer.answeredWith).toEqual(["MD5", "MD5"]);
  });
});

describe("400 to a retransmitted REGISTER", () => {
  it("retries when the 400 answers a retransmission (a late duplicate), fails when it answers the first send", async () => {
    const peer = await ScriptedSipPeer.start();
    peers.push(peer);
    peer.dropRegisters = 1; // the first send is lost; Timer E's retransmission gets the 400
    peer.registerResponder = () => [400, "Invalid CSeq number"];
    const { id } = await engine.handle(
      "accounts.create",
      AccountInput.parse({ name: "Late duplicate", aor: "sip:late@scripted.test", password: "", outboundProxy: peer.uri, watchRegEvent: false }),
    );
    const late = await waitForAccount(engine, id, (v) => v.status.code === 400);
    expect(late.status.state).toBe("retrying");
    expect(late.status.retryAt! - late.status.lastChange).toBeLessThanOrEqual(60_000); // the backoff, not the 10-minute slow retry

    const first = await account(() => [400, "Bad Request"]);
    const plain = await waitForAccount(engine, first.id, (v) => v.status.code === 400);
    expect(plain.status.state).toBe("failed");
  });
});
