/**
 * Parser for `application/reginfo+xml` (RFC 3680 section 5). The body comes from the network, so:
 * a size cap before anything is read, no DTD at all (so no entity expansion, internal or
 * external), a depth cap, namespace-aware matching of the reginfo elements, and unknown
 * elements and attributes ignored. Every problem is a typed result, never a throw.
 *
 * XML is read by saxes (the strict, namespace-aware SAX parser jsdom uses) rather than by hand:
 * it rejects ill-formed documents and expands no entities beyond the five predefined ones.
 */
import { SaxesParser, type SaxesTagNS } from "saxes";

export const REGINFO_NS = "urn:ietf:params:xml:ns:reginfo";
export const MAX_REGINFO_BYTES = 256 * 1024;
const MAX_DEPTH = 16;

export interface ReginfoContact {
  id: string;
  state: "active" | "terminated";
  event: string;
  uri: string;
  expires?: number;
  retryAfter?: number;
  callId?: string;
  cseq?: number;
  durationRegistered?: number;
  /** `+sip.instance` from an unknown-param, without quotes and angle brackets. */
  instance?: string;
}

export interface ReginfoRegistration {
  aor: string;
  id: string;
  state: "init" | "active" | "terminated";
  contacts: ReginfoContact[];
}

export interface ReginfoDocument {
  version: number;
  state: "full" | "partial";
  registrations: ReginfoRegistration[];
}

export type ReginfoErrorKind = "too-large" | "dtd" | "malformed" | "not-reginfo" | "too-deep";

export type ReginfoResult =
  | { ok: true; doc: ReginfoDocument | undefined }
  | { ok: false; error: { kind: ReginfoErrorKind; message: string } };

class ReginfoError extends Error {
  constructor(
    readonly kind: ReginfoErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a NOTIFY body; an empty body is valid and means "no state yet" (`doc` undefined). */
export function parseReginfo(body: string): ReginfoResult {
  if (body.length > MAX_REGINFO_BYTES) {
    return fail("too-large", `reginfo body of ${body.length} characters is over the ${MAX_REGINFO_BYTES} limit`);
  }
  if (body.trim() === "") return { ok: true, doc: undefined };
  try {
    return { ok: true, doc: read(body) };
  } catch (e) {
    if (e instanceof ReginfoError) return fail(e.kind, e.message);
    return fail("malformed", `reginfo is not well-formed XML: ${(e as Error).message.split("\n")[0]}`);
  }
}

function fail(kind: ReginfoErrorKind, message: string): ReginfoResult {
  return { ok: false, error: { kind, message } };
}

function read(body: string): ReginfoDocument {
  const parser = new SaxesParser({ xmlns: true, position: false });
  let doc: ReginfoDocument | undefined;
  let registration: ReginfoRegistration | undefined;
  let contact: Partial<ReginfoContact> | undefined;
  let text = "";
  let textTarget: "uri" | "unknown-param" | undefined;
  let paramName: string | undefined;
  let depth = 0;

  parser.on("doctype", () => {
    throw new ReginfoError("dtd", "reginfo with a DTD is refused (no entity expansion)");
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    if (++depth > MAX_DEPTH) throw new ReginfoError("too-deep", `reginfo nested deeper than ${MAX_DEPTH} levels`);
    if (tag.uri !== REGINFO_NS) return; // other namespaces: extensions we ignore
    const attr = (name: string) => tag.attributes[name]?.value;
    switch (tag.local) {
      case "reginfo": {
        if (depth !== 1) return;
        const version = nonNegativeInt(attr("version"));
        const state = attr("state");
        if (version === undefined) throw new ReginfoError("not-reginfo", "reginfo has no valid version attribute");
        if (state !== "full" && state !== "partial") throw new ReginfoError("not-reginfo", `reginfo state "${state}" is neither full nor partial`);
        doc = { version, state, registrations: [] };
        return;
      }
      case "registration": {
        if (!doc || depth !== 2) return;
        const state = attr("state");
        registration = {
          aor: attr("aor") ?? "",
          id: attr("id") ?? "",
          state: state === "init" || state === "terminated" ? state : "active",
          contacts: [],
        };
        return;
      }
      case "contact": {
        if (!registration || depth !== 3) return;
        contact = {
          id: attr("id") ?? "",
          state: attr("state") === "terminated" ? "terminated" : "active",
          event: attr("event") ?? "",
          expires: nonNegativeInt(attr("expires")),
          retryAfter: nonNegativeInt(attr("retry-after")),
          callId: attr("callid"),
          cseq: nonNegativeInt(attr("cseq")),
          durationRegistered: nonNegativeInt(attr("duration-registered")),
        };
        return;
      }
      case "uri":
        if (contact && depth === 4) {
          textTarget = "uri";
          text = "";
        }
        return;
      case "unknown-param":
        if (contact && depth === 4) {
          textTarget = "unknown-param";
          paramName = attr("name");
          text = "";
        }
        return;
    }
  });
  parser.on("text", (t) => {
    if (textTarget && text.length < 4096) text += t;
  });
  parser.on("closetag", (tag: SaxesTagNS) => {
    depth--;
    if (tag.uri !== REGINFO_NS) return;
    if (tag.local === "uri" && textTarget === "uri" && contact) {
      contact.uri = text.trim();
      textTarget = undefined;
    } else if (tag.local === "unknown-param" && textTarget === "unknown-param" && contact) {
      if (paramName?.toLowerCase() === "+sip.instance") contact.instance = text.trim().replace(/^"|"$/g, "").replace(/^<|>$/g, "");
      textTarget = undefined;
    } else if (tag.local === "contact" && contact && registration) {
      // A contact without a URI cannot be matched to anyone; skip it rather than guess.
      if (contact.uri) registration.contacts.push(contact as ReginfoContact);
      contact = undefined;
    } else if (tag.local === "registration" && registration && doc) {
      doc.registrations.push(registration);
      registration = undefined;
    }
  });
  parser.write(body).close();
  if (!doc) throw new ReginfoError("not-reginfo", `the root element is not <reginfo xmlns="${REGINFO_NS}">`);
  return doc;
}

function nonNegativeInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,10}\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}
