/**
 * Registration timing in fake time: a real Registration (and the real sip.js user agent core under
 * it) against an in-memory registrar, with no sockets and no real waiting.
 *
 * The link is the production UDP link (`udpLink`, UdpTransport) over an in-memory stand-in for the
 * shared socket: what the account's transport sends reaches `InMemoryRegistrar.send`, which parses
 * the REGISTER with sip.js's Parser and answers through the transport's `receive`, the path
 * (LinkTransport.receive -> sip.js, with Registration's responseAccepted hook) a datagram takes.
 *
 * All time is vitest's fake time: Registration runs on `systemClock` (global setTimeout/Date.now,
 * both faked), and so do sip.js's transaction timers (Timer F, K).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Parser, type IncomingRequestMessage } from "sip.js/lib/core/index.js";
import { checkDigestAnswer } from "../../e2e/support/digest-check.js";
import { responseTo } from "../../e2e/support/sip-response.js";
import { systemClock } from "../clock.js";
import { silentLogger } from "../log.js";
import { RefreshPlanner } from "../policy/refresh-planner.js";
import { udpLink } from "./link-transport.js";
import { Registration, type AttemptRecord, type RegistrationConfig, type RegistrationStatus } from "./registration.js";
import type { HostPort, SharedUdpSocket, UdpEndpoint } from "./udp-socket.js";

/** A round start time, so that the planner's one-second buckets are easy to reason about. */
const T0 = Date.UTC(2030, 0, 1);
const SEC = 1000;
const MIN = 60 * SEC;
const quiet = { error() {}, warn() {}, log() {}, debug() {} } as never;

type Scripted = [code: number, reason: string, headers?: string[]];

interface Received {
  /** Fake ms since T0 at which the REGISTER reached the registrar. */
  at: number;
  req: IncomingRequestMessage;
}

/**
 * A registrar behind an in-memory stand-in for SharedUdpSocket (the part UdpTransport uses:
 * sentBy, attach, detach, send, responseAccepted).
 */
class InMemoryRegistrar {
  readonly hop: HostPort = { address: "192.0.2.1", port: 5060 };
  readonly sentBy = "198.51.100.7:40123";
  readonly registers: Received[] = [];
  /** Final statuses sip.js took (Registration's responseAccepted hook). */
  readonly accepted: number[] = [];
  /** Scripted answer to the n-th REGISTER (1-based); undefined gives the normal 200 OK. */
  responder: ((req: IncomingRequestMessage, n: number) => Scripted | undefined) | undefined;
  /** Expiry granted in the 200 OK's Contact `expires` param. */
  grantSec = 3600;
  /** Digest-challenge every REGISTER that lacks a correct answer for this password. */
  auth: { realm: string; password: string } | undefined;
  private endpoint: UdpEndpoint | undefined;

  get socket(): SharedUdpSocket {
    return this as unknown as SharedUdpSocket;
  }

  attach(endpoint: UdpEndpoint): void {
    this.endpoint = endpoint;
  }

  detach(endpoint: UdpEndpoint): void {
    if (this.endpoint === endpoint) this.endpoint = undefined;
  }

  responseAccepted(_branch: string, status: number): void {
    this.accepted.push(status);
  }

  send(_endpoint: UdpEndpoint, text: string, to: HostPort): Promise<void> {
    expect(to).toEqual(this.hop);
    const msg = Parser.parseMessage(text, quiet);
    if (msg && "method" in msg && (msg as IncomingRequestMessage).method === "REGISTER") {
      const req = msg as IncomingRequestMessage;
      this.registers.push({ at: Date.now() - T0, req });
      const reply = this.answer(req);
      // Asynchronously, as from a network: sip.js registers the transaction after send() returns.
      void Promise.resolve().then(() => this.endpoint?.receive(reply, this.hop));
    }
    return Promise.resolve();
  }

  get count(): number {
    return this.registers.length;
  }

  /** Fake seconds (since T0) of every REGISTER received. */
  get times(): number[] {
    return this.registers.map((r) => r.at / SEC);
  }

  private answer(req: IncomingRequestMessage): string {
    const scripted = this.responder?.(req, this.count);
    if (scripted) return this.response(req, ...scripted);
    if (this.auth && !this.authorized(req)) {
      const nonce = `n${this.count}`;
      return this.response(req, 401, "Unauthorized", [`WWW-Authenticate: Digest realm="${this.auth.realm}", nonce="${nonce}", qop="auth", algorithm=MD5`]);
    }
    const contact = req.getHeader("contact") ?? "";
    const uri = /<([^>]+)>/.exec(contact)?.[1];
    return this.response(req, 200, "OK", uri ? [`Contact: <${uri}>;expires=${this.grantSec}`] : []);
  }

  private authorized(req: IncomingRequestMessage): boolean {
    return !!this.auth && checkDigestAnswer(req, req.getHeader("authorization"), this.auth)?.ok === true;
  }

  private response(req: IncomingRequestMessage, code: number, reason: string, extra: string[] = []): string {
    return responseTo(req, code, reason, `reg${this.count}`, extra);
  }
}

interface Harness {
  registrar: InMemoryRegistrar;
  reg: Registration;
  statuses: RegistrationStatus[];
  attempts: AttemptRecord[];
  authFailures: number[];
  last(): RegistrationStatus;
}

const harnesses: Harness[] = [];

async function setUp(
  opts: { random?: () => number; planner?: RefreshPlanner; password?: string; configure?: (r: InMemoryRegistrar) => void; expires?: number } = {},
): Promise<Harness> {
  const registrar = new InMemoryRegistrar();
  opts.configure?.(registrar);
  const statuses: RegistrationStatus[] = [];
  const attempts: AttemptRecord[] = [];
  const authFailures: number[] = [];
  const config: RegistrationConfig = {
    accountId: "acc1",
    aor: "sip:alice@example.test",
    registrar: "sip:example.test",
    authUsername: "alice",
    password: opts.password ?? "secret",
    expires: opts.expires ?? 3600,
  };
  const reg = new Registration(
    config,
    {
      link: udpLink(registrar.socket, registrar.hop),
      clock: systemClock,
      logger: silentLogger,
      random: opts.random ?? (() => 0.5),
      planner: opts.planner,
    },
    {
      status: (s) => statuses.push(s),
      attempt: (a) => attempts.push(a),
      authFailed: (code) => authFailures.push(code),
    },
  );
  const h: Harness = { registrar, reg, statuses, attempts, authFailures, last: () => statuses[statuses.length - 1]! };
  harnesses.push(h);
  await reg.start();
  // Let the first exchange (microtask-delivered response, Timer K at 0 ms) complete at T0.
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

/** Advance fake time to `ms` after T0 (never backwards). */
async function advanceTo(ms: number): Promise<void> {
  const delta = T0 + ms - Date.now();
  if (delta < 0) throw new Error(`already ${-delta} ms past ${ms}`);
  await vi.advanceTimersByTimeAsync(delta);
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.reg.stop({ unregister: false, timeoutMs: 0 });
  }
  vi.useRealTimers();
});

describe("Registration in fake time", () => {
  it("runs on fake time only", async () => {
    const { registrar, last } = await setUp();
    expect(Date.now()).toBe(T0);
    expect(registrar.times).toEqual([0]);
    expect(registrar.accepted).toEqual([200]);
    expect(last()).toMatchObject({ state: "registered", code: 200, expiresAt: T0 + 3600 * SEC });
    // Nothing else is due before the refresh: no sip.js timer left behind by the transaction.
    await vi.advanceTimersByTimeAsync(1000);
    expect(registrar.count).toBe(1);
  });

  describe("200 OK granting 3600 s", () => {
    // The planner's window is [60 %, 100 %] of the 3GPP refresh point, 3600 - 600 = 3000 s.
    const lo = 0.6 * 3000 * SEC;
    const hi = 3000 * SEC;

    it.each([
      ["lowest", () => 0],
      ["middle", () => 0.5],
      ["highest", () => 0.999999],
    ])("with the planner (%s random) refreshes within [1800 s, 3000 s], not before, reusing the Call-ID", async (_name, random) => {
      const { registrar, last } = await setUp({ random, planner: new RefreshPlanner() });
      expect(registrar.count).toBe(1);
      expect(last()).toMatchObject({ state: "registered", expiresAt: T0 + 3600 * SEC });

      await advanceTo(lo - 1);
      expect(registrar.count).toBe(1);
      await advanceTo(hi);
      expect(registrar.count).toBe(2);
      const at = registrar.registers[1]!.at;
      expect(at).toBeGreaterThanOrEqual(lo);
      expect(at).toBeLessThanOrEqual(hi);

      const [first, refresh] = registrar.registers.map((r) => r.req);
      expect(refresh!.callId).toBe(first!.callId);
      expect(refresh!.cseq).toBeGreaterThan(first!.cseq);
      expect(refresh!.getHeader("contact")).toContain(";expires=3600");
      expect(last()).toMatchObject({ state: "registered", expiresAt: T0 + at + 3600 * SEC });

      // The refresh's own 200 OK plans the next one at least 1800 s later: no burst.
      await advanceTo(at + lo - 1);
      expect(registrar.count).toBe(2);
    });

    it("without a planner refreshes at exactly (3600 - 600) s less 5 % x random jitter", async () => {
      // refresh-policy.ts: base 3000 s, jitter 3000 x 0.05 x 0.5 = 75 s -> 2925 s.
      const { registrar } = await setUp({ random: () => 0.5 });
      await advanceTo(2925 * SEC - 1);
      expect(registrar.count).toBe(1);
      await advanceTo(2925 * SEC);
      expect(registrar.times).toEqual([0, 2925]);
      expect(registrar.registers[1]!.req.callId).toBe(registrar.registers[0]!.req.callId);
      expect(registrar.registers[1]!.req.cseq).toBe(registrar.registers[0]!.req.cseq + 1);
    });
  });

  describe("500 without Retry-After", () => {
    it("backs off 30 s x 2^n x (0.5 + 0.5 x random), retrying, with no storm over 10 minutes", async () => {
      // random 0.5: delays 22.5, 45, 90, 180, 360 s -> REGISTERs at 0, 22.5, 67.5, 157.5, 337.5 s; next at 697.5 s.
      const { registrar, last, statuses } = await setUp({
        random: () => 0.5,
        configure: (r) => (r.responder = () => [500, "Server Internal Error"]),
      });
      expect(last()).toMatchObject({ state: "retrying", code: 500, retryAt: T0 + 22_500 });

      await advanceTo(22_500 - 1);
      expect(registrar.count).toBe(1);
      await advanceTo(22_500);
      expect(registrar.count).toBe(2);
      expect(last()).toMatchObject({ state: "retrying", code: 500, retryAt: T0 + 67_500 });

      await advanceTo(10 * MIN);
      expect(registrar.times).toEqual([0, 22.5, 67.5, 157.5, 337.5]);
      expect(last()).toMatchObject({ state: "retrying", code: 500, retryAt: T0 + 697_500 });
      const retryAts = statuses.filter((s) => s.state === "retrying").map((s) => (s.retryAt! - T0) / SEC);
      expect(retryAts).toEqual([22.5, 67.5, 157.5, 337.5, 697.5]);
      const [first, ...rest] = registrar.registers.map((r) => r.req);
      for (const [i, r] of rest.entries()) {
        expect(r.callId).toBe(first!.callId);
        expect(r.cseq).toBe(first!.cseq + i + 1);
      }

      await advanceTo(697_500);
      expect(registrar.count).toBe(6);
    });

    it("with random 0 backs off 15, 30, 60, 120, 240 s (six REGISTERs in 10 minutes)", async () => {
      const { registrar } = await setUp({ random: () => 0, configure: (r) => (r.responder = () => [500, "Server Internal Error"]) });
      await advanceTo(10 * MIN);
      expect(registrar.times).toEqual([0, 15, 45, 105, 225, 465]);
    });
  });

  describe("503 with Retry-After: 120", () => {
    it("sends the next REGISTER at 120 s, not before, then registers", async () => {
      const { registrar, last } = await setUp({
        configure: (r) => (r.responder = (_req, n) => (n === 1 ? [503, "Service Unavailable", ["Retry-After: 120"]] : undefined)),
      });
      expect(last()).toMatchObject({ state: "retrying", code: 503, retryAt: T0 + 120 * SEC });
      await advanceTo(120 * SEC - 1);
      expect(registrar.count).toBe(1);
      await advanceTo(120 * SEC);
      expect(registrar.times).toEqual([0, 120]);
      expect(last()).toMatchObject({ state: "registered", code: 200, expiresAt: T0 + (120 + 3600) * SEC });
    });
  });

  describe("digest authentication", () => {
    const auth = { realm: "example.test", password: "secret" };

    it("registers with the right password (the registrar really checks the digest)", async () => {
      const { registrar, last } = await setUp({ password: "secret", configure: (r) => (r.auth = auth) });
      expect(registrar.count).toBe(2);
      expect(registrar.registers[0]!.req.getHeader("authorization")).toBeUndefined();
      expect(registrar.registers[1]!.req.getHeader("authorization")).toMatch(/^Digest /);
      expect(last()).toMatchObject({ state: "registered", code: 200 });
    });

    it("a wrong password (401 again after the digest answer) fails and sends nothing for an hour", async () => {
      const { registrar, last, reg, authFailures } = await setUp({ password: "wrong", configure: (r) => (r.auth = auth) });
      expect(registrar.count).toBe(2);
      expect(registrar.registers[1]!.req.getHeader("authorization")).toMatch(/^Digest /);
      expect(last()).toMatchObject({ state: "failed", code: 401, retryAt: undefined });
      expect(authFailures).toEqual([401]);
      expect(reg.waitsForUser).toBe(true);

      await advanceTo(60 * MIN);
      expect(registrar.count).toBe(2);
      expect(last()).toMatchObject({ state: "failed", code: 401 });
    });
  });

  describe("423 Interval Too Brief", () => {
    it("retries at once with Min-Expires, then refreshes on the granted expiry", async () => {
      const { registrar, last } = await setUp({
        expires: 300,
        random: () => 0.5,
        configure: (r) => {
          r.grantSec = 1800;
          r.responder = (_req, n) => (n === 1 ? [423, "Interval Too Brief", ["Min-Expires: 1800"]] : undefined);
        },
      });
      expect(registrar.times).toEqual([0, 0]);
      const [first, second] = registrar.registers.map((r) => r.req);
      expect(first!.getHeader("contact")).toContain(";expires=300");
      expect(second!.getHeader("contact")).toContain(";expires=1800");
      expect(second!.callId).toBe(first!.callId);
      expect(second!.cseq).toBeGreaterThan(first!.cseq);
      expect(last()).toMatchObject({ state: "registered", expiresAt: T0 + 1800 * SEC });
      // 1800 - 600 = 1200 s, less 5 % x 0.5 jitter = 1170 s.
      await advanceTo(1170 * SEC - 1);
      expect(registrar.count).toBe(2);
      await advanceTo(1170 * SEC);
      expect(registrar.count).toBe(3);
      expect(registrar.registers[2]!.req.getHeader("contact")).toContain(";expires=1800");
    });

    it("a second 423 ends as failed, retried only slowly (30 min), not in a loop", async () => {
      const { registrar, last } = await setUp({
        expires: 300,
        configure: (r) => (r.responder = () => [423, "Interval Too Brief", ["Min-Expires: 1800"]]),
      });
      expect(registrar.count).toBe(2);
      expect(last()).toMatchObject({ state: "failed", code: 423, retryAt: T0 + 30 * MIN });
      await advanceTo(30 * MIN - 1);
      expect(registrar.count).toBe(2);
    });
  });
});
