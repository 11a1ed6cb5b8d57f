/**
 * One UDP socket shared by every UDP account (thousands of accounts, one socket). Outgoing
 * requests record their branch so the response finds its account; incoming requests (NOTIFY,
 * OPTIONS) find their account by the Request-URI user, which is that account's Contact user.
 * UDP reliability (retransmission, replayed answers) is done here for every account at once,
 * from one tick timer.
 */
import dgram from "node:dgram";
import type { Logger } from "../log.js";
import { MessageRouter } from "./message-router.js";
import { hasToTag, statelessResponse, topViaBranch } from "./message-routing.js";
import { TRANSACTION_MS, UdpReliability } from "./udp-reliability.js";

export interface HostPort {
  address: string;
  port: number;
}

/** An account's end of the shared socket. */
export interface UdpEndpoint {
  readonly contactUser: string;
  receive(text: string, from: HostPort): void;
  /** Whether an out-of-dialog request from this address may reach the account (its registrar). */
  trusts(address: string): boolean;
}

/** No response to a request can arrive later than Timer F. */
const BRANCH_TTL_MS = TRANSACTION_MS;
const TICK_MS = 100;
/** A tick this much later than due means the event loop was blocked, not merely busy. */
const STALL_MS = 250;
/** Bursts of thousands of responses must not overflow the kernel's default buffer. */
const SOCKET_BUFFER = 4 * 1024 * 1024;

interface Destination {
  hop: HostPort;
  endpoint: UdpEndpoint;
}
/** Larger datagrams are not SIP we accept (RFC 3261 18.1.1 suggests TCP above ~1300 bytes). */
const MAX_DATAGRAM = 65_507;

export class SharedUdpSocket {
  private readonly router = new MessageRouter<UdpEndpoint>();
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly reliability = new UdpReliability<Destination>((d) => `${d.hop.address}:${d.hop.port}`);
  private ticks = 0;
  /** Retransmissions sent (for tests and benchmarks). */
  retransmissions = 0;
  /** Ticks that came late because the process itself was stalled (see `UdpReliability.postpone`). */
  stalls = 0;
  private lastTick = Date.now();
  /** Retransmitted requests answered from the cache. */
  replays = 0;
  /** Datagrams that matched no account (counted, logged at debug). */
  unrouted = 0;
  /** Out-of-dialog requests refused because they came from somewhere other than the registrar. */
  refused = 0;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: HostPort,
    private readonly logger: Logger,
    private readonly advertise: string,
  ) {
    socket.on("message", (buf, rinfo) => this.onDatagram(buf, { address: rinfo.address, port: rinfo.port }));
    socket.on("error", (err) => logger.warn("udp socket error", { error: err.message }));
    // One timer for every transaction of every account, never one per request.
    this.ticker = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.ticker.unref();
  }

  /** Binds `host:port` (0: any free port); `advertise` is the address peers reach us at. */
  static open(host: string, port: number, logger: Logger, advertise = host): Promise<SharedUdpSocket> {
    const socket = dgram.createSocket({ type: host.includes(":") ? "udp6" : "udp4", recvBufferSize: SOCKET_BUFFER, sendBufferSize: SOCKET_BUFFER });
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, host, () => {
        socket.off("error", reject);
        const addr = socket.address();
        resolve(new SharedUdpSocket(socket, { address: addr.address, port: addr.port }, logger, advertise));
      });
    });
  }

  /** "host:port" as it goes into Via sent-by and Contact. */
  get sentBy(): string {
    const host = this.advertise.includes(":") ? `[${this.advertise}]` : this.advertise;
    return `${host}:${this.local.port}`;
  }

  attach(endpoint: UdpEndpoint): void {
    this.router.attach(endpoint);
  }

  detach(endpoint: UdpEndpoint): void {
    this.router.detach(endpoint);
  }

  send(endpoint: UdpEndpoint, text: string, to: HostPort): Promise<void> {
    const now = Date.now();
    const requestBranch = this.router.outgoing(endpoint, text, now);
    if (requestBranch) {
      this.reliability.requestSent(requestBranch, text.slice(0, text.indexOf(" ")).toUpperCase(), text, { hop: to, endpoint }, now);
    } else if (text.startsWith("SIP/2.0 ")) {
      const branch = topViaBranch(text);
      const method = /^(?:CSeq)[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)/im.exec(text)?.[1]?.toUpperCase();
      if (branch && method) this.reliability.responseSent(branch, method, text, { hop: to, endpoint }, now);
    }
    return this.write(text, to);
  }

  /**
   * A response sip.js has parsed and taken: only now does retransmission of its request stop.
   * A datagram that merely carries the request's branch may be garbage sip.js drops, and then
   * the retransmission's proper answer is what completes the transaction.
   */
  responseAccepted(branch: string, status: number): void {
    this.reliability.responseReceived(branch, status, Date.now());
  }

  private write(text: string, to: HostPort): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(text, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    clearInterval(this.ticker);
    this.router.clear();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onDatagram(buf: Buffer, from: HostPort): void {
    if (buf.length > MAX_DATAGRAM) return;
    const text = buf.toString("utf8");
    // RFC 5626 keepalive pong / stray CRLFs.
    if (text.trim() === "") return;
    const { key, endpoint } = this.router.route(text);
    if (key?.kind === "request") {
      const branch = topViaBranch(text);
      const replay = branch && this.reliability.replayFor(branch, key.method, Date.now());
      if (replay) {
        // A retransmission of a request we answered: same answer, and sip.js never sees it again.
        this.replays++;
        void this.write(replay.text, from).catch(() => undefined);
        return;
      }
      // A new request (no dialog) must come from the account's registrar; anyone else is refused.
      if (endpoint && !hasToTag(text) && !endpoint.trusts(from.address)) {
        this.refused++;
        this.logger.warn("SIP request from an unexpected source refused", { from: `${from.address}:${from.port}`, method: key.method });
        const answer = statelessResponse(text, 403, "Forbidden");
        if (answer) void this.write(answer, from).catch(() => undefined);
        return;
      }
    }
    if (!endpoint) {
      this.unrouted++;
      this.logger.debug("udp datagram matched no account", { from: `${from.address}:${from.port}`, bytes: buf.length });
      return;
    }
    try {
      endpoint.receive(text, from);
    } catch (e) {
      // A message sip.js cannot digest must not take the socket down for every other account.
      this.logger.warn("sip message handling failed", { error: (e as Error).message });
    }
  }

  private tick(now: number): void {
    const late = now - this.lastTick - TICK_MS;
    this.lastTick = now;
    if (late > STALL_MS) {
      this.stalls++;
      this.reliability.postpone(late);
    }
    for (const r of this.reliability.due(now, (d) => this.router.isAttached(d.endpoint))) {
      this.retransmissions++;
      void this.write(r.text, r.to.hop).catch(() => undefined);
    }
    // Routing entries outlive their transaction by at most one sweep period.
    if (++this.ticks % Math.round(BRANCH_TTL_MS / 2 / TICK_MS) === 0) this.router.sweep(now);
  }
}
