/**
 * Where an account's requests go: its outbound proxy if set, else its registrar. A plain
 * address lookup for now (RFC 3263 NAPTR/SRV resolution is the registration engine's next step).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseSipUri } from "../../shared/sip-uri.js";
import type { HostPort } from "./udp-socket.js";

export async function resolveNextHop(target: string): Promise<HostPort> {
  const uri = parseSipUri(target);
  if (!uri) throw new Error(`cannot route to ${target}: not a SIP URI`);
  const host = uri.host.replace(/^\[|\]$/g, "");
  const port = uri.port ?? (uri.scheme === "sips" || uri.transport === "tls" ? 5061 : 5060);
  if (isIP(host)) return { address: host, port };
  const { address } = await lookup(host);
  return { address, port };
}
