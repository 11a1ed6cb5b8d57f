/**
 * Schema versions, applied in order at open. A migration is never edited once released: a change
 * is a new entry, so any older database file upgrades step by step.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "accounts, status, history, alerts",
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        aor TEXT NOT NULL,
        auth_username TEXT,
        password_enc TEXT,
        registrar TEXT,
        outbound_proxy TEXT,
        transport TEXT NOT NULL,
        expires INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        watch_reg_event INTEGER NOT NULL,
        -- lower-cased AOR and effective registrar: one account per AOR at a registrar
        identity_key TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE account_status (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        status_json TEXT NOT NULL
      );
      CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        state TEXT,
        code INTEGER,
        reason TEXT,
        duration_ms INTEGER
      );
      CREATE INDEX history_account_at ON history(account_id, at);
      CREATE INDEX history_at ON history(at);
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        message TEXT NOT NULL,
        acknowledged INTEGER NOT NULL DEFAULT 0,
        count INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX alerts_account ON alerts(account_id, at);
    `,
  },
  {
    version: 2,
    description: "per-account reg-event policy",
    sql: `ALTER TABLE accounts ADD COLUMN reg_event_policy TEXT NOT NULL DEFAULT '{}';`,
  },
  {
    version: 3,
    description: "per-account TLS CA file",
    sql: `ALTER TABLE accounts ADD COLUMN tls_ca_file TEXT;`,
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]!.version;
