import { Parser, type IncomingResponseMessage } from "sip.js/lib/core/index.js";
import { describe, expect, it } from "vitest";
import { readMinExpires, readRegisterOk, readRetryAfter } from "./register-response.js";

const sipLogger = { error() {}, warn() {}, log() {}, debug() {} } as never;

function response(status: string, headers: string[]): IncomingResponseMessage {
  const text = [
    `SIP/2.0 ${status}`,
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport=5070",
    "From: <sip:alice@example.com>;tag=a",
    "To: <sip:alice@example.com>;tag=b",
    "Call-ID: c1",
    "CSeq: 2 REGISTER",
    ...headers,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return Parser.parseMessage(text, sipLogger) as IncomingResponseMessage;
}

const OWN = "sip:rw-1@127.0.0.1:5070;transport=udp";
const NOW = 1_000_000;

describe("readRegisterOk", () => {
  it("takes our Contact's expires param and lists every binding on the AOR", () => {
    const r = response("200 OK", [
      "Contact: <sip:rw-1@127.0.0.1:5070;transport=UDP>;expires=1800, <sip:desk@10.0.0.9:5060>;expires=300",
      "Expires: 3600",
    ]);
    const ok = readRegisterOk(r, OWN, 3600, NOW);
    expect(ok.grantedSec).toBe(1800);
    expect(ok.ownListed).toBe(true);
    expect(ok.bindings).toEqual([
      { uri: expect.stringContaining("rw-1@127.0.0.1:5070"), expiresAt: NOW + 1_800_000, own: true },
      { uri: "sip:desk@10.0.0.9:5060", expiresAt: NOW + 300_000, own: false },
    ]);
  });

  it("falls back to the Expires header when our Contact has no expires param (sip.js would loop on NaN)", () => {
    const r = response("200 OK", ["Contact: <sip:rw-1@127.0.0.1:5070;transport=udp>", "Expires: 600"]);
    expect(readRegisterOk(r, OWN, 3600, NOW).grantedSec).toBe(600);
  });

  it("falls back to what we asked for when the registrar says nothing, and never yields NaN", () => {
    const none = response("200 OK", []);
    expect(readRegisterOk(none, OWN, 900, NOW)).toEqual({ grantedSec: 900, ownListed: false, bindings: [] });
    const junk = response("200 OK", ["Contact: <sip:rw-1@127.0.0.1:5070;transport=udp>;expires=soon", "Expires: -5"]);
    expect(readRegisterOk(junk, OWN, 900, NOW).grantedSec).toBe(900);
  });

  it("compares Contact URIs by RFC 3261 rules, not as strings", () => {
    // Different case in scheme/host and param order are still our binding; another port is not.
    const r = response("200 OK", [
      "Contact: <SIP:rw-1@127.0.0.1:5070;transport=udp>;expires=60, <sip:rw-1@127.0.0.1:5071;transport=udp>;expires=60",
    ]);
    const ok = readRegisterOk(r, OWN, 3600, NOW);
    expect(ok.bindings.map((b) => b.own)).toEqual([true, false]);
  });
});

describe("failure headers", () => {
  it("reads Retry-After with a comment and Min-Expires", () => {
    expect(readRetryAfter(response("503 Service Unavailable", ["Retry-After: 120 (maintenance);duration=60"]))).toBe(120);
    expect(readRetryAfter(response("503 Service Unavailable", []))).toBeUndefined();
    expect(readMinExpires(response("423 Interval Too Brief", ["Min-Expires: 1800"]))).toBe(1800);
    expect(readMinExpires(response("423 Interval Too Brief", []))).toBeUndefined();
  });
});
