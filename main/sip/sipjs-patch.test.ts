/**
 * The sip.js patch (patches/sip.js+0.21.2.patch): a viaHost with a port gives a Contact with that
 * port, and responses whose Via carries the port are accepted. Unpatched sip.js drops every such
 * response ("Via sent-by ... does not match") and registers an unreachable Contact.
 */
import { UserAgent, type Transport } from "sip.js";
import { describe, expect, it } from "vitest";
import { EmitterImpl, TransportState } from "sip.js";

class MemoryTransport implements Transport {
  static last: MemoryTransport;
  readonly protocol = "UDP";
  readonly stateChange = new EmitterImpl<TransportState>();
  state = TransportState.Disconnected;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  sent: string[] = [];
  constructor() {
    MemoryTransport.last = this;
  }
  async connect() {
    this.state = TransportState.Connected;
    this.stateChange.emit(this.state);
  }
  async disconnect() {
    this.state = TransportState.Disconnected;
  }
  async dispose() {}
  isConnected() {
    return this.state === TransportState.Connected;
  }
  async send(message: string) {
    this.sent.push(message);
  }
}

describe("sip.js with a viaHost that has a port", () => {
  it("puts the port in Via and Contact and accepts responses sent to it", async () => {
    const ua = new UserAgent({
      uri: UserAgent.makeURI("sip:alice@example.com"),
      viaHost: "127.0.0.1:5070",
      contactName: "rw-x",
      contactParams: { transport: "udp" },
      transportConstructor: MemoryTransport,
      logBuiltinEnabled: false,
      logConfiguration: false,
    });
    await ua.start();
    expect(ua.contact.uri.toString()).toBe("sip:rw-x@127.0.0.1:5070;transport=udp");
    const req = ua.userAgentCore.makeOutgoingRequestMessage("REGISTER", UserAgent.makeURI("sip:example.com")!, ua.configuration.uri, ua.configuration.uri, {});
    const codes: number[] = [];
    ua.userAgentCore.register(req, { onAccept: (r) => codes.push(r.message.statusCode!) });
    const sent = MemoryTransport.last.sent[0]!;
    const via = /^Via: (.*)$/m.exec(sent)![1]!;
    expect(via).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:5070;branch=/);
    const branch = /branch=([^;\s]+)/.exec(via)![1];
    const callId = /^Call-ID: (.*)$/m.exec(sent)![1];
    const from = /^From: (.*)$/m.exec(sent)![1];
    const to = /^To: (.*)$/m.exec(sent)![1];
    MemoryTransport.last.onMessage!(
      [
        "SIP/2.0 200 OK",
        `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch};received=127.0.0.1`,
        `From: ${from}`,
        `To: ${to};tag=srv`,
        `Call-ID: ${callId}`,
        "CSeq: 1 REGISTER",
        "Contact: <sip:rw-x@127.0.0.1:5070;transport=udp>;expires=60",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
    );
    expect(codes).toEqual([200]);
    await ua.stop();
  });
});

describe("sip.js branch ids", () => {
  it("are unique across 20,000 requests (unpatched sip.js draws from 10^7 values and collides)", async () => {
    const ua = new UserAgent({
      uri: UserAgent.makeURI("sip:alice@example.com"),
      viaHost: "127.0.0.1:5070",
      transportConstructor: MemoryTransport,
      logBuiltinEnabled: false,
      logConfiguration: false,
    });
    await ua.start();
    const target = UserAgent.makeURI("sip:example.com")!;
    for (let i = 0; i < 20_000; i++) {
      const req = ua.userAgentCore.makeOutgoingRequestMessage("OPTIONS", target, ua.configuration.uri, target, {});
      ua.userAgentCore.request(req);
    }
    const branches = MemoryTransport.last.sent.map((m) => /branch=([^;\s]+)/.exec(m)![1]);
    expect(branches).toHaveLength(20_000);
    expect(new Set(branches).size).toBe(20_000);
    expect(branches[0]).toMatch(/^z9hG4bK[0-9a-f]{16}$/);
    await ua.stop();
  });
});
