/**
 * SIP digest authentication (RFC 3261 22.4 with RFC 8760's algorithms): MD5, SHA-256 and
 * SHA-512-256, qop auth and auth-int. sip.js's own implementation aborts on anything but MD5,
 * and registrars increasingly offer SHA-256 first; this class replaces it through the user agent
 * core's authenticationFactory. (Choosing the best of several challenges is the sip.js patch's job.)
 *
 * The password is held only here, in memory, and never appears in toString().
 */
import { createHash, randomBytes } from "node:crypto";

/** Strongest first: the order in which several offered challenges are preferred. */
export const DIGEST_ALGORITHMS = ["SHA-512-256", "SHA-256", "MD5"] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const HASH: Record<DigestAlgorithm, string> = { MD5: "md5", "SHA-256": "sha256", "SHA-512-256": "sha512-256" };

/** What sip.js's grammar yields for a WWW-/Proxy-Authenticate challenge. */
export interface DigestChallenge {
  algorithm?: string;
  realm?: string;
  nonce?: string;
  opaque?: string;
  stale?: boolean;
  qop?: string[];
}

interface RequestLike {
  method: string;
  ruri: unknown;
}

export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(HASH[algorithm]).update(text, "utf8").digest("hex");
}

export function supportedAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  const upper = (name ?? "MD5").toUpperCase();
  return (DIGEST_ALGORITHMS as readonly string[]).includes(upper) ? (upper as DigestAlgorithm) : undefined;
}

/** The response value for one challenge (RFC 3261 22.4 / RFC 8760 2.6). Pure. */
export function digestResponse(p: {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: "auth" | "auth-int";
  nc?: string;
  cnonce?: string;
  body?: string;
}): string {
  const h = (s: string) => digestHash(p.algorithm, s);
  const ha1 = h(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = p.qop === "auth-int" ? h(`${p.method}:${p.uri}:${h(p.body ?? "")}`) : h(`${p.method}:${p.uri}`);
  return p.qop ? h(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`);
}

/** Where an answer goes: `authorization` for a 401, `proxy-authorization` for a 407. */
export type AuthorizationHeader = "authorization" | "proxy-authorization";

/**
 * One account's credentials, answering challenges (the shape sip.js's UserAgentClient calls).
 * One instance serves every request of the account, so the nonce count goes on across them and
 * the last challenge can answer the next request before it is challenged.
 */
export class DigestCredentials {
  private nc = 0;
  private header: string | undefined;
  private last: { challenge: DigestChallenge; header: AuthorizationHeader } | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  /**
   * Pre-emptive credentials for `request` from the last challenge answered (RFC 3261 22.3: a UA
   * may reuse a realm's credentials), or undefined when nothing was answered yet. Saves a 401
   * round trip for the reg-event SUBSCRIBE sent right after a REGISTER; a registrar that no
   * longer takes the nonce challenges again, and sip.js's answer then replaces this header (it
   * must be set as the header, not added as an extra one, or the retry would carry both).
   */
  preemptive(request: RequestLike): { header: AuthorizationHeader; value: string } | undefined {
    const last = this.last;
    if (!last || !this.authenticate(request, last.challenge, undefined, last.header)) return undefined;
    return { header: last.header, value: this.header! };
  }

  authenticate(request: RequestLike, challenge: DigestChallenge, body?: string, header: AuthorizationHeader = "authorization"): boolean {
    const algorithm = supportedAlgorithm(challenge.algorithm);
    if (!algorithm || !challenge.realm || !challenge.nonce) return false;
    let qop: "auth" | "auth-int" | undefined;
    if (challenge.qop) {
      if (challenge.qop.includes("auth")) qop = "auth";
      else if (challenge.qop.includes("auth-int")) qop = "auth-int";
      else return false;
    }
    const uri = String(request.ruri);
    const cnonce = randomBytes(12).toString("hex");
    this.nc = (this.nc % 0xffffffff) + 1;
    const nc = this.nc.toString(16).padStart(8, "0");
    const response = digestResponse({
      algorithm,
      username: this.username,
      realm: challenge.realm,
      password: this.password,
      method: request.method,
      uri,
      nonce: challenge.nonce,
      qop,
      nc,
      cnonce,
      body,
    });
    const params = [
      `username="${this.username}"`,
      `realm="${challenge.realm}"`,
      `nonce="${challenge.nonce}"`,
      `uri="${uri}"`,
      `response="${response}"`,
      `algorithm=${algorithm}`,
    ];
    if (challenge.opaque !== undefined) params.push(`opaque="${challenge.opaque}"`);
    if (qop) params.push(`qop=${qop}`, `cnonce="${cnonce}"`, `nc=${nc}`);
    this.header = `Digest ${params.join(", ")}`;
    // A copy: the parsed challenge's strings are slices of the whole 401, which would stay in
    // memory with them (seen in a heap snapshot: one 401 text kept per account).
    this.last = { challenge: JSON.parse(JSON.stringify(challenge)) as DigestChallenge, header };
    return true;
  }

  toString(): string {
    if (!this.header) throw new Error("no challenge answered yet");
    return this.header;
  }
}
