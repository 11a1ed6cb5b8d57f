/**
 * sip.js Transport for one account over the shared UDP socket. sip.js gives `send()` no
 * destination, so the transport holds the account's next hop.
 */
import { EmitterImpl, TransportState, type Transport } from "sip.js";
import type { HostPort, SharedUdpSocket, UdpEndpoint } from "./udp-socket.js";

export interface UdpTransportOptions {
  socket: SharedUdpSocket;
  contactUser: string;
  nextHop: HostPort;
}

export class UdpTransport implements Transport, UdpEndpoint {
  readonly protocol = "UDP";
  readonly stateChange = new EmitterImpl<TransportState>();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  private _state = TransportState.Disconnected;
  private readonly socket: SharedUdpSocket;
  readonly contactUser: string;
  private nextHop: HostPort;

  // sip.js constructs transports as (logger, options).
  constructor(_logger: unknown, options: UdpTransportOptions) {
    this.socket = options.socket;
    this.contactUser = options.contactUser;
    this.nextHop = options.nextHop;
  }

  get state(): TransportState {
    return this._state;
  }

  setNextHop(hop: HostPort): void {
    this.nextHop = hop;
  }

  async connect(): Promise<void> {
    this.socket.attach(this);
    this.transition(TransportState.Connected);
    this.onConnect?.();
  }

  async disconnect(): Promise<void> {
    this.socket.detach(this);
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
    if (!this.isConnected()) return Promise.reject(new Error("UDP transport is not connected"));
    return this.socket.send(this, message, this.nextHop);
  }

  receive(text: string): void {
    this.onMessage?.(text);
  }

  private transition(state: TransportState): void {
    this._state = state;
    this.stateChange.emit(state);
  }
}
