/**
 * The one contract between the engine (main/) and every host and client: Electron IPC, the
 * headless HTTP + WebSocket host, and in-process tests. Every payload that crosses a boundary is
 * parsed with these schemas on the receiving side.
 *
 * No node:*, DOM or electron imports here: both sides bundle this file.
 */
import { z } from "zod";
import { COMMAND_NAMES, isCommandName, type CommandNameList } from "./command-names.js";
import { parseSipUri } from "./sip-uri.js";

export const TRANSPORTS = ["udp", "tcp", "tls", "ws", "wss"] as const;
export const Transport = z.enum(TRANSPORTS);
export type Transport = z.infer<typeof Transport>;

/** Bounds for the requested registration expiry, in seconds. */
export const EXPIRES_MIN = 10;
export const EXPIRES_MAX = 86_400;

const noControlChars = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

const sipUri = (what: string, opts: { needsUser: boolean }) =>
  z
    .string()
    .max(512)
    .refine((s) => {
      const uri = parseSipUri(s);
      return uri !== undefined && (!opts.needsUser || uri.user !== undefined);
    }, opts.needsUser ? `${what} must be a SIP URI with a user, like sip:alice@example.com` : `${what} must be a SIP URI, like sip:pbx.example.com:5060`);

/** Reg-event outcomes whose default handling an account may change. */
export const POLICY_EVENTS = ["deactivated", "probation", "rejected", "unregistered", "expired", "shortened"] as const;
export type PolicyEvent = (typeof POLICY_EVENTS)[number];
/** default: alert and act (see the reg-event policy); alert-only: alert, no automatic action; ignore: history only. */
export const PolicyChoice = z.enum(["default", "alert-only", "ignore"]);
export type PolicyChoice = z.infer<typeof PolicyChoice>;
export const RegEventPolicy = z.strictObject(
  Object.fromEntries(POLICY_EVENTS.map((e) => [e, PolicyChoice.optional()])) as Record<PolicyEvent, z.ZodOptional<typeof PolicyChoice>>,
);
export type RegEventPolicy = z.infer<typeof RegEventPolicy>;

/** Fields a user edits. Kept without defaults so that a patch can leave a field out. */
const accountFields = {
  name: z.string().trim().min(1, "Name is required").max(200).refine(noControlChars, "Name has control characters"),
  aor: sipUri("Address of record", { needsUser: true }),
  authUsername: z
    .string()
    .min(1)
    .max(256)
    .refine((s) => noControlChars(s) && !/\s/.test(s), "Auth username must not contain spaces or control characters"),
  password: z.string().max(256).refine(noControlChars, "Password has control characters"),
  registrar: sipUri("Registrar", { needsUser: false }),
  outboundProxy: sipUri("Outbound proxy", { needsUser: false }),
  transport: Transport,
  tlsCaFile: z.string().min(1).max(4096).refine(noControlChars, "CA file path has control characters"),
  expires: z
    .number({ error: "Expires must be a number of seconds" })
    .int("Expires must be whole seconds")
    .min(EXPIRES_MIN, `Expires must be at least ${EXPIRES_MIN} s`)
    .max(EXPIRES_MAX, `Expires must be at most ${EXPIRES_MAX} s`),
  enabled: z.boolean(),
  watchRegEvent: z.boolean(),
  regEventPolicy: RegEventPolicy,
};

export const AccountInput = z.strictObject({
  name: accountFields.name,
  aor: accountFields.aor,
  authUsername: accountFields.authUsername.optional(),
  password: accountFields.password,
  registrar: accountFields.registrar.optional(),
  outboundProxy: accountFields.outboundProxy.optional(),
  transport: accountFields.transport.default("udp"),
  /** PEM file of extra CA certificates trusted for this account's TLS/WSS (besides the system's). */
  tlsCaFile: accountFields.tlsCaFile.optional(),
  expires: accountFields.expires.default(3600),
  enabled: accountFields.enabled.default(true),
  watchRegEvent: accountFields.watchRegEvent.default(true),
  regEventPolicy: accountFields.regEventPolicy.default({}),
});
/** What a client sends (defaults may be left out). */
export type AccountInputRaw = z.input<typeof AccountInput>;
/** What the engine works with (defaults applied). */
export type AccountInput = z.output<typeof AccountInput>;

/**
 * A change to an account. An empty or missing password keeps the stored one; `null` clears an
 * optional field.
 */
export const AccountPatch = z.strictObject({
  name: accountFields.name.optional(),
  aor: accountFields.aor.optional(),
  authUsername: accountFields.authUsername.nullable().optional(),
  password: accountFields.password.optional(),
  registrar: accountFields.registrar.nullable().optional(),
  outboundProxy: accountFields.outboundProxy.nullable().optional(),
  transport: accountFields.transport.optional(),
  tlsCaFile: accountFields.tlsCaFile.nullable().optional(),
  expires: accountFields.expires.optional(),
  enabled: accountFields.enabled.optional(),
  watchRegEvent: accountFields.watchRegEvent.optional(),
  regEventPolicy: accountFields.regEventPolicy.optional(),
});
export type AccountPatch = z.infer<typeof AccountPatch>;

/**
 * Registration state of one account.
 *
 *   disabled --enable--> registering --200--> registered --refresh--> registered
 *                          |  ^                  |
 *             error/timeout|  |backoff elapsed   |unregister
 *                          v  |                  v
 *                        retrying             unregistering --> unregistered
 *   registering --401/403 with stored credentials, other 4xx--> failed
 */
export const RegistrationState = z.enum([
  "disabled",
  "registering",
  "registered",
  "retrying",
  "failed",
  "unregistering",
  "unregistered",
]);
export type RegistrationState = z.infer<typeof RegistrationState>;

export const RegEventState = z.enum(["off", "subscribing", "active", "unsupported", "failed"]);
export type RegEventState = z.infer<typeof RegEventState>;

/** Epoch milliseconds. */
const Timestamp = z.number().int().nonnegative();

export const Binding = z.object({
  uri: z.string(),
  expiresAt: Timestamp.optional(),
  /** This binding is the Contact this account registered. */
  own: z.boolean(),
  /** Last reg-event contact event seen for it (registered, refreshed, deactivated, ...). */
  event: z.string().optional(),
});
export type Binding = z.infer<typeof Binding>;

export const AccountStatus = z.object({
  state: RegistrationState,
  code: z.number().int().optional(),
  reason: z.string().optional(),
  expiresAt: Timestamp.optional(),
  /** When the next automatic attempt is due (retrying). */
  retryAt: Timestamp.optional(),
  lastChange: Timestamp,
  regEvent: z.object({ state: RegEventState, reason: z.string().optional() }),
  bindings: z.array(Binding),
  /** Waiting for its turn to REGISTER (start-up, resume and bulk pacing); never stored. */
  queued: z.boolean().optional(),
});
export type AccountStatus = z.infer<typeof AccountStatus>;

export const AccountView = z.object({
  id: z.string(),
  name: z.string(),
  aor: z.string(),
  authUsername: z.string().optional(),
  registrar: z.string().optional(),
  outboundProxy: z.string().optional(),
  transport: Transport,
  tlsCaFile: z.string().optional(),
  expires: z.number().int(),
  enabled: z.boolean(),
  watchRegEvent: z.boolean(),
  regEventPolicy: RegEventPolicy,
  hasPassword: z.boolean(),
  status: AccountStatus,
});
export type AccountView = z.infer<typeof AccountView>;

export const AlertKind = z.enum([
  "deactivated",
  "probation",
  "rejected",
  "unregistered",
  "expired",
  "shortened",
  "auth-failed",
  "registration-lost",
]);
export type AlertKind = z.infer<typeof AlertKind>;

export const Alert = z.object({
  id: z.string(),
  accountId: z.string(),
  kind: AlertKind,
  at: Timestamp,
  message: z.string(),
  acknowledged: z.boolean(),
  /** Repeats folded into this alert (a flapping account raises one alert, not a flood). */
  count: z.number().int().positive(),
});
export type Alert = z.infer<typeof Alert>;

export const HistoryKind = z.enum(["register", "unregister", "subscribe", "reg-event", "state"]);
export type HistoryKind = z.infer<typeof HistoryKind>;

export const HistoryEntry = z.object({
  id: z.number().int(),
  accountId: z.string(),
  at: Timestamp,
  kind: HistoryKind,
  state: RegistrationState.optional(),
  code: z.number().int().optional(),
  reason: z.string().optional(),
  durationMs: z.number().int().nonnegative().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** A SIP message an account sent or received; credentials redacted. */
export const TraceEntry = z.object({
  accountId: z.string(),
  at: Timestamp,
  direction: z.enum(["sent", "received"]),
  text: z.string(),
});
export type TraceEntry = z.infer<typeof TraceEntry>;

export const Snapshot = z.object({
  rev: z.number().int().nonnegative(),
  accounts: z.array(AccountView),
  alerts: z.array(Alert),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * A batch of changes, pushed by main. A client applies it only when `fromRev` equals the
 * revision it holds, and reloads the snapshot otherwise.
 */
export const StateDelta = z.object({
  fromRev: z.number().int().nonnegative(),
  toRev: z.number().int().nonnegative(),
  accounts: z.array(AccountView),
  removed: z.array(z.string()),
  alerts: z.array(Alert),
});
export type StateDelta = z.infer<typeof StateDelta>;

export const BulkFormat = z.enum(["csv", "json"]);
export type BulkFormat = z.infer<typeof BulkFormat>;
/** Largest import accepted: 50,000 accounts with long fields fit well inside. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export const ImportIssue = z.object({
  /** 1-based data row (CSV: after the header; JSON: array index + 1); 0 for the file as a whole. */
  row: z.number().int().nonnegative(),
  /** Line in the file where the row starts, when the format has lines. */
  line: z.number().int().positive().optional(),
  field: z.string(),
  message: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;
export const ImportResult = z.object({
  imported: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  issues: z.array(ImportIssue),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const EngineStats = z.object({
  accounts: z.number().int(),
  byState: z.record(z.string(), z.number().int()),
  /** Accounts whose reg-event subscription is active. */
  regEventActive: z.number().int(),
  /** Accounts waiting for the pacer. */
  queued: z.number().int(),
  /** Successful REGISTER round trips (including digest), over the last 100,000. */
  registerLatencyMs: z.object({ count: z.number().int(), p50: z.number(), p99: z.number() }),
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
  cpuMicros: z.object({ user: z.number(), system: z.number() }),
  udp: z.object({ retransmissions: z.number().int(), refused: z.number().int(), unrouted: z.number().int(), stalls: z.number().int() }),
});
export type EngineStats = z.infer<typeof EngineStats>;

const AccountId = z.strictObject({ id: z.string().min(1).max(64) });
const Ok = z.object({ ok: z.literal(true) });
const Empty = z.undefined();

/** Every command: its name (`domain.verb`), what it takes and what it gives. */
export const commands = {
  "state.snapshot": { input: Empty, output: Snapshot },
  "accounts.list": { input: Empty, output: z.array(AccountView) },
  "accounts.get": { input: AccountId, output: AccountView },
  "accounts.create": { input: AccountInput, output: AccountView },
  "accounts.update": { input: z.strictObject({ id: AccountId.shape.id, patch: AccountPatch }), output: AccountView },
  "accounts.delete": { input: AccountId, output: Ok },
  "accounts.enable": { input: AccountId, output: AccountView },
  "accounts.disable": { input: AccountId, output: AccountView },
  "accounts.register": { input: AccountId, output: AccountView },
  "accounts.unregister": { input: AccountId, output: AccountView },
  "accounts.unregisterAll": { input: AccountId, output: AccountView },
  "accounts.history": {
    input: z.strictObject({ id: AccountId.shape.id, limit: z.number().int().min(1).max(10_000).optional() }),
    output: z.array(HistoryEntry),
  },
  "accounts.trace": {
    input: z.strictObject({ id: AccountId.shape.id, limit: z.number().int().min(1).max(500).optional() }),
    output: z.array(TraceEntry),
  },
  "accounts.import": {
    input: z.strictObject({ format: BulkFormat, content: z.string().max(MAX_IMPORT_BYTES) }),
    output: ImportResult,
  },
  "accounts.export": {
    input: z.strictObject({ format: BulkFormat, withPasswords: z.boolean().default(false) }),
    output: z.object({ format: BulkFormat, count: z.number().int().nonnegative(), content: z.string() }),
  },
  /** Counters for diagnostics and benchmarks. */
  "engine.stats": { input: Empty, output: EngineStats },
  /** The network changed or the machine woke up: re-register everything (paced). */
  "engine.networkChanged": { input: Empty, output: Ok },
  "alerts.list": { input: Empty, output: z.array(Alert) },
  "alerts.ack": { input: z.strictObject({ id: z.string().min(1).max(64) }), output: Alert },
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]["input"]>;
export type CommandArgs<N extends CommandName> = z.output<Commands[N]["input"]>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]["output"]>;

// Both directions must hold: every listed name has a schema and every schema is listed.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const namesMatch: Same<CommandName, CommandNameList> = true;
void namesMatch;
export { COMMAND_NAMES, isCommandName };

/** Events pushed from main. */
export const events = {
  "state.delta": StateDelta,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

/** A field-level validation problem. */
export const FieldIssue = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

export const ErrorCode = z.enum(["invalid", "not-found", "conflict", "unauthorized", "internal"]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The error body every host returns (HTTP 4xx/5xx, IPC rejection). */
export const ApiError = z.object({
  error: z.string(),
  code: ErrorCode.optional(),
  issues: z.array(FieldIssue).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
