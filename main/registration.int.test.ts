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

async function account(
  responder: ScriptedSipPeer["registerResponder"],
  expires = 300,
  opts: { configure?: (peer: ScriptedSipPeer) => void; on?: Engine } = {},
) {
  const peer = await ScriptedSipPeer.start();
  peers.push(peer);
  peer.registerResponder = responder;
  opts.configure?.(peer);
  const { id } = await (opts.on ?? engine).handle(
    "accounts.create",
    AccountInput.parse({ name: `Reg ${++n}`, aor: `sip:reg${n}@scripted.test`, password: "", outboundProxy: peer.uri, expires, watchRegEvent: false }),
  );
  return { peer, id };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Seconds from now to the account's expiresAt. */
const secondsLeft = (expiresAt: number | undefined) => (expiresAt! - Date.now()) / 1000;
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

describe("expiry granted by the 200 OK", () => {
  it("takes the Expires header when our Contact has no expires param, with one REGISTER (sip.js would loop on NaN)", async () => {
    const { peer, id } = await account(undefined, 300, { configure: (p) => ((p.okContact = "bare"), (p.okExpiresHeader = 120)) });
    const view = await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.code === 200);
    expect(secondsLeft(view.status.expiresAt)).toBeGreaterThan(100);
    expect(secondsLeft(view.status.expiresAt)).toBeLessThanOrEqual(120);
    expect(view.status.bindings).toEqual([expect.objectContaining({ own: true })]);
    await sleep(2000);
    expect(peer.count("REGISTER")).toBe(1);
    expect((await engine.handle("accounts.get", { id })).status.state).toBe("registered");
  });

  it.each([
    { header: 120, granted: 120 },
    { header: undefined, granted: 300 },
  ])("a 200 OK with no Contact at all (Expires header $header): registered for $granted s, one REGISTER", async ({ header, granted }) => {
    const { peer, id } = await account(undefined, 300, { configure: (p) => ((p.okContact = "none"), (p.okExpiresHeader = header)) });
    const view = await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.code === 200);
    expect(secondsLeft(view.status.expiresAt)).toBeGreaterThan(granted - 20);
    expect(secondsLeft(view.status.expiresAt)).toBeLessThanOrEqual(granted);
    expect(view.status.bindings).toEqual([]);
    await sleep(2000);
    expect(peer.count("REGISTER")).toBe(1);
    // Not stuck in a pending request either: a manual register goes out and succeeds.
    await engine.handle("accounts.register", { id });
    await expect.poll(() => peer.count("REGISTER")).toBe(2);
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
  });
});

describe("403 Forbidden with a short retry policy", () => {
  let quick: TestEngine;
  beforeAll(async () => {
    // Retries of any kind would come within a few hundred ms here.
    quick = await createTestEngine({ deltaIntervalMs: 10, retry: { baseMs: 200, capMs: 400, slowRetryMs: 300 } });
  });
  afterAll(async () => {
    await quick?.dispose();
  });

  it("ends failed 403 with an auth-failed alert and sends no further REGISTER", async () => {
    const { peer, id } = await account(() => [403, "Forbidden"], 300, { on: quick.engine });
    const view = await waitForAccount(quick.engine, id, (v) => v.status.state === "failed");
    expect(view.status).toMatchObject({ code: 403, reason: "Forbidden" });
    expect(view.status.retryAt).toBeUndefined();
    expect((await alertsFor(quick.engine, id)).map((a) => a.kind)).toEqual(["auth-failed"]);
    await sleep(2000);
    expect(peer.count("REGISTER")).toBe(1);
    // Nor does a network change bring it back: only the user does.
    await quick.engine.handle("engine.networkChanged", undefined);
    await sleep(500);
    expect(peer.count("REGISTER")).toBe(1);
  });

  it("control: a 404 under the same policy is retried (so the 403 count above can fail)", async () => {
    const { peer, id } = await account(() => [404, "Not Found"], 300, { on: quick.engine });
    await waitForAccount(quick.engine, id, (v) => v.status.state === "failed");
    await expect.poll(() => peer.count("REGISTER"), { timeout: 3000 }).toBeGreaterThanOrEqual(2);
  });
});

describe("disable", () => {
  it("unregisters (Contact expires=0, same Call-ID) before showing disabled", async () => {
    const { peer, id } = await account(undefined);
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    const view = await engine.handle("accounts.disable", { id });
    // disable resolves after the registrar answered the unregister.
    expect(peer.count("REGISTER")).toBe(2);
    expect(expiresOf(peer, 1)).toBe("0");
    const regs = peer.requests.filter((r) => r.method === "REGISTER");
    expect(regs[1]!.callId).toBe(regs[0]!.callId);
    expect(regs[1]!.cseq).toBeGreaterThan(regs[0]!.cseq);
    expect(view.status.state).toBe("disabled");
    await waitForAccount(engine, id, (v) => v.status.state === "disabled");
    await sleep(500);
    expect(peer.count("REGISTER")).toBe(2);
  });
});

describe("malformed responses to an in-flight REGISTER", () => {
  const keepBranchAndCallId = (ok: string) =>
    ok.split("\r\n").filter((l) => /^(SIP\/2\.0 |Via:|Call-ID:)/i.test(l)).join("\r\n") + "\r\n\u0000\u00ff{{garbage}}\r\n\r\n";
  const malformed = [
    { name: "garbage with the REGISTER's Via branch and Call-ID", mangle: keepBranchAndCallId },
    { name: "a 200 OK whose CSeq does not parse", mangle: (ok: string) => ok.replace(/^CSeq: \d+/m, "CSeq: banana") },
    { name: "a 200 OK whose Contact does not parse", mangle: (ok: string) => ok.replace(/^Contact: .*$/m, "Contact: <sip:broken;expires=") },
  ];
  /** The first REGISTER gets the mangled answer, every later one (retransmission or new) the proper 200. */
  const firstMangled = (mangle: (ok: string) => string) => ({
    configure: (p: ScriptedSipPeer) => (p.registerRaw = (_req, count, ok) => (count === 1 ? mangle(ok) : undefined)),
  });

  // Only a response sip.js took stops Timer E: the retransmission's proper answer completes the
  // transaction, not Timer F or the stuck-registration watchdog.
  it.each(malformed)("$name: no crash, and registered on the retransmission's answer", async ({ mangle }) => {
    const { peer, id } = await account(undefined, 300, firstMangled(mangle));
    const view = await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.code === 200, 4500);
    expect(secondsLeft(view.status.expiresAt)).toBeGreaterThan(250);
    const regs = peer.requests.filter((r) => r.method === "REGISTER");
    expect(regs.length).toBeGreaterThanOrEqual(2);
    expect(regs.length).toBeLessThanOrEqual(4);
    expect([regs[1]!.callId, regs[1]!.cseq]).toEqual([regs[0]!.callId, regs[0]!.cseq]);
    const history = await engine.handle("accounts.history", { id });
    expect(history.map((h) => h.reason)).not.toContain("REGISTER stuck without a final response: registration recreated");
  });

  it("a 200 OK with unreadable expiry values (Contact expires=soon, Expires: -5): registered for what we asked, no loop", async () => {
    const { peer, id } = await account(undefined, 300, {
      configure: (p) => (p.registerRaw = (_req, _count, ok) => ok.replace(/;expires=\d+/, ";expires=soon").replace("Content-Length: 0", "Expires: -5\r\nContent-Length: 0")),
    });
    const view = await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.code === 200);
    expect(secondsLeft(view.status.expiresAt)).toBeGreaterThan(280);
    expect(secondsLeft(view.status.expiresAt)).toBeLessThanOrEqual(300);
    await sleep(1500);
    expect(peer.count("REGISTER")).toBe(1);
  });
});
