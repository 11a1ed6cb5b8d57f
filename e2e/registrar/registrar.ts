/**
 * A real Kamailio registrar for tests and benchmarks, on free loopback ports with its own run
 * directory, so several can run at once. Users are seeded and bindings removed with kamcmd,
 * the way an admin does it.
 *
 * Kamailio comes from Debian's packages; `scripts/ensure-system-deps.sh` installs it.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { stopChild } from "../support/stop-child.js";

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const KAMAILIO = "/usr/sbin/kamailio";
const KAMCMD = "/usr/sbin/kamcmd";
const DBTEXT_SCHEMAS = "/usr/share/kamailio/dbtext/kamailio";

export interface RegistrarOptions {
  domain?: string;
  users?: Record<string, string>;
}

export interface Registrar {
  readonly domain: string;
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly wsPort: number;
  /** `sip:127.0.0.1:PORT` for an account's outbound proxy (UDP). */
  readonly proxyUri: string;
  /** Outbound proxy URIs per transport. */
  readonly proxy: { udp: string; tcp: string; ws: string };
  addUser(user: string, password: string): Promise<void>;
  removeUser(user: string): Promise<void>;
  /** Contacts bound to the user's AOR, as the registrar's location table has them. */
  contacts(user: string): Promise<string[]>;
  /** Admin removal of every binding of the user (`kamcmd ul.rm location USER`). */
  removeBindings(user: string): Promise<void>;
  /** Stops and starts Kamailio on the same ports; bindings and subscriptions are lost, users kept. */
  restart(): Promise<void>;
  kamcmd(...args: string[]): Promise<string>;
  log(): string;
  stop(): Promise<void>;
}

/** Debian puts modules under the multiarch directory of the machine. */
function modulesDir(): string | undefined {
  const candidates = ["x86_64-linux-gnu", "aarch64-linux-gnu", "arm-linux-gnueabihf", "i386-linux-gnu"].map(
    (arch) => `/usr/lib/${arch}/kamailio/modules/`,
  );
  return [...candidates, "/usr/lib/kamailio/modules/", "/usr/lib64/kamailio/modules/"].find((d) =>
    ["registrar.so", "presence_reginfo.so", "websocket.so"].every((m) => existsSync(join(d, m))),
  );
}

export function kamailioInstalled(): boolean {
  return existsSync(KAMAILIO) && existsSync(KAMCMD) && existsSync(DBTEXT_SCHEMAS) && modulesDir() !== undefined;
}

export async function startRegistrar(opts: RegistrarOptions = {}): Promise<Registrar> {
  if (!kamailioInstalled()) {
    throw new Error("Kamailio is not installed: run scripts/ensure-system-deps.sh (installs Debian's kamailio packages)");
  }
  const domain = opts.domain ?? "regwatch.test";
  const dir = mkdtempSync(join(tmpdir(), "regwatch-kamailio-"));
  mkdirSync(join(dir, "db"));
  cpSync(DBTEXT_SCHEMAS, join(dir, "db"), { recursive: true });
  const [udpPort, tcpPort, wsPort] = [await freeUdpPort(), await freeTcpPort(), await freeTcpPort()];
  const cfg = readFileSync(join(HERE, "kamailio.cfg"), "utf8")
    .replaceAll("__MODULES_DIR__", modulesDir()!)
    .replaceAll("__DOMAIN__", domain)
    .replaceAll("__UDP_PORT__", String(udpPort))
    .replaceAll("__TCP_PORT__", String(tcpPort))
    .replaceAll("__WS_PORT__", String(wsPort))
    .replaceAll("__RUN_DIR__", dir)
    .replaceAll("__AUTH_SECRET__", randomBytes(8).toString("hex"));
  const cfgFile = join(dir, "kamailio.cfg");
  writeFileSync(cfgFile, cfg);
  const ctl = `unix:${join(dir, "kamailio_ctl")}`;
  let output = "";
  const kamcmd = async (...args: string[]) => (await run(KAMCMD, ["-s", ctl, ...args], { timeout: 10_000 })).stdout;
  const users = new Map<string, string>();

  /** Starts Kamailio and waits until its control socket answers. */
  const launch = async (): Promise<ChildProcess> => {
    const proc = spawn(KAMAILIO, ["-f", cfgFile, "-DD", "-E", "-m", "64", "-M", "8", "-Y", dir, "-w", dir], { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (b: Buffer) => {
      output += b.toString();
      if (output.length > 2_000_000) output = output.slice(-1_000_000);
    };
    proc.stdout!.on("data", keep);
    proc.stderr!.on("data", keep);
    let exited = false;
    proc.on("exit", () => (exited = true));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (exited) throw new Error(`kamailio exited at start:\n${output.slice(-4000)}`);
      try {
        await kamcmd("core.version");
        break;
      } catch {
        if (Date.now() > deadline) {
          proc.kill("SIGKILL");
          throw new Error(`kamailio did not start within 20 s:\n${output.slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const [user, password] of users) await kamcmd("htable.sets", "users", user, password);
    return proc;
  };
  let child = await launch();

  const registrar: Registrar = {
    domain,
    host: "127.0.0.1",
    udpPort,
    tcpPort,
    wsPort,
    proxyUri: `sip:127.0.0.1:${udpPort}`,
    proxy: { udp: `sip:127.0.0.1:${udpPort}`, tcp: `sip:127.0.0.1:${tcpPort};transport=tcp`, ws: `sip:127.0.0.1:${wsPort};transport=ws` },
    addUser: async (user, password) => {
      users.set(user, password);
      await kamcmd("htable.sets", "users", user, password);
    },
    removeUser: async (user) => {
      users.delete(user);
      await kamcmd("htable.delete", "users", user);
    },
    contacts: async (user) => {
      try {
        const out = await kamcmd("ul.lookup", "location", user);
        return [...out.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
      } catch (e) {
        // kamcmd exits non-zero with "AOR not found" when there is no binding.
        if (/not found/i.test(String((e as { stdout?: string }).stdout ?? (e as Error).message))) return [];
        throw e;
      }
    },
    removeBindings: async (user) => void (await kamcmd("ul.rm", "location", user)),
    kamcmd,
    log: () => output,
    restart: async () => {
      // Its location table is in memory: a restart loses every binding, as in production.
      await stopChild(child);
      child = await launch();
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [user, password] of Object.entries(opts.users ?? {})) await registrar.addUser(user, password);
  return registrar;
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket("udp4");
    sock.once("error", reject);
    sock.bind(0, "127.0.0.1", () => {
      const port = sock.address().port;
      sock.close(() => resolve(port));
    });
  });
}
