/**
 * When to refresh a registration the registrar granted for `grantedSec` seconds.
 *
 * 3GPP TS 24.229 5.1.1.4: refresh 600 s before expiry when the expiry is over 1200 s, else at
 * half of it. A little jitter (up to 5 % earlier) keeps accounts registered at the same moment
 * from refreshing in lock step. `random` is injected so the result is testable.
 */
export function refreshDelayMs(grantedSec: number, random: () => number = Math.random): number {
  if (!Number.isFinite(grantedSec) || grantedSec <= 0) throw new RangeError(`invalid granted expiry ${grantedSec}`);
  const base = grantedSec > 1200 ? grantedSec - 600 : grantedSec / 2;
  const jitter = base * 0.05 * clamp01(random());
  // Never below one second: a registrar granting 1 s must not make us spin.
  return Math.max(1000, Math.round((base - jitter) * 1000));
}

export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
