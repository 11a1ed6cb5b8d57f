/** Helpers for tests that check how evenly work is spread over time. */

/** Peak 10-second window over the mean 10-second window, across the span the times cover. */
export function peakToMean(times: number[]): number {
  const windows = new Map<number, number>();
  for (const t of times) windows.set(Math.floor(t / 10_000), (windows.get(Math.floor(t / 10_000)) ?? 0) + 1);
  const first = Math.min(...windows.keys());
  const last = Math.max(...windows.keys());
  // Ignore the two partly covered edge windows.
  const inner = [...windows].filter(([w]) => w > first && w < last).map(([, n]) => n);
  const mean = inner.reduce((a, b) => a + b, 0) / inner.length;
  return Math.max(...inner) / mean;
}

/** A repeatable random source. */
export function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}
