/** Which accounts the list shows, in which order: search, state filter and sort. Pure. */
import type { AccountView, RegistrationState } from "../shared/contract.js";

export type StateFilter = "all" | "registered" | "pending" | "failed" | "disabled" | "alerts";
export type SortKey = "name" | "state" | "lastChange" | "expiry";

export interface ListOptions {
  query: string;
  filter: StateFilter;
  sort: SortKey;
}

const GROUP: Record<RegistrationState, Exclude<StateFilter, "all" | "alerts">> = {
  registered: "registered",
  registering: "pending",
  retrying: "pending",
  unregistering: "pending",
  failed: "failed",
  disabled: "disabled",
  unregistered: "disabled",
};

/** Worst first when sorting by state. */
const STATE_RANK: Record<RegistrationState, number> = { failed: 0, retrying: 1, registering: 2, unregistering: 3, unregistered: 4, registered: 5, disabled: 6 };

export function stateGroup(state: RegistrationState): Exclude<StateFilter, "all" | "alerts"> {
  return GROUP[state];
}

/** `ids` come ordered by name; other sorts are stable on top of that order. */
export function visibleIds(ids: string[], accounts: Record<string, AccountView>, withAlerts: Set<string>, o: ListOptions): string[] {
  const needle = o.query.trim().toLowerCase();
  let out = ids.filter((id) => {
    const a = accounts[id];
    if (!a) return false;
    if (o.filter === "alerts" ? !withAlerts.has(id) : o.filter !== "all" && GROUP[a.status.state] !== o.filter) return false;
    if (!needle) return true;
    const domain = a.aor.slice(a.aor.indexOf("@") + 1);
    return a.name.toLowerCase().includes(needle) || a.aor.toLowerCase().includes(needle) || domain.toLowerCase().includes(needle);
  });
  if (o.sort !== "name") {
    const key = (a: AccountView): number =>
      o.sort === "state" ? STATE_RANK[a.status.state] : o.sort === "lastChange" ? -a.status.lastChange : (a.status.expiresAt ?? Number.MAX_SAFE_INTEGER);
    const rank = new Map(out.map((id) => [id, key(accounts[id]!)]));
    out = [...out].sort((x, y) => rank.get(x)! - rank.get(y)!);
  }
  return out;
}
