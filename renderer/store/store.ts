/**
 * The one UI store. Main pushes batches; `sync` keeps this store equal to main's state
 * (subscribe first, then load the snapshot, reload on any gap). Components read small slices.
 */
import { create } from "zustand";
import type { AccountView, Alert, StateDelta } from "../../shared/contract.js";
import type { Connection, RegwatchClient } from "../client/api.js";
import { applyDelta, emptyState, fromSnapshot, type SyncedState } from "./apply-delta.js";

export interface UiState extends SyncedState {
  connection: Connection;
  loadError?: string;
}

export const useStore = create<UiState>(() => ({ ...emptyState, connection: "connecting" }));

export const useAccount = (id: string): AccountView | undefined => useStore((s) => s.accounts[id]);
export const useAccountIds = (): string[] => useStore((s) => s.ids);
export const useConnection = (): Connection => useStore((s) => s.connection);

export function openAlerts(alerts: Record<string, Alert>): Alert[] {
  return Object.values(alerts)
    .filter((a) => !a.acknowledged)
    .sort((a, b) => b.at - a.at);
}

/** Keeps the store in step with the host; returns a function that stops it. */
export function startSync(client: RegwatchClient): () => void {
  let stopped = false;
  let loading: Promise<void> | undefined;
  // Batches that arrive while a snapshot loads are kept and applied after it.
  let buffered: StateDelta[] = [];

  const reload = () => {
    loading ??= client
      .invoke("state.snapshot", undefined)
      .then((snap) => {
        if (stopped) return;
        let state: SyncedState | undefined = fromSnapshot(snap);
        for (const d of buffered) state = state && applyDelta(state, d);
        buffered = [];
        useStore.setState({ ...(state ?? fromSnapshot(snap)), loadError: undefined });
      })
      .catch((e: Error) => useStore.setState({ loadError: e.message }))
      .finally(() => (loading = undefined));
    return loading;
  };

  const unsubscribe = client.subscribe(
    (delta) => {
      if (loading) {
        buffered.push(delta);
        return;
      }
      const next = applyDelta(useStore.getState(), delta);
      if (next) useStore.setState(next);
      else void reload();
    },
    (connection) => {
      useStore.setState({ connection });
      if (connection === "live") void reload();
    },
  );
  return () => {
    stopped = true;
    unsubscribe();
  };
}
