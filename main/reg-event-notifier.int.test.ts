/**
 * Reg-event cases a real registrar cannot be made to produce, driven by a scripted notifier
 * over loopback UDP: each contact event's alert and default action, partial documents and
 * version gaps, other devices, and hostile or broken bodies.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alertsFor, waitForAccount } from "../e2e/support/engine-waits.js";
import { reginfoXml, ScriptedSipPeer, type ReginfoContactSpec } from "../e2e/support/scripted-sip-peer.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let engine: Engine;
let testEngine: TestEngine;
const peers: ScriptedSipPeer[] = [];
let n = 0;

beforeAll(async () => {
  testEngine = await createTestEngine({ deltaIntervalMs: 10, retry: { baseMs: 60_000, capMs: 60_000, slowRetryMs: 60_000 } });
  engine = testEngine.engine;
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await testEngine?.dispose();
});

interface Setup {
  peer: ScriptedSipPeer;
  id: string;
  aor: string;
  own: (over: Partial<ReginfoContactSpec>) => ReginfoContactSpec;
}

/** A registered account whose reg-event subscription is active with the peer. */
async function setup(opts: { subscribeStatus?: number; regEventPolicy?: Record<string, string> } = {}): Promise<Setup> {
  const peer = await ScriptedSipPeer.start();
  peers.push(peer);
  if (opts.subscribeStatus) peer.subscribeStatus = opts.subscribeStatus;
  const aor = `sip:user${++n}@scripted.test`;
  const { id } = await engine.handle("accounts.create", AccountInput.parse({ name: `User ${n}`, aor, password: "", outboundProxy: peer.uri, expires: 300, regEventPolicy: opts.regEventPolicy ?? {} }));
  await waitForAccount(engine, id, (v) => v.status.state === "registered");
  await expect.poll(() => peer.count("SUBSCRIBE")).toBeGreaterThanOrEqual(1);
  const own = (over: Partial<ReginfoContactSpec>): ReginfoContactSpec => ({ id: "own", state: "active", event: "registered", uri: peer.clientContact!, expires: 300, ...over });
  if (opts.subscribeStatus === undefined) {
    expect(await peer.notify(reginfoXml({ version: 0, aor, contacts: [own({})] }))).toBe(200);
    await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active");
  }
  return { peer, id, aor, own };
}

const kinds = async (id: string) => (await alertsFor(engine, id)).map((a) => a.kind);
const reasons = async (id: string) => (await engine.handle("accounts.history", { id })).map((h) => h.reason ?? "");

describe("pre-emptive credentials on the SUBSCRIBE", () => {
  it("are replaced, not doubled, when the notifier challenges them anyway", async () => {
    const peer = await ScriptedSipPeer.start();
    peers.push(peer);
    peer.auth = { realm: "scripted.test", password: "pw-chal", algorithms: ["MD5"] };
    peer.challengeSubscribes = 1;
    const { id } = await engine.handle("accounts.create", AccountInput.parse({ name: "Challenged", aor: `sip:chal${++n}@scripted.test`, password: "pw-chal", outboundProxy: peer.uri, expires: 300 }));
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    await expect.poll(() => peer.count("SUBSCRIBE")).toBe(2);
    const [first, second] = peer.requests.filter((r) => r.method === "SUBSCRIBE");
    // The first carries the REGISTER's answer; the retry carries exactly one, for the new nonce.
    expect(first!.getHeaders("authorization")).toHaveLength(1);
    expect(second!.getHeaders("authorization")).toHaveLength(1);
    expect(second!.getHeader("authorization")).not.toBe(first!.getHeader("authorization"));
    expect((await engine.handle("accounts.get", { id })).status.regEvent.state).not.toBe("failed");
  });
});

describe("own binding events", () => {
  it("deactivated: alert and re-register at once", async () => {
    const { peer, id, aor, own } = await setup();
    const before = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "deactivated" })] }));
    await expect.poll(() => kinds(id)).toEqual(["deactivated"]);
    await expect.poll(() => peer.count("REGISTER")).toBe(before + 1);
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
  });

  it("probation: alert, retrying, and re-register only after retry-after", async () => {
    const { peer, id, aor, own } = await setup();
    const before = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "probation", retryAfter: 2 })] }));
    const view = await waitForAccount(engine, id, (v) => v.status.state === "retrying");
    expect(view.status.retryAt! - Date.now()).toBeGreaterThan(1000);
    expect(await kinds(id)).toEqual(["probation"]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(peer.count("REGISTER")).toBe(before);
    await expect.poll(() => peer.count("REGISTER"), { timeout: 4000 }).toBe(before + 1);
  });

  it("rejected: alert, failed, and no re-register until the user acts", async () => {
    const { peer, id, aor, own } = await setup();
    const before = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "rejected" })] }));
    const view = await waitForAccount(engine, id, (v) => v.status.state === "failed");
    expect(view.status.reason).toMatch(/Rejected by the registrar/);
    expect(await kinds(id)).toEqual(["rejected"]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(peer.count("REGISTER")).toBe(before);
    // Nor does a network change bring it back: only the user does.
    await engine.handle("engine.networkChanged", undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(peer.count("REGISTER")).toBe(before);
    await engine.handle("accounts.register", { id });
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
  });

  it("unregistered by someone else: alert and re-register", async () => {
    const { peer, id, aor, own } = await setup();
    const before = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, regState: "terminated", contacts: [own({ state: "terminated", event: "unregistered" })] }));
    await expect.poll(() => kinds(id)).toEqual(["unregistered"]);
    await expect.poll(() => peer.count("REGISTER")).toBe(before + 1);
  });

  it("expired long before the granted expiry: a forced-removal alert and re-register", async () => {
    const { peer, id, aor, own } = await setup();
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "expired", expires: 0 })] }));
    await expect.poll(() => kinds(id)).toEqual(["expired"]);
    expect((await alertsFor(engine, id))[0]!.message).toMatch(/before the expiry we were granted/);
  });

  it("shortened: alert and an expiry brought forward", async () => {
    const { peer, id, aor, own } = await setup();
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ event: "shortened", expires: 40 })] }));
    await expect.poll(() => kinds(id)).toEqual(["shortened"]);
    const view = await engine.handle("accounts.get", { id });
    const left = (view.status.expiresAt! - Date.now()) / 1000;
    expect(left).toBeGreaterThan(30);
    expect(left).toBeLessThanOrEqual(40);
  });

  it("folds repeated removals into one alert with a count", async () => {
    const { peer, id, aor, own } = await setup();
    for (let v = 1; v <= 3; v++) {
      await peer.notify(reginfoXml({ version: v, aor, contacts: [own({ state: "terminated", event: "deactivated" })] }));
      await expect.poll(() => peer.count("REGISTER")).toBe(v + 1);
    }
    const alerts = await alertsFor(engine, id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.count).toBe(3);
  });
});

describe("per-account policy", () => {
  it("alert-only alerts without re-registering; ignore does neither but keeps history", async () => {
    const { peer, id, aor, own } = await setup({ regEventPolicy: { deactivated: "alert-only", unregistered: "ignore" } });
    const before = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "deactivated" })] }));
    await expect.poll(() => kinds(id)).toEqual(["deactivated"]);
    await peer.notify(reginfoXml({ version: 2, aor, contacts: [own({ state: "terminated", event: "unregistered" })] }));
    await expect.poll(async () => (await reasons(id)).some((r) => r.includes("policy: ignore"))).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(peer.count("REGISTER")).toBe(before);
    expect(await kinds(id)).toEqual(["deactivated"]);
  });
});

describe("documents", () => {
  it("lists other devices, notes a new one in history, and merges partial documents", async () => {
    const { peer, id, aor, own } = await setup();
    const desk = { id: "desk", state: "active" as const, event: "registered", uri: "sip:desk@10.1.2.3:5060", expires: 600 };
    await peer.notify(reginfoXml({ version: 1, aor, state: "partial", contacts: [desk] }));
    const view = await waitForAccount(engine, id, (v) => v.status.bindings.length === 2);
    expect(view.status.bindings.find((b) => !b.own)).toMatchObject({ uri: "sip:desk@10.1.2.3:5060", event: "registered" });
    expect(view.status.bindings.find((b) => b.own)).toBeDefined();
    expect(await reasons(id)).toContain("new device: sip:desk@10.1.2.3:5060");
    await peer.notify(reginfoXml({ version: 2, aor, state: "partial", contacts: [{ ...desk, state: "terminated", event: "unregistered" }] }));
    await waitForAccount(engine, id, (v) => v.status.bindings.length === 1 && v.status.bindings[0]!.own);
    expect(await kinds(id)).toEqual([]);
    void own;
  });

  it("re-subscribes when a partial document skips a version, and ignores stale ones", async () => {
    const { peer, id, aor, own } = await setup();
    const subs = peer.count("SUBSCRIBE");
    await peer.notify(reginfoXml({ version: 0, aor, state: "partial", contacts: [own({ state: "terminated", event: "deactivated" })] }));
    await new Promise((r) => setTimeout(r, 300));
    expect(await kinds(id)).toEqual([]); // stale: not newer than version 0
    await peer.notify(reginfoXml({ version: 5, aor, state: "partial", contacts: [own({})] }));
    await expect.poll(() => peer.count("SUBSCRIBE")).toBe(subs + 1);
  });

  it.each([489, 403, 404])("answers %i to the SUBSCRIBE with reg-event unsupported, still registered", async (status) => {
    const { peer, id } = await setup({ subscribeStatus: status });
    const view = await waitForAccount(engine, id, (v) => v.status.regEvent.state === "unsupported");
    expect(view.status.state).toBe("registered");
    expect(view.status.regEvent.reason).toMatch(new RegExp(`\\b${status}\\b`));
    await new Promise((r) => setTimeout(r, 500));
    expect(peer.count("SUBSCRIBE")).toBe(1);
    // The registration is not disturbed: no REGISTER beyond the first, and still registered.
    expect(peer.count("REGISTER")).toBe(1);
    expect((await engine.handle("accounts.get", { id })).status.state).toBe("registered");
  });

  it("stops subscribing on terminated;reason=rejected and re-subscribes on deactivated", async () => {
    const { peer, id, aor, own } = await setup();
    const registers = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({})] }), "terminated;reason=deactivated");
    await expect.poll(() => peer.count("SUBSCRIBE")).toBe(2);
    // The registrar may have lost our binding along with the subscription: register again too.
    await expect.poll(() => peer.count("REGISTER")).toBe(registers + 1);
    await peer.notify(reginfoXml({ version: 0, aor, contacts: [own({})] }));
    await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active");
    await peer.notify("", "terminated;reason=rejected");
    const view = await waitForAccount(engine, id, (v) => v.status.regEvent.state === "failed");
    expect(view.status.regEvent.reason).toMatch(/rejected/);
    await new Promise((r) => setTimeout(r, 500));
    expect(peer.count("SUBSCRIBE")).toBe(2);
    expect(peer.count("REGISTER")).toBe(registers + 1);
  });

  it("refreshes the subscription in its dialog before it expires, keeping Event and Accept", async () => {
    const { peer, aor, own } = await setup();
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({})] }), "active;expires=4");
    await expect.poll(() => peer.count("SUBSCRIBE"), { timeout: 4000 }).toBe(2);
    const [first, refresh] = peer.requests.filter((r) => r.method === "SUBSCRIBE");
    expect(refresh!.callId).toBe(first!.callId);
    expect(refresh!.toTag).toBeTruthy();
    expect(refresh!.cseq).toBeGreaterThan(first!.cseq);
    expect(refresh!.getHeader("event")).toBe("reg");
    expect(refresh!.getHeader("accept")).toBe("application/reginfo+xml");
  });

  it("on terminated;reason=probation waits retry-after to subscribe again, with no REGISTER out of turn", async () => {
    const { peer, id, aor, own } = await setup();
    const registers = peer.count("REGISTER");
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({})] }), "terminated;reason=probation;retry-after=2");
    await new Promise((r) => setTimeout(r, 1000));
    expect(peer.count("SUBSCRIBE")).toBe(1);
    await expect.poll(() => peer.count("SUBSCRIBE"), { timeout: 4000 }).toBe(2);
    expect(peer.count("REGISTER")).toBe(registers);
    expect((await engine.handle("accounts.get", { id })).status.state).toBe("registered");
  });
});

describe("hostile and broken bodies", () => {
  const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">&lol3;</reginfo>`;
  const xxe = `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full"><registration aor="&xxe;" id="1" state="active"/></reginfo>`;

  it.each([
    ["malformed XML", "<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'><registration>", "malformed"],
    ["an entity-expansion bomb", bomb, "dtd"],
    ["an external entity", xxe, "dtd"],
    ["a foreign document", "<html><body>hi</body></html>", "not-reginfo"],
    ["a 56 kB body of nesting", "<a>".repeat(8_000) + "</a>".repeat(8_000), "too-deep"],
  ])("answers %s with a typed error in history and keeps the account as it was", async (_name, body, kind) => {
    const { peer, id } = await setup();
    expect(await peer.notify(body)).toBe(200);
    await expect.poll(async () => (await reasons(id)).some((r) => r.includes(`unusable NOTIFY (${kind})`))).toBe(true);
    const view = await engine.handle("accounts.get", { id });
    expect(view.status.state).toBe("registered");
    expect(view.status.regEvent.state).toBe("active");
    expect(await kinds(id)).toEqual([]);
  });

  it("survives garbage datagrams and keeps serving the subscription", async () => {
    const { peer, id, aor, own } = await setup();
    peer.sendRaw(Buffer.from([0, 1, 2, 255, 254]));
    peer.sendRaw("NOTIFY sip:x SIP/2.0\r\n\r\n");
    peer.sendRaw("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKnothing\r\n\r\n");
    peer.sendRaw("x".repeat(65_000));
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "deactivated" })] }));
    await expect.poll(() => kinds(id)).toEqual(["deactivated"]);
  });
});

describe("UDP reliability", () => {
  it("retransmits a lost REGISTER (Timer E) instead of waiting for Timer F", async () => {
    const { peer, id } = await setup();
    peer.dropRegisters = 2;
    const before = peer.count("REGISTER");
    const t0 = Date.now();
    await engine.handle("accounts.register", { id });
    await expect.poll(() => peer.count("REGISTER") - before, { timeout: 5000 }).toBe(3);
    await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.lastChange >= t0 - 5000);
    // T1 then 2 x T1: answered after about 1.5 s, far from Timer F's 32 s.
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("answers a retransmitted NOTIFY with the same response, and acts on it once", async () => {
    const { peer, id, aor, own } = await setup();
    const before = peer.count("REGISTER");
    const body = reginfoXml({ version: 1, aor, contacts: [own({ state: "terminated", event: "deactivated" })] });
    expect(await peer.notify(body)).toBe(200);
    expect(await peer.notify(body, undefined, undefined, peer.lastNotify)).toBe(200);
    await expect.poll(() => peer.count("REGISTER")).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.count("REGISTER")).toBe(before + 1);
    expect((await alertsFor(engine, id))[0]!.count).toBe(1);
  });
});

describe("requests from elsewhere", () => {
  it("refuses an out-of-dialog NOTIFY from an address that is not the registrar, and changes nothing", async () => {
    const { peer, id, aor, own } = await setup();
    const { createSocket } = await import("node:dgram");
    const attacker = createSocket("udp4");
    await new Promise<void>((r) => attacker.bind(0, "127.0.0.2", () => r()));
    const body = reginfoXml({ version: 9, aor, contacts: [own({ state: "terminated", event: "rejected" })] });
    const target = peer.clientContact!;
    const port = Number(/:(\d+)/.exec(target.replace(/^sip:[^@]+@/, ""))![1]);
    const answer = new Promise<string>((resolve) => attacker.once("message", (m) => resolve(String(m))));
    attacker.send(
      [
        `NOTIFY ${target} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.2:${attacker.address().port};branch=z9hG4bKevil1`,
        "From: <sip:evil@127.0.0.2>;tag=e1",
        `To: <${aor}>`,
        "Call-ID: evil-call",
        "CSeq: 1 NOTIFY",
        "Event: reg",
        "Subscription-State: active",
        "Content-Type: application/reginfo+xml",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n"),
      port,
      "127.0.0.1",
    );
    expect(await answer).toMatch(/^SIP\/2\.0 403 Forbidden/);
    attacker.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(await kinds(id)).toEqual([]);
    expect((await engine.handle("accounts.get", { id })).status.state).toBe("registered");
  });
});
