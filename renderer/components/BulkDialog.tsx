import { useEffect, useRef, useState } from "react";
import type { BulkFormat, ImportResult } from "../../shared/contract.js";
import { useClient } from "../client/context.js";

/** Import accounts from a CSV or JSON file, or export them (passwords only when asked). */
export function BulkDialog({ onClose }: { onClose: () => void }) {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<string>();
  const [withPasswords, setWithPasswords] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  async function importFile(file: File) {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const format: BulkFormat = /\.csv$/i.test(file.name) ? "csv" : "json";
      setResult(await client.invoke("accounts.import", { format, content: await file.text() }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function exportAs(format: BulkFormat) {
    setBusy(true);
    setError(undefined);
    try {
      const out = await client.invoke("accounts.export", { format, withPasswords });
      const url = URL.createObjectURL(new Blob([out.content], { type: format === "csv" ? "text/csv" : "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `regwatch-accounts.${format}`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="form-dialog" aria-labelledby="bulk-title" onCancel={onClose}>
      <h2 id="bulk-title">Import and export</h2>
      <div className="field">
        <label htmlFor="bulk-file">Import accounts from a CSV or JSON file</label>
        <input id="bulk-file" type="file" accept=".csv,.json,text/csv,application/json" disabled={busy} onChange={(e) => e.target.files?.[0] && importFile(e.target.files[0])} />
        <small className="hint">CSV columns: name, aor, password, authUsername, registrar, outboundProxy, transport, expires, enabled, watchRegEvent</small>
      </div>
      {result && (
        <div role="status" data-testid="import-result">
          <p>
            Imported {result.imported} account(s); rejected {result.rejected}.
          </p>
          {result.issues.length > 0 && (
            <ul className="issues">
              {result.issues.slice(0, 50).map((i, n) => (
                <li key={n}>
                  {i.line ? `Line ${i.line}` : `Row ${i.row}`}
                  {i.field ? `, ${i.field}` : ""}: {i.message}
                </li>
              ))}
              {result.issues.length > 50 && <li>…and {result.issues.length - 50} more</li>}
            </ul>
          )}
        </div>
      )}
      <div className="field">
        <span className="label">Export all accounts</span>
        <label className="check">
          <input type="checkbox" checked={withPasswords} onChange={(e) => setWithPasswords(e.target.checked)} /> Include passwords (the file will hold them in
          plain text)
        </label>
        <div className="dialog-actions">
          <button type="button" disabled={busy} onClick={() => exportAs("csv")}>
            Export CSV
          </button>
          <button type="button" disabled={busy} onClick={() => exportAs("json")}>
            Export JSON
          </button>
        </div>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <span className="spacer" />
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
