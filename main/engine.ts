/**
 * The Regwatch engine: accounts, their registrations and the state every client sees. Plain
 * Node: the Electron shell, the headless host and tests all drive it through `handle()` and
 * `subscribe()`.
 */
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import type {
  AccountStatus,
  AccountView,
  Alert,
  AlertKind,
  CommandArgs,
  CommandName,
  CommandOutput,
  Snapshot,
  StateDelta,
} from "../shared/contract.js";
import {
  effectiveAuthUsername,
  effectiveRegistrar,
  identityKey,
  initialStatus,
  restoredStatus,
  toView,
  type AccountRecord,
} from "./accounts/account.js";
import { systemClock, type Clock, type TimerHandle } from "./clock.js";
import { EngineError, notFound } from "./errors.js";
import { createLogger, type Logger } from "./log.js";
import { Pacer } from "./policy/pacer.js";
import { flatRefreshRate, RefreshPlanner } from "./policy/refresh-planner.js";
import { LatencyReservoir } from "./state/latency-reservoir.js";
import { backoffMs, type RetryPolicyOptions } from "./policy/retry-policy.js";
import { streamLink, udpLink, type SipLink } from "./sip/link-transport.js";
import { ConnectionPool, type StreamProtocol } from "./sip/stream-connection.js";
import { nodeDnsClient } from "./sip/dns-client.js";
import { SipTrace } from "./sip/sip-trace.js";
import { resolveTargets, type DnsClient, type SipTarget } from "./sip/resolver.js";
import { parseSipUri } from "../shared/sip-uri.js";
import { applyAccountPolicy, decideOwnChange } from "./policy/reg-event-policy.js";
import { RegEventWatcher, type RegEventListener } from "./sip/reg-event-watcher.js";
import { Registration, type AttemptRecord, type RegistrationStatus } from "./sip/registration.js";
import { SharedUdpSocket, type HostPort } from "./sip/udp-socket.js";
import { watchSleep } from "./net/sleep-watcher.js";
import { watchInterfaces } from "./net/interface-watcher.js";
import { StateHub } from "./state/state-hub.js";
import { AccountRepo } from "./store/account-repo.js";
import { AlertRepo } from "./store/alert-repo.js";
import { openDatabase, type Db } from "./store/database.js";
import { DEFAULT_RETENTION, HistoryRepo, type NewHistoryEntry, type Retention } from "./store/history-repo.js";
import { parseImport, serializeExport } from "./accounts/bulk.js";
import { keyFileSecretBox, type SecretBox } from "./store/secret-box.js";

export interface EngineOptions {
  dataDir: string;
  /** How passwords are sealed at rest; default: AES-GCM with a key file in dataDir. */
  secretBox?: SecretBox;
  /** Address the SIP sockets bind to (default all interfaces). */
  sipBind?: string;
  /** Address put in Via and Contact (default: the bind address, or this host's first external IPv4). */
  sipAdvertise?: string;
  sipPort?: number;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  retry?: RetryPolicyOptions;
  /** New REGISTERs started per second at start-up and on bulk actions. */
  startRatePerSec?: number;
  /**
   * Accounts starting at once (REGISTER and first SUBSCRIBE not settled), whatever the rate.
   * Default 64: measured at 30,000 watched accounts, 64 and 128 gave the same rate (about 265
   * a second, CPU-bound) and 256 fell to 190 with a third of the traffic retransmissions.
   */
  maxStarting?: number;
  deltaIntervalMs?: number;
  /** Longest wait for the registrar's answer to an unregister on delete, disable and quit. */
  unregisterTimeoutMs?: number;
  /** Manage the store only: no registrations start (the CLI's import and export). */
  offline?: boolean;
  /** History kept per account and by age. */
  retention?: Retention;
  /** A REGISTER without a final response for this long means a stuck registration (Timer F is 32 s). */
  stuckAfterMs?: number;
  /** Re-register everything when this machine's network addresses change. */
  watchNetwork?: boolean;
  /** Re-register everything after this process did not run for a while (sleep), where no powerMonitor tells. */
  watchSleep?: boolean;
  /** Expiry asked for reg-event subscriptions (refreshed at about half of it). */
  regEventExpiresSec?: number;
  /** DNS servers ("host:port") for RFC 3263 lookups instead of the system's. */
  dnsServers?: string[];
}

type Handlers = { [N in CommandName]: (args: CommandArgs<N>) => CommandOutput<N> | Promise<CommandOutput<N>> };

interface Entry {
  record: AccountRecord;
  status: AccountStatus;
  registration?: Registration;
  watcher?: RegEventWatcher;
  /** Consecutive lost or failed routes to the registrar (backoff for restarts). */
  linkFailures?: number;
  /** Where the registrar was found (RFC 3263), and which of those we use. */
  targets?: SipTarget[];
  targetIndex?: number;
  restartTimer?: TimerHandle;
}

/** Repeats of the same alert for an account within this window raise its count instead. */
const ALERT_FOLD_MS = 10 * 60_000;
/** Subscription-State reasons after which our binding is left to its own refresh (RFC 6665 4.1.3). */
const KEEP_REGISTRATION_ON_TERMINATION = new Set(["probation", "giveup", "rejected", "noresource"]);
/** Status fields a registration update may clear by sending them as undefined. */
const CLEARABLE = ["code", "reason", "expiresAt", "retryAt"] as const;

export class Engine {
  private readonly accounts = new Map<string, Entry>();
  private readonly alerts = new Map<string, Alert>();
  private readonly pendingHistory: NewHistoryEntry[] = [];
  private readonly pool: ConnectionPool;
  private readonly dns: DnsClient;
  private readonly trace = new SipTrace();
  private readonly planner = new RefreshPlanner(() => flatRefreshRate(this.refreshingExpiries()));
  private readonly latencies = new LatencyReservoir(100_000);
  private readonly hub: StateHub;
  private readonly pacer: Pacer;
  private readonly handlers: Handlers;
  private closed = false;
  private readonly stopWatchers: (() => void)[] = [];

  private constructor(
    private readonly db: Db,
    private readonly repo: AccountRepo,
    private readonly history: HistoryRepo,
    private readonly alertRepo: AlertRepo,
    private readonly secrets: SecretBox,
    private readonly socket: SharedUdpSocket,
    private readonly opts: EngineOptions & { clock: Clock; logger: Logger },
  ) {
    this.hub = new StateHub(
      {
        view: (id) => this.viewOf(id),
        beforePublish: (batch) => this.persist(batch.changed, batch.alerts),
      },
      opts.clock,
      opts.deltaIntervalMs ?? 100,
    );
    this.pacer = new Pacer(opts.clock, { perSecond: opts.startRatePerSec ?? 100, window: opts.maxStarting ?? 64 });
    this.pool = new ConnectionPool(opts.logger);
    this.dns = nodeDnsClient(opts.dnsServers);
    this.handlers = this.makeHandlers();
  }

  static async create(options: EngineOptions): Promise<Engine> {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? createLogger();
    const db = openDatabase(join(options.dataDir, "regwatch.db"));
    try {
      const secrets = options.secretBox ?? keyFileSecretBox(options.dataDir);
      const bind = options.sipBind ?? "0.0.0.0";
      const socket = await SharedUdpSocket.open(bind, options.sipPort ?? 0, logger, options.sipAdvertise ?? advertisedAddress(bind));
      const engine = new Engine(db, new AccountRepo(db), new HistoryRepo(db), new AlertRepo(db), secrets, socket, {
        ...options,
        clock,
        logger,
      });
      engine.restore();
      engine.pruneHistory();
      engine.watchdog();
      if (options.watchNetwork) engine.stopWatchers.push(watchInterfaces(() => engine.reregisterAll("network change")));
      if (options.watchSleep) engine.stopWatchers.push(watchSleep((ms) => engine.reregisterAll(`resumed after ${Math.round(ms / 1000)} s asleep`)));
      return engine;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Where the engine's SIP socket listens. */
  get sipAddress(): HostPort {
    return this.socket.local;
  }

  /** Runs a command whose input the caller has already parsed with the contract schema. */
  async handle<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutput<N>> {
    if (this.closed) throw new EngineError("internal", "engine is shut down");
    return (this.handlers[name] as (a: CommandArgs<N>) => CommandOutput<N> | Promise<CommandOutput<N>>)(args);
  }

  subscribe(listener: (delta: StateDelta) => void): () => void {
    return this.hub.subscribe(listener);
  }

  snapshot(): Snapshot {
    // Pending changes go out first, so the snapshot's revision covers everything in it.
    this.hub.flush();
    return {
      rev: this.hub.revision,
      accounts: [...this.accounts.keys()].map((id) => this.viewOf(id)!),
      alerts: [...this.alerts.values()].sort((a, b) => b.at - a.at),
    };
  }

  /**
   * Re-registers every enabled account, paced (resume from sleep, network change): bindings and
   * NAT mappings may be gone while our timers still think we are registered.
   */
  reregisterAll(reason: string): void {
    this.opts.logger.info("re-registering all accounts", { reason });
    for (const [id, entry] of this.accounts) if (entry.record.enabled) this.reregister(id, reason);
  }

  /**
   * Registers an account again out of turn, through the pacer: one registrar restart can end
   * thousands of subscriptions at once. An account waiting for its user (unregistered by them,
   * credentials refused, rejected by the registrar) is left alone. `reason`, when given, goes in its history.
   */
  private reregister(id: string, reason?: string): void {
    this.enqueue(id, () => {
      const current = this.accounts.get(id);
      if (!current?.record.enabled || current.registration?.waitsForUser) return this.pacer.settled(id);
      if (reason) this.pendingHistory.push({ accountId: id, at: this.opts.clock.now(), kind: "register", reason: `re-registering: ${reason}` });
      if (current.registration) current.registration.registerNow();
      else void this.startRegistration(id);
    });
  }

  /**
   * One sweep for all accounts: a registration whose REGISTER has had no final response well past
   * Timer F is stuck (sip.js lost the transaction); it is recreated with a fresh user agent.
   */
  private watchdog(): void {
    if (this.closed) return;
    const limit = this.opts.stuckAfterMs ?? 45_000;
    const now = this.opts.clock.now();
    for (const [id, entry] of this.accounts) {
      if (!entry.registration || entry.registration.inFlightFor(now) < limit) continue;
      this.opts.logger.warn("stuck registration recreated", { account: id });
      this.pendingHistory.push({ accountId: id, at: now, kind: "register", reason: "REGISTER stuck without a final response: registration recreated" });
      void this.stopRegistration(entry, false).then(() => this.startRegistration(id));
    }
    this.opts.clock.setTimeout(() => this.watchdog(), Math.min(limit / 3, 15_000));
  }

  /** Applies the history retention now and then every hour. */
  private pruneHistory(): void {
    if (this.closed) return;
    const removed = this.history.prune(this.opts.clock.now(), this.opts.retention ?? DEFAULT_RETENTION);
    if (removed > 0) this.opts.logger.info("history pruned", { removed });
    this.opts.clock.setTimeout(() => this.pruneHistory(), 3600_000);
  }

  /** Unregisters every account (bounded wait), saves state and releases sockets and files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer.clear();
    for (const stop of this.stopWatchers) stop();
    const timeoutMs = this.opts.unregisterTimeoutMs ?? 3000;
    for (const e of this.accounts.values()) e.watcher?.stop();
    await Promise.all(
      [...this.accounts.values()].map((e) => e.registration?.stop({ unregister: true, timeoutMs })),
    );
    this.hub.flush();
    this.pool.closeAll();
    await this.socket.close();
    this.db.close();
  }

  private restore(): void {
    const now = this.opts.clock.now();
    const statuses = this.repo.loadStatuses();
    for (const record of this.repo.all()) {
      // The last known status is shown at once (marked queued); live state replaces it as
      // registrations resume.
      const saved = statuses.get(record.id);
      this.accounts.set(record.id, { record, status: saved ? restoredStatus(saved, now) : initialStatus(record, now) });
      if (record.enabled && !this.opts.offline) this.enqueue(record.id, () => void this.startRegistration(record.id));
    }
    for (const alert of this.alertRepo.list()) this.alerts.set(alert.id, alert);
  }

  private makeHandlers(): Handlers {
    return {
      "state.snapshot": () => this.snapshot(),
      "accounts.list": () => [...this.accounts.keys()].map((id) => this.viewOf(id)!),
      "accounts.get": ({ id }) => this.requireView(id),
      "accounts.create": (input) => {
        const now = this.opts.clock.now();
        const { password, ...fields } = input;
        const record: AccountRecord = {
          ...fields,
          id: randomUUID(),
          passwordSealed: password ? this.secrets.encrypt(password) : undefined,
          createdAt: now,
          updatedAt: now,
        };
        this.assertUnique(record);
        this.repo.insert(record);
        const status = initialStatus(record, now);
        this.accounts.set(record.id, { record, status });
        this.repo.saveStatuses([[record.id, status]]);
        this.hub.accountChanged(record.id);
        if (record.enabled) this.queueStart(record.id);
        return this.requireView(record.id);
      },
      "accounts.update": async ({ id, patch }) => {
        const entry = this.requireEntry(id);
        const before = entry.record;
        const { password, ...rest } = patch;
        const next: AccountRecord = { ...before, updatedAt: this.opts.clock.now() };
        for (const [key, value] of Object.entries(rest)) {
          // null clears an optional field; undefined leaves it.
          if (value === null) delete (next as unknown as Record<string, unknown>)[key];
          else if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
        }
        // An empty password keeps the stored one.
        if (password) next.passwordSealed = this.secrets.encrypt(password);
        this.assertUnique(next, id);
        this.repo.update(next);
        entry.record = next;
        if (registrationChanged(before, next, password)) {
          await this.stopRegistration(entry, true);
          entry.targets = undefined;
          if (next.enabled) this.queueStart(id);
          else this.setStatus(id, { state: "disabled", code: undefined, reason: undefined, expiresAt: undefined, retryAt: undefined, bindings: [] });
        }
        this.hub.accountChanged(id);
        return this.requireView(id);
      },
      "accounts.delete": async ({ id }) => {
        const entry = this.requireEntry(id);
        this.pacer.cancel(id);
        await this.stopRegistration(entry, true);
        this.repo.remove(id);
        this.accounts.delete(id);
        for (const [alertId, alert] of this.alerts) if (alert.accountId === id) this.alerts.delete(alertId);
        this.hub.accountRemoved(id);
        return { ok: true as const };
      },
      "accounts.enable": ({ id }) => this.setEnabled(id, true),
      "accounts.disable": ({ id }) => this.setEnabled(id, false),
      "accounts.register": ({ id }) => {
        const entry = this.requireEntry(id);
        if (!entry.record.enabled) throw new EngineError("conflict", "The account is disabled: enable it to register");
        if (entry.registration) entry.registration.registerNow();
        else this.startRegistration(id);
        return this.requireView(id);
      },
      "accounts.unregister": async ({ id }) => {
        const entry = this.requireEntry(id);
        this.pacer.cancel(id);
        await entry.registration?.unregister(false);
        return this.requireView(id);
      },
      "accounts.unregisterAll": async ({ id }) => {
        const entry = this.requireEntry(id);
        if (!entry.record.enabled) throw new EngineError("conflict", "The account is disabled: enable it first");
        this.pacer.cancel(id);
        if (!entry.registration) await this.startRegistration(id, false);
        await entry.registration?.unregister(true);
        return this.requireView(id);
      },
      "accounts.history": ({ id, limit }) => {
        this.requireEntry(id);
        this.flushHistory();
        return this.history.list(id, limit ?? 200);
      },
      "accounts.trace": ({ id, limit }) => {
        this.requireEntry(id);
        return this.trace.forAccount(id, limit ?? 50);
      },
      "accounts.import": ({ format, content }) => this.importAccounts(format, content),
      "accounts.export": ({ format, withPasswords }) => {
        const records = [...this.accounts.values()].map((e) => e.record);
        const passwordOf = withPasswords ? (r: AccountRecord) => (r.passwordSealed ? this.secrets.decrypt(r.passwordSealed) : "") : undefined;
        return { format, count: records.length, content: serializeExport(format, records, passwordOf) };
      },
      "engine.stats": () => {
        const byState: Record<string, number> = {};
        let regEventActive = 0;
        for (const e of this.accounts.values()) {
          byState[e.status.state] = (byState[e.status.state] ?? 0) + 1;
          if (e.status.regEvent.state === "active") regEventActive++;
        }
        const mem = process.memoryUsage();
        const cpu = process.cpuUsage();
        return {
          accounts: this.accounts.size,
          byState,
          regEventActive,
          queued: this.pacer.pending,
          registerLatencyMs: this.latencies.summary(),
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          cpuMicros: { user: cpu.user, system: cpu.system },
          udp: { retransmissions: this.socket.retransmissions, refused: this.socket.refused, unrouted: this.socket.unrouted, stalls: this.socket.stalls },
        };
      },
      "engine.networkChanged": () => {
        this.reregisterAll("network change (requested)");
        return { ok: true as const };
      },
      "alerts.list": () => [...this.alerts.values()].sort((a, b) => b.at - a.at),
      "alerts.ack": ({ id }) => {
        const alert = this.alerts.get(id);
        if (!alert) throw notFound("alert", id);
        const acked = { ...alert, acknowledged: true };
        this.alerts.set(id, acked);
        this.alertRepo.save(acked);
        this.hub.alertChanged(acked);
        return acked;
      },
    };
  }

  /**
   * Adds every valid row in one transaction; invalid rows and AORs that already exist (in the
   * store or earlier in the file) are reported with their row and field and left out.
   */
  private importAccounts(format: "csv" | "json", content: string) {
    const parsed = parseImport(format, content);
    const issues = [...parsed.issues];
    const now = this.opts.clock.now();
    const seen = new Set([...this.accounts.values()].map((e) => identityKey(e.record)));
    const items: { record: AccountRecord; status: AccountStatus }[] = [];
    for (const { row, line, input } of parsed.rows) {
      const { password, ...fields } = input;
      const record: AccountRecord = { ...fields, id: randomUUID(), passwordSealed: password ? this.secrets.encrypt(password) : undefined, createdAt: now, updatedAt: now };
      const key = identityKey(record);
      if (seen.has(key)) {
        issues.push({ row, line, field: "aor", message: "This AOR is already registered at this registrar by another account" });
        continue;
      }
      seen.add(key);
      items.push({ record, status: initialStatus(record, now) });
    }
    this.repo.insertMany(items);
    for (const { record, status } of items) {
      this.accounts.set(record.id, { record, status });
      this.hub.accountChanged(record.id);
      if (record.enabled) this.queueStart(record.id);
    }
    issues.sort((a, b) => a.row - b.row);
    return { imported: items.length, rejected: parsed.total - items.length, issues };
  }

  private async setEnabled(id: string, enabled: boolean): Promise<AccountView> {
    const entry = this.requireEntry(id);
    if (entry.record.enabled !== enabled) {
      entry.record = { ...entry.record, enabled, updatedAt: this.opts.clock.now() };
      this.repo.update(entry.record);
    }
    if (enabled) {
      if (!entry.registration) this.queueStart(id);
    } else {
      this.pacer.cancel(id);
      await this.stopRegistration(entry, true);
      this.setStatus(id, { state: "disabled", code: undefined, reason: undefined, expiresAt: undefined, retryAt: undefined, bindings: [] });
    }
    return this.requireView(id);
  }

  private queueStart(id: string): void {
    if (this.opts.offline) return;
    // Shown until the pacer lets this account's REGISTER go.
    this.setStatus(id, { state: "registering", retryAt: undefined, reason: "Queued (pacing)", code: undefined });
    this.enqueue(id, () => void this.startRegistration(id));
  }

  /** Queues work for the pacer; the account shows as queued until its turn comes. */
  private enqueue(id: string, run: () => void): void {
    this.pacer.enqueue(id, () => {
      this.hub.accountChanged(id);
      run();
    });
    this.hub.accountChanged(id);
  }

  /** Creates the account's registration and (unless told not to) registers. */
  private async startRegistration(id: string, register = true): Promise<void> {
    const entry = this.accounts.get(id);
    if (!entry || entry.registration || this.closed || !entry.record.enabled) return;
    this.clearRestart(entry);
    const record = entry.record;
    try {
      const registrar = effectiveRegistrar(record);
      const link = await this.linkFor(id, entry, registrar);
      // The account may have been changed or removed while the address was looked up.
      if (this.accounts.get(id) !== entry || entry.record !== record || entry.registration || this.closed) return;
      const registration = new Registration(
        {
          accountId: id,
          aor: record.aor,
          registrar,
          authUsername: effectiveAuthUsername(record),
          password: record.passwordSealed ? this.secrets.decrypt(record.passwordSealed) : undefined,
          expires: record.expires,
        },
        {
          link,
          clock: this.opts.clock,
          logger: this.opts.logger,
          random: this.opts.random,
          retry: this.opts.retry,
          planner: this.planner,
          // A retry that comes due after this registration was replaced or stopped only frees its place.
          pace: (run) => this.enqueue(id, () => (this.accounts.get(id)?.registration === registration ? run() : this.pacer.settled(id))),
          trace: (direction, text) => this.trace.add(id, direction, text, this.opts.clock.now()),
        },
        {
          status: (s) => {
            if (this.failover(id, entry, s)) return;
            this.setStatus(id, s);
            if (s.state === "registered") {
              entry.linkFailures = 0;
              this.ensureWatcher(id);
            }
          },
          attempt: (a) => this.onAttempt(id, a),
          authFailed: (code, reason) =>
            this.raiseAlert(id, "auth-failed", `Registration rejected with ${code} ${reason}: check the username and password`),
        },
      );
      entry.registration = registration;
      await registration.start(register);
    } catch (e) {
      const reason = (e as Error).message;
      // A target we cannot reach: the next resolved one, at once; none left: retry with backoff.
      if (entry.targets && entry.targetIndex !== undefined && entry.targetIndex + 1 < entry.targets.length) {
        entry.targetIndex++;
        this.pendingHistory.push({ accountId: id, at: this.opts.clock.now(), kind: "register", state: "retrying", reason: `${reason}; trying the next server` });
        this.enqueue(id, () => void this.startRegistration(id));
        return;
      }
      entry.targets = undefined;
      this.restartLater(id, reason);
    }
  }

  /** The link an account's requests travel on: the shared UDP socket or a shared connection. */
  private async linkFor(id: string, entry: Entry, registrar: string): Promise<SipLink> {
    const record = entry.record;
    if (!entry.targets || entry.targetIndex === undefined || entry.targetIndex >= entry.targets.length) {
      const uri = parseSipUri(record.outboundProxy ?? registrar);
      if (!uri) throw new Error(`Cannot route to ${record.outboundProxy ?? registrar}`);
      entry.targets = await resolveTargets(uri, record.transport, this.dns, this.opts.random);
      entry.targetIndex = 0;
      if (entry.targets.length === 0) throw new Error(`DNS has no address for ${uri.host} (NAPTR, SRV, A/AAAA)`);
    }
    const target = entry.targets[entry.targetIndex]!;
    const hop = { address: target.address, port: target.port };
    if (target.transport === "udp") return udpLink(this.socket, hop);
    const connection = await this.pool.acquire({
      protocol: target.transport.toUpperCase() as StreamProtocol,
      ...hop,
      servername: isIP(target.host) ? undefined : target.host,
      caFile: record.tlsCaFile,
    });
    return streamLink(connection, (reason) => this.restartLater(id, reason));
  }

  /**
   * RFC 3263 failover: a timeout, 503 or transport error from one server moves the account to
   * the next resolved target at once; when none is left, the retry policy's backoff applies and
   * the next attempt resolves afresh.
   */
  private failover(id: string, entry: Entry, status: RegistrationStatus): boolean {
    const code = status.code;
    if (status.state !== "retrying" || (code !== 408 && code !== 503)) return false;
    if (!entry.targets || entry.targetIndex === undefined || entry.targetIndex + 1 >= entry.targets.length) {
      entry.targets = undefined;
      return false;
    }
    const from = entry.targets[entry.targetIndex]!;
    entry.targetIndex++;
    const to = entry.targets[entry.targetIndex]!;
    this.pendingHistory.push({
      accountId: id,
      at: this.opts.clock.now(),
      kind: "register",
      state: "retrying",
      code,
      reason: `${code} from ${from.address}:${from.port}; failing over to ${to.address}:${to.port}`,
    });
    void this.stopRegistration(entry, false).then(() => this.startRegistration(id));
    return true;
  }

  /**
   * The account lost its route (connection closed, connect failed): drop the registration and
   * register again over a new one. The first retry comes within two seconds; repeated failures
   * back off (5 s doubling to 5 min, jittered) so a flapping flow cannot make a storm.
   */
  private restartLater(id: string, reason: string): void {
    const entry = this.accounts.get(id);
    if (!entry || this.closed || !entry.record.enabled) return;
    const failures = (entry.linkFailures = (entry.linkFailures ?? 0) + 1);
    const random = this.opts.random ?? Math.random;
    const delay = failures === 1 ? Math.round(random() * 2000) : backoffMs(failures - 2, random, { baseMs: 5000, capMs: 300_000, slowRetryMs: 0 });
    const now = this.opts.clock.now();
    this.opts.logger.warn("registration lost its route", { account: id, error: reason, retryInMs: delay });
    this.pendingHistory.push({ accountId: id, at: now, kind: "register", state: "retrying", reason });
    void this.stopRegistration(entry, false).then(() => {
      if (this.accounts.get(id) !== entry || this.closed) return;
      this.setStatus(id, { state: "retrying", code: undefined, reason, expiresAt: undefined, retryAt: now + delay });
      this.clearRestart(entry);
      entry.restartTimer = this.opts.clock.setTimeout(() => {
        entry.restartTimer = undefined;
        this.enqueue(id, () => void this.startRegistration(id));
      }, delay);
    });
  }

  private clearRestart(entry: Entry): void {
    if (entry.restartTimer !== undefined) this.opts.clock.clearTimeout(entry.restartTimer);
    entry.restartTimer = undefined;
  }

  private async stopRegistration(entry: Entry, unregister: boolean): Promise<void> {
    this.clearRestart(entry);
    // The watcher goes first: our own unregister must not read as a forced removal.
    entry.watcher?.stop();
    entry.watcher = undefined;
    const registration = entry.registration;
    if (!registration) return;
    entry.registration = undefined;
    await registration.stop({ unregister, timeoutMs: this.opts.unregisterTimeoutMs ?? 3000 });
  }

  /** The expiry of every refresh the enabled accounts keep going: REGISTERs and reg-event SUBSCRIBEs. */
  private *refreshingExpiries(): Iterable<number> {
    for (const { record } of this.accounts.values()) {
      if (!record.enabled) continue;
      yield record.expires;
      if (record.watchRegEvent) yield this.opts.regEventExpiresSec ?? 3600;
    }
  }

  /** After the first successful REGISTER, watch the AOR's reg event (if the account wants it). */
  private ensureWatcher(id: string): void {
    const entry = this.accounts.get(id);
    const registration = entry?.registration;
    if (!entry || !registration || entry.watcher || !entry.record.watchRegEvent || this.closed) return;
    const watcher = new RegEventWatcher(
      registration.userAgent,
      {
        aor: entry.record.aor,
        expires: this.opts.regEventExpiresSec ?? 3600,
        own: { contactUri: registration.contactUri, callId: registration.callId, instance: registration.instance },
        preemptiveAuthorization: (request) => registration.preemptiveAuthorization(request),
      },
      { clock: this.opts.clock, logger: this.opts.logger, random: this.opts.random, planner: this.planner },
      this.regEventListener(id, registration),
    );
    entry.watcher = watcher;
    watcher.start();
  }

  private regEventListener(id: string, registration: Registration): RegEventListener {
    const history = (reason: string, kind: "subscribe" | "reg-event" = "reg-event") =>
      this.pendingHistory.push({ accountId: id, at: this.opts.clock.now(), kind, reason, state: this.accounts.get(id)?.status.state });
    return {
      state: (state, reason) => {
        const prev = this.accounts.get(id)?.status.regEvent;
        if (prev?.state === state && prev.reason === reason) return;
        this.setStatus(id, { regEvent: { state, ...(reason ? { reason } : {}) } });
        if (state !== "subscribing" || reason) history(`reg-event ${state}${reason ? `: ${reason}` : ""}`, "subscribe");
      },
      changes: (changes, bindings, receivedAt) => {
        this.setStatus(id, { bindings });
        for (const change of changes) {
          if (!change.own) {
            if (change.isNew && change.contact.state === "active") history(`new device: ${change.contact.uri}`);
            else if (change.contact.state === "terminated") history(`device left (${change.contact.event}): ${change.contact.uri}`);
            continue;
          }
          const status = this.accounts.get(id)?.status;
          const decision = applyAccountPolicy(
            decideOwnChange(change, {
              weUnregistered: registration.unregisteredRecently(30_000),
              grantedExpiresAt: status?.state === "registered" ? status.expiresAt : undefined,
              now: receivedAt,
            }),
            change.contact.event,
            this.accounts.get(id)?.record.regEventPolicy ?? {},
          );
          history(decision.summary);
          if (decision.alert) this.raiseAlert(id, decision.alert.kind, decision.alert.message);
          const action = decision.action;
          if (action.kind === "reregister-now") this.reregister(id);
          else if (action.kind === "reregister-after") registration.registerAfter(action.delayMs, decision.summary);
          else if (action.kind === "refresh-before") registration.refreshWithin(action.expiresInSec);
          else if (action.kind === "hold") registration.hold("Rejected by the registrar (reg event): register again once resolved");
        }
      },
      badBody: (kind, message) => {
        this.opts.logger.warn("unusable reg-event NOTIFY", { account: id, kind, error: message });
        history(`unusable NOTIFY (${kind}): ${message}`);
      },
      terminated: (reason) => {
        history(`reg-event subscription terminated by the registrar (${reason ?? "no reason"})`, "subscribe");
        // A registrar that ends our subscription may have restarted and lost its bindings too;
        // one that asks us to wait (probation, giveup) or will not have us gets no extra REGISTER.
        if (!KEEP_REGISTRATION_ON_TERMINATION.has(reason ?? "")) this.reregister(id, `reg-event subscription ended (${reason ?? "no reason"})`);
      },
    };
  }

  private onAttempt(id: string, a: AttemptRecord): void {
    if (a.kind === "register" && a.code >= 200 && a.code < 300) this.latencies.add(a.durationMs);
    const state = this.accounts.get(id)?.status.state;
    this.pendingHistory.push({ accountId: id, at: a.at, kind: a.kind, code: a.code, reason: a.reason, durationMs: a.durationMs, state });
  }

  private setStatus(id: string, patch: Partial<AccountStatus>): void {
    const entry = this.accounts.get(id);
    if (!entry) return;
    const prev = entry.status;
    const next: AccountStatus = { ...prev };
    for (const key of CLEARABLE) if (key in patch) next[key] = patch[key] as never;
    if (patch.state !== undefined) next.state = patch.state;
    if (patch.bindings !== undefined) next.bindings = patch.bindings;
    if (patch.regEvent !== undefined) next.regEvent = patch.regEvent;
    if (next.state !== prev.state) {
      next.lastChange = this.opts.clock.now();
      // State changes make the timeline (time registered, flapping).
      this.pendingHistory.push({ accountId: id, at: next.lastChange, kind: "state", state: next.state, code: next.code, reason: next.reason });
    }
    entry.status = next;
    // Its start-up is over once neither the REGISTER nor the first SUBSCRIBE is pending.
    if (next.state !== "registering" && next.regEvent.state !== "subscribing") this.pacer.settled(id);
    this.hub.accountChanged(id);
  }

  private raiseAlert(accountId: string, kind: AlertKind, message: string): void {
    const now = this.opts.clock.now();
    const open = [...this.alerts.values()].find(
      (a) => a.accountId === accountId && a.kind === kind && !a.acknowledged && now - a.at < ALERT_FOLD_MS,
    );
    const alert: Alert = open
      ? { ...open, at: now, message, count: open.count + 1 }
      : { id: randomUUID(), accountId, kind, at: now, message, acknowledged: false, count: 1 };
    this.alerts.set(alert.id, alert);
    this.hub.alertChanged(alert);
  }

  private persist(changed: string[], alerts: Alert[]): void {
    this.repo.saveStatuses(
      changed.flatMap((id) => {
        const e = this.accounts.get(id);
        return e ? [[id, e.status] as [string, AccountStatus]] : [];
      }),
    );
    for (const a of alerts) this.alertRepo.save(a);
    this.flushHistory();
  }

  private flushHistory(): void {
    this.history.addMany(this.pendingHistory.splice(0));
  }

  private assertUnique(record: AccountRecord, selfId?: string): void {
    const other = this.repo.idWithIdentity(record);
    if (other !== undefined && other !== selfId) {
      throw new EngineError("conflict", "An account with this AOR at this registrar already exists", [
        { path: "aor", message: "This AOR is already registered at this registrar by another account" },
      ]);
    }
  }

  private viewOf(id: string): AccountView | undefined {
    const e = this.accounts.get(id);
    return e && toView(e.record, this.pacer.isQueued(id) ? { ...e.status, queued: true } : e.status);
  }

  private requireEntry(id: string): Entry {
    const e = this.accounts.get(id);
    if (!e) throw notFound("account", id);
    return e;
  }

  private requireView(id: string): AccountView {
    this.requireEntry(id);
    return this.viewOf(id)!;
  }
}

/** A change to any of these needs a new REGISTER dialog (and removal of the old binding). */
function registrationChanged(a: AccountRecord, b: AccountRecord, newPassword: string | undefined): boolean {
  return (
    a.enabled !== b.enabled ||
    a.aor !== b.aor ||
    a.registrar !== b.registrar ||
    a.outboundProxy !== b.outboundProxy ||
    a.authUsername !== b.authUsername ||
    a.transport !== b.transport ||
    a.expires !== b.expires ||
    !!newPassword
  );
}

/** The address to advertise when bound to a wildcard: the first external IPv4, else loopback. */
function advertisedAddress(bind: string): string {
  if (bind !== "0.0.0.0" && bind !== "::") return bind;
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) if (ni.family === "IPv4" && !ni.internal) return ni.address;
  }
  return "127.0.0.1";
}

export function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}
