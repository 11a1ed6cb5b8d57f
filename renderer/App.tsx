import { useEffect, useState } from "react";
import { AccountForm } from "./components/AccountForm.js";
import { AccountList } from "./components/AccountList.js";
import { AlertBanner } from "./components/AlertBanner.js";
import { BulkDialog } from "./components/BulkDialog.js";
import { DesktopNotifications } from "./components/DesktopNotifications.js";
import { Overview } from "./components/Overview.js";
import { startClock } from "./components/use-now.js";
import { useConnection, useStore } from "./store/store.js";

/** In the Electron window the shell raises desktop notifications itself. */
const inElectron = typeof window !== "undefined" && window.regwatch !== undefined;

type Editing = { mode: "add" } | { mode: "edit"; id: string } | { mode: "bulk" } | undefined;

export function App() {
  const connection = useConnection();
  const loadError = useStore((s) => s.loadError);
  const [query, setQuery] = useState("");
  const [editing, setEditing] = useState<Editing>();
  const editAccount = useStore((s) => (editing?.mode === "edit" ? s.accounts[editing.id] : undefined));
  useEffect(() => startClock(), []);

  return (
    <div className="app">
      <header className="topbar">
        <h1>Regwatch</h1>
        <span className={`connection connection-${connection}`} role="status" aria-live="polite">
          {connection === "live" ? "● Live" : connection === "connecting" ? "… Connecting" : "○ Offline — reconnecting"}
        </span>
        {!inElectron && <DesktopNotifications />}
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
          <input type="search" placeholder="Search name or AOR" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <button type="button" onClick={() => setEditing({ mode: "bulk" })}>
          Import / export…
        </button>
        <button type="button" className="primary" onClick={() => setEditing({ mode: "add" })}>
          Add account
        </button>
      </div>
      <main>
        <AccountList query={query} onEdit={(id) => setEditing({ mode: "edit", id })} />
      </main>
      {editing?.mode === "bulk" && <BulkDialog onClose={() => setEditing(undefined)} />}
      {editing && (editing.mode === "add" || editAccount) && (
        <AccountForm key={editing.mode === "edit" ? editing.id : "add"} account={editAccount} onClose={() => setEditing(undefined)} />
      )}
    </div>
  );
}
