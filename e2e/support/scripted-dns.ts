/**
 * A tiny authoritative DNS server on loopback UDP for RFC 3263 tests: NAPTR, SRV and A records
 * from a zone the test changes at will (empty at first, like DNS that has not caught up).
 */
import { createSocket, type Socket } from "node:dgram";
import dnsPacket from "dns-packet";

export interface Zone {
  naptr: Record<string, { order: number; preference: number; flags: string; services: string; regexp: string; replacement: string }[]>;
  srv: Record<string, { priority: number; weight: number; port: number; target: string }[]>;
  a: Record<string, string[]>;
}

export class ScriptedDns {
  zone: Zone = { naptr: {}, srv: {}, a: {} };
  readonly queries: string[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on("message", (buf, rinfo) => {
      let query: dnsPacket.Packet;
      try {
        query = dnsPacket.decode(buf);
      } catch {
        return;
      }
      const q = query.questions?.[0];
      if (!q) return;
      this.queries.push(`${q.type} ${q.name}`);
      const answers: dnsPacket.Answer[] = [];
      const name = q.name.toLowerCase();
      if (q.type === "NAPTR") for (const r of this.zone.naptr[name] ?? []) answers.push({ type: "NAPTR", name: q.name, ttl: 1, data: r } as dnsPacket.Answer);
      if (q.type === "SRV") for (const r of this.zone.srv[name] ?? []) answers.push({ type: "SRV", name: q.name, ttl: 1, data: r });
      if (q.type === "A") for (const r of this.zone.a[name] ?? []) answers.push({ type: "A", name: q.name, ttl: 1, data: r });
      const known = name in this.zone.naptr || name in this.zone.srv || name in this.zone.a;
      const reply = dnsPacket.encode({
        id: query.id,
        type: "response",
        flags: dnsPacket.AUTHORITATIVE_ANSWER | (known || answers.length ? 0 : 3), // rcode 3: NXDOMAIN
        questions: query.questions,
        answers,
      });
      socket.send(reply, rinfo.port, rinfo.address);
    });
  }

  static async start(): Promise<ScriptedDns> {
    const socket = createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    return new ScriptedDns(socket, socket.address().port);
  }

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
