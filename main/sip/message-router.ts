/**
 * Which account an incoming message on a shared socket or connection belongs to: a response by
 * the branch its request went out with, a request by its Request-URI user (each account's
 * Contact has its own user). Entries for requests expire after Timer F, swept in bulk.
 *
 * Detaching is O(1) (50,000 accounts stopping at quit must not scan every entry each): a
 * response whose endpoint has left is simply not routed, and its entry goes with the sweep.
 */
import { detachedCopy, routeKeyOf, topViaBranch, type RouteKey } from "./message-routing.js";
import { TRANSACTION_MS } from "./udp-reliability.js";

export interface Routable {
  readonly contactUser: string;
}

export class MessageRouter<E extends Routable> {
  private readonly byBranch = new Map<string, { endpoint: E; at: number }>();
  private readonly byUser = new Map<string, E>();

  get endpoints(): number {
    return this.byUser.size;
  }

  attach(endpoint: E): void {
    this.byUser.set(endpoint.contactUser, endpoint);
  }

  detach(endpoint: E): void {
    if (this.byUser.get(endpoint.contactUser) === endpoint) this.byUser.delete(endpoint.contactUser);
  }

  isAttached(endpoint: E): boolean {
    return this.byUser.get(endpoint.contactUser) === endpoint;
  }

  all(): E[] {
    return [...this.byUser.values()];
  }

  /** Remembers an outgoing request's branch; returns it (undefined for responses we send). */
  outgoing(endpoint: E, text: string, now: number): string | undefined {
    if (text.startsWith("SIP/2.0 ")) return undefined;
    const found = topViaBranch(text);
    if (!found) return undefined;
    // The table keeps it for Timer F: a copy, not a slice that keeps the whole request text.
    const branch = detachedCopy(found);
    this.byBranch.set(branch, { endpoint, at: now });
    return branch;
  }

  route(text: string): { key: RouteKey | undefined; endpoint: E | undefined } {
    const key = routeKeyOf(text);
    if (key?.kind === "response") {
      const endpoint = this.byBranch.get(key.branch)?.endpoint;
      return { key, endpoint: endpoint && this.isAttached(endpoint) ? endpoint : undefined };
    }
    if (key?.kind === "request" && key.user !== undefined) return { key, endpoint: this.byUser.get(key.user) };
    return { key, endpoint: undefined };
  }

  sweep(now: number): void {
    for (const [branch, entry] of this.byBranch) if (now - entry.at > TRANSACTION_MS) this.byBranch.delete(branch);
  }

  clear(): void {
    this.byBranch.clear();
    this.byUser.clear();
  }
}
