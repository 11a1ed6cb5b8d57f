/** The state the tray shows: the worst over all accounts and open alerts. Pure. */
import type { AccountView, Alert } from "../shared/contract.js";

export type TrayLevel = "ok" | "pending" | "alert" | "failed" | "idle";

export function worstLevel(accounts: Iterable<AccountView>, alerts: Iterable<Alert>): TrayLevel {
  let level: TrayLevel = "idle";
  const rank: Record<TrayLevel, number> = { idle: 0, ok: 1, pending: 2, alert: 3, failed: 4 };
  const raise = (l: TrayLevel) => {
    if (rank[l] > rank[level]) level = l;
  };
  for (const a of accounts) {
    const s = a.status.state;
    if (s === "failed") raise("failed");
    else if (s === "registering" || s === "retrying" || s === "unregistering") raise("pending");
    else if (s === "registered") raise("ok");
  }
  for (const al of alerts) if (!al.acknowledged) raise("alert");
  return level;
}
