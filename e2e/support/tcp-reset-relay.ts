/**
 * A TCP relay in front of a registrar's TCP port that can reset a connection in the middle of
 * a transaction: armed, it answers the next REGISTER that passes with a TCP RST instead of
 * forwarding it, so the request is on the wire and its response never comes.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class TcpResetRelay {
  /** Reset the connection that carries the next REGISTER. */
  armed = false;
  resets = 0;
  /** REGISTERs that reached the relay, forwarded or not. */
  registers = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<TcpResetRelay> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const relay = new TcpResetRelay(server, (server.address() as { port: number }).port);
    server.on("connection", (client) => relay.pipe(client, upstreamPort));
    return relay;
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.port};transport=tcp`;
  }

  private pipe(client: Socket, upstreamPort: number): void {
    const upstream = createConnection(upstreamPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => {}); // the other side's reset is the point of this relay
    }
    client.on("data", (chunk) => {
      const registers = chunk.toString("latin1").match(/^REGISTER /gm)?.length ?? 0;
      this.registers += registers;
      if (this.armed && registers > 0) {
        this.armed = false;
        this.resets++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
