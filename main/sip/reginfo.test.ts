import { describe, expect, it } from "vitest";
import { reginfoXml } from "../../e2e/support/scripted-sip-peer.js";
import { parseReginfo } from "./reginfo-parser.js";
import { ReginfoState } from "./reginfo-state.js";
import { parseSubscriptionState } from "./reg-event-watcher.js";

const AOR = "sip:alice@example.com";
const OWN = "sip:rw-1@127.0.0.1:5070;transport=udp";

// What Kamailio 5.6 (pua_reginfo + presence_reginfo) actually sends.
const kamailio = `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">
  <registration aor="sip:alice@example.com" id="0x7f7e9e121c48" state="terminated">
    <contact id="0x7f7e9e121d60" state="terminated" event="unregistered" expires="299" callid="e5p4762skg3206ubqb9r" cseq="3" received="" path="" user_agent="Regwatch">
      <uri>sip:rw-1@127.0.0.1:5070;transport=udp</uri>
      <unknown-param name="+sip.instance">"&lt;urn:uuid:00000000-0000-0000-0000-000000000001&gt;"</unknown-param>
    </contact>
  </registration>
</reginfo>`;

describe("parseReginfo", () => {
  it("reads Kamailio's document, extra attributes and all", () => {
    const r = parseReginfo(kamailio);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc).toMatchObject({ version: 0, state: "full" });
    const c = r.doc!.registrations[0]!.contacts[0]!;
    expect(c).toMatchObject({ state: "terminated", event: "unregistered", expires: 299, callId: "e5p4762skg3206ubqb9r", cseq: 3, uri: OWN });
    expect(c.instance).toBe("urn:uuid:00000000-0000-0000-0000-000000000001");
  });

  it("treats an empty body as no state yet", () => {
    expect(parseReginfo("")).toEqual({ ok: true, doc: undefined });
    expect(parseReginfo("  \r\n")).toEqual({ ok: true, doc: undefined });
  });

  it("ignores unknown elements, other namespaces and prefixes the namespace as it likes", () => {
    const doc = `<r:reginfo xmlns:r="urn:ietf:params:xml:ns:reginfo" xmlns:x="urn:example" version="3" state="partial">
      <x:extension><r:registration aor="sip:a@b" id="9" state="active"/></x:extension>
      <r:registration aor="sip:a@b" id="1" state="active"><r:contact id="c" state="active" event="refreshed" expires="60" q="0.5"><r:uri>sip:a@10.0.0.1</r:uri><r:display-name>A</r:display-name><x:foo/></r:contact></r:registration>
    </r:reginfo>`;
    const r = parseReginfo(doc);
    expect(r.ok && r.doc?.registrations).toEqual([
      { aor: "sip:a@b", id: "1", state: "active", contacts: [{ id: "c", state: "active", event: "refreshed", expires: 60, uri: "sip:a@10.0.0.1", retryAfter: undefined, callId: undefined, cseq: undefined, durationRegistered: undefined }] },
    ]);
  });

  it.each([
    ["a DTD with an entity bomb", `<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">&b;</reginfo>`, "dtd"],
    ["an external entity", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">&e;</reginfo>`, "dtd"],
    ["an undefined entity", `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">&e;</reginfo>`, "malformed"],
    ["the wrong namespace", `<reginfo xmlns="urn:other" version="1" state="full"/>`, "not-reginfo"],
    ["no version", `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" state="full"/>`, "not-reginfo"],
    ["a bad state", `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="some"/>`, "not-reginfo"],
    ["unclosed tags", `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full"><registration>`, "malformed"],
    ["NUL bytes", `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">\u0000</reginfo>`, "malformed"],
    ["deep nesting", "<a>".repeat(100) + "</a>".repeat(100), "too-deep"],
    ["a 10 MB body", `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">${"x".repeat(10 * 1024 * 1024)}</reginfo>`, "too-large"],
  ])("refuses %s with a typed error", (_name, body, kind) => {
    const r = parseReginfo(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe(kind);
      expect(r.error.message.length).toBeGreaterThan(0);
    }
  });
});

describe("ReginfoState", () => {
  const full = (version: number, contacts: Parameters<typeof reginfoXml>[0]["contacts"], state: "full" | "partial" = "full") => {
    const r = parseReginfo(reginfoXml({ version, state, aor: AOR, contacts }));
    if (!r.ok || !r.doc) throw new Error("bad fixture");
    return r.doc;
  };
  const own = { id: "o", state: "active" as const, event: "registered", uri: OWN, expires: 300 };

  it("needs a full document first, then takes partial ones in order", () => {
    const s = new ReginfoState(AOR, { contactUri: OWN });
    expect(s.apply(full(4, [own], "partial"))).toMatchObject({ kind: "gap" });
    const first = s.apply(full(4, [own]));
    expect(first).toMatchObject({ kind: "applied", changes: [{ own: true, isNew: true }] });
    expect(s.apply(full(4, [own], "partial"))).toEqual({ kind: "stale" });
    expect(s.apply(full(6, [own], "partial"))).toEqual({ kind: "gap", expected: 5, got: 6 });
    expect(s.apply(full(5, [{ ...own, event: "refreshed", expires: 290 }], "partial"))).toMatchObject({ kind: "applied", changes: [{ own: true, isNew: false }] });
  });

  it("takes full documents of the same version (Kamailio always sends 0) but not older ones", () => {
    const s = new ReginfoState(AOR, { contactUri: OWN });
    s.apply(full(0, [own]));
    expect(s.apply(full(0, [{ ...own, state: "terminated", event: "unregistered" }]))).toMatchObject({ kind: "applied", changes: [{ own: true }] });
    const s2 = new ReginfoState(AOR, { contactUri: OWN });
    s2.apply(full(7, [own]));
    expect(s2.apply(full(6, [own]))).toEqual({ kind: "stale" });
  });

  it("finds our binding by URI rules, by Call-ID or by instance; others are other devices", () => {
    const s = new ReginfoState(AOR, { contactUri: OWN, callId: "cid-1", instance: "urn:uuid:abc" });
    const base = { state: "active" as const, event: "registered" };
    expect(s.isOwn({ ...base, id: "1", uri: "SIP:rw-1@127.0.0.1:5070;transport=UDP" })).toBe(true);
    expect(s.isOwn({ ...base, id: "2", uri: "sip:rw-1@127.0.0.1:5071;transport=udp" })).toBe(false);
    expect(s.isOwn({ ...base, id: "3", uri: "sip:nat@1.2.3.4:999", callId: "cid-1" })).toBe(true);
    expect(s.isOwn({ ...base, id: "4", uri: "sip:nat@1.2.3.4:999", instance: "URN:UUID:ABC" })).toBe(true);
  });

  it("reports an own binding that vanished from a full document", () => {
    const s = new ReginfoState(AOR, { contactUri: OWN });
    s.apply(full(1, [own]));
    expect(s.apply(full(2, []))).toMatchObject({ kind: "applied", changes: [{ own: true, vanished: true }] });
  });

  it("lists bindings with their last event", () => {
    const s = new ReginfoState(AOR, { contactUri: OWN });
    s.apply(full(1, [own, { id: "d", state: "active", event: "created", uri: "sip:desk@10.0.0.2", expires: 60 }]));
    expect(s.bindings(1000)).toEqual([
      { uri: OWN, expiresAt: 301_000, own: true, event: "registered" },
      { uri: "sip:desk@10.0.0.2", expiresAt: 61_000, own: false, event: "created" },
    ]);
  });
});

describe("parseSubscriptionState", () => {
  it("reads state, reason, expires and retry-after", () => {
    expect(parseSubscriptionState("active;expires=3600")).toEqual({ state: "active", expires: 3600 });
    expect(parseSubscriptionState("terminated; reason=Probation ;retry-after=30")).toEqual({ state: "terminated", reason: "probation", retryAfter: 30 });
    expect(parseSubscriptionState(undefined)).toEqual({ state: "" });
    expect(parseSubscriptionState("active;expires=soon")).toEqual({ state: "active", expires: undefined });
  });
});
