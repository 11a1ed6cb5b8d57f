/**
 * REST routes of the headless host, each a thin mapping onto a contract command. Path
 * parameters and bodies become the command's input; the schema checks happen in dispatch.
 */
import { MAX_IMPORT_BYTES, type CommandName } from "../../shared/contract.js";

interface RouteInput {
  body: unknown;
  query: URLSearchParams;
}

interface RouteArgs extends RouteInput {
  /** Decoded path parameters, in order. */
  params: string[];
}

export interface Route {
  needsBody: boolean;
  /** Largest body accepted, when larger than the default. */
  maxBody?: number;
  status?: number;
  build(input: RouteInput): { command: CommandName; input: unknown };
}

interface RouteDef {
  method: string;
  pattern: RegExp;
  needsBody: boolean;
  maxBody?: number;
  status?: number;
  build(args: RouteArgs): { command: CommandName; input: unknown };
}

const ID = "([^/]{1,64})";
const ACTIONS: Record<string, CommandName> = {
  enable: "accounts.enable",
  disable: "accounts.disable",
  register: "accounts.register",
  unregister: "accounts.unregister",
  "unregister-all": "accounts.unregisterAll",
};

/** `?limit=N`, left to the command's schema to check (a non-number fails it with 400). */
function limitOf(query: URLSearchParams): { limit?: number } {
  const limit = query.get("limit");
  return limit !== null ? { limit: Number(limit) } : {};
}

const ROUTES: RouteDef[] = [
  { method: "GET", pattern: /^\/api\/snapshot$/, needsBody: false, build: () => ({ command: "state.snapshot", input: undefined }) },
  { method: "GET", pattern: /^\/api\/accounts$/, needsBody: false, build: () => ({ command: "accounts.list", input: undefined }) },
  { method: "POST", pattern: /^\/api\/accounts$/, needsBody: true, status: 201, build: ({ body }) => ({ command: "accounts.create", input: body ?? {} }) },
  {
    method: "POST",
    pattern: /^\/api\/accounts\/import$/,
    needsBody: true,
    maxBody: MAX_IMPORT_BYTES + 1024,
    build: ({ body }) => ({ command: "accounts.import", input: body }),
  },
  {
    method: "GET",
    pattern: /^\/api\/accounts\/export$/,
    needsBody: false,
    build: ({ query }) => ({
      command: "accounts.export",
      input: { format: query.get("format") ?? "json", withPasswords: query.get("withPasswords") === "true" },
    }),
  },
  { method: "GET", pattern: new RegExp(`^/api/accounts/${ID}$`), needsBody: false, build: ({ params }) => ({ command: "accounts.get", input: { id: params[0] } }) },
  {
    method: "PATCH",
    pattern: new RegExp(`^/api/accounts/${ID}$`),
    needsBody: true,
    build: ({ body, params }) => ({ command: "accounts.update", input: { id: params[0], patch: body ?? {} } }),
  },
  { method: "DELETE", pattern: new RegExp(`^/api/accounts/${ID}$`), needsBody: false, build: ({ params }) => ({ command: "accounts.delete", input: { id: params[0] } }) },
  {
    method: "POST",
    pattern: new RegExp(`^/api/accounts/${ID}/(${Object.keys(ACTIONS).join("|")})$`),
    needsBody: false,
    build: ({ params }) => ({ command: ACTIONS[params[1]!]!, input: { id: params[0] } }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/accounts/${ID}/trace$`),
    needsBody: false,
    build: ({ query, params }) => ({ command: "accounts.trace", input: { id: params[0], ...limitOf(query) } }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/accounts/${ID}/history$`),
    needsBody: false,
    build: ({ query, params }) => ({ command: "accounts.history", input: { id: params[0], ...limitOf(query) } }),
  },
  { method: "GET", pattern: /^\/api\/engine\/stats$/, needsBody: false, build: () => ({ command: "engine.stats", input: undefined }) },
  { method: "POST", pattern: /^\/api\/engine\/network-changed$/, needsBody: false, build: () => ({ command: "engine.networkChanged", input: undefined }) },
  { method: "GET", pattern: /^\/api\/alerts$/, needsBody: false, build: () => ({ command: "alerts.list", input: undefined }) },
  { method: "POST", pattern: new RegExp(`^/api/alerts/${ID}/ack$`), needsBody: false, build: ({ params }) => ({ command: "alerts.ack", input: { id: params[0] } }) },
  // The generic form every client library uses: POST /api/commands/<name> with the input as body.
  {
    method: "POST",
    pattern: /^\/api\/commands\/([a-zA-Z.]{1,64})$/,
    needsBody: true,
    maxBody: MAX_IMPORT_BYTES + 1024,
    build: ({ body, params }) => ({ command: params[0] as CommandName, input: body }),
  },
];

export function matchRoute(method: string, pathname: string): Route | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params = m.slice(1).map(safeDecode);
    return { needsBody: r.needsBody, maxBody: r.maxBody, status: r.status, build: (input) => r.build({ ...input, params }) };
  }
  return undefined;
}

function safeDecode(s: string | undefined): string {
  try {
    return decodeURIComponent(s ?? "");
  } catch {
    return s ?? "";
  }
}
