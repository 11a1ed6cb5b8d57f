/**
 * Waiting on an engine's pushed state in tests: resolves with the first account view that
 * satisfies the predicate, or fails with the last state seen (so a timeout says what happened).
 */
import type { AccountView, Alert } from "../../shared/contract.js";
import type { Engine } from "../../main/engine.js";

export function waitForAccount(
  engine: Engine,
  id: string,
  predicate: (view: AccountView) => boolean,
  timeoutMs = 15_000,
): Promise<AccountView> {
  return new Promise((resolve, reject) => {
    let last: AccountView | undefined;
    const check = (view: AccountView | undefined) => {
      if (!view) return false;
      last = view;
      if (!predicate(view)) return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(view);
      return true;
    };
    const unsubscribe = engine.subscribe((delta) => {
      for (const view of delta.accounts) if (view.id === id) check(view);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`account ${id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last?.status)}`));
    }, timeoutMs);
    void engine.handle("accounts.get", { id }).then(check, () => undefined);
  });
}

/** The account's alerts, newest first. */
export async function alertsFor(engine: Engine, accountId: string): Promise<Alert[]> {
  return (await engine.handle("alerts.list", undefined)).filter((a) => a.accountId === accountId);
}
