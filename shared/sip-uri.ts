// SIP URI checks both sides need (form validation in the renderer, API validation in main).
// Parsing is sip.js's RFC 3261 grammar rather than a hand-written regex; the deep import keeps
// the renderer bundle to the grammar alone.
import { Grammar } from "sip.js/lib/grammar/grammar.js";

export interface ParsedSipUri {
  scheme: "sip" | "sips";
  user?: string;
  host: string;
  port?: number;
  transport?: string;
}

/**
 * sip.js's PEG grammar takes ~130 µs per URI; the same AORs and registrars are parsed again and
 * again (validation, identity keys, bulk imports of 50,000 accounts), so results are memoised.
 * Bounded: the cache is emptied when full.
 */
const cache = new Map<string, Readonly<ParsedSipUri> | null>();
const CACHE_MAX = 100_000;

export function parseSipUri(text: string): Readonly<ParsedSipUri> | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseUncached(text);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, parsed ? Object.freeze(parsed) : null);
  return parsed;
}

function parseUncached(text: string): ParsedSipUri | undefined {
  // The grammar accepts surrounding whitespace in some places; a field value must not have any.
  if (text.trim() !== text || text.length === 0 || text.length > 512) return undefined;
  const uri = Grammar.URIParse(text);
  if (!uri) return undefined;
  const scheme = uri.scheme.toLowerCase();
  if (scheme !== "sip" && scheme !== "sips") return undefined;
  const transport = uri.getParam("transport");
  return {
    scheme,
    user: uri.user || undefined,
    host: uri.host,
    port: uri.port,
    transport: typeof transport === "string" ? transport.toLowerCase() : undefined,
  };
}
