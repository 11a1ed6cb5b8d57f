/**
 * `regwatch` command line. `serve` runs the engine headless with the HTTP + WebSocket host and
 * the built UI, on loopback unless told otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { Engine } from "./engine.js";
import { EngineError } from "./errors.js";
import { dispatch } from "./host/dispatch.js";
import { startHttpHost } from "./host/http-host.js";
import { parseServeOptions, UsageError } from "./host/serve-options.js";
import { createLogger } from "./log.js";

const USAGE = `usage:
  regwatch serve [--data DIR] [--host 127.0.0.1] [--port 7480] [--token TOKEN]
                 [--sip-bind ADDR] [--sip-advertise ADDR] [--sip-port PORT] [--rate N]
  regwatch import FILE [--data DIR] [--format csv|json]
  regwatch export [--data DIR] [--format csv|json] [--with-passwords] [--out FILE]

  import/export work on the data directory directly: stop a running host first (or use its API).

  --token   bearer token for the API (else $REGWATCH_TOKEN, else a random one is printed)
  --rate    new REGISTERs per second at start-up, resume and imports (default 100)
  --data    data directory (default ${defaultDataDir()})`;

export function defaultDataDir(): string {
  if (process.platform === "win32") return join(process.env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "regwatch");
  if (process.platform === "darwin") return join(homedir(), "Library", "Application Support", "regwatch");
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "regwatch");
}

async function serve(argv: string[]): Promise<void> {
  const opts = parseServeOptions(argv);
  const logger = createLogger();
  const { host, port, token } = opts;
  if (opts.exposed) {
    logger.warn(`the API is bound to ${host}, not loopback: anyone who can reach it and has the token controls Regwatch`);
  }
  const dataDir = opts.dataDir ?? defaultDataDir();
  const engine = await Engine.create({
    dataDir,
    logger,
    sipBind: opts.sipBind,
    sipAdvertise: opts.sipAdvertise,
    sipPort: opts.sipPort,
    watchNetwork: true,
    watchSleep: true,
    startRatePerSec: opts.startRatePerSec,
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

/** Opens the store without starting any registration. */
function offlineEngine(dataDir: string | undefined): Promise<Engine> {
  return Engine.create({ dataDir: dataDir ?? defaultDataDir(), offline: true, sipBind: "127.0.0.1", logger: createLogger("warn") });
}

function formatOf(explicit: string | undefined, file: string | undefined): "csv" | "json" {
  const f = explicit ?? (file && /\.csv$/i.test(file) ? "csv" : "json");
  if (f !== "csv" && f !== "json") throw new UsageError(`--format must be csv or json, got ${f}`);
  return f;
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: "string" }, format: { type: "string" } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError("import takes one FILE");
  const content = readFileSync(file, "utf8");
  const engine = await offlineEngine(values.data);
  try {
    const result = await dispatch(engine, "accounts.import", { format: formatOf(values.format, file), content });
    const r = result as { imported: number; rejected: number; issues: { row: number; line?: number; field: string; message: string }[] };
    for (const i of r.issues) process.stderr.write(`${file}:${i.line ?? `row ${i.row}`}: ${i.field ? `${i.field}: ` : ""}${i.message}\n`);
    process.stdout.write(`imported ${r.imported} account(s), rejected ${r.rejected}\n`);
    return r.rejected > 0 || r.issues.length > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}

async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, format: { type: "string" }, "with-passwords": { type: "boolean", default: false }, out: { type: "string" } },
  });
  const engine = await offlineEngine(values.data);
  try {
    const result = (await dispatch(engine, "accounts.export", { format: formatOf(values.format, values.out), withPasswords: values["with-passwords"] })) as { content: string; count: number };
    if (values.out) writeFileSync(values.out, result.content, { mode: values["with-passwords"] ? 0o600 : 0o644 });
    else process.stdout.write(result.content);
    process.stderr.write(`exported ${result.count} account(s)${values["with-passwords"] ? " WITH passwords" : ""}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        await serve(rest);
        return 0;
      case "import":
        return await importCommand(rest);
      case "export":
        return await exportCommand(rest);
      case undefined:
      case "help":
      case "--help":
        process.stdout.write(USAGE + "\n");
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    const message =
      e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
        ? `${(e as Error).message}\n${USAGE}`
        : e instanceof EngineError
          ? [e.message, ...(e.issues ?? []).map((i) => `  ${i.path}: ${i.message}`)].join("\n")
          : (e as Error).stack;
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
