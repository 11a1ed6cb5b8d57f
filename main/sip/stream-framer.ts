/**
 * Splits a TCP/TLS byte stream into SIP messages (RFC 3261 18.3): headers end at the first
 * empty line, the body is Content-Length bytes (mandatory on streams). CRLFs between messages
 * are RFC 5626 keepalives. Anything that cannot be framed ends the connection: after garbage
 * there is no way to find the next message boundary.
 */
export const MAX_STREAM_MESSAGE = 256 * 1024;
const MAX_HEADER = 64 * 1024;

export class StreamFramingError extends Error {}

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Keepalive pongs seen (single CRLF after our double-CRLF ping). */
  pongs = 0;

  /** Feeds bytes; returns the complete messages they finish. Throws StreamFramingError. */
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[] = [];
    for (;;) {
      let start = 0;
      while (start + 1 < this.buf.length && this.buf[start] === 0x0d && this.buf[start + 1] === 0x0a) start += 2;
      if (start > 0) {
        this.pongs++;
        this.buf = this.buf.subarray(start);
      }
      const headEnd = this.buf.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        if (this.buf.length > MAX_HEADER) throw new StreamFramingError(`SIP headers over ${MAX_HEADER} bytes`);
        return out;
      }
      const head = this.buf.subarray(0, headEnd).toString("latin1");
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,9})[ \t]*$/im.exec(head);
      if (!m) throw new StreamFramingError("SIP message on a stream without Content-Length");
      const length = Number(m[1]);
      const total = headEnd + 4 + length;
      if (total > MAX_STREAM_MESSAGE) throw new StreamFramingError(`SIP message of ${total} bytes is over the ${MAX_STREAM_MESSAGE} limit`);
      if (this.buf.length < total) return out;
      out.push(this.buf.subarray(0, total).toString("utf8"));
      this.buf = this.buf.subarray(total);
    }
  }
}
