/**
 * A UDP relay that loses and delays packets, between the engine and a registrar on loopback:
 * the user-space stand-in for `tc netem loss 20% delay 200ms` where the kernel has no netem.
 * Deterministic (seeded) loss, so a run can be repeated.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

export interface RelayOptions {
  upstreamPort: number;
  loss: number;
  delayMs: number;
  seed?: number;
}

export class LossyUdpRelay {
  forwarded = 0;
  dropped = 0;
  private readonly upstreams = new Map<string, Socket>();
  private rng: () => number;

  private constructor(
    private readonly front: Socket,
    readonly port: number,
    private readonly opts: RelayOptions,
  ) {
    let s = opts.seed ?? 1;
    // Mulberry32: small, seeded, good enough for packet loss.
    this.rng = () => {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    front.on("message", (msg, client) => this.pass(msg, () => this.upstreamFor(client).send(msg, opts.upstreamPort, "127.0.0.1")));
  }

  static async start(opts: RelayOptions): Promise<LossyUdpRelay> {
    const front = createSocket("udp4");
    await new Promise<void>((r) => front.bind(0, "127.0.0.1", () => r()));
    return new LossyUdpRelay(front, front.address().port, opts);
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  close(): void {
    this.front.close();
    for (const s of this.upstreams.values()) s.close();
  }

  private pass(msg: Buffer, send: () => void): void {
    if (this.rng() < this.opts.loss) {
      this.dropped++;
      return;
    }
    this.forwarded++;
    setTimeout(send, this.opts.delayMs);
  }

  /** One upstream socket per client, so replies find their way back. */
  private upstreamFor(client: RemoteInfo): Socket {
    const key = `${client.address}:${client.port}`;
    let up = this.upstreams.get(key);
    if (!up) {
      up = createSocket("udp4");
      up.bind(0, "127.0.0.1");
      up.on("message", (msg) => this.pass(msg, () => this.front.send(msg, client.port, client.address)));
      this.upstreams.set(key, up);
    }
    return up;
  }
}
