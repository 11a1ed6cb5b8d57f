import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startRegistrar, type Registrar } from "../../e2e/registrar/registrar.js";
import { stopChild } from "../../e2e/support/stop-child.js";
import type { AccountView, Alert, EngineStats, HistoryEntry, ImportResult, Snapshot, TraceEntry } from "../../shared/contract.js";
import { Engine } from "../engine.js";
import { silentLogger } from "../log.js";
import { startHttpHost, type HttpHost } from "./http-host.js";

const TOKEN = "test-token-123456";
let engine: Engine;
let host: HttpHost;
let dir: string;
let registrar: Registrar;

beforeAll(async () => {
  registrar = await startRegistrar({ users: { hana: "hana-secret", ivan: "ivan-secret", june: "june-secret" } });
  dir = mkdtempSync(join(tmpdir(), "regwatch-http-"));
  const ui = join(dir, "ui");
  mkdirSync(ui);
  writeFileSync(join(ui, "index.html"), "<!doctype html><title>Regwatch</title>");
  engine = await Engine.create({ dataDir: join(dir, "data"), sipBind: "127.0.0.1", logger: silentLogger, deltaIntervalMs: 10 });
  host = await startHttpHost({ engine, host: "127.0.0.1", port: 0, token: TOKEN, staticDir: ui, logger: silentLogger });
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
  await registrar?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}, token = TOKEN) =>
  fetch(new URL(path, host.url), {
    ...init,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });

const post = (path: string, body?: unknown) => api(path, { method: "POST", ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

/** GET (or POST) that must answer 200; the parsed body. */
async function ok<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(path, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** Polls the account over HTTP until the predicate holds; fails with the last status seen. */
async function until(id: string, predicate: (v: AccountView) => boolean, timeoutMs = 15_000): Promise<AccountView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await ok<AccountView>(`/api/accounts/${id}`);
    if (predicate(view)) return view;
    if (Date.now() > deadline) throw new Error(`account ${id} did not get there in ${timeoutMs} ms; last: ${JSON.stringify(view.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An account at the Kamailio test registrar. */
const atRegistrar = (user: string, password: string) => ({
  name: `${user} at the registrar`,
  aor: `sip:${user}@${registrar.domain}`,
  password,
  outboundProxy: registrar.proxyUri,
  expires: 300,
});

// A disabled account never sends SIP, so these tests need no registrar.
const input = { name: "Desk", aor: "sip:desk@example.invalid", password: "pw-desk", enabled: false };

describe("headless host API", () => {
  it("rejects every /api route without the right token", async () => {
    for (const path of ["/api/accounts", "/api/alerts", "/api/snapshot", "/api/accounts/x/history"]) {
      expect((await api(path, {}, "")).status).toBe(401);
      expect((await api(path, {}, "wrong-token-000")).status).toBe(401);
    }
    expect((await api("/api/accounts", { method: "POST", body: JSON.stringify(input) }, "")).status).toBe(401);
  });

  it("creates an account (201), never returns the password, and lists it", async () => {
    const res = await api("/api/accounts", { method: "POST", body: JSON.stringify(input) });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain("pw-desk");
    const view = JSON.parse(text);
    expect(view).toMatchObject({ name: "Desk", hasPassword: true, transport: "udp", expires: 3600, status: { state: "disabled" } });
    const list = await (await api("/api/accounts")).json();
    expect(list.map((a: { id: string }) => a.id)).toContain(view.id);
    expect(JSON.stringify(list)).not.toContain("pw-desk");
  });

  it("answers invalid input with 400 and field-level issues", async () => {
    const res = await api("/api/accounts", { method: "POST", body: JSON.stringify({ name: "", aor: "nope", password: 5, transport: "carrier-pigeon" }) });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBeTruthy();
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(["aor", "name", "password", "transport"]);
    expect((await api("/api/accounts", { method: "POST", body: "{not json" })).status).toBe(400);
    expect((await api("/api/accounts", { method: "POST", body: "x".repeat(1_100_000) })).status).toBe(400);
  });

  it("answers 409 for a second account on the same AOR and 404 for unknown ids and routes", async () => {
    const res = await api("/api/accounts", { method: "POST", body: JSON.stringify({ ...input, name: "Again" }) });
    expect(res.status).toBe(409);
    expect((await res.json()).issues[0].path).toBe("aor");
    expect((await api("/api/accounts/nope")).status).toBe(404);
    expect((await api("/api/nothing-here")).status).toBe(404);
    expect((await api("/api/commands/accounts.explode", { method: "POST" })).status).toBe(404);
  });

  it("patches, keeps the password on an empty edit, and deletes", async () => {
    const created = await (await api("/api/accounts", { method: "POST", body: JSON.stringify({ ...input, aor: "sip:p@example.invalid" }) })).json();
    const patched = await api(`/api/accounts/${created.id}`, { method: "PATCH", body: JSON.stringify({ name: "Renamed", password: "" }) });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: "Renamed", hasPassword: true });
    expect((await api(`/api/accounts/${created.id}`, { method: "PATCH", body: JSON.stringify({ expires: 1 }) })).status).toBe(400);
    expect((await api(`/api/accounts/${created.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await api(`/api/accounts/${created.id}`)).status).toBe(404);
  });

  it("refuses a foreign Host header (DNS rebinding)", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL("/api/accounts", host.url), { headers: { Host: "evil.example:80", Authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it("serves the UI with a strict CSP and no CORS for other origins", async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const pre = await fetch(new URL("/api/accounts", host.url), { method: "OPTIONS", headers: { Origin: "http://evil.example" } });
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect((await fetch(new URL("/../../etc/passwd", host.url))).status).not.toBe(500);
  });
});

describe("event stream", () => {
  it("needs the token and pushes batched deltas", async () => {
    const wsUrl = host.url.replace("http", "ws") + "api/events";
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl, ["regwatch"]);
        ws.on("open", () => resolve("opened"));
        ws.on("error", reject);
      }),
    ).rejects.toThrow(/401/);

    const ws = new WebSocket(wsUrl, ["regwatch", `bearer.${TOKEN}`]);
    await new Promise((r) => ws.on("open", r));
    const got = new Promise<{ event: string; payload: { accounts: { name: string }[] } }>((resolve) =>
      ws.on("message", (data) => resolve(JSON.parse(String(data)))),
    );
    await api("/api/accounts", { method: "POST", body: JSON.stringify({ ...input, aor: "sip:ws@example.invalid", name: "Via WS" }) });
    const msg = await got;
    expect(msg.event).toBe("state.delta");
    expect(msg.payload.accounts.map((a) => a.name)).toContain("Via WS");
    ws.close();
  });
});

describe("account actions against a real registrar", () => {
  let hana: string;

  it("register, disable, enable, unregister, register and unregister-all change the registrar's bindings", async () => {
    const res = await api("/api/accounts", { method: "POST", body: JSON.stringify(atRegistrar("hana", "hana-secret")) });
    expect(res.status).toBe(201);
    hana = ((await res.json()) as AccountView).id;
    const registered = await until(hana, (v) => v.status.state === "registered");
    expect(registered.status.code).toBe(200);
    const ours = await registrar.contacts("hana");
    expect(ours).toHaveLength(1);
    expect(ours[0]).toContain(`127.0.0.1:${engine.sipAddress.port}`);

    // disable answers once the unregister is done: the registrar has no binding left.
    const disabled = await ok<AccountView>(`/api/accounts/${hana}/disable`, { method: "POST" });
    expect(disabled).toMatchObject({ enabled: false, status: { state: "disabled" } });
    expect(await registrar.contacts("hana")).toEqual([]);
    expect((await ok<AccountView>(`/api/accounts/${hana}`)).enabled).toBe(false);
    // A disabled account refuses register and unregister-all.
    expect((await post(`/api/accounts/${hana}/register`)).status).toBe(409);
    expect((await post(`/api/accounts/${hana}/unregister-all`)).status).toBe(409);

    const enabled = await ok<AccountView>(`/api/accounts/${hana}/enable`, { method: "POST" });
    expect(enabled.enabled).toBe(true);
    await until(hana, (v) => v.status.state === "registered");
    expect(await registrar.contacts("hana")).toHaveLength(1);

    const unregistered = await ok<AccountView>(`/api/accounts/${hana}/unregister`, { method: "POST" });
    expect(unregistered.status.state).toBe("unregistered");
    expect(unregistered.enabled).toBe(true);
    expect(await registrar.contacts("hana")).toEqual([]);

    await ok<AccountView>(`/api/accounts/${hana}/register`, { method: "POST" });
    await until(hana, (v) => v.status.state === "registered");
    expect(await registrar.contacts("hana")).toHaveLength(1);

    // Another device's binding goes too with unregister-all (Contact: *).
    await registrar.addBinding("hana", "sip:hana@192.0.2.7:5060", 300);
    expect(await registrar.contacts("hana")).toHaveLength(2);
    const all = await ok<AccountView>(`/api/accounts/${hana}/unregister-all`, { method: "POST" });
    expect(all.status.state).toBe("unregistered");
    expect(await registrar.contacts("hana")).toEqual([]);

    for (const action of ["enable", "disable", "register", "unregister", "unregister-all"]) {
      expect((await post(`/api/accounts/no-such-id/${action}`)).status).toBe(404);
    }
  });

  it("lists the attempts in the history, with their codes, and honours ?limit", async () => {
    const history = await ok<HistoryEntry[]>(`/api/accounts/${hana}/history`);
    expect(history.every((h) => h.accountId === hana)).toBe(true);
    // Three registrations (create, enable, register) and three unregisters (disable, unregister, unregister-all).
    expect(history.filter((h) => h.kind === "register" && h.code === 200).length).toBeGreaterThanOrEqual(3);
    expect(history.filter((h) => h.kind === "unregister" && h.code === 200).length).toBeGreaterThanOrEqual(3);
    expect(history.some((h) => h.kind === "state" && h.state === "disabled")).toBe(true);
    const one = await ok<HistoryEntry[]>(`/api/accounts/${hana}/history?limit=1`);
    expect(one).toHaveLength(1);
    expect(history.map((h) => h.id)).toContain(one[0]!.id);
    expect((await api(`/api/accounts/${hana}/history?limit=abc`)).status).toBe(400);
    expect((await api(`/api/accounts/${hana}/history?limit=0`)).status).toBe(400);
    expect((await api("/api/accounts/no-such-id/history")).status).toBe(404);
  });

  it("traces the SIP messages without the password or the digest response, and honours ?limit", async () => {
    const trace = await ok<TraceEntry[]>(`/api/accounts/${hana}/trace?limit=500`);
    expect(trace.length).toBeGreaterThan(4);
    expect(trace.every((t) => t.accountId === hana)).toBe(true);
    const sent = trace.filter((t) => t.direction === "sent").map((t) => t.text);
    const received = trace.filter((t) => t.direction === "received").map((t) => t.text);
    expect(sent.some((t) => t.startsWith("REGISTER "))).toBe(true);
    expect(received.some((t) => t.startsWith("SIP/2.0 200"))).toBe(true);
    // The authenticated REGISTER is there, its credentials are not.
    const authorized = sent.filter((t) => /^(proxy-)?authorization:/im.test(t));
    expect(authorized.length).toBeGreaterThan(0);
    for (const t of authorized) expect(t).toMatch(/^(Proxy-)?Authorization: Digest username="hana", \[credentials redacted\]\r?$/im);
    const all = JSON.stringify(trace);
    expect(all).not.toContain("hana-secret");
    expect(all).not.toMatch(/response=/i);
    expect(all).not.toMatch(/cnonce=/i);

    const last2 = await ok<TraceEntry[]>(`/api/accounts/${hana}/trace?limit=2`);
    expect(last2).toEqual(trace.slice(-2));
    expect((await api(`/api/accounts/${hana}/trace?limit=501`)).status).toBe(400);
    expect((await api("/api/accounts/no-such-id/trace")).status).toBe(404);
  });
});

describe("alerts over HTTP", () => {
  it("raises auth-failed for refused credentials and acknowledges it", async () => {
    const created = await (await post("/api/accounts", atRegistrar("ivan", "not-ivans-password"))).json();
    const failed = await until(created.id, (v) => v.status.state === "failed");
    expect(failed.status.code).toBe(401);
    expect(await registrar.contacts("ivan")).toEqual([]);

    const alerts = await ok<Alert[]>("/api/alerts");
    const alert = alerts.find((a) => a.accountId === created.id && a.kind === "auth-failed");
    expect(alert).toMatchObject({ acknowledged: false, count: 1 });
    const acked = await ok<Alert>(`/api/alerts/${alert!.id}/ack`, { method: "POST" });
    expect(acked).toMatchObject({ id: alert!.id, acknowledged: true });
    const after = await ok<Alert[]>("/api/alerts");
    expect(after.find((a) => a.id === alert!.id)?.acknowledged).toBe(true);
    expect((await post("/api/alerts/no-such-alert/ack")).status).toBe(404);

    const history = await ok<HistoryEntry[]>(`/api/accounts/${created.id}/history`);
    expect(history.filter((h) => h.kind === "register").map((h) => h.code)).toEqual([401]);
  });
});

describe("export and import over HTTP", () => {
  interface Exported {
    format: string;
    count: number;
    content: string;
  }

  it("exports without passwords unless withPasswords=true", async () => {
    const list = await ok<AccountView[]>("/api/accounts");
    const plain = await ok<Exported>("/api/accounts/export?format=csv&withPasswords=false");
    expect(plain).toMatchObject({ format: "csv", count: list.length });
    const [header, ...rows] = plain.content.trim().split(/\r?\n/);
    expect(header!.split(",")).not.toContain("password");
    expect(rows).toHaveLength(list.length);
    expect(plain.content).toContain(`sip:hana@${registrar.domain}`);
    for (const secret of ["hana-secret", "pw-desk", "not-ivans-password"]) expect(plain.content).not.toContain(secret);
    // Left out, the flag means no passwords too.
    expect((await ok<Exported>("/api/accounts/export?format=csv")).content).toBe(plain.content);

    const withPw = await ok<Exported>("/api/accounts/export?format=csv&withPasswords=true");
    expect(withPw.content.split(/\r?\n/)[0]!.split(",")).toContain("password");
    expect(withPw.content).toMatch(new RegExp(`sip:hana@${registrar.domain.replace(".", "\\.")},hana-secret,`));
    expect(withPw.content).toContain("pw-desk");

    const json = await ok<Exported>("/api/accounts/export?format=json");
    const parsed = JSON.parse(json.content) as { accounts: Record<string, unknown>[] };
    expect(parsed.accounts).toHaveLength(list.length);
    expect(parsed.accounts.every((a) => !("password" in a))).toBe(true);
    expect((await api("/api/accounts/export?format=xml")).status).toBe(400);
  });

  it("imports the good rows (which then register) and reports each bad row's line and field", async () => {
    const csv = [
      "name,aor,password,outboundProxy,expires,enabled",
      `June,sip:june@${registrar.domain},june-secret,${registrar.proxyUri},300,true`,
      "Bad AOR,not-a-sip-uri,x,,300,false",
      "Bad flag,sip:k@example.invalid,x,,300,maybe",
      "",
    ].join("\n");
    const result = await ok<ImportResult>("/api/accounts/import", { method: "POST", body: JSON.stringify({ format: "csv", content: csv }) });
    expect(result).toMatchObject({ imported: 1, rejected: 2 });
    expect(result.issues.map(({ row, line, field }) => ({ row, line, field }))).toEqual([
      { row: 2, line: 3, field: "aor" },
      { row: 3, line: 4, field: "enabled" },
    ]);
    const list = await ok<AccountView[]>("/api/accounts");
    const june = list.find((a) => a.aor === `sip:june@${registrar.domain}`);
    expect(june).toMatchObject({ name: "June", hasPassword: true, expires: 300 });
    expect(list.some((a) => a.aor === "sip:k@example.invalid")).toBe(false);
    await until(june!.id, (v) => v.status.state === "registered");
    expect(await registrar.contacts("june")).toHaveLength(1);

    // The same row again is a duplicate, reported on its line; nothing is added.
    const again = await ok<ImportResult>("/api/accounts/import", { method: "POST", body: JSON.stringify({ format: "csv", content: csv.split("\n").slice(0, 2).join("\n") }) });
    expect(again).toMatchObject({ imported: 0, rejected: 1, issues: [{ row: 1, line: 2, field: "aor" }] });
    expect(await ok<AccountView[]>("/api/accounts")).toHaveLength(list.length);

    expect((await post("/api/accounts/import", { format: "csv" })).status).toBe(400);
    expect((await post("/api/accounts/import")).status).toBe(400);
  });
});

describe("engine routes and the snapshot", () => {
  it("counts the accounts by state as the account list has them", async () => {
    const stats = await ok<EngineStats>("/api/engine/stats");
    const list = await ok<AccountView[]>("/api/accounts");
    expect(stats.accounts).toBe(list.length);
    const byState: Record<string, number> = {};
    for (const a of list) byState[a.status.state] = (byState[a.status.state] ?? 0) + 1;
    expect(stats.byState).toEqual(byState);
    expect(stats.byState).toMatchObject({ registered: 1, unregistered: 1, failed: 1 });
    expect(stats.queued).toBe(0);
    // hana registered three times, june once.
    expect(stats.registerLatencyMs.count).toBeGreaterThanOrEqual(4);
    expect(stats.registerLatencyMs.p99).toBeGreaterThanOrEqual(stats.registerLatencyMs.p50);
    expect(stats.rssBytes).toBeGreaterThan(0);
  });

  it("re-registers on network-changed, but not credentials the registrar refused nor an account the user unregistered", async () => {
    const list = await ok<AccountView[]>("/api/accounts");
    const june = list.find((a) => a.aor.startsWith("sip:june@"))!;
    const ivan = list.find((a) => a.aor.startsWith("sip:ivan@"))!;
    const hana = list.find((a) => a.aor.startsWith("sip:hana@"))!;
    expect(hana.status.state).toBe("unregistered");
    const registers = async (id: string) => (await ok<HistoryEntry[]>(`/api/accounts/${id}/history`)).filter((h) => h.kind === "register" && h.code !== undefined).length;
    const juneBefore = await registers(june.id);
    const ivanBefore = await registers(ivan.id);
    const hanaBefore = await registers(hana.id);
    expect(await ok("/api/engine/network-changed", { method: "POST" })).toEqual({ ok: true });
    const deadline = Date.now() + 10_000;
    while ((await registers(june.id)) <= juneBefore) {
      if (Date.now() > deadline) throw new Error("june was not re-registered after network-changed");
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(june.id, (v) => v.status.state === "registered");
    expect(await registrar.contacts("june")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await registers(ivan.id)).toBe(ivanBefore);
    expect((await ok<AccountView>(`/api/accounts/${ivan.id}`)).status.state).toBe("failed");
    expect(await registers(hana.id)).toBe(hanaBefore);
    expect((await ok<AccountView>(`/api/accounts/${hana.id}`)).status.state).toBe("unregistered");
    expect(await registrar.contacts("hana")).toEqual([]);
  });

  it("serves a snapshot whose revision moves on with every change", async () => {
    const snap = await ok<Snapshot>("/api/snapshot");
    expect(snap.rev).toBeGreaterThan(0);
    const list = await ok<AccountView[]>("/api/accounts");
    expect(snap.accounts.map((a) => a.id).sort()).toEqual(list.map((a) => a.id).sort());
    expect(snap.alerts.map((a) => a.id).sort()).toEqual((await ok<Alert[]>("/api/alerts")).map((a) => a.id).sort());
    expect(JSON.stringify(snap)).not.toContain("hana-secret");

    const desk = list.find((a) => a.name === "Desk")!;
    await ok(`/api/accounts/${desk.id}`, { method: "PATCH", body: JSON.stringify({ name: "Desk 2" }) });
    const deadline = Date.now() + 5000;
    let next = await ok<Snapshot>("/api/snapshot");
    while (next.rev <= snap.rev && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      next = await ok<Snapshot>("/api/snapshot");
    }
    expect(next.rev).toBeGreaterThan(snap.rev);
    expect(next.accounts.find((a) => a.id === desk.id)?.name).toBe("Desk 2");
  });
});

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUILT = existsSync(join(ROOT, "dist", "main", "cli.mjs"));
// npm test builds first; a bare vitest run without dist/ says why this one is skipped.
if (!BUILT) console.warn("http-host.int: the built-CLI test is skipped because dist/ is missing (run node scripts/build.mjs)");

describe("regwatch serve (the built CLI)", () => {
  it.skipIf(!BUILT)("takes the token from $REGWATCH_TOKEN, prints it, and listens on 127.0.0.1 only", async () => {
    const envToken = "from-the-environment-42";
    const data = join(dir, "cli-data");
    const child = spawn(process.execPath, [join(ROOT, "bin", "regwatch.mjs"), "serve", "--port", "0", "--data", data, "--sip-bind", "127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, REGWATCH_TOKEN: envToken, REGWATCH_LOG: "warn" },
    });
    let out = "";
    child.stdout!.on("data", (b) => (out += b));
    child.stderr!.on("data", (b) => (out += b));
    try {
      const [, url, printed] = await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`regwatch serve did not start in 20 s:\n${out}`)), 20_000);
        child.stdout!.on("data", () => {
          const m = /^listening on (http:\/\/\S+\/)#token=(\S+)$/m.exec(out);
          if (m) resolve((clearTimeout(timer), m));
        });
        child.once("exit", (code) => reject((clearTimeout(timer), new Error(`regwatch serve exited with ${code}:\n${out}`))));
      });
      expect(printed).toBe(envToken);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const port = Number(new URL(url!).port);
      expect(port).toBeGreaterThan(0);
      const get = (token: string) => fetch(new URL("/api/accounts", url), { headers: { Authorization: `Bearer ${token}` } });
      expect((await get(envToken)).status).toBe(200);
      expect((await get("some-other-token")).status).toBe(401);
      // Not reachable on this machine's other addresses.
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === "IPv4" && !a.internal);
      if (external) await expect(fetch(`http://${external.address}:${port}/`)).rejects.toThrow();
      expect(out).not.toMatch(/not loopback/);
    } finally {
      await stopChild(child, 10_000);
    }
  });
});
