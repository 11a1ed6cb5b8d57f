/** Nearest-rank quantile `p` (0..1] of an ascending, non-empty list. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** The last `capacity` durations in a fixed ring, summarised as count, p50 and p99. */
export class LatencyReservoir {
  private readonly values: Float64Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.values[this.count % this.capacity] = ms;
    this.count++;
  }

  summary(): { count: number; p50: number; p99: number } {
    const n = Math.min(this.count, this.capacity);
    if (n === 0) return { count: 0, p50: 0, p99: 0 };
    // A typed array sorts numerically and natively: several times faster than an Array with a comparator.
    const sorted = this.values.slice(0, n).sort();
    return { count: this.count, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  }
}
