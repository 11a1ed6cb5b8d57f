import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Token characters that are safe in a URL fragment and a WebSocket subprotocol. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,256}$/;

/** Hex, so a generated token never starts with "-" (which a command line would read as an option). */
export function generateToken(): string {
  return randomBytes(24).toString("hex");
}

/** Constant-time comparison; hashing first makes the lengths equal, so length leaks nothing. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer TOKEN`. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? "");
  return m?.[1];
}

/** The token a browser WebSocket offers as the subprotocol `bearer.TOKEN` (it cannot set headers). */
export function subprotocolToken(header: string | undefined): string | undefined {
  for (const p of (header ?? "").split(",")) {
    const v = p.trim();
    if (v.startsWith("bearer.")) return v.slice("bearer.".length);
  }
  return undefined;
}
