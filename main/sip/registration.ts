/**
 * The REGISTER client of one account (RFC 3261 10.2), built on sip.js's user agent core
 * (transactions, digest authentication, message parsing). sip.js's own Registerer is not used:
 * it loses the status code of failed refreshes, loops on a missing Contact expires, refreshes at
 * 99 % of the expiry and never retries; this class owns timing and policy instead.
 *
 *        start/registerNow          200 OK                     refresh timer
 *   idle ------------------> sending -------> registered ----------------------> sending
 *                              |  ^                |
 *               error/timeout  |  | retry timer    | unregister()
 *                              v  |                v
 *                        retrying/failed      unregistering --(any final)--> unregistered
 *
 * One REGISTER at a time (RFC 3261 10.2: no new REGISTER before the previous one completes); a
 * request made meanwhile is sent when the current one ends.
 */
import { UserAgent, type LogLevel } from "sip.js";
import type { IncomingResponse, OutgoingRequestMessage } from "sip.js/lib/core/index.js";
import type { Binding, RegistrationState } from "../../shared/contract.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { RefreshPlanner } from "../policy/refresh-planner.js";
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicyOptions } from "../policy/retry-policy.js";
import { DigestCredentials, type AuthorizationHeader } from "./digest-auth.js";
import { readMinExpires, readRegisterOk, readRetryAfter } from "./register-response.js";
import { instanceUrn } from "./instance-urn.js";
import { RefreshTimer } from "./refresh-timer.js";
import { T1 } from "./udp-reliability.js";
import type { SipLink, TraceSink } from "./link-transport.js";

export interface RegistrationConfig {
  accountId: string;
  aor: string;
  registrar: string;
  authUsername: string;
  password: string | undefined;
  expires: number;
}

export interface RegistrationStatus {
  state: RegistrationState;
  code?: number;
  reason?: string;
  expiresAt?: number;
  retryAt?: number;
  bindings?: Binding[];
}

export interface AttemptRecord {
  kind: "register" | "unregister";
  at: number;
  code: number;
  reason: string;
  durationMs: number;
}

export interface RegistrationListener {
  status(status: RegistrationStatus): void;
  attempt(record: AttemptRecord): void;
  authFailed(code: number, reason: string): void;
}

export interface RegistrationDeps {
  link: SipLink;
  /** Spreads refreshes of many accounts evenly; without it each account refreshes on its own. */
  planner?: RefreshPlanner;
  trace?: TraceSink;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  retry?: RetryPolicyOptions;
  userAgentString?: string;
  /**
   * Where automatic retries wait for their turn (the engine's pacer): when a registrar comes
   * back, thousands of accounts whose backoff ran out in the same seconds must not all go at once.
   */
  pace?: (run: () => void) => void;
}

type Mode = "register" | "unregister" | "unregister-all";

const ALLOW = "Allow: ACK, BYE, CANCEL, INVITE, NOTIFY, OPTIONS";

export class Registration {
  readonly contactUri: string;
  /**
   * RFC 5626 instance ID, stable per account: a registrar replaces the binding with the same
   * instance when our Contact changes (a new TCP connection has a new local port), instead of
   * keeping the stale one until it expires.
   */
  readonly instance: string;
  private readonly ua: UserAgent;
  private readonly credentials: DigestCredentials | undefined;
  private readonly request: OutgoingRequestMessage;
  private readonly random: () => number;
  private readonly retry: RetryPolicyOptions;
  private readonly timer: RefreshTimer;
  private inFlight: Mode | undefined;
  private queued: Mode | undefined;
  private waiters: Array<() => void> = [];
  private expires: number;
  private failures = 0;
  private minExpiresRetried = false;
  /** Left by the user (unregistered) or failed in a way only the user can mend (credentials refused, rejected). */
  private waitingForUser = false;
  private registered = false;
  private stopped = false;
  private unregisterSentAt: number | undefined;
  private inFlightSince: number | undefined;

  constructor(
    private readonly config: RegistrationConfig,
    private readonly deps: RegistrationDeps,
    private readonly listener: RegistrationListener,
  ) {
    this.random = deps.random ?? Math.random;
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.timer = new RefreshTimer(deps.clock, deps.planner, this.random);
    this.expires = config.expires;
    const aorUri = UserAgent.makeURI(config.aor);
    const registrarUri = UserAgent.makeURI(config.registrar);
    if (!aorUri || !registrarUri) throw new Error(`invalid AOR or registrar for account ${config.accountId}`);
    const contactUser = `rw-${config.accountId}`;
    const logger = deps.logger;
    this.ua = new UserAgent({
      uri: aorUri,
      transportConstructor: deps.link.transportConstructor,
      transportOptions: { ...deps.link.transportOptions, contactUser, trace: deps.trace },
      viaHost: deps.link.sentBy,
      contactName: contactUser,
      contactParams: { transport: deps.link.contactTransport },
      forceRport: true,
      userAgentString: deps.userAgentString ?? "Regwatch",
      logBuiltinEnabled: false,
      logConfiguration: false,
      logLevel: "warn",
      // sip.js warnings are about single messages; keep them out of the info log.
      logConnector: (level: LogLevel, category: string, _label: string | undefined, content: string) =>
        logger.debug(`sip.js ${level} ${category}: ${content.split("\r\n")[0]}`),
    });
    // sip.js builds its options with Object.assign, which leaves the object in V8's dictionary
    // mode (about 1.5 KiB each); a spread copy holds the same in fast mode (heap snapshot: 1.6 KiB
    // of property storage per account, 80 MB at 50,000 accounts).
    const ua = this.ua as unknown as { options: object };
    ua.options = { ...ua.options };
    // Our digest implementation (MD5, SHA-256, SHA-512-256) instead of sip.js's MD5-only one.
    // Without a stored password there is nothing to answer a challenge with: the 401 is final.
    const { authUsername, password } = config;
    this.credentials = password ? new DigestCredentials(authUsername, password) : undefined;
    (this.ua.userAgentCore.configuration as { authenticationFactory: () => unknown }).authenticationFactory = () => this.credentials;
    const accepted = deps.link.responseAccepted;
    if (accepted) {
      // Tells the link which responses sip.js really took (see SharedUdpSocket.responseAccepted).
      const core = this.ua.userAgentCore;
      const deliver = core.receiveIncomingResponseFromTransport.bind(core);
      core.receiveIncomingResponseFromTransport = (message) => {
        accepted(message.viaBranch, message.statusCode ?? 0);
        deliver(message);
      };
    }
    this.contactUri = this.ua.contact.uri.toString();
    this.instance = instanceUrn(config.accountId);
    this.request = this.ua.userAgentCore.makeOutgoingRequestMessage("REGISTER", registrarUri, aorUri, aorUri, {});
  }

  /** Starts the user agent and (unless told not to) registers. */
  async start(register = true): Promise<void> {
    await this.ua.start();
    if (register) this.registerNow();
  }

  /** REGISTER now, whatever timer is pending (also after a failure that waits for the user). */
  registerNow(): void {
    this.minExpiresRetried = false;
    this.waitingForUser = false;
    this.send("register");
  }

  /** Removes our binding (or every binding of the AOR); resolves when the registrar answered or gave up. */
  unregister(all = false): Promise<void> {
    this.waitingForUser = true;
    this.send(all ? "unregister-all" : "unregister");
    return this.whenIdle();
  }

  /** The account's user agent (credentials, transport), shared with its reg-event watcher. */
  get userAgent(): UserAgent {
    return this.ua;
  }

  /** Pre-emptive credentials for another request of this account (see DigestCredentials.preemptive). */
  preemptiveAuthorization(request: { method: string; ruri: unknown }): { header: AuthorizationHeader; value: string } | undefined {
    return this.credentials?.preemptive(request);
  }

  /** Call-ID of our REGISTERs: a reg-event contact with it is our binding. */
  get callId(): string {
    return this.request.callId;
  }

  /** Nothing automatic (resume, network change, a lost subscription) should register it again. */
  get waitsForUser(): boolean {
    return this.waitingForUser;
  }

  /** How long the current REGISTER has waited for a final response (0 when none is in flight). */
  inFlightFor(now: number): number {
    return this.inFlight && this.inFlightSince !== undefined ? now - this.inFlightSince : 0;
  }

  /** We sent an unregister within the last `withinMs` (or one is in flight). */
  unregisteredRecently(withinMs: number): boolean {
    if (this.inFlight === "unregister" || this.inFlight === "unregister-all") return true;
    return this.unregisterSentAt !== undefined && this.deps.clock.now() - this.unregisterSentAt < withinMs;
  }

  /** Register after a delay (probation); shown as retrying until then. */
  registerAfter(delayMs: number, reason: string): void {
    if (this.stopped) return;
    this.registered = false;
    this.emit({ state: "retrying", reason, expiresAt: undefined, retryAt: this.deps.clock.now() + delayMs });
    this.timer.set(delayMs, () => this.retryNow());
  }

  /** The registrar shortened our binding: refresh in time for the new expiry. */
  refreshWithin(expiresInSec: number): void {
    if (this.stopped || !this.registered) return;
    const now = this.deps.clock.now();
    this.emit({ state: "registered", expiresAt: now + expiresInSec * 1000 });
    this.timer.refresh(Math.max(1, expiresInSec), () => this.send("register"));
  }

  /** Stop re-registering until the user acts (a registrar rejected us). */
  hold(reason: string): void {
    this.timer.clear();
    this.registered = false;
    this.waitingForUser = true;
    this.emit({ state: "failed", code: undefined, reason, expiresAt: undefined, retryAt: undefined });
  }

  /** Unregisters if registered (bounded by `timeoutMs`), then releases the user agent. */
  async stop(opts: { unregister: boolean; timeoutMs: number }): Promise<void> {
    if (this.stopped) return;
    if (opts.unregister && (this.registered || this.inFlight === "register")) {
      let timedOut = false;
      await Promise.race([
        this.unregister(false),
        new Promise<void>((r) => this.deps.clock.setTimeout(() => ((timedOut = true), r()), opts.timeoutMs)),
      ]);
      // Say so rather than leave "unregistering" behind: the binding may still be there.
      if (timedOut && this.inFlight) {
        this.emit({ state: "unregistered", code: undefined, reason: "Stopped before the registrar confirmed the unregister", expiresAt: undefined });
      }
    }
    this.stopped = true;
    this.timer.clear();
    await this.ua.stop().catch(() => undefined);
    this.waiters.splice(0).forEach((w) => w());
  }

  private send(mode: Mode): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.queued = mode;
      return;
    }
    this.timer.clear();
    this.inFlight = mode;
    const unregistering = mode !== "register";
    this.emit({ state: unregistering ? "unregistering" : this.registered ? "registered" : "registering" });
    const startedAt = this.deps.clock.now();
    if (unregistering) this.unregisterSentAt = startedAt;
    this.inFlightSince = startedAt;
    const req = this.request;
    req.cseq++;
    req.setHeader("cseq", `${req.cseq} REGISTER`);
    req.extraHeaders =
      mode === "unregister-all"
        ? ["Contact: *", "Expires: 0", ALLOW]
        : [`Contact: <${this.contactUri}>;+sip.instance="<${this.instance}>";expires=${unregistering ? 0 : this.expires}`, ALLOW];
    const done = (response: IncomingResponse) => {
      if (this.stopped) return;
      this.inFlight = undefined;
      this.onFinal(mode, response, startedAt);
      const next = this.queued;
      this.queued = undefined;
      if (next) this.send(next);
      else this.waiters.splice(0).forEach((w) => w());
    };
    try {
      this.deps.logger.debug("REGISTER", { account: this.config.accountId, mode, cseq: req.cseq });
      this.ua.userAgentCore.register(req, { onAccept: done, onReject: done, onRedirect: done });
    } catch (e) {
      // sip.js throws synchronously on some transport failures; treat as a local 503.
      this.inFlight = undefined;
      this.onLocalFailure(mode, startedAt, (e as Error).message);
    }
  }

  private onFinal(mode: Mode, response: IncomingResponse, startedAt: number): void {
    const msg = response.message;
    const code = msg.statusCode ?? 0;
    // sip.js synthesises 408 (Timer F) and 503 (transport error) without any header.
    const local = !msg.hasHeader("via");
    const reason = local ? (code === 408 ? "No response from registrar (timeout)" : "Transport error") : msg.reasonPhrase || "";
    const now = this.deps.clock.now();
    this.listener.attempt({
      kind: mode === "register" ? "register" : "unregister",
      at: now,
      code,
      reason,
      durationMs: Math.max(0, now - startedAt),
    });
    if (mode !== "register") {
      this.registered = false;
      this.emit({ state: "unregistered", code, reason, expiresAt: undefined, retryAt: undefined, bindings: code < 300 ? this.bindingsAfterUnregister(response) : undefined });
      return;
    }
    if (code >= 200 && code < 300) {
      const ok = readRegisterOk(msg, this.contactUri, this.expires, now);
      this.registered = true;
      this.failures = 0;
      this.emit({ state: "registered", code, reason, expiresAt: now + ok.grantedSec * 1000, retryAt: undefined, bindings: ok.bindings });
      this.timer.refresh(ok.grantedSec, () => this.send("register"));
      return;
    }
    if (code === 423 && !this.minExpiresRetried) {
      const min = readMinExpires(msg);
      if (min !== undefined && min > this.expires) {
        // Once only: a second 423 ends as failed instead of a loop.
        this.minExpiresRetried = true;
        this.expires = min;
        this.queued ??= "register";
        return;
      }
    }
    // Over UDP, an answer later than T1 came after Timer E had sent the request again.
    const retransmitted = this.deps.link.contactTransport === "udp" && now - startedAt >= T1;
    this.onFailure(code, reason, local, local ? undefined : readRetryAfter(msg), retransmitted);
  }

  private onLocalFailure(mode: Mode, startedAt: number, message: string): void {
    const now = this.deps.clock.now();
    this.listener.attempt({ kind: mode === "register" ? "register" : "unregister", at: now, code: 503, reason: message, durationMs: now - startedAt });
    if (mode === "register") this.onFailure(503, message, true, undefined);
    else this.emit({ state: "unregistered", code: 503, reason: message });
  }

  private onFailure(code: number, reason: string, local: boolean, retryAfterSec: number | undefined, retransmitted = false): void {
    this.registered = false;
    const decision = decideRetry({ code, local, retryAfterSec, failures: this.failures, retransmitted }, this.random, this.retry);
    this.failures++;
    this.waitingForUser = decision.alert === "auth-failed";
    const now = this.deps.clock.now();
    const retryAt = decision.delayMs !== undefined ? now + decision.delayMs : undefined;
    this.emit({ state: decision.state, code, reason, expiresAt: undefined, retryAt, bindings: [] });
    if (decision.alert === "auth-failed") this.listener.authFailed(code, reason);
    if (decision.delayMs !== undefined) this.timer.set(decision.delayMs, () => this.retryNow());
  }

  /** After removing our own binding, the registrar lists what is left (other devices). */
  private bindingsAfterUnregister(response: IncomingResponse): Binding[] {
    return readRegisterOk(response.message, this.contactUri, this.expires, this.deps.clock.now()).bindings.filter((b) => !b.own);
  }

  private retryNow(): void {
    if (this.deps.pace) this.deps.pace(() => this.registerNow());
    else this.registerNow();
  }

  private emit(status: RegistrationStatus): void {
    this.listener.status(status);
  }

  private whenIdle(): Promise<void> {
    if (!this.inFlight && !this.queued) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
