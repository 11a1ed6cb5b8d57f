/**
 * The sip.js Transport of one account, over a link shared with other accounts (the UDP socket
 * or a TCP/TLS/WS connection). sip.js's send() has no destination, so the link holds the next
 * hop; the account's end is attached for routing while connected.
 */
import { EmitterImpl, TransportState, type Transport, type UserAgentOptions } from "sip.js";
import type { HostPort, SharedUdpSocket } from "./udp-socket.js";
import type { StreamConnection } from "./stream-connection.js";

/** What a Registration needs to build its user agent on a link. */
export interface SipLink {
  /** "host:port" for Via sent-by and Contact. */
  sentBy: string;
  /** The Contact's transport parameter. */
  contactTransport: string;
  transportConstructor: NonNullable<UserAgentOptions["transportConstructor"]>;
  transportOptions: Record<string, unknown>;
  /** sip.js took a response (parsed it and handed it to its transaction layer). */
  responseAccepted?: (branch: string, status: number) => void;
}

/** Sees every message an account's transport sends or receives (the SIP trace). */
export type TraceSink = (direction: "sent" | "received", text: string) => void;

abstract class LinkTransport implements Transport {
  abstract readonly protocol: string;
  readonly stateChange = new EmitterImpl<TransportState>();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  private _state = TransportState.Disconnected;

  constructor(
    readonly contactUser: string,
    private readonly trace?: TraceSink,
  ) {}

  get state(): TransportState {
    return this._state;
  }

  protected abstract attachLink(): void;
  protected abstract detachLink(): void;
  protected abstract write(message: string): Promise<void>;

  async connect(): Promise<void> {
    this.attachLink();
    this.transition(TransportState.Connected);
    this.onConnect?.();
  }

  async disconnect(): Promise<void> {
    this.detachLink();
    if (this._state === TransportState.Connected) {
      this.transition(TransportState.Disconnected);
      this.onDisconnect?.();
    }
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    this.stateChange.removeAllListeners();
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  send(message: string): Promise<void> {
    if (!this.isConnected()) return Promise.reject(new Error(`${this.protocol} transport is not connected`));
    this.trace?.("sent", message);
    return this.write(message);
  }

  receive(text: string): void {
    this.trace?.("received", text);
    this.onMessage?.(text);
  }

  private transition(state: TransportState): void {
    this._state = state;
    this.stateChange.emit(state);
  }
}

export interface UdpTransportOptions {
  socket: SharedUdpSocket;
  contactUser: string;
  trace?: TraceSink;
  nextHop: HostPort;
}

export class UdpTransport extends LinkTransport {
  readonly protocol = "UDP";
  private readonly socket: SharedUdpSocket;
  private readonly nextHop: HostPort;

  // sip.js constructs transports as (logger, options).
  constructor(_logger: unknown, options: UdpTransportOptions) {
    super(options.contactUser, options.trace);
    this.socket = options.socket;
    this.nextHop = options.nextHop;
  }

  protected attachLink(): void {
    this.socket.attach(this);
  }

  protected detachLink(): void {
    this.socket.detach(this);
  }

  protected write(message: string): Promise<void> {
    return this.socket.send(this, message, this.nextHop);
  }

  trusts(address: string): boolean {
    return address === this.nextHop.address;
  }
}

export interface StreamTransportOptions {
  connection: StreamConnection;
  contactUser: string;
  trace?: TraceSink;
  /** The connection went away: the account must re-register over a new one. */
  onFlowLost: (reason: string) => void;
}

export class StreamTransport extends LinkTransport {
  readonly protocol: string;
  private readonly connection: StreamConnection;
  private readonly onFlowLost: (reason: string) => void;

  constructor(_logger: unknown, options: StreamTransportOptions) {
    super(options.contactUser, options.trace);
    this.connection = options.connection;
    this.onFlowLost = options.onFlowLost;
    this.protocol = options.connection.target.protocol;
  }

  protected attachLink(): void {
    this.connection.attach(this);
  }

  protected detachLink(): void {
    this.connection.detach(this);
  }

  protected write(message: string): Promise<void> {
    return this.connection.send(this, message);
  }

  flowLost(reason: string): void {
    this.onFlowLost(reason);
  }
}

export function udpLink(socket: SharedUdpSocket, nextHop: HostPort): SipLink {
  return {
    sentBy: socket.sentBy,
    contactTransport: "udp",
    transportConstructor: UdpTransport,
    transportOptions: { socket, nextHop },
    responseAccepted: (branch, status) => socket.responseAccepted(branch, status),
  };
}

export function streamLink(connection: StreamConnection, onFlowLost: (reason: string) => void): SipLink {
  return {
    sentBy: connection.sentBy,
    // RFC 7118 5.2: the URI transport parameter is "ws" for secure WebSocket too (Via says WSS).
    contactTransport: connection.target.protocol === "WSS" ? "ws" : connection.target.protocol.toLowerCase(),
    transportConstructor: StreamTransport,
    transportOptions: { connection, onFlowLost },
  };
}
