/**
 * An account as the engine keeps it: the user's fields plus the sealed password. The sealed
 * password never leaves main/ (views carry `hasPassword` only).
 */
import type { AccountInput, AccountStatus, AccountView, RegEventPolicy, Transport } from "../../shared/contract.js";
import { parseSipUri } from "../../shared/sip-uri.js";

export interface AccountRecord {
  id: string;
  name: string;
  aor: string;
  authUsername?: string;
  registrar?: string;
  outboundProxy?: string;
  transport: Transport;
  tlsCaFile?: string;
  expires: number;
  enabled: boolean;
  watchRegEvent: boolean;
  regEventPolicy: RegEventPolicy;
  passwordSealed?: string;
  createdAt: number;
  updatedAt: number;
}

export type AccountFields = Omit<AccountInput, "password">;

/** The REGISTER Request-URI: the configured registrar, else the AOR's domain (RFC 3261 10.2). */
export function effectiveRegistrar(account: Pick<AccountRecord, "aor" | "registrar">): string {
  if (account.registrar) return account.registrar;
  const aor = parseSipUri(account.aor);
  if (!aor) throw new Error(`invalid AOR ${account.aor}`);
  return `${aor.scheme}:${aor.host}`;
}

/** The digest username: the configured one, else the AOR's user part. */
export function effectiveAuthUsername(account: Pick<AccountRecord, "aor" | "authUsername">): string {
  return account.authUsername ?? parseSipUri(account.aor)?.user ?? "";
}

/**
 * One account per AOR at a registrar. The user part stays case-sensitive (RFC 3261 19.1.4);
 * scheme, host and the registrar compare case-insensitively.
 */
export function identityKey(account: Pick<AccountRecord, "aor" | "registrar">): string {
  const aor = parseSipUri(account.aor);
  const reg = parseSipUri(effectiveRegistrar(account));
  if (!aor || !reg) throw new Error(`invalid AOR ${account.aor}`);
  const regKey = `${reg.host.toLowerCase()}:${reg.port ?? ""}`;
  return `${aor.scheme}:${aor.user ?? ""}@${aor.host.toLowerCase()}|${regKey}`;
}

export function toView(record: AccountRecord, status: AccountStatus): AccountView {
  return {
    id: record.id,
    name: record.name,
    aor: record.aor,
    authUsername: record.authUsername,
    registrar: record.registrar,
    outboundProxy: record.outboundProxy,
    transport: record.transport,
    tlsCaFile: record.tlsCaFile,
    expires: record.expires,
    enabled: record.enabled,
    watchRegEvent: record.watchRegEvent,
    regEventPolicy: record.regEventPolicy,
    hasPassword: record.passwordSealed !== undefined,
    status,
  };
}

/**
 * The status shown at start for an account's last saved one, before any SIP: a binding whose
 * expiry passed while we were not running is gone; no retry timer or subscription survives.
 */
export function restoredStatus(saved: AccountStatus, now: number): AccountStatus {
  const { retryAt: _retryAt, queued: _queued, ...rest } = saved;
  const status: AccountStatus = { ...rest, regEvent: { state: "off" } };
  if (saved.state === "registered" && (saved.expiresAt === undefined || saved.expiresAt <= now)) {
    return { ...status, state: "unregistered", code: undefined, reason: "Binding expired while Regwatch was not running", expiresAt: undefined, bindings: [], lastChange: saved.expiresAt ?? now };
  }
  return status;
}

export function initialStatus(record: Pick<AccountRecord, "enabled">, now: number): AccountStatus {
  return {
    state: record.enabled ? "registering" : "disabled",
    lastChange: now,
    regEvent: { state: "off" },
    bindings: [],
  };
}
