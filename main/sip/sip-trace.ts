/**
 * The last SIP messages, for the account view's trace. One ring for all accounts (bounded
 * memory at any account count), newest last; secrets are redacted before anything is stored.
 */
export interface TraceEntry {
  accountId: string;
  at: number;
  direction: "sent" | "received";
  text: string;
}

const MAX_TEXT = 4096;

/** Digest responses, nonces' answers and any other credential never leave the engine. */
export function redactSip(text: string): string {
  return text
    .replace(/^((?:proxy-)?authorization[ \t]*:[ \t]*)(.*)$/gim, (_m, name: string, value: string) => {
      const user = /username="([^"]*)"/i.exec(value)?.[1];
      return `${name}Digest username="${user ?? "?"}", [credentials redacted]`;
    })
    .slice(0, MAX_TEXT);
}

export class SipTrace {
  private readonly ring: (TraceEntry | undefined)[];
  private next = 0;

  constructor(readonly capacity = 2000) {
    this.ring = new Array(capacity);
  }

  add(accountId: string, direction: TraceEntry["direction"], text: string, at: number): void {
    this.ring[this.next] = { accountId, at, direction, text: redactSip(text) };
    this.next = (this.next + 1) % this.capacity;
  }

  /** The account's messages still in the ring, oldest first. */
  forAccount(accountId: string, limit = 50): TraceEntry[] {
    const out: TraceEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.ring[(this.next + i) % this.capacity];
      if (e && e.accountId === accountId) out.push(e);
    }
    return out.slice(-limit);
  }
}
