/**
 * Where an account's requests go: its outbound proxy if set, else its registrar. A plain
 * address lookup for now (RFC 3263 NAPTR/SRV resolution is the registration engine's next step).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseSipUri } from "../../shared/sip-uri.js";
import type { HostPort } from "./udp-socket.js";

const DEFAULT_PORT: Record<string, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/** The next hop for a transport: address, port (the transport's default if the URI has none) and host name. */
export async function resolveNextHop(target: string, transport = "udp"): Promise<HostPort & { host: string }> {
  const uri = parseSipUri(target);
  if (!uri) throw new Error(`cannot route to ${target}: not a SIP URI`);
  const host = uri.host.replace(/^\[|\]$/g, "");
  const port = uri.port ?? DEFAULT_PORT[uri.scheme === "sips" ? "tls" : transport] ?? 5060;
  if (isIP(host)) return { address: host, port, host };
  const { address } = await lookup(host);
  return { address, port, host };
}
