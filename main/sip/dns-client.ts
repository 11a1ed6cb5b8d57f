/** The resolver's DNS client over Node's resolver (optionally pointed at given servers). */
import { lookup, Resolver } from "node:dns/promises";
import type { DnsClient } from "./resolver.js";

export function nodeDnsClient(servers?: string[]): DnsClient {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (servers?.length) resolver.setServers(servers);
  return {
    resolveNaptr: (host) => resolver.resolveNaptr(host),
    resolveSrv: (name) => resolver.resolveSrv(name),
    resolveAddresses: async (host) => {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      const found = [...(v4.status === "fulfilled" ? v4.value : []), ...(v6.status === "fulfilled" ? v6.value : [])];
      // The system resolver also knows /etc/hosts names (localhost, lab hosts) that DNS does not.
      if (found.length || servers?.length) return found;
      return (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    },
  };
}
