/**
 * `npm run bench`: every benchmark, printed as a table and saved under bench/results/ (and the
 * table in docs/benchmarks.md). Timings live here, not in the tests. Sizes: BENCH_SIZES
 * (default 1000,10000); baresip runs for the same sizes against the same registrar.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { measureNotifyLatency } from "./notify-latency.js";
import { runBaresip, runRegwatch, users, withRegistrar, type BaresipRun, type RegwatchRun } from "./registration.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`machine: ${machine}`);

const latency = await measureNotifyLatency();
console.log(`NOTIFY → alert in the UI: ${latency.rounds} rounds, p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms`);

const rows: { regwatch: RegwatchRun; watching?: RegwatchRun; baresip: BaresipRun }[] = [];
for (const n of sizes) {
  const row = await withRegistrar({ ...users("r", n), ...users("w", n), ...users("b", n) }, async (registrar) => ({
    regwatch: await runRegwatch(registrar, "r", n, false, 180_000),
    watching: await runRegwatch(registrar, "w", n, true, 180_000),
    baresip: await runBaresip(registrar, "b", n, 180_000),
  }));
  rows.push(row);
  console.log(JSON.stringify(row));
}

const table = [
  "| N | reg-event | wall s | REGISTER/s | p50 ms | p99 ms | RSS MiB | RSS/account KiB | heap/account KiB | CPU ms/registration | baresip wall s | baresip CPU s | wall ratio | CPU ratio |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...rows.flatMap(({ regwatch: r, watching: w, baresip: b }) =>
    [r, w].filter((x): x is RegwatchRun => !!x).map(
      (x) =>
        `| ${x.n} | ${x.watchRegEvent ? "on" : "off"} | ${x.wallSec}${x.registered < x.n || (x.watchRegEvent && x.regEventActive < x.n) ? ` (timed out: ${x.registered} registered, ${x.regEventActive} watching)` : ""} | ${x.registersPerSec} | ${x.p50Ms} | ${x.p99Ms} | ${x.rssMiB} | ${x.rssPerAccountKiB} | ${x.heapPerAccountKiB} | ${(x.cpuSecPerRegistration * 1000).toFixed(2)} | ${b.wallSec}${b.registered < b.n ? ` (${b.registered} done)` : ""} | ${b.cpuSec} | ${(x.wallSec / b.wallSec).toFixed(2)} | ${((x.cpuSecPerRegistration * x.n) / b.cpuSec).toFixed(2)} |`,
    ),
  ),
];
console.log(table.join("\n"));
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", JSON.stringify({ at: new Date().toISOString(), machine, notifyLatency: latency, registration: rows }, null, 2) + "\n");
mkdirSync("docs", { recursive: true });
writeFileSync(
  "docs/benchmarks.md",
  `# Benchmarks\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}. Kamailio (Debian, 4 UDP workers) on loopback, digest auth on every REGISTER, pacing off; Regwatch runs as the headless host in its own process. baresip (Debian baresip-core) registers its own N users against the same registrar in the same run. Ratios are Regwatch / baresip (below 1: Regwatch faster or cheaper).\n\nNOTIFY → alert in the UI (Chromium, headless host): ${latency.rounds} rounds, p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms.\n\n${table.join("\n")}\n\nREGISTER latency includes the digest round trip and UDP retransmissions: with pacing off, a burst of N requests overflows the registrar's socket buffer and some wait for a retransmission.\n`,
);
