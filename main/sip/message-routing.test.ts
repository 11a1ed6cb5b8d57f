import { describe, expect, it } from "vitest";
import { MessageRouter } from "./message-router.js";
import { hasToTag, routeKeyOf, statelessResponse, topViaBranch } from "./message-routing.js";
import { TRANSACTION_MS } from "./udp-reliability.js";

describe("routeKeyOf", () => {
  it("routes a response by the branch of its top Via", () => {
    const text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;rport=5070;branch=z9hG4bKabc\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKother\r\n\r\n";
    expect(routeKeyOf(text)).toEqual({ kind: "response", branch: "z9hG4bKabc", status: 200 });
  });

  it("reads compact Via and odd spacing", () => {
    expect(topViaBranch("SIP/2.0 401 Unauthorized\r\nv: SIP/2.0/UDP h ; branch = z9hG4bKx1\r\n\r\n")).toBe("z9hG4bKx1");
  });

  it("never reads a branch out of a body", () => {
    expect(routeKeyOf("SIP/2.0 200 OK\r\nCall-ID: 1\r\n\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKbody")).toBeUndefined();
  });

  it("routes a request by its Request-URI user", () => {
    expect(routeKeyOf("NOTIFY sip:rw-abc@127.0.0.1:5070;transport=udp SIP/2.0\r\nVia: SIP/2.0/UDP r;branch=z9hG4bK9\r\n\r\n")).toEqual({
      kind: "request",
      method: "NOTIFY",
      user: "rw-abc",
    });
    expect(routeKeyOf("OPTIONS sip:127.0.0.1:5070 SIP/2.0\r\n\r\n")).toEqual({ kind: "request", method: "OPTIONS", user: undefined });
  });

  it("ignores garbage", () => {
    for (const g of ["", "\u0000\u0001", "HELLO", "GET / HTTP/1.1\r\n\r\n", "SIP/2.0 abc\r\n\r\n"]) expect(routeKeyOf(g)).toBeUndefined();
  });
});

describe("stateless answers", () => {
  const req = "NOTIFY sip:rw-1@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKx\r\nFrom: <sip:evil@x>;tag=1\r\nTo: <sip:rw-1@127.0.0.1>\r\nCall-ID: c\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n";
  it("tells dialog requests from new ones by the To tag", () => {
    expect(hasToTag(req)).toBe(false);
    expect(hasToTag(req.replace("To: <sip:rw-1@127.0.0.1>", "To: <sip:rw-1@127.0.0.1>;tag=abc"))).toBe(true);
    expect(hasToTag(req.replace("To: <sip:rw-1@127.0.0.1>", "t: <sip:rw-1@127.0.0.1> ; TAG=abc"))).toBe(true);
  });
  it("builds a response echoing the request's transaction headers", () => {
    expect(statelessResponse(req, 403, "Forbidden")).toBe(
      "SIP/2.0 403 Forbidden\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKx\r\nFrom: <sip:evil@x>;tag=1\r\nTo: <sip:rw-1@127.0.0.1>\r\nCall-ID: c\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n",
    );
    expect(statelessResponse("NOTIFY sip:x SIP/2.0\r\n\r\n", 403, "Forbidden")).toBeUndefined();
  });
});

describe("MessageRouter", () => {
  const request = (branch: string) => `REGISTER sip:r SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}\r\n\r\n`;
  const response = (branch: string) => `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}\r\n\r\n`;

  it("stops routing to an endpoint once it detached, and sweeps its entries after Timer F", () => {
    const router = new MessageRouter<{ contactUser: string }>();
    const a = { contactUser: "rw-a" };
    const b = { contactUser: "rw-b" };
    router.attach(a);
    router.attach(b);
    router.outgoing(a, request("z9hG4bKa"), 0);
    router.outgoing(b, request("z9hG4bKb"), 0);
    router.detach(a);
    expect(router.route(response("z9hG4bKa")).endpoint).toBeUndefined();
    expect(router.route(response("z9hG4bKb")).endpoint).toBe(b);
    // A new endpoint with the same Contact user does not inherit the old one's transactions.
    router.attach({ contactUser: "rw-a" });
    expect(router.route(response("z9hG4bKa")).endpoint).toBeUndefined();
    router.sweep(TRANSACTION_MS + 1);
    expect(router.route(response("z9hG4bKb")).endpoint).toBeUndefined();
  });
});
