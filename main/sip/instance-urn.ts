import { createHash } from "node:crypto";

/**
 * A `urn:uuid:` instance ID (RFC 5626 4.1) that stays the same for an account across restarts,
 * derived from its ID the way RFC 4122 name-based UUIDs are (SHA-1, version 5), so any account
 * ID, UUID-shaped or not, gives a valid URN.
 */
export function instanceUrn(accountId: string): string {
  const h = createHash("sha1").update(`regwatch:${accountId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
