/**
 * Property-based tests: whatever bytes arrive, the parsers answer with a value or a typed error,
 * never an exception, a hang or unbounded memory. (fast-check generates and shrinks the inputs.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commands, COMMAND_NAMES } from "../shared/contract.js";
import { parseSipUri } from "../shared/sip-uri.js";
import { parseImport } from "./accounts/bulk.js";
import { hasToTag, routeKeyOf, statelessResponse, topViaBranch } from "./sip/message-routing.js";
import { parseReginfo } from "./sip/reginfo-parser.js";
import { parseSubscriptionState } from "./sip/reg-event-watcher.js";
import { StreamFramer, StreamFramingError, MAX_STREAM_MESSAGE } from "./sip/stream-framer.js";

const RUNS = { numRuns: 400 };

// XML-ish text assembled from pieces that stress a parser: DTDs, entities, nesting, odd characters.
const xmlPiece = fc.constantFrom(
  '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">',
  "</reginfo>",
  '<registration aor="sip:a@b" id="1" state="active">',
  "</registration>",
  '<contact id="c" state="terminated" event="deactivated" expires="-1" retry-after="x">',
  "</contact>",
  "<uri>sip:a@b</uri>",
  "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
  "&a;",
  "&amp;",
  "&#0;",
  "<![CDATA[ ]]>",
  "<?xml version='1.0'?>",
  "\u0000",
  "\uFFFF",
  "<a>",
  "</a>",
  "<x:y xmlns:x='urn:other'>",
);
const xmlish = fc.array(fc.oneof(xmlPiece, fc.string()), { maxLength: 60 }).map((parts) => parts.join(""));

describe("hostile input never throws", () => {
  it("reginfo parser: typed result for any text", () => {
    fc.assert(
      fc.property(fc.oneof(xmlish, fc.string(), fc.string({ unit: "grapheme" })), (body) => {
        const r = parseReginfo(body);
        expect(typeof r.ok).toBe("boolean");
        if (!r.ok) expect(["too-large", "dtd", "malformed", "not-reginfo", "too-deep"]).toContain(r.error.kind);
      }),
      RUNS,
    );
  });

  it("message routing helpers: any text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constant("SIP/2.0 200 OK\r\nVia: x;branch=\r\n\r\n")), (text) => {
        routeKeyOf(text);
        topViaBranch(text);
        hasToTag(text);
        statelessResponse(text, 403, "Forbidden");
        parseSubscriptionState(text);
        parseSipUri(text);
      }),
      RUNS,
    );
  });

  it("stream framer: any byte chunks give messages or a framing error, and it never buffers past its limit", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2048 }), { maxLength: 40 }), fc.boolean(), (chunks, prefix) => {
        const f = new StreamFramer();
        try {
          if (prefix) f.push(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 5\r\n\r\n"));
          for (const c of chunks) f.push(Buffer.from(c));
        } catch (e) {
          expect(e).toBeInstanceOf(StreamFramingError);
        }
        expect((f as unknown as { buf: Buffer }).buf.length).toBeLessThanOrEqual(Math.max(MAX_STREAM_MESSAGE, 64 * 1024) + 2048);
      }),
      { numRuns: 200 },
    );
  });

  it("CSV and JSON import: any file gives rows and issues", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constant("name,aor\n\"unclosed")), fc.constantFrom("csv" as const, "json" as const), (content, format) => {
        const out = parseImport(format, content);
        expect(out.rows.length + out.issues.length).toBeGreaterThanOrEqual(0);
        for (const i of out.issues) expect(typeof i.message).toBe("string");
      }),
      RUNS,
    );
  });

  it("every command's input schema: any JSON value parses or fails cleanly", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), fc.jsonValue(), (name, value) => {
        const r = commands[name].input.safeParse(value);
        expect(typeof r.success).toBe("boolean");
      }),
      RUNS,
    );
  });
});
