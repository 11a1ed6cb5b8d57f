import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Engine } from "../engine.js";
import { silentLogger } from "../log.js";
import { startHttpHost, type HttpHost } from "./http-host.js";

const TOKEN = "test-token-123456";
let engine: Engine;
let host: HttpHost;
let dir: string;

beforeAll(async () => {
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
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}, token = TOKEN) =>
  fetch(new URL(path, host.url), {
    ...init,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
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
