import { describe, expect, it } from "vitest";
import { MAX_STREAM_MESSAGE, StreamFramer, StreamFramingError } from "./stream-framer.js";

const msg = (body: string) => `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("StreamFramer", () => {
  it("frames back-to-back messages split at any byte", () => {
    const wire = Buffer.from(msg("héllo") + "\r\n\r\n" + msg("") + msg("x"));
    for (let step = 1; step <= wire.length; step += 7) {
      const f = new StreamFramer();
      const out: string[] = [];
      for (let i = 0; i < wire.length; i += step) out.push(...f.push(wire.subarray(i, i + step)));
      expect(out).toEqual([msg("héllo"), msg(""), msg("x")]);
    }
  });

  it("counts keepalive pongs and reads the compact Content-Length", () => {
    const f = new StreamFramer();
    expect(f.push(Buffer.from("\r\n"))).toEqual([]);
    expect(f.push(Buffer.from("NOTIFY sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi"))).toEqual(["NOTIFY sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi"]);
    expect(f.pongs).toBe(1);
  });

  it("refuses what cannot be framed", () => {
    expect(() => new StreamFramer().push(Buffer.from("SIP/2.0 200 OK\r\nVia: x\r\n\r\n"))).toThrow(StreamFramingError);
    expect(() => new StreamFramer().push(Buffer.from(`SIP/2.0 200 OK\r\nContent-Length: ${MAX_STREAM_MESSAGE}\r\n\r\n`))).toThrow(/limit/);
    expect(() => new StreamFramer().push(Buffer.alloc(70 * 1024, 0x41))).toThrow(/headers over/);
  });
});
