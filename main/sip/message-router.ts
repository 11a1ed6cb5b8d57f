/**
 * Which account an incoming message on a shared socket or connection belongs to: a response by
 * the branch its request went out with, a request by its Request-URI user (each account's
 * Contact has its own user). Entries for requests expire after Timer F, swept in bulk.
 */
import { routeKeyOf, topViaBranch, type RouteKey } from "./message-routing.js";
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
    for (const [branch, entry] of this.byBranch) if (entry.endpoint === endpoint) this.byBranch.delete(branch);
  }

  all(): E[] {
    return [...this.byUser.values()];
  }

  /** Remembers an outgoing request's branch; returns it (undefined for responses we send). */
  outgoing(endpoint: E, text: string, now: number): string | undefined {
    if (text.startsWith("SIP/2.0 ")) return undefined;
    const branch = topViaBranch(text);
    if (branch) this.byBranch.set(branch, { endpoint, at: now });
    return branch;
  }

  route(text: string): { key: RouteKey | undefined; endpoint: E | undefined } {
    const key = routeKeyOf(text);
    if (key?.kind === "response") return { key, endpoint: this.byBranch.get(key.branch)?.endpoint };
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
