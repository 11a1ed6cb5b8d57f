/** The registrar's side of digest authentication, for the tests' scripted registrars. */
import type { IncomingRequestMessage } from "sip.js/lib/core/index.js";
import { digestResponse, supportedAlgorithm, type DigestAlgorithm } from "../../main/sip/digest-auth.js";

/**
 * Checks the digest answer in `header` (Authorization or Proxy-Authorization) against the
 * password; undefined when there is no answer or its algorithm is unknown.
 */
export function checkDigestAnswer(
  req: IncomingRequestMessage,
  header: string | undefined,
  credentials: { realm: string; password: string },
): { algorithm: DigestAlgorithm; ok: boolean } | undefined {
  if (!header) return undefined;
  const p = Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1]!.toLowerCase(), m[2] ?? m[3]!]));
  const algorithm = supportedAlgorithm(p.algorithm);
  if (!algorithm) return undefined;
  const expected = digestResponse({
    algorithm,
    username: p.username ?? "",
    realm: credentials.realm,
    password: credentials.password,
    method: req.method,
    uri: p.uri ?? "",
    nonce: p.nonce ?? "",
    qop: p.qop as "auth" | undefined,
    nc: p.nc,
    cnonce: p.cnonce,
  });
  return { algorithm, ok: expected === p.response };
}
