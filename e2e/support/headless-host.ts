/**
 * Starts the built headless host (`regwatch serve`) as a separate process with its own data
 * directory, the way a user runs it, and waits for its "listening on" line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stopChild } from "./stop-child.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface HeadlessHost {
  /** Base URL, ending in "/". */
  url: string;
  token: string;
  /** URL the user opens: base URL with the token in the fragment. */
  pageUrl: string;
  dataDir: string;
  output(): string;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Sends a signal (SIGKILL for crash tests); `stop` still cleans up. */
  kill(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export async function startHeadlessHost(
  opts: {
    dataDir?: string;
    keepData?: boolean;
    args?: string[];
    logLevel?: string;
    /** Options for node itself, e.g. --cpu-prof. */
    nodeArgs?: string[];
    /** How long `stop` waits for a clean exit before SIGKILL (a profile is written only on a clean exit). */
    stopGraceMs?: number;
  } = {},
): Promise<HeadlessHost> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "regwatch-host-"));
  const token = randomBytes(18).toString("hex");
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), join(ROOT, "bin", "regwatch.mjs"), "serve", "--data", dataDir, "--port", "0", `--token=${token}`, "--sip-bind", "127.0.0.1", ...(opts.args ?? [])],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REGWATCH_LOG: opts.logLevel ?? "info" } },
  );
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+\/)#token=/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    token,
    pageUrl: `${url}#token=${token}`,
    dataDir,
    output: () => out,
    api: (path, init = {}) =>
      fetch(new URL(path, url), {
        ...init,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
      }),
    kill: (signal) => void child.kill(signal),
    stop: async () => {
      await stopChild(child, opts.stopGraceMs ?? 10_000);
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
