/** A registrar's answer to a request, for the tests' scripted registrars. */
import type { IncomingRequestMessage } from "sip.js/lib/core/index.js";

/** The response to `req` with its Via, From, To (tagged with `toTag` unless it has one), Call-ID and CSeq. */
export function responseTo(req: IncomingRequestMessage, code: number, reason: string, toTag: string, extra: string[] = []): string {
  return [
    `SIP/2.0 ${code} ${reason}`,
    ...req.getHeaders("via").map((v) => `Via: ${v}`),
    `From: ${req.getHeader("from")}`,
    `To: ${req.getHeader("to")}${req.toTag ? "" : `;tag=${toTag}`}`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.cseq} ${req.method}`,
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}
