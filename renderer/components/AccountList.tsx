import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, type KeyboardEvent } from "react";
import type { AccountView, Alert } from "../../shared/contract.js";
import { visibleIds, type ListOptions } from "../list-view.js";
import { useAccountIds, useStore } from "../store/store.js";
import { AccountRow } from "./AccountRow.js";

const ROW_HEIGHT = 52;
const NO_ACCOUNTS: Record<string, AccountView> = {};
const NO_ALERTS: Record<string, Alert> = {};

/** Every account, virtualized: only the rows on screen exist in the DOM, at 10 or 50,000 accounts. */
export function AccountList({ options, onOpen }: { options: ListOptions; onOpen: (id: string) => void }) {
  const ids = useAccountIds();
  // The default view (all, by name) only changes when accounts come, go or are renamed: it does
  // not subscribe to statuses, so a status change re-renders that account's row and nothing else.
  const plain = options.filter === "all" && options.sort === "name" && !options.query.trim();
  const accounts = useStore((s) => (plain ? NO_ACCOUNTS : s.accounts));
  const alerts = useStore((s) => (options.filter === "alerts" ? s.alerts : NO_ALERTS));
  const withAlerts = useMemo(() => new Set(Object.values(alerts).filter((a) => !a.acknowledged).map((a) => a.accountId)), [alerts]);
  const visible = useMemo(() => (plain ? ids : visibleIds(ids, accounts, withAlerts, options)), [plain, ids, accounts, withAlerts, options]);
  const parent = useRef<HTMLDivElement>(null);
  // Arrow keys move between rows (the virtualizer scrolls the next one into view), Enter opens it.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (!row) return;
    const index = Number(row.dataset.index);
    const next = e.key === "ArrowDown" ? index + 1 : e.key === "ArrowUp" ? index - 1 : e.key === "Home" ? 0 : e.key === "End" ? visible.length - 1 : -1;
    if (e.key === "Enter" && e.target === row) {
      // Without this the same key press would activate the opened dialog's first button.
      e.preventDefault();
      return onOpen(visible[index]!);
    }
    if (next < 0 || next >= visible.length) return;
    e.preventDefault();
    virtualizer.scrollToIndex(next);
    const focus = () => parent.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
    // Rows near the current one are already rendered (overscan); far jumps render on the next frame.
    if (parent.current?.querySelector(`[data-index="${next}"]`)) focus();
    else requestAnimationFrame(focus);
  };
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  if (ids.length === 0) {
    return <p className="empty">No accounts yet. Add one to start watching its registration.</p>;
  }
  return (
    <div className="list" role="table" aria-label="Accounts" aria-rowcount={visible.length}>
      <div className="row header" role="row">
        <span role="columnheader">State</span>
        <span role="columnheader">Account</span>
        <span role="columnheader">Last response</span>
        <span role="columnheader">Expires in</span>
        <span role="columnheader">Actions</span>
      </div>
      <div ref={parent} className="list-scroll" data-testid="account-list" onKeyDown={onKeyDown}>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={visible[item.index]}
              className="row-slot"
              data-index={item.index}
              tabIndex={item.index === 0 ? 0 : -1}
              aria-label={`Account ${item.index + 1} of ${visible.length}`}
              style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
            >
              <AccountRow id={visible[item.index]!} onOpen={onOpen} />
            </div>
          ))}
        </div>
      </div>
      {visible.length === 0 && <p className="empty">No account matches.</p>}
    </div>
  );
}
