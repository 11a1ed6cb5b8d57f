/**
 * RFC 3261 17.1.2.2 / 17.2.2 over UDP, which sip.js leaves out (its Timer E and A are "FIXME"):
 * a client request is retransmitted from T1 (or the measured round trip to its destination,
 * when longer: see RttEstimator), doubling up to T2, until a final response or Timer F; after a
 * provisional response it goes on every T2. A request we already answered (a retransmitted
 * NOTIFY) is answered again from a cache instead of reaching sip.js, whose server transactions
 * end at once and would answer it with an error.
 *
 * Pure bookkeeping with an injected `now`: the socket calls `due(now)` from a single tick timer,
 * so there is never a timer per transaction.
 */
import { detachedCopy } from "./message-routing.js";
import { RttEstimator } from "./rtt-estimator.js";

export const T1 = 500;
export const T2 = 4000;
/** Timer F / Timer J: 64 x T1. */
export const TRANSACTION_MS = 64 * T1;

export interface Resend<D> {
  text: string;
  to: D;
}

interface PendingRequest<D> extends Resend<D> {
  sentAt: number;
  nextAt: number;
  interval: number;
  deadline: number;
  retransmitted: boolean;
}

interface CachedResponse<D> extends Resend<D> {
  expiresAt: number;
}

export class UdpReliability<D> {
  private readonly pending = new Map<string, PendingRequest<D>>();
  private readonly answered = new Map<string, CachedResponse<D>>();
  private readonly rtt = new Map<string, RttEstimator>();

  /** `destinationOf`: which round-trip estimate a request's destination shares. */
  constructor(private readonly destinationOf: (to: D) => string = String) {}

  get size(): number {
    return this.pending.size + this.answered.size;
  }

  /** A request went out: retransmit it until told otherwise. ACK is never retransmitted. */
  requestSent(branch: string, method: string, text: string, to: D, now: number): void {
    if (method === "ACK") return;
    const interval = this.estimatorFor(to).timeoutMs;
    this.pending.set(branch, { text, to, sentAt: now, nextAt: now + interval, interval, deadline: now + TRANSACTION_MS, retransmitted: false });
  }

  private estimatorFor(to: D): RttEstimator {
    const key = this.destinationOf(to);
    return this.rtt.get(key) ?? this.rtt.set(key, new RttEstimator(T1, T2)).get(key)!;
  }

  /** A response to our request arrived. */
  responseReceived(branch: string, status: number, now: number): void {
    const p = this.pending.get(branch);
    if (!p) return;
    if (!p.retransmitted) this.estimatorFor(p.to).sample(now - p.sentAt);
    if (status >= 200) this.pending.delete(branch);
    else {
      // Provisional: keep retransmitting, but only every T2 (non-INVITE).
      p.interval = T2;
      p.nextAt = now + T2;
    }
  }

  /** We answered a request; a retransmission of it gets the same answer. */
  responseSent(branch: string, method: string, text: string, to: D, now: number): void {
    // Kept for Timer J: copies, since both are built of slices of the request they answer.
    this.answered.set(detachedCopy(`${method} ${branch}`), { text: detachedCopy(text), to, expiresAt: now + TRANSACTION_MS });
  }

  /** The cached answer for a retransmitted request, if we have one. */
  replayFor(branch: string, method: string, now: number): Resend<D> | undefined {
    const hit = this.answered.get(`${method} ${branch}`);
    return hit && hit.expiresAt > now ? hit : undefined;
  }

  /**
   * The process was frozen for `ms` (a GC pause, a suspended laptop): answers may be waiting
   * unread in the socket, and the first tick after the freeze runs before they are read. The
   * frozen time does not count toward any retransmission, and the answers get one T1 to be read,
   * so a stall does not turn into a burst of retransmissions (a stateless registrar would take
   * every one as a new REGISTER).
   */
  postpone(ms: number): void {
    for (const p of this.pending.values()) p.nextAt += ms + T1;
  }

  /**
   * Retransmissions due now; expired entries are dropped (sip.js reports the timeout), and so
   * are those whose sender has left (`live` false), checked here rather than on leaving so that
   * leaving costs nothing.
   */
  due(now: number, live: (to: D) => boolean = () => true): Resend<D>[] {
    const out: Resend<D>[] = [];
    for (const [branch, p] of this.pending) {
      if (now >= p.deadline || (now >= p.nextAt && !live(p.to))) {
        this.pending.delete(branch);
        continue;
      }
      if (now >= p.nextAt) {
        out.push(p);
        if (!p.retransmitted) this.estimatorFor(p.to).timedOut();
        p.retransmitted = true;
        p.interval = Math.min(p.interval * 2, T2);
        p.nextAt = now + p.interval;
      }
    }
    for (const [key, a] of this.answered) if (now >= a.expiresAt) this.answered.delete(key);
    return out;
  }
}
