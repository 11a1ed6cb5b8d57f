/**
 * `regwatch` command line. `serve` runs the engine headless with the HTTP + WebSocket host and
 * the built UI, on loopback unless told otherwise.
 */
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { Engine } from "./engine.js";
import { startHttpHost } from "./host/http-host.js";
import { generateToken, TOKEN_PATTERN } from "./host/token.js";
import { createLogger } from "./log.js";

const USAGE = `usage:
  regwatch serve [--data DIR] [--host 127.0.0.1] [--port 7480] [--token TOKEN]
                 [--sip-bind ADDR] [--sip-advertise ADDR] [--sip-port PORT]

  --token   bearer token for the API (else $REGWATCH_TOKEN, else a random one is printed)
  --data    data directory (default ${defaultDataDir()})`;

export function defaultDataDir(): string {
  if (process.platform === "win32") return join(process.env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "regwatch");
  if (process.platform === "darwin") return join(homedir(), "Library", "Application Support", "regwatch");
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "regwatch");
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "7480" },
      token: { type: "string" },
      "sip-bind": { type: "string" },
      "sip-advertise": { type: "string" },
      "sip-port": { type: "string" },
    },
    strict: true,
  });
  const logger = createLogger();
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${values.port}`);
  const token = values.token ?? process.env.REGWATCH_TOKEN ?? generateToken();
  if (!TOKEN_PATTERN.test(token)) throw new UsageError("the token must be 8-256 characters of A-Z a-z 0-9 _ -");
  const host = values.host!;
  if (!LOOPBACK.has(host)) {
    logger.warn(`the API is bound to ${host}, not loopback: anyone who can reach it and has the token controls Regwatch`);
  }
  const dataDir = values.data ?? defaultDataDir();
  const engine = await Engine.create({
    dataDir,
    logger,
    sipBind: values["sip-bind"],
    sipAdvertise: values["sip-advertise"],
    sipPort: values["sip-port"] !== undefined ? Number(values["sip-port"]) : undefined,
  });
  const staticDir = join(dirname(fileURLToPath(import.meta.url)), "..", "renderer");
  const http = await startHttpHost({ engine, host, port, token, staticDir, logger });
  logger.info("engine started", { dataDir, sip: `${engine.sipAddress.address}:${engine.sipAddress.port}` });
  process.stdout.write(`listening on ${http.url}#token=${token}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: unregistering and stopping`);
    await http.close();
    await engine.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        await serve(rest);
        return 0;
      case undefined:
      case "help":
      case "--help":
        process.stdout.write(USAGE + "\n");
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    const message = e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? `${(e as Error).message}\n${USAGE}` : (e as Error).stack;
    process.stderr.write(`regwatch: ${message}\n`);
    return 2;
  }
}

// Run when executed directly (the bundle), not when imported by tests.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
