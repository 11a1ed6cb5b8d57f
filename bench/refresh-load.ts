/**
 * Refresh load as the registrar sees it: Kamailio's `registrar:accepted_regs` counter sampled
 * once a second, turned into REGISTERs per second, and the peak-to-mean ratio over 10 s windows
 * (the flattening target is at most 1.5).
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

export async function acceptedRegisters(registrar: Registrar): Promise<number> {
  const out = await registrar.kamcmd("stats.get_statistics", "accepted_regs");
  const m = /accepted_regs\s*=\s*(\d+)/.exec(out);
  if (!m) throw new Error(`unexpected kamcmd output: ${out}`);
  return Number(m[1]);
}

/**
 * Accepted REGISTERs per second from now until `untilMs()` (epoch ms; asked again every second,
 * so the caller can set the end once it knows it), one sample a second.
 */
export async function sampleRegisterRate(registrar: Registrar, untilMs: () => number): Promise<number[]> {
  const perSecond: number[] = [];
  let last = await acceptedRegisters(registrar);
  let next = Date.now() + 1000;
  while (next <= untilMs()) {
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    const now = await acceptedRegisters(registrar);
    perSecond.push(now - last);
    last = now;
    next += 1000;
  }
  return perSecond;
}
