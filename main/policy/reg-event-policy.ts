/**
 * What a reg-event change to our own binding means and what to do about it (RFC 3680 5.1
 * contact events; defaults as the product specifies them). Pure.
 *
 * | event (own contact)            | alert          | action                              |
 * |--------------------------------|----------------|-------------------------------------|
 * | deactivated                    | deactivated    | re-register now                     |
 * | probation                      | probation      | re-register after retry-after       |
 * | rejected                       | rejected       | hold: no re-register until the user |
 * | unregistered, not sent by us   | unregistered   | re-register now                     |
 * | unregistered, sent by us       | none           | none                                |
 * | expired (early or missed)      | expired        | re-register now                     |
 * | shortened                      | shortened      | refresh before the new expiry       |
 * | vanished from a full document  | registration-lost | re-register now                  |
 * | registered/refreshed/created   | none           | none                                |
 */
import { POLICY_EVENTS, type AlertKind, type PolicyEvent, type RegEventPolicy } from "../../shared/contract.js";
import type { ContactChange } from "../sip/reginfo-state.js";

export type RegEventAction =
  | { kind: "none" }
  | { kind: "reregister-now" }
  | { kind: "reregister-after"; delayMs: number }
  | { kind: "refresh-before"; expiresInSec: number }
  | { kind: "hold" };

export interface RegEventDecision {
  alert?: { kind: AlertKind; message: string };
  action: RegEventAction;
  /** One line for the account's history. */
  summary: string;
}

export interface OwnBindingContext {
  /** We asked to unregister (or are unregistering) recently: an `unregistered` is ours. */
  weUnregistered: boolean;
  /** When the registrar told us our binding expires, if registered. */
  grantedExpiresAt?: number;
  now: number;
  /** Backoff for probation without retry-after. */
  probationDefaultMs?: number;
}

/** An `expired` this long before the granted expiry is a removal, not a missed refresh. */
const EARLY_EXPIRY_MS = 5_000;

export function decideOwnChange(change: ContactChange, ctx: OwnBindingContext): RegEventDecision {
  const c = change.contact;
  if (change.vanished) {
    return {
      alert: { kind: "registration-lost", message: "Our binding disappeared from the registrar's reg-event state" },
      action: { kind: "reregister-now" },
      summary: "binding vanished from full state",
    };
  }
  if (c.state === "active") {
    if (c.event === "shortened") {
      const sec = c.expires ?? 0;
      return {
        alert: { kind: "shortened", message: `The registrar shortened our registration to ${sec} s` },
        action: { kind: "refresh-before", expiresInSec: sec },
        summary: `shortened to ${sec} s`,
      };
    }
    return { action: { kind: "none" }, summary: `${c.event || "active"}${c.expires !== undefined ? ` (${c.expires} s)` : ""}` };
  }
  switch (c.event) {
    case "deactivated":
      return {
        alert: { kind: "deactivated", message: "The registrar deactivated our binding (forced deregistration); re-registering" },
        action: { kind: "reregister-now" },
        summary: "deactivated by the registrar",
      };
    case "probation": {
      const delayMs = c.retryAfter !== undefined ? c.retryAfter * 1000 : (ctx.probationDefaultMs ?? 60_000);
      return {
        alert: { kind: "probation", message: `The registrar put our binding on probation; re-registering in ${Math.round(delayMs / 1000)} s` },
        action: { kind: "reregister-after", delayMs },
        summary: `probation, retry after ${Math.round(delayMs / 1000)} s`,
      };
    }
    case "rejected":
      return {
        alert: { kind: "rejected", message: "The registrar rejected our binding; not re-registering until you act" },
        action: { kind: "hold" },
        summary: "rejected by the registrar",
      };
    case "unregistered":
      if (ctx.weUnregistered) return { action: { kind: "none" }, summary: "unregistered by us" };
      return {
        alert: { kind: "unregistered", message: "Our binding was removed by someone else (unregistered); re-registering" },
        action: { kind: "reregister-now" },
        summary: "unregistered by someone else",
      };
    case "expired": {
      const early = ctx.grantedExpiresAt !== undefined && ctx.now < ctx.grantedExpiresAt - EARLY_EXPIRY_MS;
      return {
        alert: {
          kind: "expired",
          message: early
            ? `Our binding expired ${Math.round((ctx.grantedExpiresAt! - ctx.now) / 1000)} s before the expiry we were granted (forced removal); re-registering`
            : "Our binding expired (a refresh was missed); re-registering",
        },
        action: { kind: "reregister-now" },
        summary: early ? "expired early (forced)" : "expired (missed refresh)",
      };
    }
    default:
      return {
        alert: { kind: "registration-lost", message: `Our binding was terminated (${c.event || "no reason given"}); re-registering` },
        action: { kind: "reregister-now" },
        summary: `terminated: ${c.event || "no event"}`,
      };
  }
}

export type SubscriptionEnd =
  | { kind: "resubscribe"; delayMs: number }
  | { kind: "unavailable"; reason: string };

/** RFC 6665 4.1.3: what to do when the subscription is terminated, by reason. */
export function decideTermination(reason: string | undefined, retryAfterSec: number | undefined, backoffMs: number): SubscriptionEnd {
  switch (reason) {
    case "deactivated":
    case "timeout":
      return { kind: "resubscribe", delayMs: 0 };
    case "probation":
    case "giveup":
      return { kind: "resubscribe", delayMs: retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffMs };
    case "rejected":
    case "noresource":
      return { kind: "unavailable", reason: `reg-event subscription ${reason} by the registrar` };
    default:
      return { kind: "resubscribe", delayMs: retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffMs };
  }
}

/**
 * The account's own choices on top of the defaults: `alert-only` keeps the alert and drops the
 * automatic action, `ignore` drops both (the history line stays).
 */
export function applyAccountPolicy(decision: RegEventDecision, event: string, policy: RegEventPolicy): RegEventDecision {
  if (!(POLICY_EVENTS as readonly string[]).includes(event)) return decision;
  const choice = policy[event as PolicyEvent] ?? "default";
  if (choice === "default") return decision;
  const summary = `${decision.summary} (policy: ${choice})`;
  if (choice === "ignore") return { action: { kind: "none" }, summary };
  return { alert: decision.alert, action: { kind: "none" }, summary };
}
