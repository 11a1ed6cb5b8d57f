/**
 * Transport faults in the middle of a transaction: a TCP connection reset while a REGISTER
 * waits for its answer (through a relay in front of the real Kamailio), and a UDP registrar that
 * never answers at all (Timer E retransmissions, then Timer F, then backoff, not a loop), and an
 * engine whose own event loop stalls while an answer waits unread in its socket.
 */
import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistrar, type Registrar } from "../e2e/registrar/registrar.js";
import { waitForAccount } from "../e2e/support/engine-waits.js";
import { ScriptedSipPeer } from "../e2e/support/scripted-sip-peer.js";
import { TcpResetRelay } from "../e2e/support/tcp-reset-relay.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let registrar: Registrar;
let relay: TcpResetRelay;
let engine: Engine;
let testEngine: TestEngine;

beforeAll(async () => {
  registrar = await startRegistrar({ users: { rita: "rita-pw" } });
  relay = await TcpResetRelay.start(registrar.tcpPort);
  testEngine = await createTestEngine({ deltaIntervalMs: 20 });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  await relay?.close();
  await registrar?.stop();
});

describe("TCP connection reset mid-transaction", () => {
  it("notices the reset, re-registers over a new connection within seconds, and does not loop", async () => {
    const { id } = await engine.handle(
      "accounts.create",
      AccountInput.parse({ name: "Rita", aor: `sip:rita@${registrar.domain}`, password: "rita-pw", transport: "tcp", outboundProxy: relay.uri, expires: 300, watchRegEvent: false }),
    );
    // Reg-event watching off: Kamailio would send its NOTIFYs to our Contact, not back through the relay.
    const first = await waitForAccount(engine, id, (v) => v.status.state === "registered");
    expect(await registrar.contacts("rita")).toHaveLength(1);

    relay.armed = true;
    const before = relay.registers;
    await engine.handle("accounts.register", { id }); // this REGISTER meets the reset
    await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.lastChange > first.status.lastChange, 10_000);
    expect(relay.resets).toBe(1);
    expect(await registrar.contacts("rita")).toHaveLength(1);
    const history = await engine.handle("accounts.history", { id });
    expect(history.some((h) => /TCP connection (error|closed)/.test(h.reason ?? ""))).toBe(true);

    // Settled: no further REGISTERs beyond the retry (with its digest round trip).
    const settled = relay.registers;
    expect(settled - before).toBeLessThanOrEqual(4);
    await new Promise((r) => setTimeout(r, 3000));
    expect(relay.registers).toBe(settled);
  }, 30_000);
});

describe("UDP registrar that never answers", () => {
  let silent: Socket;
  const received: number[] = [];
  beforeAll(async () => {
    silent = createSocket("udp4");
    silent.on("message", () => received.push(Date.now()));
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
  });
  afterAll(() => silent?.close());

  it("retransmits on Timer E until Timer F, then shows a timeout and backs off", async () => {
    const { id } = await engine.handle(
      "accounts.create",
      AccountInput.parse({ name: "Void", aor: "sip:void@silent.test", password: "pw", outboundProxy: `sip:127.0.0.1:${silent.address().port}`, watchRegEvent: false }),
    );
    const view = await waitForAccount(engine, id, (v) => v.status.state === "retrying", 45_000);
    expect(view.status).toMatchObject({ code: 408, reason: "No response from registrar (timeout)" });
    // 0, 0.5, 1.5, 3.5, 7.5 s, then every 4 s until 32 s: 11 datagrams for the one transaction.
    expect(received.length).toBe(11);
    const span = (received.at(-1)! - received[0]!) / 1000;
    expect(span).toBeGreaterThan(28);
    expect(span).toBeLessThan(33);
    // The next attempt waits for the backoff (30 s x [0.5, 1]), not another burst.
    expect(view.status.retryAt! - view.status.lastChange).toBeGreaterThanOrEqual(15_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(received.length).toBe(11);
  }, 60_000);
});

describe("an engine that stalls", () => {
  let peer: ScriptedSipPeer;
  beforeAll(async () => {
    peer = await ScriptedSipPeer.start();
  });
  afterAll(() => peer?.close());

  it("reads the answer that arrived during the stall instead of retransmitting the request", async () => {
    const { id } = await engine.handle("accounts.create", AccountInput.parse({ name: "Stall", aor: "sip:stall@stall.test", password: "", outboundProxy: peer.uri, watchRegEvent: false }));
    const first = await waitForAccount(engine, id, (v) => v.status.state === "registered");
    const before = await engine.handle("engine.stats", undefined);
    let stalledOn: number | undefined;
    peer.registerResponder = (_req, n) => {
      // The 200 OK goes out, then the whole process (engine included) freezes for 1.5 s, well past
      // T1, as a long GC pause does: the answer waits in the engine's socket meanwhile.
      if (stalledOn === undefined) {
        stalledOn = n;
        setImmediate(() => {
          const until = Date.now() + 1500;
          while (Date.now() < until);
        });
      }
      return undefined;
    };
    await engine.handle("accounts.register", { id });
    // A new 200 OK grants a new expiry.
    await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.expiresAt! > first.status.expiresAt!, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await engine.handle("engine.stats", undefined);
    expect(after.udp.stalls).toBeGreaterThan(before.udp.stalls);
    expect(after.udp.retransmissions).toBe(before.udp.retransmissions);
    expect(peer.count("REGISTER")).toBe(stalledOn);
  }, 20_000);
});
