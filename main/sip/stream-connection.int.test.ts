import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.js";
import { StreamTransport } from "./link-transport.js";
import { PongWatch, StreamConnection } from "./stream-connection.js";

const INTERVAL_MS = 200;
const PONG_TIMEOUT_MS = 300;
// Timer slack on a loaded 2-core machine.
const SLACK_MS = 400;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP peer that reads our pings and answers the first `answers` of them with a pong. */
async function pingPeer(answers: number): Promise<{ port: number; pings: () => number; lastPongAt: () => number; close: () => Promise<void> }> {
  let pings = 0;
  let lastPongAt = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buf = "";
    socket.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      for (let i = buf.indexOf("\r\n\r\n"); i >= 0; i = buf.indexOf("\r\n\r\n")) {
        buf = buf.slice(i + 4);
        // Past its answers the peer goes silent with the socket left open: no FIN, no RST.
        if (pings++ < answers) {
          socket.write("\r\n");
          lastPongAt = Date.now();
        }
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    pings: () => pings,
    lastPongAt: () => lastPongAt,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe("TCP keepalive pong timeout (RFC 5626 4.4.1)", () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function connect(port: number) {
    const conn = await StreamConnection.open({ protocol: "TCP", address: "127.0.0.1", port }, silentLogger, {
      intervalMs: INTERVAL_MS,
      pongTimeoutMs: PONG_TIMEOUT_MS,
    });
    cleanup.push(() => conn.close("shutdown"));
    const lost: string[] = [];
    const transport = new StreamTransport(undefined, { connection: conn, contactUser: "alice", onFlowLost: (r) => lost.push(r) });
    await transport.connect();
    return { conn, lost };
  }

  it("fails the flow when a peer that answered a ping stops answering", async () => {
    const peer = await pingPeer(1);
    cleanup.push(peer.close);
    const { conn, lost } = await connect(peer.port);
    let closedAt = 0;
    conn.onClose(() => (closedAt = Date.now()));

    await expect.poll(() => peer.lastPongAt() > 0, { timeout: INTERVAL_MS + SLACK_MS, interval: 20 }).toBe(true);
    await expect.poll(() => conn.isOpen, { timeout: INTERVAL_MS + PONG_TIMEOUT_MS + SLACK_MS, interval: 20 }).toBe(false);
    // The next ping after the answered one, then the full pong timeout.
    expect(closedAt - peer.lastPongAt()).toBeGreaterThanOrEqual(INTERVAL_MS + PONG_TIMEOUT_MS - 100);
    expect(closedAt - peer.lastPongAt()).toBeLessThanOrEqual(INTERVAL_MS + PONG_TIMEOUT_MS + SLACK_MS);
    // The account on the connection hears of it and re-registers over a new one.
    expect(lost).toEqual([`TCP keepalive unanswered for ${PONG_TIMEOUT_MS / 1000} s`]);
  });

  it.each([
    { peer: "never answers pings", answers: 0 },
    { peer: "answers every ping", answers: Infinity },
  ])("keeps the flow of a peer that $peer", async ({ answers }) => {
    const peer = await pingPeer(answers);
    cleanup.push(peer.close);
    const { conn, lost } = await connect(peer.port);

    await expect.poll(() => peer.pings(), { timeout: 5 * INTERVAL_MS + PONG_TIMEOUT_MS + SLACK_MS, interval: 20 }).toBeGreaterThanOrEqual(5);
    await sleep(PONG_TIMEOUT_MS);
    expect(conn.isOpen).toBe(true);
    expect(lost).toEqual([]);
  });
});

describe("PongWatch", () => {
  it("fails a CRLF flow only after the peer has answered once", () => {
    const w = new PongWatch(false);
    expect(w.pinged()).toBe(true);
    expect(w.timedOut()).toBe(false);
    // An unsolicited CRLF does not show the peer answers pings.
    w.ponged();
    expect(w.pinged()).toBe(true);
    w.ponged();
    expect(w.pinged()).toBe(true);
    expect(w.timedOut()).toBe(true);
  });

  it("times the oldest unanswered ping and fails a WebSocket flow on its first missing pong", () => {
    const w = new PongWatch(true);
    expect(w.pinged()).toBe(true);
    expect(w.pinged()).toBe(false);
    expect(w.timedOut()).toBe(true);
  });
});
