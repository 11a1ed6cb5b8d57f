/**
 * Connection-oriented SIP transports (RFC 3261 TCP/TLS, RFC 7118 WebSocket) shared by every
 * account that goes to the same next hop: one connection, many accounts, messages routed by
 * branch and Request-URI user as on the UDP socket. Keepalives are RFC 5626 double-CRLF pings
 * (TCP/TLS) or WebSocket pings; a ping unanswered in time (RFC 5626 4.4.1) or a lost connection
 * is reported to every account on it, which re-registers (with backoff) over a new one.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import WebSocket from "ws";
import type { Logger } from "../log.js";
import { MessageRouter, type Routable } from "./message-router.js";
import { StreamFramer, StreamFramingError } from "./stream-framer.js";
import type { HostPort } from "./udp-socket.js";

export type StreamProtocol = "TCP" | "TLS" | "WS" | "WSS";

export interface StreamTarget {
  protocol: StreamProtocol;
  /** Address to connect to. */
  address: string;
  port: number;
  /** Name the TLS certificate must carry (SNI and verification). */
  servername?: string;
  /** Extra CA certificates (PEM file) trusted on top of the system's. */
  caFile?: string;
}

export interface StreamEndpoint extends Routable {
  receive(text: string): void;
  flowLost(reason: string): void;
}

const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_CLOSE_MS = 5_000;

export interface KeepaliveOptions {
  /** Between keepalive pings. */
  intervalMs?: number;
  /** A ping unanswered this long fails the flow (RFC 5626 4.4.1: 10 s). */
  pongTimeoutMs?: number;
}

const KEEPALIVE_DEFAULTS: Required<KeepaliveOptions> = { intervalMs: 30_000, pongTimeoutMs: 10_000 };

/**
 * Whether missing pongs mean a failed flow; no timers or I/O here. A WebSocket peer must answer
 * pings (RFC 6455 5.5.2), so one missing pong fails the flow. A CRLF pong is only expected once
 * the peer has answered a ping on this connection: not every registrar supports RFC 5626, and
 * failing the flows of one that never answers would re-register its accounts every interval.
 */
export class PongWatch {
  private awaiting = false;
  private answers: boolean;

  constructor(peerMustAnswer: boolean) {
    this.answers = peerMustAnswer;
  }

  /** A ping went out; true when it starts a pong timeout (none is running for an earlier one). */
  pinged(): boolean {
    if (this.awaiting) return false;
    this.awaiting = true;
    return true;
  }

  ponged(): void {
    // An unsolicited CRLF is no evidence the peer answers pings.
    if (!this.awaiting) return;
    this.awaiting = false;
    this.answers = true;
  }

  /** The pong timeout ran out: true when the flow has failed. */
  timedOut(): boolean {
    if (!this.awaiting) return false;
    // A peer that has never answered: this ping is written off and the next one starts afresh.
    if (!this.answers) this.awaiting = false;
    return this.answers;
  }
}

export function targetKey(t: StreamTarget): string {
  return [t.protocol, t.address, t.port, t.servername ?? "", t.caFile ?? ""].join("|");
}

/** A readable reason for a failed connection, naming the certificate problem for TLS. */
export function connectionFailure(e: unknown, target: StreamTarget): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const where = `${target.protocol} ${target.address}:${target.port}`;
  const code = err.code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|DEPTH_ZERO/.test(code)) {
    return `TLS certificate rejected by ${where}: ${code}${err.reason ? ` (${err.reason})` : err.message ? ` (${err.message})` : ""}`;
  }
  return `Cannot connect to ${where}: ${err.message || code || String(e)}`;
}

export class StreamConnection {
  private readonly router = new MessageRouter<StreamEndpoint>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly keepalive: ReturnType<typeof setInterval>;
  private readonly pongs: PongWatch;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  private constructor(
    readonly target: StreamTarget,
    readonly local: HostPort,
    private readonly write: (text: string) => void,
    private readonly shut: () => void,
    private readonly ping: () => void,
    private readonly logger: Logger,
    { intervalMs, pongTimeoutMs }: Required<KeepaliveOptions>,
  ) {
    this.pongs = new PongWatch(target.protocol === "WS" || target.protocol === "WSS");
    this.keepalive = setInterval(() => {
      // Expired routing entries go here, off the send path.
      this.router.sweep(Date.now());
      this.ping();
      if (!this.pongs.pinged()) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = undefined;
        // No pong: the peer or the path is gone, even if the socket has seen no error.
        if (this.pongs.timedOut()) this.fail(`${target.protocol} keepalive unanswered for ${pongTimeoutMs / 1000} s`);
      }, pongTimeoutMs);
      this.pongTimer.unref();
    }, intervalMs);
    this.keepalive.unref();
  }

  static open(target: StreamTarget, logger: Logger, keepalive: KeepaliveOptions = {}): Promise<StreamConnection> {
    const k = { ...KEEPALIVE_DEFAULTS, ...keepalive };
    return target.protocol === "WS" || target.protocol === "WSS" ? openWebSocket(target, logger, k) : openStream(target, logger, k);
  }

  /** "host:port" for Via sent-by and Contact: the local end of this connection. */
  get sentBy(): string {
    const host = this.local.address.includes(":") ? `[${this.local.address}]` : this.local.address;
    return `${host}:${this.local.port}`;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  attach(endpoint: StreamEndpoint): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.router.attach(endpoint);
  }

  detach(endpoint: StreamEndpoint): void {
    this.router.detach(endpoint);
    if (this.router.endpoints === 0 && !this.closed) {
      this.idleTimer = setTimeout(() => this.router.endpoints === 0 && this.close("idle"), IDLE_CLOSE_MS);
      this.idleTimer.unref();
    }
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  send(endpoint: StreamEndpoint, text: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.target.protocol} connection is closed`));
    this.router.outgoing(endpoint, text, Date.now());
    this.write(text);
    return Promise.resolve();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.shut();
    const endpoints = this.router.all();
    this.router.clear();
    for (const l of this.closeListeners) l(reason);
    if (reason !== "idle" && reason !== "shutdown") for (const e of endpoints) e.flowLost(reason);
  }

  /** Called by the socket layer with one complete SIP message. */
  deliver(text: string): void {
    const { endpoint } = this.router.route(text);
    if (!endpoint) {
      this.logger.debug("stream message matched no account", { via: this.target.protocol });
      return;
    }
    try {
      endpoint.receive(text);
    } catch (e) {
      this.logger.warn("sip message handling failed", { error: (e as Error).message });
    }
  }

  pong(): void {
    this.pongs.ponged();
    // Its timer would otherwise judge the next ping early.
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  fail(reason: string): void {
    this.close(reason);
  }

  /** Internal: builds the connection object once the socket is up. */
  static make(
    target: StreamTarget,
    local: HostPort,
    io: { write: (t: string) => void; shut: () => void; ping: () => void },
    logger: Logger,
    keepalive: Required<KeepaliveOptions>,
  ): StreamConnection {
    return new StreamConnection(target, local, io.write, io.shut, io.ping, logger, keepalive);
  }
}

function trustedCas(caFile: string | undefined): string[] | undefined {
  // A CA file adds to the system's roots instead of replacing them.
  return caFile ? [...tls.rootCertificates, readFileSync(caFile, "utf8")] : undefined;
}

function openStream(target: StreamTarget, logger: Logger, keepalive: Required<KeepaliveOptions>): Promise<StreamConnection> {
  return new Promise((resolve, reject) => {
    const isTls = target.protocol === "TLS";
    let socket: net.Socket;
    try {
      socket = isTls
        ? tls.connect({ host: target.address, port: target.port, servername: target.servername, ca: trustedCas(target.caFile), rejectUnauthorized: true })
        : net.connect({ host: target.address, port: target.port });
    } catch (e) {
      return reject(new Error(connectionFailure(e, target)));
    }
    const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    let conn: StreamConnection | undefined;
    const framer = new StreamFramer();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    socket.once(isTls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      conn = StreamConnection.make(
        target,
        { address: socket.localAddress ?? "127.0.0.1", port: socket.localPort ?? 0 },
        { write: (t) => void socket.write(t), shut: () => socket.destroy(), ping: () => void socket.write("\r\n\r\n") },
        logger,
        keepalive,
      );
      resolve(conn);
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        const pongsBefore = framer.pongs;
        const messages = framer.push(chunk);
        if (framer.pongs !== pongsBefore) conn?.pong();
        for (const m of messages) conn?.deliver(m);
      } catch (e) {
        if (e instanceof StreamFramingError) conn?.fail(`unframeable data from the registrar: ${e.message}`);
        else throw e;
      }
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      if (!conn) reject(new Error(connectionFailure(e, target)));
      else conn.fail(`${target.protocol} connection error: ${e.message}`);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (!conn) reject(new Error(`Cannot connect to ${target.protocol} ${target.address}:${target.port}: closed`));
      else conn.fail(`${target.protocol} connection closed by the registrar`);
    });
  });
}

function openWebSocket(target: StreamTarget, logger: Logger, keepalive: Required<KeepaliveOptions>): Promise<StreamConnection> {
  return new Promise((resolve, reject) => {
    const scheme = target.protocol === "WSS" ? "wss" : "ws";
    const host = target.address.includes(":") ? `[${target.address}]` : target.address;
    // servername and ca go through to tls.connect for wss.
    const options = { handshakeTimeout: CONNECT_TIMEOUT_MS, servername: target.servername, ca: trustedCas(target.caFile), rejectUnauthorized: true, maxPayload: 256 * 1024 };
    const ws = new WebSocket(`${scheme}://${host}:${target.port}/`, "sip", options as WebSocket.ClientOptions);
    let conn: StreamConnection | undefined;
    ws.once("open", () => {
      const raw = (ws as unknown as { _socket: net.Socket })._socket;
      conn = StreamConnection.make(
        target,
        { address: raw.localAddress ?? "127.0.0.1", port: raw.localPort ?? 0 },
        { write: (t) => ws.send(t), shut: () => ws.terminate(), ping: () => ws.ping() },
        logger,
        keepalive,
      );
      resolve(conn);
    });
    ws.on("message", (data) => conn?.deliver(String(data)));
    ws.on("pong", () => conn?.pong());
    ws.on("error", (e) => {
      if (!conn) reject(new Error(connectionFailure(e, target)));
      else conn.fail(`${target.protocol} error: ${e.message}`);
    });
    ws.on("close", () => {
      if (!conn) reject(new Error(`Cannot connect to ${target.protocol} ${target.address}:${target.port}: closed`));
      else conn.fail(`${target.protocol} connection closed by the registrar`);
    });
  });
}

/** Open connections by next hop, shared between accounts; a closed one is replaced on demand. */
export class ConnectionPool {
  private readonly connections = new Map<string, Promise<StreamConnection>>();

  constructor(private readonly logger: Logger) {}

  acquire(target: StreamTarget): Promise<StreamConnection> {
    const key = targetKey(target);
    const existing = this.connections.get(key);
    if (existing) return existing.then((c) => (c.isOpen ? c : this.reopen(key, target)));
    return this.reopen(key, target);
  }

  closeAll(): void {
    for (const p of this.connections.values()) void p.then((c) => c.close("shutdown"), () => undefined);
    this.connections.clear();
  }

  private reopen(key: string, target: StreamTarget): Promise<StreamConnection> {
    const p = StreamConnection.open(target, this.logger).then((c) => {
      c.onClose(() => {
        if (this.connections.get(key) === p) this.connections.delete(key);
      });
      return c;
    });
    p.catch(() => this.connections.get(key) === p && this.connections.delete(key));
    this.connections.set(key, p);
    return p;
  }
}
