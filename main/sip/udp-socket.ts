/**
 * One UDP socket shared by every UDP account (thousands of accounts, one socket). Outgoing
 * requests record their branch so the response finds its account; incoming requests (NOTIFY,
 * OPTIONS) find their account by the Request-URI user, which is that account's Contact user.
 */
import dgram from "node:dgram";
import type { Logger } from "../log.js";
import { routeKeyOf, topViaBranch } from "./message-routing.js";

export interface HostPort {
  address: string;
  port: number;
}

/** An account's end of the shared socket. */
export interface UdpEndpoint {
  readonly contactUser: string;
  receive(text: string, from: HostPort): void;
}

/** RFC 3261 Timer F (64 x T1): no response to a request can arrive later than this. */
const BRANCH_TTL_MS = 64 * 500;
/** Larger datagrams are not SIP we accept (RFC 3261 18.1.1 suggests TCP above ~1300 bytes). */
const MAX_DATAGRAM = 65_507;

export class SharedUdpSocket {
  private readonly byBranch = new Map<string, { endpoint: UdpEndpoint; at: number }>();
  private readonly byUser = new Map<string, UdpEndpoint>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  /** Datagrams that matched no account (counted, logged at debug). */
  unrouted = 0;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: HostPort,
    private readonly logger: Logger,
    private readonly advertise: string,
  ) {
    socket.on("message", (buf, rinfo) => this.onDatagram(buf, { address: rinfo.address, port: rinfo.port }));
    socket.on("error", (err) => logger.warn("udp socket error", { error: err.message }));
    // One sweep for all pending requests instead of a timer per request.
    this.sweeper = setInterval(() => this.sweep(Date.now()), BRANCH_TTL_MS / 2);
    this.sweeper.unref();
  }

  /** Binds `host:port` (0: any free port); `advertise` is the address peers reach us at. */
  static open(host: string, port: number, logger: Logger, advertise = host): Promise<SharedUdpSocket> {
    const socket = dgram.createSocket({ type: host.includes(":") ? "udp6" : "udp4" });
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
    this.byUser.set(endpoint.contactUser, endpoint);
  }

  detach(endpoint: UdpEndpoint): void {
    if (this.byUser.get(endpoint.contactUser) === endpoint) this.byUser.delete(endpoint.contactUser);
    for (const [branch, entry] of this.byBranch) if (entry.endpoint === endpoint) this.byBranch.delete(branch);
  }

  send(endpoint: UdpEndpoint, text: string, to: HostPort): Promise<void> {
    if (!text.startsWith("SIP/2.0 ")) {
      const branch = topViaBranch(text);
      if (branch) this.byBranch.set(branch, { endpoint, at: Date.now() });
    }
    return new Promise((resolve, reject) => {
      this.socket.send(text, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.byBranch.clear();
    this.byUser.clear();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onDatagram(buf: Buffer, from: HostPort): void {
    if (buf.length > MAX_DATAGRAM) return;
    const text = buf.toString("utf8");
    // RFC 5626 keepalive pong / stray CRLFs.
    if (text.trim() === "") return;
    const key = routeKeyOf(text);
    let endpoint: UdpEndpoint | undefined;
    if (key?.kind === "response") {
      endpoint = this.byBranch.get(key.branch)?.endpoint;
    } else if (key?.kind === "request" && key.user !== undefined) {
      endpoint = this.byUser.get(key.user);
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

  private sweep(now: number): void {
    for (const [branch, entry] of this.byBranch) if (now - entry.at > BRANCH_TTL_MS) this.byBranch.delete(branch);
  }
}
