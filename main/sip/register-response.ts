/**
 * Reading a 200 OK to REGISTER (RFC 3261 10.2.4): every binding the registrar holds for the AOR,
 * which of them is ours, and the expiry it granted us.
 *
 * sip.js's Registerer takes our Contact's `expires` param and turns a missing one into NaN (then
 * re-REGISTERs in a tight loop); here the order is: our Contact's `expires` param, else the
 * Expires header, else what we asked for, and the result is always a finite positive number.
 */
import type { IncomingResponseMessage } from "sip.js/lib/core/index.js";
import { equivalentURI, Grammar, NameAddrHeader } from "sip.js/lib/grammar/index.js";
import type { Binding } from "../../shared/contract.js";

export interface RegisterOk {
  /** Seconds granted for our own Contact. */
  grantedSec: number;
  /** Our Contact was listed by the registrar. */
  ownListed: boolean;
  bindings: Binding[];
}

export function readRegisterOk(
  response: IncomingResponseMessage,
  ownContactUri: string,
  requestedSec: number,
  now: number,
): RegisterOk {
  const own = Grammar.URIParse(ownContactUri);
  const headerExpires = positiveInt(response.getHeader("expires"));
  const bindings: Binding[] = [];
  let ownExpires: number | undefined;
  let ownListed = false;
  const count = response.getHeaders("contact").length;
  for (let i = 0; i < count; i++) {
    const contact = response.parseHeader("contact", i) as NameAddrHeader | undefined;
    if (!(contact instanceof NameAddrHeader)) continue;
    const expires = positiveInt(contact.getParam("expires")) ?? headerExpires;
    const isOwn = own !== undefined && equivalentURI(contact.uri, own);
    if (isOwn) {
      ownListed = true;
      ownExpires = expires;
    }
    bindings.push({
      uri: contact.uri.toString(),
      expiresAt: expires !== undefined ? now + expires * 1000 : undefined,
      own: isOwn,
    });
  }
  const grantedSec = ownExpires ?? headerExpires ?? requestedSec;
  return { grantedSec: grantedSec > 0 ? grantedSec : requestedSec, ownListed, bindings };
}

/** Retry-After (RFC 3261 20.33): delta-seconds, possibly followed by a comment or params. */
export function readRetryAfter(response: IncomingResponseMessage): number | undefined {
  const raw = response.getHeader("retry-after");
  if (raw === undefined) return undefined;
  const m = /^\s*(\d{1,9})/.exec(raw);
  return m ? Number(m[1]) : undefined;
}

export function readMinExpires(response: IncomingResponseMessage): number | undefined {
  return positiveInt(response.getHeader("min-expires"));
}

function positiveInt(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}
