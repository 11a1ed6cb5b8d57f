import type { HistoryEntry } from "../../shared/contract.js";
import type { Db } from "./database.js";

export type NewHistoryEntry = Omit<HistoryEntry, "id">;

/** How much history is kept: years of use must not grow the file without limit. */
export interface Retention {
  maxAgeMs: number;
  maxPerAccount: number;
}
export const DEFAULT_RETENTION: Retention = { maxAgeMs: 90 * 24 * 3600_000, maxPerAccount: 2_000 };

interface HistoryRow {
  id: number;
  account_id: string;
  at: number;
  kind: HistoryEntry["kind"];
  state: HistoryEntry["state"] | null;
  code: number | null;
  reason: string | null;
  duration_ms: number | null;
}

/** Every REGISTER/SUBSCRIBE attempt and reg event per account, bounded by a retention policy. */
export class HistoryRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO history (account_id, at, kind, state, code, reason, duration_ms)
        SELECT @account_id, @at, @kind, @state, @code, @reason, @duration_ms
        WHERE EXISTS (SELECT 1 FROM accounts WHERE id = @account_id)`),
      list: db.prepare(`SELECT * FROM history WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?`),
      pruneAge: db.prepare(`DELETE FROM history WHERE at < ?`),
      pruneCount: db.prepare(`DELETE FROM history WHERE id IN (
          SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY at DESC, id DESC) AS n FROM history)
          WHERE n > ?)`),
    };
  }

  addMany(entries: readonly NewHistoryEntry[]): void {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      for (const e of entries) {
        this.stmts.insert.run({
          account_id: e.accountId,
          at: e.at,
          kind: e.kind,
          state: e.state ?? null,
          code: e.code ?? null,
          reason: e.reason ?? null,
          duration_ms: e.durationMs ?? null,
        });
      }
    })();
  }

  list(accountId: string, limit = 200): HistoryEntry[] {
    return (this.stmts.list.all(accountId, limit) as HistoryRow[]).map((r) => ({
      id: r.id,
      accountId: r.account_id,
      at: r.at,
      kind: r.kind,
      state: r.state ?? undefined,
      code: r.code ?? undefined,
      reason: r.reason ?? undefined,
      durationMs: r.duration_ms ?? undefined,
    }));
  }

  /** Deletes entries older than the retention age and beyond the per-account count. */
  prune(now: number, retention: Retention = DEFAULT_RETENTION): number {
    return this.db.transaction(() => {
      const byAge = this.stmts.pruneAge.run(now - retention.maxAgeMs).changes;
      const byCount = this.stmts.pruneCount.run(retention.maxPerAccount).changes;
      return byAge + byCount;
    })();
  }
}
