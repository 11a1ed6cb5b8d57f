/**
 * Round-trip time to one destination, estimated as TCP does (RFC 6298), giving the first
 * retransmission interval of a request sent there. RFC 3261 17.1.1.1 makes T1 an estimate of
 * the round trip, 500 ms unless known to be larger; it is larger when the answers wait behind
 * thousands of others, in our own socket or in a busy registrar. Retransmitting at a fixed
 * 500 ms then doubles the load at the moment there is least room for it, and a stateless
 * registrar takes each copy as a new REGISTER: the storm feeds itself. Pure.
 */
export class RttEstimator {
  private srtt: number | undefined;
  private rttvar = 0;
  /** Doubled on each retransmission timeout until a new measurement (RFC 6298 5.5). */
  private backoff = 1;

  /** `minMs` (T1) until measured otherwise, never above `maxMs` (T2). */
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** A round trip measured on a request that was never retransmitted (Karn's rule). */
  sample(ms: number): void {
    this.backoff = 1;
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  /**
   * A request went unanswered for its first interval. Requests sent after it start from twice
   * as long until one is measured: once most requests are retransmitted, Karn's rule leaves no
   * measurements, and without this the estimate would stay where the trouble began.
   */
  timedOut(): void {
    this.backoff = Math.min(this.backoff * 2, 64);
  }

  /** The first retransmission interval. */
  get timeoutMs(): number {
    const base = this.srtt === undefined ? this.minMs : Math.max(this.minMs, this.srtt + 4 * this.rttvar);
    return Math.min(this.maxMs, Math.round(base * this.backoff));
  }
}
