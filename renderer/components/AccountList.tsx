import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef } from "react";
import { visibleIds, type ListOptions } from "../list-view.js";
import { useAccountIds, useStore } from "../store/store.js";
import { AccountRow } from "./AccountRow.js";

const ROW_HEIGHT = 52;

/** Every account, virtualized: only the rows on screen exist in the DOM, at 10 or 50,000 accounts. */
export function AccountList({ options, onOpen }: { options: ListOptions; onOpen: (id: string) => void }) {
  const ids = useAccountIds();
  const accounts = useStore((s) => s.accounts);
  const alerts = useStore((s) => s.alerts);
  const withAlerts = useMemo(() => new Set(Object.values(alerts).filter((a) => !a.acknowledged).map((a) => a.accountId)), [alerts]);
  // Name order and a plain search only change with names; state filters and sorts follow every batch.
  const dependsOnState = options.filter !== "all" || options.sort !== "name" || options.query.trim() !== "";
  const visible = useMemo(
    () => (options.filter === "all" && options.sort === "name" && !options.query.trim() ? ids : visibleIds(ids, accounts, withAlerts, options)),
    [ids, options, dependsOnState ? accounts : undefined, options.filter === "alerts" ? withAlerts : undefined],
  );
  const parent = useRef<HTMLDivElement>(null);
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
      <div ref={parent} className="list-scroll" data-testid="account-list">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={visible[item.index]}
              className="row-slot"
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
