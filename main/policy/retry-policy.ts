/**
 * What to do after a REGISTER attempt ends without a registration, by error class.
 *
 * - transport error or timeout, 5xx/6xx without Retry-After: `retrying` with exponential backoff
 *   and jitter (30 s x 2^n, capped at 30 min, each delay drawn from [50 %, 100 %] of that)
 * - 5xx/6xx with Retry-After: `retrying` exactly after Retry-After
 * - 401/407 that survived our credentials, or 403: `failed` and no automatic retry until the
 *   credentials change or the user asks (registrars lock accounts that hammer them)
 * - 400 to a request we had to retransmit over UDP: `retrying` with backoff, because a registrar
 *   may be answering a late duplicate of a request it already accepted (Kamailio answers one
 *   "400" for an old CSeq, measured under load); a real client error repeats and ends as failed
 * - other 4xx: `failed` with the reason, retried slowly
 *
 * Pure: the caller supplies the attempt number and a random source.
 */
import { clamp01 } from "./refresh-policy.js";

export interface RetryPolicyOptions {
  baseMs: number;
  capMs: number;
  slowRetryMs: number;
}
export const DEFAULT_RETRY_POLICY: RetryPolicyOptions = {
  baseMs: 30_000,
  capMs: 30 * 60_000,
  slowRetryMs: 30 * 60_000,
};

export interface FailedAttempt {
  /** SIP status, or 408/503 synthesised for a timeout or transport error. */
  code: number;
  /** The failure came from our side (no response at all). */
  local: boolean;
  retryAfterSec?: number;
  /** Consecutive failed attempts before this one. */
  failures: number;
  /** The request went out more than once (UDP retransmission) before this answer. */
  retransmitted?: boolean;
}

export type RetryDecision =
  | { state: "retrying"; delayMs: number; alert?: undefined }
  | { state: "failed"; delayMs?: number; alert?: "auth-failed" };

export function decideRetry(
  attempt: FailedAttempt,
  random: () => number = Math.random,
  opts: RetryPolicyOptions = DEFAULT_RETRY_POLICY,
): RetryDecision {
  const { code } = attempt;
  if (code === 401 || code === 407 || code === 403) return { state: "failed", alert: "auth-failed" };
  const retryAfterMs =
    attempt.retryAfterSec !== undefined && Number.isFinite(attempt.retryAfterSec) && attempt.retryAfterSec >= 0
      ? Math.min(attempt.retryAfterSec * 1000, opts.capMs)
      : undefined;
  if (code >= 500 || attempt.local || code === 408) {
    if (retryAfterMs !== undefined && !attempt.local) return { state: "retrying", delayMs: Math.max(1000, retryAfterMs) };
    return { state: "retrying", delayMs: backoffMs(attempt.failures, random, opts) };
  }
  if (code === 400 && attempt.retransmitted && attempt.failures === 0) return { state: "retrying", delayMs: backoffMs(0, random, opts) };
  // Any other final failure (4xx): shown as failed; still retried, slowly, in case it was transient.
  return { state: "failed", delayMs: retryAfterMs ?? opts.slowRetryMs };
}

export function backoffMs(failures: number, random: () => number, opts: RetryPolicyOptions = DEFAULT_RETRY_POLICY): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(Math.max(0, failures), 20));
  return Math.round(exp * (0.5 + 0.5 * clamp01(random())));
}
