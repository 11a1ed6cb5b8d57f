/**
 * The SIP message path under fuzz: mutated SIP messages (truncated, bit-flipped, NUL bytes, bad
 * UTF-8, huge headers, duplicated headers) sent to the engine's UDP socket from the registrar's
 * address. Afterwards the engine still answers, still registers, and no account changed state.
 * Bounded: 600 datagrams, a few seconds.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertsFor, waitForAccount } from "../e2e/support/engine-waits.js";
import { reginfoXml, ScriptedSipPeer } from "../e2e/support/scripted-sip-peer.js";
import { AccountInput } from "../shared/contract.js";
import { createTestEngine, type TestEngine } from "../testing/test-engine.js";
import type { Engine } from "./engine.js";

let engine: Engine;
let peer: ScriptedSipPeer;
let testEngine: TestEngine;

beforeAll(async () => {
  peer = await ScriptedSipPeer.start();
  testEngine = await createTestEngine({ deltaIntervalMs: 10 });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  await peer?.close();
});

describe("fuzzed SIP over UDP", () => {
  it("survives 600 mutated datagrams with no crash, no state change, and keeps working", async () => {
    const aor = "sip:fuzz@scripted.test";
    const { id } = await engine.handle("accounts.create", AccountInput.parse({ name: "Fuzz", aor, password: "", outboundProxy: peer.uri }));
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
    await expect.poll(() => peer.count("SUBSCRIBE")).toBe(1);
    const own = { id: "o", state: "active" as const, event: "registered", uri: peer.clientContact!, expires: 300 };
    await peer.notify(reginfoXml({ version: 0, aor, contacts: [own] }));
    await waitForAccount(engine, id, (v) => v.status.regEvent.state === "active");

    const user = /sip:([^@]+)@/.exec(peer.clientContact!)![1];
    const templates = [
      `NOTIFY ${peer.clientContact} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKf\r\nFrom: <${aor}>;tag=x\r\nTo: <${aor}>;tag=y\r\nCall-ID: c\r\nCSeq: 9 NOTIFY\r\nEvent: reg\r\nSubscription-State: active\r\nContent-Type: application/reginfo+xml\r\nContent-Length: 40\r\n\r\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo"/>`,
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK123\r\nFrom: <${aor}>;tag=a\r\nTo: <${aor}>\r\nCall-ID: z\r\nCSeq: 2 REGISTER\r\nContact: <sip:x@y>;expires=abc\r\nContent-Length: 0\r\n\r\n`,
      `OPTIONS sip:${user}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKo\r\nFrom: <sip:p@q>;tag=1\r\nTo: <sip:${user}@127.0.0.1>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    ];
    const mutation = fc.tuple(fc.constantFrom(...templates), fc.nat(), fc.nat(), fc.constantFrom("truncate", "flip", "nul", "utf8", "huge", "dup", "length")).map(([t, a, b, kind]) => {
      const buf = Buffer.from(t);
      const i = a % buf.length;
      switch (kind) {
        case "truncate":
          return buf.subarray(0, i);
        case "flip":
          buf[i] = buf[i]! ^ (1 << b % 8);
          return buf;
        case "nul":
          buf[i] = 0;
          return buf;
        case "utf8":
          return Buffer.concat([buf.subarray(0, i), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), buf.subarray(i)]);
        case "huge":
          return Buffer.from(t.replace("Call-ID: ", `Call-ID: ${"x".repeat(20_000 + (b % 30_000))}`));
        case "dup":
          return Buffer.from(t.replace(/\r\n\r\n/, `\r\n${"Via: SIP/2.0/UDP a;branch=z9hG4bKd\r\n".repeat(50 + (b % 200))}\r\n`));
        default:
          return Buffer.from(t.replace(/Content-Length: \d+/, `Content-Length: ${b % 100_000}`));
      }
    });
    const datagrams = fc.sample(mutation, { numRuns: 600, seed: 20261124 });
    const { createSocket } = await import("node:dgram");
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const port = engine.sipAddress.port;
    for (const d of datagrams) await new Promise<void>((r) => sock.send(d.subarray(0, 65_000), port, "127.0.0.1", () => r()));
    sock.close();
    await new Promise((r) => setTimeout(r, 500));

    const view = await engine.handle("accounts.get", { id });
    expect(view.status.state).toBe("registered");
    expect(view.status.regEvent.state).toBe("active");
    expect(await alertsFor(engine, id)).toEqual([]);
    // Still fully working: a real event is acted on.
    await peer.notify(reginfoXml({ version: 1, aor, contacts: [{ ...own, state: "terminated", event: "deactivated" }] }));
    await expect.poll(async () => (await alertsFor(engine, id)).map((a) => a.kind)).toEqual(["deactivated"]);
    await waitForAccount(engine, id, (v) => v.status.state === "registered");
  }, 30_000);
});
