/**
 * Refresh load as the registrar sees it: Kamailio's `registrar:accepted_regs` counter read about
 * once a second with the time of each reading, turned into REGISTERs per second, and the
 * peak-to-mean ratio over 10 s windows (the flattening target is at most 1.5).
 */
import type { Registrar } from "../e2e/registrar/registrar.js";

/** Largest sum over `windowSec` consecutive seconds, divided by the mean over the same length. */
export function peakToMean(perSecond: readonly number[], windowSec = 10): { peak: number; mean: number; ratio: number } {
  if (perSecond.length < windowSec) throw new RangeError(`need at least ${windowSec} seconds of samples, got ${perSecond.length}`);
  const total = perSecond.reduce((a, b) => a + b, 0);
  const mean = (total / perSecond.length) * windowSec;
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < perSecond.length; i++) {
    sum += perSecond[i]!;
    if (i >= windowSec) sum -= perSecond[i - windowSec]!;
    if (i >= windowSec - 1) peak = Math.max(peak, sum);
  }
  return { peak: peak / windowSec, mean: mean / windowSec, ratio: mean > 0 ? peak / mean : 0 };
}

/** One reading of a cumulative counter. */
export interface Reading {
  atMs: number;
  total: number;
}

/**
 * Counts per second over [fromMs, toMs) from readings of a cumulative counter, interpolating
 * linearly between readings: under load a reading can take seconds, and counting it as one
 * second would fold several seconds' REGISTERs into one sample.
 */
export function perSecond(readings: readonly Reading[], fromMs: number, toMs: number): number[] {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last || first.atMs > fromMs || last.atMs < toMs) throw new RangeError("readings do not cover the interval");
  let i = 0;
  const at = (t: number) => {
    while (readings[i + 1]!.atMs < t) i++;
    const a = readings[i]!;
    const b = readings[i + 1]!;
    return b.atMs === a.atMs ? b.total : a.total + ((b.total - a.total) * (t - a.atMs)) / (b.atMs - a.atMs);
  };
  const out: number[] = [];
  let prev = at(fromMs);
  for (let t = fromMs + 1000; t <= toMs; t += 1000) {
    const now = at(t);
    out.push(now - prev);
    prev = now;
  }
  return out;
}

export async function acceptedRegisters(registrar: Registrar): Promise<number> {
  const out = await registrar.kamcmd("stats.get_statistics", "accepted_regs");
  const m = /accepted_regs\s*=\s*(\d+)/.exec(out);
  if (!m) throw new Error(`unexpected kamcmd output: ${out}`);
  return Number(m[1]);
}

/**
 * Readings of accepted REGISTERs from now until `stop` says so (asked after each reading, with
 * the first one, so the caller can change its mind as it learns more), about one a second, each
 * stamped with the middle of its kamcmd call.
 */
export async function sampleRegisterRate(registrar: Registrar, stop: (latest: Reading, first: Reading) => boolean): Promise<Reading[]> {
  const read = async (): Promise<Reading> => {
    const start = Date.now();
    const total = await acceptedRegisters(registrar);
    return { atMs: (start + Date.now()) / 2, total };
  };
  const readings = [await read()];
  while (!stop(readings.at(-1)!, readings[0]!)) {
    await new Promise((r) => setTimeout(r, Math.max(0, readings.at(-1)!.atMs + 1000 - Date.now())));
    readings.push(await read());
  }
  return readings;
}
