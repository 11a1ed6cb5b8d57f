import { describe, expect, it } from "vitest";
import { DigestCredentials, digestResponse, supportedAlgorithm } from "./digest-auth.js";

// RFC 7616 3.9.1: the same inputs answered with MD5 and with SHA-256.
const rfc7616 = {
  username: "Mufasa",
  realm: "http-auth@example.org",
  password: "Circle of Life",
  method: "GET",
  uri: "/dir/index.html",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  qop: "auth" as const,
  nc: "00000001",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
};

describe("digestResponse", () => {
  it("matches RFC 7616's worked examples", () => {
    expect(digestResponse({ ...rfc7616, algorithm: "MD5" })).toBe("8ca523f5e9506fed4657c9700eebdbec");
    expect(digestResponse({ ...rfc7616, algorithm: "SHA-256" })).toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  it("depends on qop, the auth-int body and the algorithm", () => {
    const base = { ...rfc7616, algorithm: "SHA-256" as const };
    expect(digestResponse({ ...base, qop: "auth-int", body: "" })).not.toBe(digestResponse(base));
    expect(digestResponse({ ...base, qop: undefined })).toHaveLength(64);
    expect(digestResponse({ ...base, algorithm: "SHA-512-256" })).toHaveLength(64);
  });
});

describe("DigestCredentials", () => {
  const request = { method: "REGISTER", ruri: "sip:example.com" };

  it("answers MD5, SHA-256 and SHA-512-256 challenges and never shows the password", () => {
    for (const algorithm of ["MD5", "SHA-256", "SHA-512-256"]) {
      const c = new DigestCredentials("alice", "hunter2");
      expect(c.authenticate(request, { algorithm, realm: "example.com", nonce: "n1", qop: ["auth"], opaque: "o" })).toBe(true);
      const header = c.toString();
      expect(header).toMatch(new RegExp(`^Digest .*algorithm=${algorithm}`));
      expect(header).toContain('opaque="o"');
      expect(header).toContain("nc=00000001");
      expect(header).not.toContain("hunter2");
    }
  });

  it("refuses algorithms and challenges it cannot answer", () => {
    const c = new DigestCredentials("alice", "pw");
    expect(c.authenticate(request, { algorithm: "AKAv1-MD5", realm: "r", nonce: "n" })).toBe(false);
    expect(c.authenticate(request, { realm: "r" })).toBe(false);
    expect(c.authenticate(request, { realm: "r", nonce: "n", qop: ["something"] })).toBe(false);
    expect(supportedAlgorithm(undefined)).toBe("MD5");
    expect(supportedAlgorithm("sha-256")).toBe("SHA-256");
  });

  it("counts nonce uses", () => {
    const c = new DigestCredentials("alice", "pw");
    c.authenticate(request, { realm: "r", nonce: "n", qop: ["auth"] });
    c.authenticate(request, { realm: "r", nonce: "n", qop: ["auth"] });
    expect(c.toString()).toContain("nc=00000002");
  });

  it("answers a later request pre-emptively with the last challenge, counting on the nonce", () => {
    const c = new DigestCredentials("alice", "hunter2");
    const subscribe = { method: "SUBSCRIBE", ruri: "sip:alice@example.com" };
    expect(c.preemptive(subscribe)).toBeUndefined();
    const challenge = { algorithm: "MD5", realm: "example.com", nonce: "n1", qop: ["auth"] };
    expect(c.authenticate(request, challenge)).toBe(true);
    const answer = c.preemptive(subscribe)!;
    expect(answer.header).toBe("authorization");
    const line = answer.value;
    expect(line).toMatch(/^Digest /);
    expect(line).toContain('nonce="n1"');
    expect(line).toContain('uri="sip:alice@example.com"');
    expect(line).toContain("nc=00000002");
    const cnonce = /cnonce="([^"]+)"/.exec(line)![1]!;
    const expected = digestResponse({ algorithm: "MD5", username: "alice", realm: "example.com", password: "hunter2", method: "SUBSCRIBE", uri: "sip:alice@example.com", nonce: "n1", qop: "auth", nc: "00000002", cnonce });
    expect(line).toContain(`response="${expected}"`);
    // A proxy's challenge (407) is answered in Proxy-Authorization.
    c.authenticate(request, challenge, undefined, "proxy-authorization");
    expect(c.preemptive(subscribe)?.header).toBe("proxy-authorization");
  });
});
