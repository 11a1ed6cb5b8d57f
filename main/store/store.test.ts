import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AccountRecord } from "../accounts/account.js";
import { AccountRepo } from "./account-repo.js";
import { AlertRepo } from "./alert-repo.js";
import { migrate, openDatabase, schemaVersion, type Db } from "./database.js";
import { HistoryRepo } from "./history-repo.js";
import { LATEST_SCHEMA_VERSION, migrations } from "./migrations.js";
import { aesGcmSecretBox, keyFileSecretBox } from "./secret-box.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "regwatch-store-"));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const record = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  id: "a1",
  name: "Alice",
  aor: "sip:alice@example.com",
  transport: "udp",
  expires: 3600,
  enabled: true,
  watchRegEvent: true,
  regEventPolicy: {},
  createdAt: 1,
  updatedAt: 1,
  ...over,
});

describe("database", () => {
  it("migrates an empty file to the latest schema with WAL and foreign keys on", () => {
    const db = openDatabase(join(tmp(), "x.db"));
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    db.close();
  });

  it("upgrades step by step from every earlier version", () => {
    for (let from = 0; from < migrations.length; from++) {
      const file = join(tmp(), `v${from}.db`);
      const old = openDatabase(file, migrations.slice(0, from));
      expect(schemaVersion(old)).toBe(from === 0 ? 0 : migrations[from - 1]!.version);
      old.close();
      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      db.close();
    }
  });

  it("refuses a file from a newer Regwatch instead of damaging it", () => {
    const db: Db = openDatabase(":memory:");
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(() => migrate(db, migrations)).toThrow(/newer than this Regwatch/);
  });
});

describe("AccountRepo", () => {
  it("round-trips accounts and statuses, and enforces one account per AOR at a registrar", () => {
    const db = openDatabase(":memory:");
    const repo = new AccountRepo(db);
    repo.insert(record({ passwordSealed: "k1:xyz", registrar: "sip:pbx.example.com" }));
    expect(repo.get("a1")).toMatchObject({ name: "Alice", passwordSealed: "k1:xyz", registrar: "sip:pbx.example.com" });
    expect(repo.idWithIdentity({ aor: "sip:alice@EXAMPLE.com", registrar: "sip:PBX.example.com" })).toBe("a1");
    expect(repo.idWithIdentity({ aor: "sip:Alice@example.com", registrar: "sip:pbx.example.com" })).toBeUndefined();
    expect(() => repo.insert(record({ id: "a2", aor: "sip:alice@example.com", registrar: "sip:pbx.example.com" }))).toThrow(/UNIQUE/);
    repo.saveStatuses([
      ["a1", { state: "registered", code: 200, lastChange: 5, regEvent: { state: "off" }, bindings: [] }],
      ["gone", { state: "failed", lastChange: 5, regEvent: { state: "off" }, bindings: [] }],
    ]);
    expect(repo.loadStatuses().get("a1")?.code).toBe(200);
    expect(repo.loadStatuses().has("gone")).toBe(false);
    expect(repo.remove("a1")).toBe(true);
    expect(repo.loadStatuses().size).toBe(0);
  });
});

describe("HistoryRepo", () => {
  it("lists newest first and prunes by age and by count per account", () => {
    const db = openDatabase(":memory:");
    new AccountRepo(db).insert(record());
    const h = new HistoryRepo(db);
    h.addMany(Array.from({ length: 10 }, (_, i) => ({ accountId: "a1", at: 1000 + i, kind: "register" as const, code: 200 + i })));
    expect(h.list("a1", 3).map((e) => e.code)).toEqual([209, 208, 207]);
    expect(h.prune(1003 + 100, { maxAgeMs: 100, maxPerAccount: 5 })).toBe(5);
    expect(h.list("a1").map((e) => e.at)).toEqual([1009, 1008, 1007, 1006, 1005]);
  });
});

describe("AlertRepo", () => {
  it("saves, updates and acknowledges", () => {
    const db = openDatabase(":memory:");
    new AccountRepo(db).insert(record());
    const repo = new AlertRepo(db);
    const alert = { id: "x", accountId: "a1", kind: "deactivated" as const, at: 1, message: "m", acknowledged: false, count: 1 };
    repo.save(alert);
    repo.save({ ...alert, count: 3, acknowledged: true });
    expect(repo.list()).toEqual([{ ...alert, count: 3, acknowledged: true }]);
  });
});

describe("secret boxes", () => {
  it("seals with AES-GCM, detects tampering and keeps its key file private", () => {
    const dir = tmp();
    const box = keyFileSecretBox(dir);
    const sealed = box.encrypt("hunter2");
    expect(sealed).not.toContain("hunter2");
    expect(box.encrypt("hunter2")).not.toBe(sealed);
    expect(keyFileSecretBox(dir).decrypt(sealed)).toBe("hunter2");
    const bytes = Buffer.from(sealed.slice(3), "base64");
    bytes[bytes.length - 1]! ^= 1;
    expect(() => box.decrypt("k1:" + bytes.toString("base64"))).toThrow();
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "secret.key"), "utf8")).not.toContain("hunter2");
    expect(() => aesGcmSecretBox(Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});

describe("AccountRepo.insertMany", () => {
  it("writes all of a batch or nothing", () => {
    const db = openDatabase(":memory:");
    const repo = new AccountRepo(db);
    const status = { state: "disabled" as const, lastChange: 1, regEvent: { state: "off" as const }, bindings: [] };
    const batch = Array.from({ length: 5 }, (_, i) => ({ record: record({ id: `b${i}`, aor: `sip:u${i}@example.com` }), status }));
    batch.push({ record: record({ id: "b0", aor: "sip:dup@example.com" }), status }); // same id: the batch fails
    expect(() => repo.insertMany(batch)).toThrow();
    expect(repo.all()).toEqual([]);
    repo.insertMany(batch.slice(0, 5));
    expect(repo.all()).toHaveLength(5);
    expect(repo.loadStatuses().size).toBe(5);
  });
});
