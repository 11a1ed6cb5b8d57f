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
import { stopProcessTree } from "../support/stop-child.js";

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const KAMAILIO = "/usr/sbin/kamailio";
const KAMCMD = "/usr/sbin/kamcmd";
const DBTEXT_SCHEMAS = "/usr/share/kamailio/dbtext/kamailio";

export interface RegistrarOptions {
  domain?: string;
  users?: Record<string, string>;
  /** Shared memory for Kamailio (MiB): tens of thousands of bindings need more than tests do. */
  shmMiB?: number;
  /** Kamailio UDP worker processes. */
  children?: number;
}

export interface Registrar {
  readonly domain: string;
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly wsPort: number;
  readonly tlsPort: number;
  /** PEM of the test CA that signed the registrar's certificate (an account's tlsCaFile). */
  readonly caFile: string;
  /** `sip:127.0.0.1:PORT` for an account's outbound proxy (UDP). */
  readonly proxyUri: string;
  /** Outbound proxy URIs per transport. */
  readonly proxy: { udp: string; tcp: string; ws: string; tls: string; wss: string };
  addUser(user: string, password: string): Promise<void>;
  removeUser(user: string): Promise<void>;
  /** Contacts bound to the user's AOR, as the registrar's location table has them. */
  contacts(user: string): Promise<string[]>;
  /** Admin removal of every binding of the user (`kamcmd ul.rm location USER`). */
  removeBindings(user: string): Promise<void>;
  /** Adds a binding for another device, as an admin can (`kamcmd ul.add`). */
  addBinding(user: string, contact: string, expires: number): Promise<void>;
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
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [udpPort, tcpPort, wsPort, tlsPort] = [...ports] as [number, number, number, number];
  const caFile = await makeCertificates(dir);
  const cfg = readFileSync(join(HERE, "kamailio.cfg"), "utf8")
    .replaceAll("__MODULES_DIR__", modulesDir()!)
    .replaceAll("__DOMAIN__", domain)
    .replaceAll("__UDP_PORT__", String(udpPort))
    .replaceAll("__CHILDREN__", String(opts.children ?? 2))
    .replaceAll("__TCP_PORT__", String(tcpPort))
    .replaceAll("__WS_PORT__", String(wsPort))
    .replaceAll("__TLS_PORT__", String(tlsPort))
    .replaceAll("__RUN_DIR__", dir)
    .replaceAll("__AUTH_SECRET__", randomBytes(8).toString("hex"));
  const cfgFile = join(dir, "kamailio.cfg");
  writeFileSync(cfgFile, cfg);
  const ctl = `unix:${join(dir, "kamailio_ctl")}`;
  let output = "";
  const kamcmd = async (...args: string[]) => (await run(KAMCMD, ["-s", ctl, ...args], { timeout: 10_000 })).stdout;
  const users = new Map<string, string>(Object.entries(opts.users ?? {}));
  /** The users as Kamailio's db_text htable table, read at every start. */
  const writeUsers = () =>
    writeFileSync(
      join(dir, "db", "htable"),
      "id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int) \n" +
        [...users].map(([u, p], i) => `${i + 1}:${dbText(u)}:0:0:${dbText(p)}:0\n`).join(""),
    );

  /** Starts Kamailio and waits until its control socket answers. */
  const launch = async (): Promise<ChildProcess> => {
    writeUsers();
    const proc = spawn(KAMAILIO, ["-f", cfgFile, "-DD", "-E", "-m", String(opts.shmMiB ?? 64), "-M", "8", "-Y", dir, "-w", dir], { stdio: ["ignore", "pipe", "pipe"] });
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
    return proc;
  };
  let child = await launch();

  const registrar: Registrar = {
    domain,
    host: "127.0.0.1",
    udpPort,
    tcpPort,
    wsPort,
    tlsPort,
    caFile,
    proxyUri: `sip:127.0.0.1:${udpPort}`,
    proxy: { udp: `sip:127.0.0.1:${udpPort}`, tcp: `sip:127.0.0.1:${tcpPort};transport=tcp`, ws: `sip:127.0.0.1:${wsPort};transport=ws`,
      tls: `sip:127.0.0.1:${tlsPort};transport=tls`,
      wss: `sip:127.0.0.1:${tlsPort};transport=wss`,
    },
    addUser: async (user, password) => {
      users.set(user, password);
      writeUsers();
      await kamcmd("htable.sets", "users", user, password);
    },
    removeUser: async (user) => {
      users.delete(user);
      writeUsers();
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
    // table, AOR, contact, expires, q, path (s: forces an empty string), flags, cflags, methods
    addBinding: async (user, contact, expires) => void (await kamcmd("ul.add", "location", user, contact, String(expires), "1.0", "s:", "0", "0", "0")),
    kamcmd,
    log: () => output,
    restart: async () => {
      // Its location table is in memory: a restart loses every binding, as in production.
      await stopProcessTree(child);
      child = await launch();
    },
    stop: async () => {
      await stopProcessTree(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return registrar;
}

/**
 * A test CA and a server certificate it signs (for 127.0.0.1 and the registrar's name), made
 * with openssl in the run directory; plus Kamailio's tls.cfg. Returns the CA file.
 */
async function makeCertificates(dir: string): Promise<string> {
  const ssl = (...args: string[]) => run("openssl", args, { cwd: dir, timeout: 20_000 });
  await ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Regwatch test CA", "-keyout", "ca.key", "-out", "ca.pem");
  await ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=registrar.test", "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:registrar.test,IP:127.0.0.1\n");
  await ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem");
  writeFileSync(
    join(dir, "tls.cfg"),
    `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${join(dir, "server.key")}\ncertificate = ${join(dir, "server.pem")}\n\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n`,
  );
  return join(dir, "ca.pem");
}

/** db_text escapes its column separator and line breaks. */
function dbText(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/:/g, "\\:").replace(/\n/g, "\\n");
}

/**
 * A loopback port free for both TCP and UDP, taken below the kernel's ephemeral range: a port
 * from that range can be handed to some other test's outgoing connection while Kamailio
 * restarts, and the restart then fails to bind it.
 */
async function freePort(): Promise<number> {
  const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
  const floor = 10_000;
  if (!low || low - floor < 1_000) throw new Error(`ephemeral port range starts at ${low}: no room below it for test ports`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if ((await bindable(port, "tcp")) && (await bindable(port, "udp"))) return port;
  }
  throw new Error(`no free loopback port found in ${floor}-${low - 1}`);
}

function bindable(port: number, kind: "tcp" | "udp"): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === "tcp") {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    } else {
      const sock = createSocket("udp4");
      sock.once("error", () => (sock.close(), resolve(false)));
      sock.bind(port, "127.0.0.1", () => sock.close(() => resolve(true)));
    }
  });
}
