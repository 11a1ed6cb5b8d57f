/**
 * Reading an account's state timeline: the share of the last 24 h it was registered, and which
 * losses of registration are flapping (several within minutes). Pure.
 */
import type { HistoryEntry, RegistrationState } from "../shared/contract.js";

export const DAY_MS = 24 * 3600_000;

/**
 * Time registered over the window (or over the account's life, if younger), from `state`
 * entries; `current` is the state now. Undefined when nothing is known yet.
 */
export function registeredShare(history: HistoryEntry[], current: RegistrationState, now: number, windowMs = DAY_MS): number | undefined {
  const start = now - windowMs;
  const changes = history.filter((h) => h.kind === "state" && h.state).sort((a, b) => a.at - b.at || a.id - b.id);
  if (changes.length === 0) return current === "registered" ? 1 : undefined;
  let state: RegistrationState | undefined;
  let since = Math.max(start, changes[0]!.at);
  for (const c of changes) if (c.at <= start) state = c.state;
  let registeredMs = 0;
  for (const c of changes) {
    if (c.at <= start) continue;
    if (state === "registered") registeredMs += c.at - since;
    state = c.state;
    since = c.at;
  }
  if (state === "registered") registeredMs += now - since;
  const covered = now - Math.max(start, changes[0]!.at);
  return covered > 0 ? registeredMs / covered : current === "registered" ? 1 : 0;
}

/**
 * Ids of `state` entries that lost registration while at least `count` such losses happened
 * within `windowMs` of each other (default: 3 within 10 minutes).
 */
export function flappingIds(history: HistoryEntry[], count = 3, windowMs = 10 * 60_000): Set<number> {
  const changes = history.filter((h) => h.kind === "state").sort((a, b) => a.at - b.at || a.id - b.id);
  const losses: HistoryEntry[] = [];
  let prev: RegistrationState | undefined;
  for (const c of changes) {
    if (prev === "registered" && c.state !== "registered" && c.state !== "unregistering") losses.push(c);
    prev = c.state;
  }
  const out = new Set<number>();
  for (let i = 0; i < losses.length; i++) {
    let j = i;
    while (j + 1 < losses.length && losses[j + 1]!.at - losses[i]!.at <= windowMs) j++;
    if (j - i + 1 >= count) for (let k = i; k <= j; k++) out.add(losses[k]!.id);
  }
  return out;
}
