/**
 * What must survive: bulk imports of 50,000 accounts, restarts (state shown at once, no
 * REGISTER storm), a SIGKILL in the middle of heavy editing, and passwords that never appear
 * in plaintext anywhere.
 */
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startHeadlessHost } from "../../e2e/support/headless-host.js";
import { ScriptedSipPeer } from "../../e2e/support/scripted-sip-peer.js";
import { main as cli } from "../cli.js";
import { Engine } from "../engine.js";
import { silentLogger } from "../log.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "regwatch-persist-"));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

describe("bulk import and export", () => {
  it("imports 50,000 accounts from one CSV, reports bad rows by line and field, and round-trips", async () => {
    const dir = tmp();
    const engine = await Engine.create({ dataDir: dir, sipBind: "127.0.0.1", logger: silentLogger, offline: true });
    cleanup.push(() => engine.close());
    const lines = ["name,aor,password,expires,enabled"];
    for (let i = 0; i < 50_000; i++) lines.push(`User ${i},sip:u${i}@bulk.example,pw-${i},600,false`);
    lines.push("Broken,not a uri,pw,600,false"); // line 50002
    lines.push("Dup,sip:u7@bulk.example,pw,600,false"); // line 50003: AOR already in this file
    const result = await engine.handle("accounts.import", { format: "csv", content: lines.join("\n") });
    expect(result.imported).toBe(50_000);
    expect(result.rejected).toBe(2);
    expect(result.issues).toEqual([
      { row: 50_001, line: 50_002, field: "aor", message: expect.stringMatching(/SIP URI/) },
      { row: 50_002, line: 50_003, field: "aor", message: expect.stringMatching(/already registered/) },
    ]);
    expect((await engine.handle("accounts.list", undefined)).length).toBe(50_000);

    const exported = await engine.handle("accounts.export", { format: "csv", withPasswords: false });
    expect(exported.count).toBe(50_000);
    expect(exported.content).not.toMatch(/pw-\d/);
    const withPw = await engine.handle("accounts.export", { format: "json", withPasswords: true });
    expect(withPw.content).toContain('"password": "pw-49999"');

    // Into a second store: everything comes back, nothing twice.
    const dir2 = tmp();
    const other = await Engine.create({ dataDir: dir2, sipBind: "127.0.0.1", logger: silentLogger, offline: true });
    cleanup.push(() => other.close());
    expect((await other.handle("accounts.import", { format: "json", content: withPw.content })).imported).toBe(50_000);
    expect((await other.handle("accounts.import", { format: "json", content: withPw.content })).imported).toBe(0);
  }, 120_000);

  it("has a CLI: regwatch import FILE and regwatch export", async () => {
    const dir = tmp();
    const file = join(dir, "in.csv");
    writeFileSync(file, "name,aor,password,enabled\nA,sip:a@cli.example,secret-a,false\nB,bad,secret-b,false\n");
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const errWrite = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await cli(["import", file, "--data", join(dir, "data")])).toBe(1);
      expect(out.join("")).toContain(`${file}:3: aor:`);
      expect(out.join("")).toContain("imported 1 account(s), rejected 1");
      expect(await cli(["export", "--data", join(dir, "data"), "--format", "csv", "--out", join(dir, "out.csv")])).toBe(0);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
    const csv = readFileSync(join(dir, "out.csv"), "utf8");
    expect(csv).toContain("A,sip:a@cli.example");
    expect(csv).not.toContain("secret-a");
  });
});

describe("restart", () => {
  it("shows the last known state at once and resumes registrations paced, not in a storm", async () => {
    const peer = await ScriptedSipPeer.start();
    cleanup.push(() => peer.close());
    const dir = tmp();
    const opts = { dataDir: dir, sipBind: "127.0.0.1", logger: silentLogger, deltaIntervalMs: 20, startRatePerSec: 100, unregisterTimeoutMs: 5000 };
    const first = await Engine.create({ ...opts, offline: true });
    const lines = ["name,aor,outboundProxy,watchRegEvent"];
    for (let i = 0; i < 250; i++) lines.push(`R${i},sip:r${i}@restart.example,${peer.uri},false`);
    expect((await first.handle("accounts.import", { format: "csv", content: lines.join("\n") })).imported).toBe(250);
    await first.close();

    const engine = await Engine.create(opts);
    cleanup.push(() => engine.close());
    const restored = engine.snapshot();
    expect(restored.accounts).toHaveLength(250);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const inFirstSecond = peer.count("REGISTER");
    const elapsed = (Date.now() - t0) / 1000;
    // Paced at 100/s: never the whole set at once.
    expect(inFirstSecond).toBeLessThanOrEqual(Math.ceil(100 * elapsed) + 20);
    expect(inFirstSecond).toBeGreaterThan(0);
    await expect
      .poll(async () => (await engine.handle("accounts.list", undefined)).filter((a) => a.status.state === "registered").length, { timeout: 10_000 })
      .toBe(250);

    // Quitting unregisters every account; the next start shows that from the store at once, each
    // account marked queued until its REGISTER goes, then registers again.
    await engine.close();
    cleanup.pop();
    const again = await Engine.create(opts);
    cleanup.push(() => again.close());
    const shown = again.snapshot().accounts;
    expect(new Set(shown.map((a) => a.status.state))).toEqual(new Set(["unregistered"]));
    expect(shown.every((a) => a.status.code === 200)).toBe(true);
    expect(shown.filter((a) => a.status.queued).length).toBeGreaterThan(200);
    await expect
      .poll(async () => (await again.handle("accounts.list", undefined)).filter((a) => a.status.state === "registered" && !a.status.queued).length, { timeout: 10_000 })
      .toBe(250);
  }, 60_000);
});

describe("crash safety", () => {
  it("keeps every acknowledged edit after a SIGKILL mid-way, with an intact database", async () => {
    const host = await startHeadlessHost({ keepData: true });
    cleanup.push(() => rmSync(host.dataDir, { recursive: true, force: true }));
    const acked: string[] = [];
    let killed = false;
    const editor = (async () => {
      for (let i = 0; i < 1000 && !killed; i++) {
        try {
          const res = await host.api("/api/accounts", {
            method: "POST",
            body: JSON.stringify({ name: `Crash ${i}`, aor: `sip:c${i}@crash.example`, password: `crash-secret-${i}`, enabled: false }),
          });
          if (res.status === 201) acked.push((await res.json()).id);
        } catch {
          return; // the host is gone
        }
      }
    })();
    while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
    host.kill("SIGKILL");
    killed = true;
    await editor;
    await host.stop();
    expect(acked.length).toBeGreaterThanOrEqual(300);
    expect(acked.length).toBeLessThan(1000);

    const db = new Database(join(host.dataDir, "regwatch.db"));
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const ids = new Set((db.prepare("SELECT id FROM accounts").all() as { id: string }[]).map((r) => r.id));
      expect(acked.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      db.close();
    }
    // And no password in plaintext: not in the database files, not in the host's log.
    for (const f of ["regwatch.db", "regwatch.db-wal"]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(host.dataDir, f));
      } catch {
        continue;
      }
      expect(bytes.includes("crash-secret-")).toBe(false);
    }
    expect(host.output()).not.toContain("crash-secret-");
  }, 60_000);

  it("keeps everything acknowledged after a SIGKILL during a registration burst, and resumes without a storm", async () => {
    const peer = await ScriptedSipPeer.start();
    cleanup.push(() => peer.close());
    const registerTimes: number[] = [];
    peer.registerResponder = () => (registerTimes.push(Date.now()), undefined);
    const n = 600;
    const first = await startHeadlessHost({ keepData: true, args: ["--rate", "200"], logLevel: "warn" });
    cleanup.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
    const lines = ["name,aor,outboundProxy,watchRegEvent"];
    for (let i = 0; i < n; i++) lines.push(`K${i},sip:k${i}@kill.example,${peer.uri},false`);
    const imported = await first.api("/api/accounts/import", { method: "POST", body: JSON.stringify({ format: "csv", content: lines.join("\n") }) });
    expect((await imported.json()).imported).toBe(n);
    const ids = ((await (await first.api("/api/accounts")).json()) as { id: string; name: string }[]).map((a) => a.id);

    // Edits keep coming while the accounts register; the kill lands in the middle of both.
    const renamed = new Map<string, string>();
    let killed = false;
    const editor = (async () => {
      for (let i = 0; i < n && !killed; i++) {
        try {
          const res = await first.api(`/api/accounts/${ids[i]}`, { method: "PATCH", body: JSON.stringify({ name: `Renamed ${i}` }) });
          if (res.status === 200) renamed.set(ids[i]!, `Renamed ${i}`);
        } catch {
          return;
        }
      }
    })();
    while (registerTimes.length < 200) await new Promise((r) => setTimeout(r, 5));
    first.kill("SIGKILL");
    killed = true;
    const killedAt = Date.now();
    await editor;
    await first.stop();
    expect(renamed.size).toBeGreaterThan(0);

    const again = await startHeadlessHost({ dataDir: first.dataDir, keepData: true, args: ["--rate", "100"], logLevel: "warn" });
    cleanup.push(() => again.stop());
    const restored = (await (await again.api("/api/accounts")).json()) as { id: string; name: string; status: { state: string } }[];
    expect(restored).toHaveLength(n);
    const byId = new Map(restored.map((a) => [a.id, a.name]));
    for (const [id, name] of renamed) expect(byId.get(id)).toBe(name);
    await expect
      .poll(async () => ((await (await again.api("/api/accounts")).json()) as typeof restored).filter((a) => a.status.state === "registered").length, {
        timeout: 20_000,
        interval: 500,
      })
      .toBe(n);
    // Every account registers again; those last known as registered show so before their
    // REGISTER goes, so the count above can be complete while a few are still in the pacer.
    await expect.poll(() => registerTimes.filter((t) => t > killedAt).length, { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(n);
    // No storm: after the restart, no second holds more REGISTERs than the pacing rate allows.
    const after = registerTimes.filter((t) => t > killedAt);
    let busiest = 0;
    for (let i = 0, j = 0; i < after.length; i++) {
      while (after[i]! - after[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(120);
  }, 60_000);
});
