import { useEffect, useMemo, useState } from "react";
import { AccountDetail } from "./components/AccountDetail.js";
import { AccountForm } from "./components/AccountForm.js";
import { AccountList } from "./components/AccountList.js";
import { AlertBanner } from "./components/AlertBanner.js";
import { AlertCentre } from "./components/AlertCentre.js";
import { BulkDialog } from "./components/BulkDialog.js";
import { DesktopNotifications } from "./components/DesktopNotifications.js";
import { Overview } from "./components/Overview.js";
import { startClock } from "./components/use-now.js";
import type { ListOptions, SortKey, StateFilter } from "./list-view.js";
import { useConnection, useStore } from "./store/store.js";

/** In the Electron window the shell raises desktop notifications itself. */
const inElectron = typeof window !== "undefined" && window.regwatch !== undefined;

type Panel = { kind: "add" } | { kind: "edit"; id: string } | { kind: "detail"; id: string } | { kind: "bulk" } | { kind: "alerts" } | undefined;

export function App() {
  const connection = useConnection();
  const loadError = useStore((s) => s.loadError);
  const [list, setList] = useState<ListOptions>({ query: "", filter: "all", sort: "name" });
  const [panel, setPanel] = useState<Panel>();
  const panelAccount = useStore((s) => (panel && "id" in panel ? s.accounts[panel.id] : undefined));
  const openAlerts = useStore((s) => s.alerts);
  const openCount = useMemo(() => Object.values(openAlerts).filter((a) => !a.acknowledged).length, [openAlerts]);
  useEffect(() => startClock(), []);
  useEffect(() => window.regwatch?.onOpenAccount((id) => setPanel({ kind: "detail", id })), []);
  const close = () => setPanel(undefined);

  return (
    <div className="app">
      <header className="topbar">
        <h1>Regwatch</h1>
        <span className={`connection connection-${connection}`} role="status" aria-live="polite">
          {connection === "live" ? "● Live" : connection === "connecting" ? "… Connecting" : "○ Offline — reconnecting"}
        </span>
        {!inElectron && <DesktopNotifications />}
        <button type="button" onClick={() => setPanel({ kind: "alerts" })}>
          Alerts{openCount ? ` (${openCount})` : ""}
        </button>
        <Overview />
      </header>
      <AlertBanner />
      {loadError && (
        <p className="error" role="alert">
          Could not load state: {loadError}
        </p>
      )}
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search accounts</span>
          <input type="search" placeholder="Search name, AOR or domain" value={list.query} onChange={(e) => setList({ ...list, query: e.target.value })} />
        </label>
        <label>
          <span className="visually-hidden">Show</span>
          <select aria-label="Filter by state" value={list.filter} onChange={(e) => setList({ ...list, filter: e.target.value as StateFilter })}>
            <option value="all">All states</option>
            <option value="registered">Registered</option>
            <option value="pending">Registering / retrying</option>
            <option value="failed">Failed</option>
            <option value="disabled">Disabled / unregistered</option>
            <option value="alerts">With open alerts</option>
          </select>
        </label>
        <label>
          <span className="visually-hidden">Sort</span>
          <select aria-label="Sort by" value={list.sort} onChange={(e) => setList({ ...list, sort: e.target.value as SortKey })}>
            <option value="name">Sort: name</option>
            <option value="state">Sort: state (worst first)</option>
            <option value="lastChange">Sort: last change</option>
            <option value="expiry">Sort: expiry</option>
          </select>
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => setPanel({ kind: "bulk" })}>
          Import / export…
        </button>
        <button type="button" className="primary" onClick={() => setPanel({ kind: "add" })}>
          Add account
        </button>
      </div>
      <main>
        <AccountList options={list} onOpen={(id) => setPanel({ kind: "detail", id })} />
      </main>
      {panel?.kind === "bulk" && <BulkDialog onClose={close} />}
      {panel?.kind === "alerts" && <AlertCentre onClose={close} onOpenAccount={(id) => setPanel({ kind: "detail", id })} />}
      {panel?.kind === "detail" && panelAccount && (
        <AccountDetail key={panel.id} id={panel.id} onClose={close} onEdit={() => setPanel({ kind: "edit", id: panel.id })} />
      )}
      {(panel?.kind === "add" || (panel?.kind === "edit" && panelAccount)) && (
        <AccountForm key={panel.kind === "edit" ? panel.id : "add"} account={panelAccount} onClose={close} />
      )}
    </div>
  );
}
