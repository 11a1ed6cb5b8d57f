/**
 * The registration state of one AOR as a reg-event subscription reports it (RFC 3680 4.4):
 * version ordering, full vs partial documents, and which contact is ours. Pure: fed parsed
 * documents, it answers what changed.
 *
 * - The first document of a subscription must be `full`; it sets the baseline version (servers
 *   start at 0 or 1).
 * - A `partial` document must carry exactly the next version: an older one is stale and ignored,
 *   a skipped one means NOTIFYs were lost and the caller re-SUBSCRIBEs for full state.
 * - A `full` document replaces everything and is taken unless its version is older. Equal counts
 *   as current because Kamailio (pua_reginfo + presence_reginfo) sends version="0" in every
 *   NOTIFY; dropping equal versions would drop every event it sends.
 */
import { equivalentURI, Grammar } from "sip.js/lib/grammar/index.js";
import type { Binding } from "../../shared/contract.js";
import type { ReginfoContact, ReginfoDocument } from "./reginfo-parser.js";

export interface OwnIdentity {
  contactUri: string;
  callId?: string;
  instance?: string;
}

export interface ContactChange {
  contact: ReginfoContact;
  own: boolean;
  /** First time this contact is seen on the subscription. */
  isNew: boolean;
  /** Present in the previous state and now missing from a full document. */
  vanished: boolean;
}

export type ApplyResult =
  | { kind: "stale" }
  | { kind: "gap"; expected: number; got: number }
  | { kind: "applied"; changes: ContactChange[] };

export class ReginfoState {
  private version: number | undefined;
  /** Contacts by "registrationId/contactId" (or URI when the server gives no id). */
  private contacts = new Map<string, ReginfoContact>();
  private readonly ownUri;

  constructor(
    private readonly aor: string,
    private readonly own: OwnIdentity,
  ) {
    this.ownUri = Grammar.URIParse(own.contactUri);
  }

  /** A new subscription starts over (its first document must be full again). */
  reset(): void {
    this.version = undefined;
    this.contacts.clear();
  }

  isOwn(c: ReginfoContact): boolean {
    if (this.own.callId && c.callId === this.own.callId) return true;
    if (this.own.instance && c.instance && c.instance.toLowerCase() === this.own.instance.toLowerCase()) return true;
    const uri = Grammar.URIParse(c.uri);
    return uri !== undefined && this.ownUri !== undefined && equivalentURI(uri, this.ownUri);
  }

  apply(doc: ReginfoDocument): ApplyResult {
    if (doc.state === "full") {
      if (this.version !== undefined && doc.version < this.version) return { kind: "stale" };
    } else {
      if (this.version === undefined) return { kind: "gap", expected: 0, got: doc.version };
      if (doc.version <= this.version) return { kind: "stale" };
      if (doc.version > this.version + 1) return { kind: "gap", expected: this.version + 1, got: doc.version };
    }
    this.version = doc.version;
    const incoming = new Map<string, ReginfoContact>();
    for (const reg of doc.registrations) {
      if (!sameAor(reg.aor, this.aor)) continue; // a document may cover other AORs (e.g. implicit sets)
      for (const c of reg.contacts) incoming.set(keyOf(reg.id, c), c);
    }
    const changes: ContactChange[] = [];
    for (const [key, c] of incoming) {
      const prev = this.contacts.get(key);
      if (prev && prev.state === c.state && prev.event === c.event && prev.expires === c.expires) continue;
      changes.push({ contact: c, own: this.isOwn(c), isNew: !prev, vanished: false });
    }
    if (doc.state === "full") {
      for (const [key, c] of this.contacts) {
        if (!incoming.has(key) && c.state === "active") changes.push({ contact: c, own: this.isOwn(c), isNew: false, vanished: true });
      }
      this.contacts = incoming;
    } else {
      for (const [key, c] of incoming) this.contacts.set(key, c);
    }
    // Terminated contacts are reported once, then forgotten.
    for (const [key, c] of this.contacts) if (c.state === "terminated") this.contacts.delete(key);
    return { kind: "applied", changes };
  }

  /** Active bindings on the AOR as the last documents describe them. */
  bindings(now: number): Binding[] {
    return [...this.contacts.values()].map((c) => ({
      uri: c.uri,
      expiresAt: c.expires !== undefined ? now + c.expires * 1000 : undefined,
      own: this.isOwn(c),
      event: c.event || undefined,
    }));
  }
}

function keyOf(registrationId: string, c: ReginfoContact): string {
  return `${registrationId}/${c.id || c.uri}`;
}

/** AORs compare as URIs; a registrar may write `sip:alice@host` for `sip:alice@HOST`. */
function sameAor(a: string, b: string): boolean {
  const ua = Grammar.URIParse(a);
  const ub = Grammar.URIParse(b);
  if (!ua || !ub) return a === b;
  return ua.user === ub.user && ua.host.toLowerCase() === ub.host.toLowerCase();
}
