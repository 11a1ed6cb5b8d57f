/**
 * The renderer's copy of main's state and how a pushed batch changes it. Pure: one new state
 * object per batch, unchanged accounts keep their identity (so their rows do not re-render).
 */
import type { AccountView, Alert, Snapshot, StateDelta } from "../../shared/contract.js";

export interface SyncedState {
  rev: number;
  accounts: Record<string, AccountView>;
  /** Account ids ordered by name; changes only when an account is added, removed or renamed. */
  ids: string[];
  alerts: Record<string, Alert>;
}

export const emptyState: SyncedState = { rev: -1, accounts: {}, ids: [], alerts: {} };

export function fromSnapshot(s: Snapshot): SyncedState {
  const accounts: Record<string, AccountView> = {};
  for (const a of s.accounts) accounts[a.id] = a;
  const alerts: Record<string, Alert> = {};
  for (const a of s.alerts) alerts[a.id] = a;
  return { rev: s.rev, accounts, ids: orderedIds(accounts), alerts };
}

/** The next state, or `undefined` when the batch does not follow our revision (reload the snapshot). */
export function applyDelta(state: SyncedState, delta: StateDelta): SyncedState | undefined {
  if (delta.toRev <= state.rev) return state; // already contained in our snapshot
  if (delta.fromRev !== state.rev) return undefined;
  let reorder = delta.removed.length > 0;
  const accounts = { ...state.accounts };
  for (const a of delta.accounts) {
    const prev = accounts[a.id];
    if (!prev || prev.name !== a.name) reorder = true;
    accounts[a.id] = a;
  }
  for (const id of delta.removed) delete accounts[id];
  let alerts = state.alerts;
  if (delta.alerts.length > 0) {
    alerts = { ...alerts };
    for (const a of delta.alerts) alerts[a.id] = a;
  }
  return { rev: delta.toRev, accounts, ids: reorder ? orderedIds(accounts) : state.ids, alerts };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function orderedIds(accounts: Record<string, AccountView>): string[] {
  return Object.values(accounts)
    .sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id))
    .map((a) => a.id);
}
