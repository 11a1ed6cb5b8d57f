/**
 * The options of `regwatch serve`, parsed without side effects: where the API binds (loopback
 * unless told otherwise) and which bearer token it takes (`--token`, else `$REGWATCH_TOKEN`,
 * else a generated one).
 */
import { parseArgs } from "node:util";
import { generateToken, TOKEN_PATTERN } from "./token.js";

/** A mistake on the command line: reported with the usage text. */
export class UsageError extends Error {}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 7480;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export interface ServeOptions {
  host: string;
  port: number;
  token: string;
  tokenSource: "flag" | "env" | "generated";
  /** The API is reachable from other machines (the CLI warns). */
  exposed: boolean;
  /** Absent: the platform's default data directory. */
  dataDir?: string;
  sipBind?: string;
  sipAdvertise?: string;
  sipPort?: number;
  startRatePerSec?: number;
}

export function parseServeOptions(argv: string[], env: Record<string, string | undefined> = process.env, generate: () => string = generateToken): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      host: { type: "string", default: DEFAULT_HOST },
      port: { type: "string", default: String(DEFAULT_PORT) },
      token: { type: "string" },
      "sip-bind": { type: "string" },
      "sip-advertise": { type: "string" },
      "sip-port": { type: "string" },
      rate: { type: "string" },
    },
    strict: true,
  });
  const port = portNumber("--port", values.port!);
  const [token, tokenSource] =
    values.token !== undefined
      ? [values.token, "flag" as const]
      : env.REGWATCH_TOKEN !== undefined
        ? [env.REGWATCH_TOKEN, "env" as const]
        : [generate(), "generated" as const];
  if (!TOKEN_PATTERN.test(token)) {
    throw new UsageError(`the token (from ${tokenSource === "flag" ? "--token" : "$REGWATCH_TOKEN"}) must be 8-256 characters of A-Z a-z 0-9 _ -`);
  }
  const host = values.host!;
  return {
    host,
    port,
    token,
    tokenSource,
    exposed: !LOOPBACK.has(host),
    dataDir: values.data,
    sipBind: values["sip-bind"],
    sipAdvertise: values["sip-advertise"],
    sipPort: values["sip-port"] !== undefined ? portNumber("--sip-port", values["sip-port"]) : undefined,
    startRatePerSec: values.rate !== undefined ? positiveNumber("--rate", values.rate) : undefined,
  };
}

function portNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be 0-65535, got ${text}`);
  return n;
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${text}`);
  return n;
}
