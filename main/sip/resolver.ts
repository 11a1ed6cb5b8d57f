/**
 * Locating a SIP server (RFC 3263 4): which addresses and ports to try, in order, for the
 * registrar (or outbound proxy) URI and the account's transport.
 *
 * - a numeric host: that address, at the URI's port or the transport's default
 * - a host with a port: its A/AAAA records at that port
 * - otherwise NAPTR records for the transport's service, then the SRV records they name (or the
 *   default SRV name without NAPTR), ordered by priority and weight (RFC 2782); then A/AAAA
 * - no SRV: the host's A/AAAA records at the default port
 *
 * Pure apart from the injected DNS client and random source.
 */
import { isIP } from "node:net";
import type { Transport } from "../../shared/contract.js";
import type { ParsedSipUri } from "../../shared/sip-uri.js";

export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DnsClient {
  resolveNaptr(host: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** A and AAAA addresses. */
  resolveAddresses(host: string): Promise<string[]>;
}

export interface SipTarget {
  transport: Transport;
  address: string;
  port: number;
  /** The name a TLS certificate must carry. */
  host: string;
}

export const DEFAULT_PORT: Record<Transport, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };
const NAPTR_SERVICE: Record<Transport, string> = { udp: "SIP+D2U", tcp: "SIP+D2T", tls: "SIPS+D2T", ws: "SIP+D2W", wss: "SIPS+D2W" };
const SRV_PREFIX: Partial<Record<Transport, string>> = { udp: "_sip._udp.", tcp: "_sip._tcp.", tls: "_sips._tcp." };

export async function resolveTargets(uri: ParsedSipUri, accountTransport: Transport, dns: DnsClient, random: () => number = Math.random): Promise<SipTarget[]> {
  const transport = (uri.transport as Transport | undefined) ?? (uri.scheme === "sips" && accountTransport === "udp" ? "tls" : accountTransport);
  const host = uri.host.replace(/^\[|\]$/g, "");
  if (isIP(host)) return [{ transport, address: host, port: uri.port ?? DEFAULT_PORT[transport], host }];
  if (uri.port !== undefined) return addressesOf(host, uri.port, transport, dns);

  let srvNames: string[] = [];
  const naptr = await quiet(dns.resolveNaptr(host));
  const matching = naptr
    .filter((r) => r.flags.toLowerCase() === "s" && r.service.toUpperCase() === NAPTR_SERVICE[transport] && r.replacement)
    .sort((a, b) => a.order - b.order || a.preference - b.preference);
  if (matching.length) srvNames = matching.map((r) => r.replacement);
  else if (SRV_PREFIX[transport]) srvNames = [SRV_PREFIX[transport] + host];

  const targets: SipTarget[] = [];
  for (const name of srvNames) {
    for (const srv of orderSrv(await quiet(dns.resolveSrv(name)), random)) {
      if (srv.name === "." || srv.name === "") continue;
      targets.push(...(await addressesOf(srv.name, srv.port, transport, dns)));
    }
    if (targets.length) return targets;
  }
  return addressesOf(host, DEFAULT_PORT[transport], transport, dns);
}

/** RFC 2782: ascending priority; within a priority, a weighted random order. */
export function orderSrv(records: SrvRecord[], random: () => number): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Zero-weight records first, as RFC 2782 asks, so they keep a small chance of selection.
    const pool = [...byPriority.get(priority)!].sort((a, b) => a.weight - b.weight);
    while (pool.length) {
      const total = pool.reduce((sum, r) => sum + r.weight, 0);
      let pick = random() * total;
      let i = 0;
      for (; i < pool.length - 1; i++) {
        pick -= pool[i]!.weight;
        if (pick < 0 || total === 0) break;
      }
      out.push(pool.splice(i, 1)[0]!);
    }
  }
  return out;
}

async function addressesOf(host: string, port: number, transport: Transport, dns: DnsClient): Promise<SipTarget[]> {
  const addresses = isIP(host) ? [host] : await quiet(dns.resolveAddresses(host));
  return addresses.map((address) => ({ transport, address, port, host }));
}

/** "No such record" is an empty answer, not an error. */
async function quiet<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch {
    return [];
  }
}
