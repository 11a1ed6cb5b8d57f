import type { Alert } from "../../shared/contract.js";
import type { Db } from "./database.js";

interface AlertRow {
  id: string;
  account_id: string;
  kind: Alert["kind"];
  at: number;
  message: string;
  acknowledged: number;
  count: number;
}

const fromRow = (r: AlertRow): Alert => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind,
  at: r.at,
  message: r.message,
  acknowledged: r.acknowledged === 1,
  count: r.count,
});

export class AlertRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      upsert: db.prepare(`INSERT INTO alerts (id, account_id, kind, at, message, acknowledged, count)
        SELECT @id, @account_id, @kind, @at, @message, @acknowledged, @count
        WHERE EXISTS (SELECT 1 FROM accounts WHERE id = @account_id)
        ON CONFLICT(id) DO UPDATE SET at = excluded.at, message = excluded.message,
          acknowledged = excluded.acknowledged, count = excluded.count`),
      get: db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      all: db.prepare(`SELECT * FROM alerts ORDER BY at DESC LIMIT ?`),
    };
  }

  save(a: Alert): void {
    this.stmts.upsert.run({
      id: a.id,
      account_id: a.accountId,
      kind: a.kind,
      at: a.at,
      message: a.message,
      acknowledged: a.acknowledged ? 1 : 0,
      count: a.count,
    });
  }

  get(id: string): Alert | undefined {
    const row = this.stmts.get.get(id) as AlertRow | undefined;
    return row && fromRow(row);
  }

  list(limit = 1_000): Alert[] {
    return (this.stmts.all.all(limit) as AlertRow[]).map(fromRow);
  }
}
