import { describe, expect, it } from "vitest";
import { redactSip, SipTrace } from "./sip-trace.js";

describe("SIP trace", () => {
  it("redacts Authorization and Proxy-Authorization but keeps the username", () => {
    const text = 'REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username="alice", realm="r", nonce="n", response="deadbeef"\r\nproxy-authorization: Digest username="bob", response="cafe"\r\n\r\n';
    const red = redactSip(text);
    expect(red).not.toMatch(/deadbeef|cafe|nonce=/);
    expect(red).toContain('Authorization: Digest username="alice", [credentials redacted]');
    expect(red).toContain('proxy-authorization: Digest username="bob", [credentials redacted]');
  });

  it("keeps the newest messages within its capacity, per account in order", () => {
    const t = new SipTrace(5);
    for (let i = 0; i < 8; i++) t.add(i % 2 ? "a" : "b", "sent", `m${i}`, i);
    expect(t.forAccount("a").map((e) => e.text)).toEqual(["m3", "m5", "m7"]);
    expect(t.forAccount("b").map((e) => e.text)).toEqual(["m4", "m6"]);
    expect(t.forAccount("a", 2).map((e) => e.text)).toEqual(["m5", "m7"]);
  });
});
