/**
 * The headless host: the same contract as the Electron IPC, over HTTP + WebSocket on loopback,
 * and the built renderer as static files. Every /api route and the event stream need the bearer
 * token; the page gets it from its URL fragment (never sent to the server in a request line).
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import type { CommandName } from "../../shared/contract.js";
import type { Engine } from "../engine.js";
import { EngineError } from "../errors.js";
import type { Logger } from "../log.js";
import { dispatch, toApiError } from "./dispatch.js";
import { matchRoute } from "./routes.js";
import { bearerToken, subprotocolToken, tokenMatches } from "./token.js";

export interface HttpHostOptions {
  engine: Engine;
  host: string;
  port: number;
  token: string;
  /** Directory of the built renderer; without it only the API is served. */
  staticDir?: string;
  logger: Logger;
}

export interface HttpHost {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1_048_576;
/** A client this far behind is dropped; it reconnects and reloads the snapshot. */
const MAX_WS_BUFFER = 8 * 1_048_576;
const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function startHttpHost(opts: HttpHostOptions): Promise<HttpHost> {
  const { engine, logger } = opts;
  const sockets = new Set<WebSocket>();
  let allowedHosts: Set<string>;

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      const { status, body } = toApiError(e, logger);
      if (!res.headersSent) sendJson(res, status, body);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach us.
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) {
      return sendJson(res, 421, { error: "Unexpected Host header" });
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) {
      if (!tokenMatches(opts.token, bearerToken(req.headers.authorization))) {
        return sendJson(res, 401, { error: "Missing or wrong bearer token", code: "unauthorized" });
      }
      const route = matchRoute(req.method ?? "GET", url.pathname);
      if (!route) return sendJson(res, 404, { error: `No route ${req.method} ${url.pathname}`, code: "not-found" });
      const body = route.needsBody ? await readJson(req, route.maxBody ?? MAX_BODY) : undefined;
      const { command, input } = route.build({ body, query: url.searchParams });
      const result = await dispatch(engine, command, input);
      return sendJson(res, route.status ?? 200, result);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "Method not allowed" });
    return serveStatic(url.pathname, res);
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    if (!opts.staticDir) return sendJson(res, 404, { error: "No UI is built (npm run build)" });
    const root = normalize(opts.staticDir);
    let file = normalize(join(root, decodeURIComponent(pathname)));
    if (file !== root && !file.startsWith(root + sep)) return sendJson(res, 403, { error: "Forbidden" });
    let st = statSafe(file);
    if (!st || st.isDirectory()) {
      file = join(root, "index.html");
      st = statSafe(file);
    }
    if (!st) return sendJson(res, 404, { error: "Not found" });
    res.writeHead(200, {
      "Content-Type": MIME[extname(file)] ?? "application/octet-stream",
      "Content-Length": st.size,
      "Content-Security-Policy": contentSecurityPolicy(),
      "Cache-Control": file.endsWith("index.html") ? "no-cache" : "max-age=3600",
    });
    createReadStream(file).pipe(res);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has("regwatch") ? "regwatch" : false),
  });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const token = subprotocolToken(req.headers["sec-websocket-protocol"]) ?? bearerToken(req.headers.authorization);
    const hostOk = allowedHosts.has((req.headers.host ?? "").toLowerCase());
    if (url.pathname !== "/api/events" || !hostOk || !tokenMatches(opts.token, token)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onEventStream(ws));
  });

  function onEventStream(ws: WebSocket): void {
    sockets.add(ws);
    const unsubscribe = engine.subscribe((delta) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_WS_BUFFER) {
        ws.close(1013, "too far behind; reload");
        return;
      }
      ws.send(JSON.stringify({ event: "state.delta", payload: delta }));
    });
    let alive = true;
    ws.on("pong", () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    ping.unref();
    // Commands may also travel over the socket: {id, command, input} -> {id, result | error}.
    ws.on("message", (data) => {
      let msg: { id?: unknown; command?: unknown; input?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return ws.send(JSON.stringify({ error: { error: "Malformed JSON", code: "invalid" } }));
      }
      const id = typeof msg.id === "number" || typeof msg.id === "string" ? msg.id : null;
      dispatch(engine, msg.command as CommandName, msg.input).then(
        (result) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ id, result })),
        (e) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ id, error: toApiError(e, logger).body })),
      );
    });
    ws.on("close", () => {
      clearInterval(ping);
      unsubscribe();
      sockets.delete(ws);
    });
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      const port = (server.address() as { port: number }).port;
      const hostPart = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
      allowedHosts = new Set([`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
      resolve({
        url: `http://${hostPart}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const ws of sockets) ws.terminate();
            wss.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage, maxBody: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new EngineError("invalid", `Request body over ${maxBody} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  if (!/^application\/json\b/i.test(type)) throw new EngineError("invalid", "Content-Type must be application/json");
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new EngineError("invalid", "Request body is not valid JSON");
  }
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
