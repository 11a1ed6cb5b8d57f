import { describe, expect, it } from "vitest";
import { parseSipUri } from "../../shared/sip-uri.js";
import { orderSrv, resolveTargets, type DnsClient, type NaptrRecord, type SrvRecord } from "./resolver.js";

function zone(z: { naptr?: Record<string, NaptrRecord[]>; srv?: Record<string, SrvRecord[]>; a?: Record<string, string[]> }): DnsClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolveNaptr: async (h) => (asked.push(`NAPTR ${h}`), z.naptr?.[h] ?? []),
    resolveSrv: async (n) => (asked.push(`SRV ${n}`), z.srv?.[n] ?? []),
    resolveAddresses: async (h) => (asked.push(`A ${h}`), z.a?.[h] ?? []),
  };
}
const uri = (s: string) => parseSipUri(s)!;
const naptr = (service: string, replacement: string, order = 10): NaptrRecord => ({ flags: "s", service, regexp: "", replacement, order, preference: 10 });

describe("resolveTargets (RFC 3263)", () => {
  it("uses a numeric host as it is", async () => {
    const dns = zone({});
    expect(await resolveTargets(uri("sip:10.0.0.1"), "udp", dns)).toEqual([{ transport: "udp", address: "10.0.0.1", port: 5060, host: "10.0.0.1" }]);
    expect(await resolveTargets(uri("sip:10.0.0.1:5080;transport=tcp"), "udp", dns)).toEqual([{ transport: "tcp", address: "10.0.0.1", port: 5080, host: "10.0.0.1" }]);
    expect(dns.asked).toEqual([]);
  });

  it("skips NAPTR and SRV when the URI has a port", async () => {
    const dns = zone({ a: { "pbx.example": ["192.0.2.1", "192.0.2.2"] } });
    expect((await resolveTargets(uri("sip:pbx.example:5070"), "udp", dns)).map((t) => `${t.address}:${t.port}`)).toEqual(["192.0.2.1:5070", "192.0.2.2:5070"]);
    expect(dns.asked).toEqual(["A pbx.example"]);
  });

  it("follows NAPTR for the account's transport to SRV, in priority order, to addresses", async () => {
    const dns = zone({
      naptr: { "example.com": [naptr("SIP+D2T", "_sip._tcp.example.com", 20), naptr("SIP+D2U", "_sip._udp.example.com", 10)] },
      srv: {
        "_sip._udp.example.com": [
          { name: "backup.example.com", port: 5070, priority: 20, weight: 0 },
          { name: "main.example.com", port: 5060, priority: 10, weight: 0 },
        ],
      },
      a: { "main.example.com": ["192.0.2.10"], "backup.example.com": ["192.0.2.20"] },
    });
    const targets = await resolveTargets(uri("sip:example.com"), "udp", dns);
    expect(targets).toEqual([
      { transport: "udp", address: "192.0.2.10", port: 5060, host: "main.example.com" },
      { transport: "udp", address: "192.0.2.20", port: 5070, host: "backup.example.com" },
    ]);
  });

  it("tries the default SRV name without NAPTR, and A records at the default port without SRV", async () => {
    const withSrv = zone({ srv: { "_sips._tcp.example.org": [{ name: "tls.example.org", port: 5061, priority: 1, weight: 1 }] }, a: { "tls.example.org": ["192.0.2.5"] } });
    expect(await resolveTargets(uri("sip:example.org"), "tls", withSrv)).toEqual([{ transport: "tls", address: "192.0.2.5", port: 5061, host: "tls.example.org" }]);
    const plain = zone({ a: { "example.net": ["192.0.2.7"] } });
    expect(await resolveTargets(uri("sip:example.net"), "tcp", plain)).toEqual([{ transport: "tcp", address: "192.0.2.7", port: 5060, host: "example.net" }]);
    expect(plain.asked).toEqual(["NAPTR example.net", "SRV _sip._tcp.example.net", "A example.net"]);
  });

  it("answers nothing when DNS has nothing", async () => {
    expect(await resolveTargets(uri("sip:nowhere.example"), "udp", zone({}))).toEqual([]);
  });
});

describe("orderSrv (RFC 2782)", () => {
  it("orders by priority and picks by weight within one", () => {
    const recs = [
      { name: "c", port: 1, priority: 2, weight: 0 },
      { name: "a", port: 1, priority: 1, weight: 90 },
      { name: "b", port: 1, priority: 1, weight: 10 },
    ];
    expect(orderSrv(recs, () => 0.5).map((r) => r.name)).toEqual(["a", "b", "c"]);
    expect(orderSrv(recs, () => 0.05).map((r) => r.name)).toEqual(["b", "a", "c"]);
  });
});
