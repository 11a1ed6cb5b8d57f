/**
 * Registration at scale against the project's Kamailio, and the same against baresip (a C user
 * agent) in the same run. Per N: time until all registered, REGISTER transactions per second,
 * p50/p99 REGISTER latency, engine RSS and heap per account, CPU seconds per registration.
 * Pacing is off (the point is raw rate; the engine's start-up window still applies); every wait
 * is bounded.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineStats } from "../shared/contract.js";
import { startRegistrar, type Registrar } from "../e2e/registrar/registrar.js";
import { startHeadlessHost } from "../e2e/support/headless-host.js";
import { peakToMean, perSecond, sampleRegisterRate } from "./refresh-load.js";
import { measureUi, type UiRun } from "./ui-at-scale.js";

export interface RegwatchRun {
  n: number;
  watchRegEvent: boolean;
  expiresSec: number;
  wallSec: number;
  registersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  rssPerAccountKiB: number;
  heapPerAccountKiB: number;
  cpuSecPerRegistration: number;
  regEventActive: number;
  /** Accounts registered (and watching, if asked) when the run ended; below n means it timed out. */
  registered: number;
  retransmissions: number;
  /** Times the engine's event loop was blocked past a retransmission tick (GC pauses, mostly). */
  stalls: number;
  /** Accepted REGISTERs per second at the registrar over the first refresh round. */
  refresh?: {
    fromSec: number;
    toSec: number;
    meanPerSec: number;
    peakPerSec: number;
    peakToMean: number;
    /** Accepted REGISTERs in each second from the start to `toSec`: the burst, then the round. */
    perSecond: number[];
  };
  ui?: UiRun;
}

/** Every account registered, and watching when the run watches. */
export function finished(x: Pick<RegwatchRun, "n" | "watchRegEvent" | "registered" | "regEventActive">): boolean {
  return x.registered >= x.n && (!x.watchRegEvent || x.regEventActive >= x.n);
}

export interface RunOptions {
  watchRegEvent: boolean;
  expiresSec: number;
  timeoutMs: number;
  /** Stay until every account refreshed once and measure the refresh load. */
  refresh?: boolean;
  /** Measure the UI in Chromium once everything is registered. */
  ui?: boolean;
  /**
   * Work to run while this run only waits for its refresh round (the engine then uses well
   * under a core); awaited before the run ends.
   */
  whileRefreshing?: () => Promise<unknown>;
}

export interface BaresipRun {
  n: number;
  wallSec: number;
  cpuSec: number;
  registered: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function users(prefix: string, n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `pw-${prefix}${i}`]));
}

export async function runRegwatch(registrar: Registrar, prefix: string, n: number, opts: RunOptions): Promise<RegwatchRun> {
  // BENCH_PROFILE=DIR: each engine writes a V8 CPU profile there when it stops (how the
  // largest cost named in docs/benchmarks.md was found).
  const profile = process.env.BENCH_PROFILE;
  const host = await startHeadlessHost({
    args: ["--rate", "1000000"],
    logLevel: "warn",
    nodeArgs: profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [],
    // A profile is written only on a clean exit, and stopping 50,000 accounts takes a while.
    stopGraceMs: profile ? 120_000 : undefined,
  });
  try {
    const stats = async () => (await (await host.api("/api/engine/stats")).json()) as EngineStats;
    const lines = ["name,aor,password,outboundProxy,expires,watchRegEvent"];
    for (let i = 0; i < n; i++) lines.push(`${prefix}${i},sip:${prefix}${i}@${registrar.domain},pw-${prefix}${i},${registrar.proxyUri},${opts.expiresSec},${opts.watchRegEvent}`);
    const before = await stats();
    const t0 = Date.now();
    // Refreshes come in [30 %, 50 %] of the expiry after each registration (refresh planner):
    // sample the registrar from the start until every account has refreshed once (n first
    // REGISTERs and n refreshes accepted), or at the latest once the last one's window has passed.
    let latestEnd = Number.POSITIVE_INFINITY;
    const sampling = opts.refresh ? sampleRegisterRate(registrar, (r, first) => r.total - first.total >= 2 * n || r.atMs > latestEnd) : undefined;
    const res = await host.api("/api/accounts/import", { method: "POST", body: JSON.stringify({ format: "csv", content: lines.join("\n") }) });
    if (res.status !== 200) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    let s = await stats();
    const deadline = t0 + opts.timeoutMs;
    const progress = () => ({ n, watchRegEvent: opts.watchRegEvent, registered: s.byState.registered ?? 0, regEventActive: s.regEventActive });
    // A run that does not finish in time is reported as such (with how far it got), not thrown away.
    while (!finished(progress()) && Date.now() < deadline) {
      // Stats walk every account: asking often would load the engine it measures (at 50,000
      // accounts, every 100 ms cost 7 % of its CPU).
      await sleep(250);
      s = await stats();
    }
    const wallSec = (Date.now() - t0) / 1000;
    const cpuSec = (s.cpuMicros.user + s.cpuMicros.system - before.cpuMicros.user - before.cpuMicros.system) / 1e6;
    const run: RegwatchRun = {
      ...progress(),
      expiresSec: opts.expiresSec,
      wallSec: round(wallSec),
      registersPerSec: Math.round(n / wallSec),
      p50Ms: round(s.registerLatencyMs.p50),
      p99Ms: round(s.registerLatencyMs.p99),
      rssMiB: Math.round(s.rssBytes / 2 ** 20),
      rssPerAccountKiB: round((s.rssBytes - before.rssBytes) / n / 1024),
      heapPerAccountKiB: round((s.heapUsedBytes - before.heapUsedBytes) / n / 1024),
      cpuSecPerRegistration: Number((cpuSec / n).toPrecision(3)),
      retransmissions: s.udp.retransmissions - before.udp.retransmissions,
      stalls: s.udp.stalls - before.udp.stalls,
    };
    if (sampling) {
      // From the first refresh, or from the end of the initial burst if that came later: the
      // burst is start-up load, not refresh load.
      const fromSec = Math.max(Math.ceil(opts.expiresSec * 0.3), Math.ceil(wallSec) + 1);
      // A few seconds past the window for the refresh's own round trip.
      latestEnd = t0 + (opts.expiresSec * 0.5 + wallSec + 5) * 1000;
      const [readings] = await Promise.all([sampling, opts.whileRefreshing?.()]);
      const toSec = Math.floor((readings.at(-1)!.atMs - t0) / 1000);
      // Sampling began before the import, so nothing was accepted between t0 and the first reading.
      const series = perSecond([{ atMs: t0, total: readings[0]!.total }, ...readings], t0, t0 + toSec * 1000).map(Math.round);
      const load = peakToMean(series.slice(fromSec));
      run.refresh = { fromSec, toSec, meanPerSec: round(load.mean), peakPerSec: round(load.peak), peakToMean: round(load.ratio), perSecond: series };
    }
    if (opts.ui && finished(run)) run.ui = await measureUi(host, registrar, Array.from({ length: n }, (_, i) => `${prefix}${i}`));
    return run;
  } finally {
    await host.stop();
  }
}

/** baresip with one account line per user, until every account printed its 200 OK. */
export async function runBaresip(registrar: Registrar, prefix: string, n: number, timeoutMs: number): Promise<BaresipRun> {
  const dir = mkdtempSync(join(tmpdir(), "regwatch-baresip-"));
  writeFileSync(join(dir, "config"), "module_path\t/usr/lib/baresip/modules\nsip_listen\t127.0.0.1:0\nmodule_app\taccount.so\nsip_trans_def\tudp\n");
  writeFileSync(
    join(dir, "accounts"),
    Array.from({ length: n }, (_, i) => `<sip:${prefix}${i}@${registrar.domain}>;auth_pass=pw-${prefix}${i};outbound="${registrar.proxyUri}";regint=3600\n`).join(""),
  );
  const t0 = performance.now();
  // stdbuf: baresip's stdout is block-buffered into a pipe; each 200 OK line must arrive at once.
  const child = spawn("stdbuf", ["-oL", "baresip", "-4", "-f", dir], { stdio: ["ignore", "pipe", "pipe"] });
  let registered = 0;
  let wallSec = 0;
  const done = new Promise<void>((resolve) => {
    let tail = "";
    child.stdout!.on("data", (b: Buffer) => {
      const text = tail + b.toString();
      const lines = text.split("\n");
      tail = lines.pop() ?? "";
      for (const l of lines) if (/\} 200 OK/.test(l)) registered++;
      if (registered >= n && !wallSec) {
        wallSec = (performance.now() - t0) / 1000;
        resolve();
      }
    });
    child.once("exit", () => resolve());
  });
  await Promise.race([done, sleep(timeoutMs)]);
  const cpuSec = processCpuSec(child.pid!); // stdbuf execs baresip: same pid
  child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  return { n, wallSec: round(wallSec || timeoutMs / 1000), cpuSec: round(cpuSec), registered };
}

/** utime + stime of a live process, from /proc (clock ticks of 1/100 s on Linux). */
function processCpuSec(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

export function benchRegistrar(userSets: Record<string, string>): Promise<Registrar> {
  return startRegistrar({ users: userSets, shmMiB: 2048, children: 4 });
}
