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

  /** `minMs` (T1) until measured otherwise, never above `maxMs` (T2). */
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** A round trip measured on a request that was never retransmitted (Karn's rule). */
  sample(ms: number): void {
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  /** The first retransmission interval. */
  get timeoutMs(): number {
    if (this.srtt === undefined) return this.minMs;
    return Math.min(this.maxMs, Math.max(this.minMs, Math.round(this.srtt + 4 * this.rttvar)));
  }
}
