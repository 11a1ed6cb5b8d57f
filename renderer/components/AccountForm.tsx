import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import {
  AccountInput,
  AccountPatch,
  issuesOf,
  POLICY_EVENTS,
  TRANSPORTS,
  type AccountView,
  type FieldIssue,
  type PolicyChoice,
  type RegEventPolicy,
} from "../../shared/contract.js";
import { CommandError } from "../client/api.js";
import { useClient } from "../client/context.js";

interface FormValues {
  name: string;
  aor: string;
  password: string;
  authUsername: string;
  registrar: string;
  outboundProxy: string;
  transport: string;
  tlsCaFile: string;
  expires: string;
  enabled: boolean;
  watchRegEvent: boolean;
  regEventPolicy: RegEventPolicy;
}

const blank: FormValues = {
  name: "",
  aor: "",
  password: "",
  authUsername: "",
  registrar: "",
  outboundProxy: "",
  transport: "udp",
  tlsCaFile: "",
  expires: "3600",
  enabled: true,
  watchRegEvent: true,
  regEventPolicy: {},
};

function valuesOf(a: AccountView): FormValues {
  return {
    name: a.name,
    aor: a.aor,
    password: "",
    authUsername: a.authUsername ?? "",
    registrar: a.registrar ?? "",
    outboundProxy: a.outboundProxy ?? "",
    transport: a.transport,
    tlsCaFile: a.tlsCaFile ?? "",
    expires: String(a.expires),
    enabled: a.enabled,
    watchRegEvent: a.watchRegEvent,
    regEventPolicy: a.regEventPolicy,
  };
}

/** Form text to contract input: empty optional fields are left out (or cleared, on edit). */
function toInput(v: FormValues, editing: boolean) {
  const optional = (s: string) => (s.trim() === "" ? (editing ? null : undefined) : s.trim());
  return {
    name: v.name,
    aor: v.aor.trim(),
    password: v.password,
    authUsername: optional(v.authUsername),
    registrar: optional(v.registrar),
    outboundProxy: optional(v.outboundProxy),
    transport: v.transport,
    tlsCaFile: optional(v.tlsCaFile),
    expires: v.expires.trim() === "" ? Number.NaN : Number(v.expires),
    enabled: v.enabled,
    watchRegEvent: v.watchRegEvent,
    regEventPolicy: v.regEventPolicy,
  };
}

/** Add or edit an account; messages per field come from the shared schemas (and the host). */
export function AccountForm({ account, onClose }: { account?: AccountView; onClose: () => void }) {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<FormValues>(account ? valuesOf(account) : blank);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const editing = account !== undefined;

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const issueFor = (path: string) => issues.find((i) => i.path === path || i.path === `patch.${path}`)?.message;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(undefined);
    const input = toInput(values, editing);
    const parsed = editing ? AccountPatch.safeParse(input) : AccountInput.safeParse(input);
    if (!parsed.success) {
      setIssues(issuesOf(parsed.error));
      return;
    }
    setIssues([]);
    setBusy(true);
    try {
      if (account) await client.invoke("accounts.update", { id: account.id, patch: parsed.data as AccountPatch });
      else await client.invoke("accounts.create", parsed.data as AccountInput);
      onClose();
    } catch (err) {
      if (err instanceof CommandError && err.body.issues?.length) setIssues(err.body.issues);
      setFormError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!account) return;
    setBusy(true);
    try {
      await client.invoke("accounts.delete", { id: account.id });
      onClose();
    } catch (err) {
      setFormError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="form-dialog" aria-labelledby="account-form-title" onCancel={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id="account-form-title">{editing ? `Edit ${account.name}` : "Add account"}</h2>
        <Field label="Name" error={issueFor("name")}>
          {(id, err) => <input id={id} aria-describedby={err} autoFocus value={values.name} onChange={(e) => set("name", e.target.value)} />}
        </Field>
        <Field label="Address of record (AOR)" hint="sip:alice@example.com" error={issueFor("aor")}>
          {(id, err) => (
            <input id={id} aria-describedby={err} placeholder="sip:alice@example.com" value={values.aor} onChange={(e) => set("aor", e.target.value)} />
          )}
        </Field>
        <Field label="Password" error={issueFor("password")}>
          {(id, err) => (
            <input
              id={id}
              aria-describedby={err}
              type="password"
              autoComplete="new-password"
              placeholder={editing && account.hasPassword ? "Stored — leave empty to keep" : ""}
              value={values.password}
              onChange={(e) => set("password", e.target.value)}
            />
          )}
        </Field>
        <details open={editing || undefined}>
          <summary>Advanced</summary>
          <Field label="Auth username" hint="Default: the AOR's user" error={issueFor("authUsername")}>
            {(id, err) => <input id={id} aria-describedby={err} value={values.authUsername} onChange={(e) => set("authUsername", e.target.value)} />}
          </Field>
          <Field label="Registrar" hint="REGISTER Request-URI; default sip:<AOR domain>" error={issueFor("registrar")}>
            {(id, err) => <input id={id} aria-describedby={err} value={values.registrar} onChange={(e) => set("registrar", e.target.value)} />}
          </Field>
          <Field label="Outbound proxy" hint="Where requests go, e.g. sip:10.0.0.1:5060" error={issueFor("outboundProxy")}>
            {(id, err) => <input id={id} aria-describedby={err} value={values.outboundProxy} onChange={(e) => set("outboundProxy", e.target.value)} />}
          </Field>
          <Field label="Transport" error={issueFor("transport")}>
            {(id, err) => (
              <select id={id} aria-describedby={err} value={values.transport} onChange={(e) => set("transport", e.target.value)}>
                {TRANSPORTS.map((t) => (
                  <option key={t} value={t}>
                    {t.toUpperCase()}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {(values.transport === "tls" || values.transport === "wss") && (
            <Field label="Extra CA certificates (PEM file path)" hint="Trusted besides the system's CAs" error={issueFor("tlsCaFile")}>
              {(id, err) => <input id={id} aria-describedby={err} value={values.tlsCaFile} onChange={(e) => set("tlsCaFile", e.target.value)} />}
            </Field>
          )}
          <Field label="Expires (seconds)" error={issueFor("expires")}>
            {(id, err) => (
              <input id={id} aria-describedby={err} inputMode="numeric" value={values.expires} onChange={(e) => set("expires", e.target.value)} />
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={values.watchRegEvent} onChange={(e) => set("watchRegEvent", e.target.checked)} /> Watch registration
            events (alerts on forced deregistration)
          </label>
          <fieldset className="policy" disabled={!values.watchRegEvent}>
            <legend>When the registrar removes this account's binding</legend>
            {POLICY_EVENTS.map((event) => (
              <label key={event} className="policy-row">
                <span>{event}</span>
                <select
                  value={values.regEventPolicy[event] ?? "default"}
                  onChange={(e) => set("regEventPolicy", { ...values.regEventPolicy, [event]: e.target.value as PolicyChoice })}
                >
                  <option value="default">Alert and act (default)</option>
                  <option value="alert-only">Alert only</option>
                  <option value="ignore">Ignore (history only)</option>
                </select>
              </label>
            ))}
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={values.enabled} onChange={(e) => set("enabled", e.target.checked)} /> Enabled
          </label>
        </details>
        {formError && (
          <p className="error" role="alert">
            {formError}
          </p>
        )}
        <div className="dialog-actions">
          {editing &&
            (confirmDelete ? (
              <span className="confirm">
                Unregister and delete this account?{" "}
                <button type="button" className="danger" disabled={busy} onClick={remove}>
                  Delete
                </button>
                <button type="button" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" className="danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
                Delete…
              </button>
            ))}
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {editing ? "Save" : "Add account"}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string; children: (id: string, errorId?: string) => ReactNode }) {
  const id = useId();
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, errorId)}
      {hint && !error && <small className="hint">{hint}</small>}
      {error && (
        <small id={errorId} className="error">
          {error}
        </small>
      )}
    </div>
  );
}
