import type { AccountStatus } from "../../shared/contract.js";
import { AccountStatus as AccountStatusSchema, RegEventPolicy } from "../../shared/contract.js";
import type { AccountRecord } from "../accounts/account.js";
import { identityKey } from "../accounts/account.js";
import type { Db } from "./database.js";

interface AccountRow {
  id: string;
  name: string;
  aor: string;
  auth_username: string | null;
  password_enc: string | null;
  registrar: string | null;
  outbound_proxy: string | null;
  transport: AccountRecord["transport"];
  tls_ca_file: string | null;
  expires: number;
  enabled: number;
  watch_reg_event: number;
  reg_event_policy: string;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: AccountRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  aor: r.aor,
  authUsername: r.auth_username ?? undefined,
  passwordSealed: r.password_enc ?? undefined,
  registrar: r.registrar ?? undefined,
  outboundProxy: r.outbound_proxy ?? undefined,
  transport: r.transport,
  tlsCaFile: r.tls_ca_file ?? undefined,
  expires: r.expires,
  enabled: r.enabled === 1,
  watchRegEvent: r.watch_reg_event === 1,
  regEventPolicy: readPolicy(r.reg_event_policy),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toParams = (a: AccountRecord) => ({
  id: a.id,
  name: a.name,
  aor: a.aor,
  auth_username: a.authUsername ?? null,
  password_enc: a.passwordSealed ?? null,
  registrar: a.registrar ?? null,
  outbound_proxy: a.outboundProxy ?? null,
  transport: a.transport,
  tls_ca_file: a.tlsCaFile ?? null,
  expires: a.expires,
  enabled: a.enabled ? 1 : 0,
  watch_reg_event: a.watchRegEvent ? 1 : 0,
  reg_event_policy: JSON.stringify(a.regEventPolicy),
  identity_key: identityKey(a),
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

/** Accounts and their last known status. */
export class AccountRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO accounts (id, name, aor, auth_username, password_enc, registrar, outbound_proxy,
          transport, tls_ca_file, expires, enabled, watch_reg_event, reg_event_policy, identity_key, created_at, updated_at)
        VALUES (@id, @name, @aor, @auth_username, @password_enc, @registrar, @outbound_proxy, @transport, @tls_ca_file, @expires,
          @enabled, @watch_reg_event, @reg_event_policy, @identity_key, @created_at, @updated_at)`),
      update: db.prepare(`UPDATE accounts SET name=@name, aor=@aor, auth_username=@auth_username,
          password_enc=@password_enc, registrar=@registrar, outbound_proxy=@outbound_proxy, transport=@transport,
          tls_ca_file=@tls_ca_file,
          expires=@expires, enabled=@enabled, watch_reg_event=@watch_reg_event, reg_event_policy=@reg_event_policy,
          identity_key=@identity_key,
          updated_at=@updated_at WHERE id=@id`),
      remove: db.prepare(`DELETE FROM accounts WHERE id = ?`),
      get: db.prepare(`SELECT * FROM accounts WHERE id = ?`),
      all: db.prepare(`SELECT * FROM accounts ORDER BY created_at, id`),
      byIdentity: db.prepare(`SELECT id FROM accounts WHERE identity_key = ?`),
      // A status may arrive for an account deleted meanwhile: it is dropped, not an error.
      saveStatus: db.prepare(`INSERT INTO account_status (account_id, status_json)
        SELECT @id, @json WHERE EXISTS (SELECT 1 FROM accounts WHERE id = @id)
        ON CONFLICT(account_id) DO UPDATE SET status_json = excluded.status_json`),
      allStatus: db.prepare(`SELECT account_id, status_json FROM account_status`),
    };
  }

  insert(a: AccountRecord): void {
    this.stmts.insert.run(toParams(a));
  }

  /** Many accounts and their first statuses in one transaction: all of them or none. */
  insertMany(items: { record: AccountRecord; status: AccountStatus }[]): void {
    this.db.transaction(() => {
      for (const { record, status } of items) {
        this.stmts.insert.run(toParams(record));
        this.stmts.saveStatus.run({ id: record.id, json: JSON.stringify(status) });
      }
    })();
  }

  update(a: AccountRecord): void {
    this.stmts.update.run(toParams(a));
  }

  remove(id: string): boolean {
    return this.stmts.remove.run(id).changes > 0;
  }

  get(id: string): AccountRecord | undefined {
    const row = this.stmts.get.get(id) as AccountRow | undefined;
    return row && fromRow(row);
  }

  all(): AccountRecord[] {
    return (this.stmts.all.all() as AccountRow[]).map(fromRow);
  }

  /** The id of the account that already uses this AOR at this registrar, if any. */
  idWithIdentity(a: Pick<AccountRecord, "aor" | "registrar">): string | undefined {
    return (this.stmts.byIdentity.get(identityKey(a)) as { id: string } | undefined)?.id;
  }

  saveStatuses(entries: Iterable<[string, AccountStatus]>): void {
    this.db.transaction(() => {
      for (const [id, status] of entries) this.stmts.saveStatus.run({ id, json: JSON.stringify(status) });
    })();
  }

  /** Last known statuses; an unreadable row (older format, corruption) is skipped, not fatal. */
  loadStatuses(): Map<string, AccountStatus> {
    const out = new Map<string, AccountStatus>();
    for (const row of this.stmts.allStatus.all() as { account_id: string; status_json: string }[]) {
      try {
        const parsed = AccountStatusSchema.safeParse(JSON.parse(row.status_json));
        if (parsed.success) out.set(row.account_id, parsed.data);
      } catch {
        // Skipped: the account starts from a fresh status.
      }
    }
    return out;
  }
}

/** A stored policy that no longer parses falls back to the defaults rather than failing the load. */
function readPolicy(json: string): RegEventPolicy {
  try {
    const parsed = RegEventPolicy.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
