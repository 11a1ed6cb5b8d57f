/**
 * TCP and WebSocket against the real Kamailio: registration, reg-event NOTIFYs coming back
 * over the same connection, several accounts sharing one connection, and recovery when the
 * registrar restarts and the connection drops.
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
  registrar = await startRegistrar({ users: { tina: "tina-pw", tom: "tom-pw", wanda: "wanda-pw", walt: "walt-pw" } });
  testEngine = await createTestEngine({ deltaIntervalMs: 20 });
  engine = testEngine.engine;
});
afterAll(async () => {
  await testEngine?.dispose();
  await registrar?.stop();
});

const create = (user: string, transport: "tcp" | "ws") =>
  engine.handle(
    "accounts.create",
    AccountInput.parse({ name: user, aor: `sip:${user}@${registrar.domain}`, password: `${user}-pw`, transport, outboundProxy: registrar.proxy[transport], expires: 300 }),
  );

describe.each([
  ["tcp", "tina", "tom"],
  ["ws", "wanda", "walt"],
] as const)("%s", (transport, first, second) => {
  it("registers two accounts over one shared connection and hears reg events on it", async () => {
    const a = await create(first, transport);
    const b = await create(second, transport);
    const va = await waitForAccount(engine, a.id, (v) => v.status.state === "registered" && v.status.regEvent.state === "active");
    const vb = await waitForAccount(engine, b.id, (v) => v.status.state === "registered" && v.status.regEvent.state === "active");
    const own = (v: typeof va) => v.status.bindings.find((x) => x.own)!.uri;
    expect(own(va)).toContain(`transport=${transport}`);
    // One connection: both Contacts carry its local port.
    expect(own(va).replace(/^sip:[^@]+@/, "")).toBe(own(vb).replace(/^sip:[^@]+@/, ""));
    expect(await registrar.contacts(first)).toHaveLength(1);

    await registrar.removeBindings(first);
    await expect.poll(async () => (await alertsFor(engine, a.id)).map((x) => x.kind), { timeout: 5000 }).toEqual(["unregistered"]);
    await expect.poll(() => registrar.contacts(first), { timeout: 5000 }).toHaveLength(1);
  });
});

describe("flow loss", () => {
  it("re-registers TCP and WS accounts within 10 s after the registrar restarts", async () => {
    const ids = (await engine.handle("accounts.list", undefined)).map((a) => a.id);
    expect(ids).toHaveLength(4);
    const restartedAt = Date.now();
    await registrar.restart();
    for (const id of ids) {
      const view = await waitForAccount(engine, id, (v) => v.status.state === "registered" && v.status.lastChange > restartedAt, 10_000);
      expect(view.status.code).toBe(200);
    }
    for (const user of ["tina", "tom", "wanda", "walt"]) expect(await registrar.contacts(user)).toHaveLength(1);
    const history = await engine.handle("accounts.history", { id: ids[0]! });
    expect(history.some((h) => /connection closed by the registrar/.test(h.reason ?? ""))).toBe(true);
  }, 30_000);
});

describe("TLS and WSS", () => {
  const tlsAccount = (user: string, transport: "tls" | "wss", caFile?: string) =>
    engine.handle(
      "accounts.create",
      AccountInput.parse({
        name: user,
        aor: `sip:${user}@${registrar.domain}`,
        password: `${user}-pw`,
        transport,
        outboundProxy: registrar.proxy[transport],
        tlsCaFile: caFile,
        watchRegEvent: true,
      }),
    );

  it("registers over TLS and WSS when the account trusts the registrar's CA", async () => {
    await registrar.addUser("tess", "tess-pw");
    await registrar.addUser("wes", "wes-pw");
    const t = await tlsAccount("tess", "tls", registrar.caFile);
    const w = await tlsAccount("wes", "wss", registrar.caFile);
    for (const id of [t.id, w.id]) {
      const v = await waitForAccount(engine, id, (x) => x.status.state === "registered" && x.status.regEvent.state === "active");
      expect(v.status.code).toBe(200);
    }
    expect(await registrar.contacts("tess")).toHaveLength(1);
  });

  it("refuses a certificate it cannot verify and says why, retrying with backoff", async () => {
    await registrar.addUser("ursula", "ursula-pw");
    const { id } = await tlsAccount("ursula", "tls");
    const v = await waitForAccount(engine, id, (x) => x.status.state === "retrying");
    expect(v.status.reason).toMatch(/TLS certificate rejected by TLS 127\.0\.0\.1:\d+: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
    expect(v.status.retryAt).toBeGreaterThan(Date.now() - 1000);
    expect(await registrar.contacts("ursula")).toEqual([]);
  });
});
