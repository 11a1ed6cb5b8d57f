/**
 * The embedded SQLite database (better-sqlite3: synchronous, fast, works in Node 20 and in
 * Electron's main process after a rebuild; node:sqlite is missing from Node 20).
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { migrations, type Migration } from "./migrations.js";

export type Db = Database.Database;

export function openDatabase(file: string, list: readonly Migration[] = migrations): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // FULL: an edit the API acknowledged survives a power cut, not only a process crash.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, list);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Db, list: readonly Migration[]): void {
  const current = schemaVersion(db);
  const newest = list.length ? list[list.length - 1]!.version : 0;
  if (current > newest) {
    throw new Error(`database schema ${current} is newer than this Regwatch (${newest}); refusing to open it`);
  }
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
