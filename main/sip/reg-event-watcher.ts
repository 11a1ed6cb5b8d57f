/**
 * The reg-event subscription of one account to its own AOR (RFC 3680 over RFC 6665), built on
 * sip.js's core subscription dialog. sip.js's Subscriber is not used: it hides why an initial
 * SUBSCRIBE failed, never retries, reads retry-after as milliseconds and drops Accept on refresh.
 *
 *   start --SUBSCRIBE--> subscribing --first NOTIFY--> active --refresh timer--> re-SUBSCRIBE
 *                          |                              |
 *        489/403/404       |   terminated;reason=...      |  (RFC 6665 4.1.3 by reason:
 *   -> unsupported (no retry)                             v   resubscribe now, later, or never)
 *        other failures -> failed, retried with backoff
 */
import { UserAgent } from "sip.js";
import type {
  IncomingNotifyRequest,
  IncomingResponse,
  OutgoingRequestMessage,
  OutgoingSubscribeRequestDelegate,
  Subscription,
} from "sip.js/lib/core/index.js";
import type { Binding, RegEventState } from "../../shared/contract.js";
import type { Clock } from "../clock.js";
import type { AuthorizationHeader } from "./digest-auth.js";
import type { Logger } from "../log.js";
import type { RefreshPlanner } from "../policy/refresh-planner.js";
import { decideTermination } from "../policy/reg-event-policy.js";
import { backoffMs } from "../policy/retry-policy.js";
import { parseReginfo, type ReginfoErrorKind } from "./reginfo-parser.js";
import { ReginfoState, type ContactChange, type OwnIdentity } from "./reginfo-state.js";
import { RefreshTimer } from "./refresh-timer.js";

export interface RegEventListener {
  state(state: RegEventState, reason?: string): void;
  /** Contacts changed; `bindings` is the AOR's full set as now known. */
  changes(changes: ContactChange[], bindings: Binding[], receivedAt: number): void;
  /** A NOTIFY body that could not be used (malformed, hostile, too large). */
  badBody(kind: ReginfoErrorKind, message: string): void;
  /** The server ended the subscription (a registrar restart does this). */
  terminated(reason: string | undefined): void;
}

export interface RegEventWatcherDeps {
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** The engine's refresh planner, shared with REGISTER refreshes. */
  planner?: RefreshPlanner;
}

const UNSUPPORTED = new Set([489, 403, 404, 405, 501]);
const ALLOW = "Allow: ACK, BYE, CANCEL, INVITE, NOTIFY, OPTIONS";
const ACCEPT = "Accept: application/reginfo+xml";

export class RegEventWatcher {
  private readonly tracker: ReginfoState;
  private readonly random: () => number;
  private dialog: Subscription | undefined;
  private readonly timer: RefreshTimer;
  private generation = 0;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly ua: UserAgent,
    private readonly config: {
      aor: string;
      expires: number;
      own: OwnIdentity;
      /** Pre-emptive credentials for the initial SUBSCRIBE (from the account's REGISTER challenge). */
      preemptiveAuthorization?: (request: { method: string; ruri: unknown }) => { header: AuthorizationHeader; value: string } | undefined;
    },
    private readonly deps: RegEventWatcherDeps,
    private readonly listener: RegEventListener,
  ) {
    this.tracker = new ReginfoState(config.aor, config.own);
    this.random = deps.random ?? Math.random;
    this.timer = new RefreshTimer(deps.clock, deps.planner, this.random);
  }

  start(): void {
    if (this.stopped) return;
    this.timer.clear();
    this.dialog = undefined;
    this.tracker.reset();
    const gen = ++this.generation;
    const aor = UserAgent.makeURI(this.config.aor)!;
    const core = this.ua.userAgentCore;
    const message: OutgoingRequestMessage = core.makeOutgoingRequestMessage("SUBSCRIBE", aor, aor, aor, {}, [
      "Event: reg",
      ACCEPT,
      `Expires: ${this.config.expires}`,
      `Contact: ${this.ua.contact.toString()}`,
      ALLOW,
    ]);
    const authorization = this.config.preemptiveAuthorization?.({ method: "SUBSCRIBE", ruri: aor });
    if (authorization) message.setHeader(authorization.header, authorization.value);
    this.listener.state("subscribing");
    const live = () => gen === this.generation && !this.stopped;
    const delegate: OutgoingSubscribeRequestDelegate = {
      onNotify: ({ request, subscription }) => {
        if (!live()) return void request.reject({ statusCode: 481 });
        if (subscription) {
          this.dialog = subscription;
          subscription.delegate = {
            onNotify: (r) => (live() ? this.onNotify(r) : r.reject({ statusCode: 481 })),
            onTerminated: () => live() && this.onDialogGone(),
          };
        }
        this.onNotify(request);
      },
      onNotifyTimeout: () => live() && this.retryLater("no NOTIFY after the SUBSCRIBE was accepted"),
      onReject: (r) => live() && this.onRejected(r),
      onRedirect: (r) => live() && this.onRejected(r),
    };
    core.subscribe(message, delegate);
  }

  /** Ends the subscription (Expires: 0) without waiting long for the answer. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer.clear();
    const dialog = this.dialog;
    this.dialog = undefined;
    try {
      dialog?.unsubscribe();
    } catch {
      // Already terminated.
    }
    this.listener.state("off");
  }

  private onNotify(request: IncomingNotifyRequest): void {
    const msg = request.message;
    request.accept();
    const receivedAt = this.deps.clock.now();
    const sub = parseSubscriptionState(msg.getHeader("subscription-state"));
    const type = (msg.getHeader("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const body = msg.body ?? "";
    this.deps.logger.debug("reg-event NOTIFY", { aor: this.config.aor, state: msg.getHeader("subscription-state"), body: body.slice(0, 2000) });
    if (body.trim() !== "" && type !== "application/reginfo+xml") {
      this.listener.badBody("not-reginfo", `NOTIFY body of type ${type || "(none)"} ignored`);
    } else {
      const parsed = parseReginfo(body);
      if (!parsed.ok) {
        this.listener.badBody(parsed.error.kind, parsed.error.message);
      } else if (parsed.doc) {
        const result = this.tracker.apply(parsed.doc);
        if (result.kind === "gap") {
          // NOTIFYs were lost: a new subscription brings full state.
          this.deps.logger.info("reg-event version gap; re-subscribing", { expected: result.expected, got: result.got });
          if (sub.state !== "terminated") return this.resubscribe(0);
        } else if (result.kind === "applied") {
          this.listener.changes(result.changes, this.tracker.bindings(receivedAt), receivedAt);
        }
      }
    }
    if (sub.state === "terminated") {
      this.dialog = undefined;
      this.listener.terminated(sub.reason);
      const end = decideTermination(sub.reason, sub.retryAfter, backoffMs(this.failures++, this.random));
      if (end.kind === "unavailable") {
        this.listener.state("failed", end.reason);
        return;
      }
      this.listener.state("subscribing", `subscription ${sub.reason ?? "terminated"}; renewing`);
      return this.resubscribe(end.delayMs);
    }
    this.failures = 0;
    this.listener.state("active");
    const expires = sub.expires ?? this.config.expires;
    if (expires > 0) this.timer.refresh(expires, () => this.refresh());
  }

  private refresh(): void {
    const dialog = this.dialog;
    if (!dialog || this.stopped) return this.start();
    try {
      dialog.subscribe(
        {
          onAccept: () => undefined,
          // A refused refresh ends this dialog; a new subscription starts over.
          onReject: (r) => (r.message.statusCode === 481 ? this.onLost() : this.onRejected(r)),
          onRedirect: (r) => this.onRejected(r),
        },
        { extraHeaders: [ALLOW, "Event: reg", ACCEPT, `Expires: ${this.config.expires}`, `Contact: ${this.ua.contact.toString()}`] },
      );
    } catch {
      this.start();
    }
  }

  private onRejected(response: IncomingResponse): void {
    const code = response.message.statusCode ?? 0;
    const reason = `${code} ${response.message.reasonPhrase ?? ""}`.trim();
    this.dialog = undefined;
    if (UNSUPPORTED.has(code)) {
      // The registrar does not offer the reg event: keep watching through REGISTER refreshes.
      this.listener.state("unsupported", `registrar answered ${reason}`);
      return;
    }
    this.retryLater(`SUBSCRIBE failed: ${reason}`, readRetryAfterSec(response));
  }

  /**
   * 481 to a refresh: the registrar no longer knows our subscription. Over UDP this is how a
   * registrar restart shows (its bindings are gone too), so the engine re-registers and we
   * subscribe again at once rather than after a backoff.
   */
  private onLost(): void {
    if (this.stopped) return;
    this.listener.terminated("subscription unknown to the registrar (481)");
    this.listener.state("subscribing", "subscription lost (481); subscribing again");
    this.resubscribe(0);
  }

  private onDialogGone(): void {
    // Expired or ended without a terminated NOTIFY (e.g. Timer N): subscribe again.
    if (this.stopped) return;
    this.dialog = undefined;
    this.retryLater("subscription ended");
  }

  private retryLater(reason: string, retryAfterSec?: number): void {
    const delay = retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffMs(this.failures++, this.random, { baseMs: 5_000, capMs: 15 * 60_000, slowRetryMs: 0 });
    this.listener.state("failed", `${reason}; retrying in ${Math.round(delay / 1000)} s`);
    this.resubscribe(delay);
  }

  private resubscribe(delayMs: number): void {
    this.dialog = undefined;
    this.timer.set(delayMs, () => this.start());
  }
}

export interface SubscriptionStateHeader {
  state: string;
  reason?: string;
  expires?: number;
  retryAfter?: number;
}

/** `Subscription-State: active;expires=3600` / `terminated;reason=probation;retry-after=30` (RFC 6665 8.2.3). */
export function parseSubscriptionState(value: string | undefined): SubscriptionStateHeader {
  const [state = "", ...params] = (value ?? "").split(";").map((s) => s.trim());
  const out: SubscriptionStateHeader = { state: state.toLowerCase() };
  for (const p of params) {
    const [k, v] = p.split("=").map((s) => s.trim());
    const key = k?.toLowerCase();
    const num = v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
    if (key === "reason" && v) out.reason = v.toLowerCase();
    else if (key === "expires") out.expires = num;
    else if (key === "retry-after") out.retryAfter = num;
  }
  return out;
}

function readRetryAfterSec(response: IncomingResponse): number | undefined {
  const m = /^\s*(\d{1,9})/.exec(response.message.getHeader("retry-after") ?? "");
  return m ? Number(m[1]) : undefined;
}
