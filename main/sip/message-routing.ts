/**
 * Which account a datagram on the shared socket belongs to, read from the raw text before any
 * full parse: a response by the branch of its top Via (we generated it), a request by the user
 * part of its Request-URI (each account's Contact has its own user).
 */
export type RouteKey =
  | { kind: "response"; branch: string; status: number }
  | { kind: "request"; method: string; user: string | undefined };

const RESPONSE_LINE = /^SIP\/2\.0 (\d{3}) /;
const REQUEST_LINE = /^([A-Za-z]+) (sips?:[^ ]+) SIP\/2\.0$/;
const TOP_VIA_BRANCH = /^(?:via|v)[ \t]*:[^\r\n]*?;[ \t]*branch[ \t]*=[ \t]*([^;,\s]+)/im;

export function routeKeyOf(text: string): RouteKey | undefined {
  const end = text.indexOf("\r\n");
  const first = end >= 0 ? text.slice(0, end) : text;
  const resp = RESPONSE_LINE.exec(first);
  if (resp) {
    const branch = topViaBranch(text);
    return branch ? { kind: "response", branch, status: Number(resp[1]) } : undefined;
  }
  const req = REQUEST_LINE.exec(first);
  if (!req) return undefined;
  const uri = req[2]!;
  const at = uri.indexOf("@");
  const user = at > 0 ? decodeUser(uri.slice(uri.indexOf(":") + 1, at)) : undefined;
  return { kind: "request", method: req[1]!.toUpperCase(), user };
}

export function topViaBranch(text: string): string | undefined {
  // Headers end at the first empty line; a body must not be searched.
  const headEnd = text.indexOf("\r\n\r\n");
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  return TOP_VIA_BRANCH.exec(head)?.[1];
}

/**
 * A string that does not share memory with the message it was cut from. V8 represents a
 * substring as a slice of its parent, so a short key kept in a table would keep a whole message
 * text alive (heap snapshot after a burst: two request texts per account held by branch keys).
 */
export function detachedCopy(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/** The request has a To tag, so it claims to belong to a dialog (sip.js checks which). */
export function hasToTag(text: string): boolean {
  const head = text.slice(0, Math.max(0, text.indexOf("\r\n\r\n")) || text.length);
  const to = /^(?:to|t)[ \t]*:(.*)$/im.exec(head)?.[1] ?? "";
  return /;[ \t]*tag[ \t]*=/i.test(to);
}

/** A stateless response to a request (RFC 3261 8.2.6): its Via, From, To, Call-ID and CSeq echoed. */
export function statelessResponse(request: string, code: number, reason: string): string | undefined {
  const headEnd = request.indexOf("\r\n\r\n");
  const head = headEnd >= 0 ? request.slice(0, headEnd) : request;
  const lines = head.split("\r\n").slice(1);
  const pick = (re: RegExp) => lines.filter((l) => re.test(l));
  const via = pick(/^(via|v)[ \t]*:/i);
  const rest = [/^(from|f)[ \t]*:/i, /^(to|t)[ \t]*:/i, /^(call-id|i)[ \t]*:/i, /^cseq[ \t]*:/i].map((re) => pick(re)[0]);
  if (via.length === 0 || rest.some((l) => l === undefined)) return undefined;
  return [`SIP/2.0 ${code} ${reason}`, ...via, ...(rest as string[]), "Content-Length: 0", "", ""].join("\r\n");
}
