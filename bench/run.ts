/**
 * `npm run bench`: every benchmark, printed as a table, saved as bench/results/latest.json and
 * written to docs/benchmarks.md. Timings live here, not in the tests.
 *
 * Sizes: BENCH_SIZES (default 1000,10000,50000). Per size, against one fresh Kamailio: Regwatch
 * with reg-event watching off (short expiry, staying for one refresh round to measure the
 * refresh load), Regwatch with watching on (then the UI in Chromium), and baresip with the same
 * number of accounts up to BENCH_BARESIP_MAX (default 10000: baresip registers about 100
 * accounts a second, so 50,000 would take most of the 15 minutes the whole run may take).
 * baresip's run overlaps the next size's refresh round (see below).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { measureNotifyLatency } from "./notify-latency.js";
import { benchRegistrar, finished, runBaresip, runRegwatch, users, type BaresipRun, type RegwatchRun } from "./registration.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);
const baresipMax = Number(process.env.BENCH_BARESIP_MAX ?? 10_000);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const startedAt = Date.now();
const elapsed = () => `${Math.round((Date.now() - startedAt) / 1000)} s`;
console.log(`machine: ${machine}`);

const latency = await measureNotifyLatency();
console.log(`NOTIFY → alert in the UI: ${latency.rounds} rounds, p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms (${elapsed()})`);

interface Row {
  n: number;
  off: RegwatchRun;
  on: RegwatchRun;
  baresip?: BaresipRun;
}
const rows: Row[] = [];
// baresip registers about 100 accounts a second whatever the machine does, so its run for one
// size waits and goes along with the next size's refresh round, when Regwatch mostly waits too
// (its registrar stays up until then). That keeps the whole run under 15 minutes.
let deferred: (() => Promise<void>) | undefined;
for (const n of sizes) {
  const withBaresip = n <= baresipMax;
  // Expiry for the refresh round: short enough to observe, long enough that the flat refresh
  // rate it implies (n / (0.4 x expiry), about 290 a second here) stays well below what the
  // engine does with pacing off (about 450 a second at 50,000), so the round measures the
  // planner, not an engine that cannot keep up.
  const expiresSec = Math.max(60, Math.round(n / 110));
  const timeoutMs = Math.max(180_000, n * 8);
  const registrar = await benchRegistrar({ ...users("r", n), ...users("w", n), ...(withBaresip ? users("b", n) : {}) });
  const pending = deferred;
  deferred = undefined;
  const off = await runRegwatch(registrar, "r", n, { watchRegEvent: false, expiresSec, timeoutMs, refresh: true, whileRefreshing: pending });
  console.log(`${n} off: ${JSON.stringify(off, (k, v) => (k === "perSecond" ? undefined : v))} (${elapsed()})`);
  const on = await runRegwatch(registrar, "w", n, { watchRegEvent: true, expiresSec: 3600, timeoutMs, ui: true });
  console.log(`${n} on: ${JSON.stringify(on)} (${elapsed()})`);
  const row: Row = { n, off, on };
  rows.push(row);
  deferred = async () => {
    try {
      if (!withBaresip) return;
      row.baresip = await runBaresip(registrar, "b", n, 180_000);
      console.log(`${n} baresip: ${JSON.stringify(row.baresip)} (${elapsed()})`);
    } finally {
      await registrar.stop();
    }
  };
}
await deferred?.();

const fmt = (x: number) => x.toLocaleString("en-US");
const registrationTable = [
  "| N | reg-event | all registered | REGISTER/s | p50 latency | p99 latency | retransmissions | RSS | RSS/account | heap/account | CPU/registration | baresip wall | baresip CPU | wall ratio | CPU ratio |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...rows.flatMap(({ off, on, baresip: b }) =>
    [off, on].map((x) => {
      const wall = finished(x) ? `${x.wallSec} s` : `timed out after ${x.wallSec} s (${fmt(x.registered)} registered, ${fmt(x.regEventActive)} watching)`;
      const cpuSec = x.cpuSecPerRegistration * x.n;
      const vsBaresip =
        b && !x.watchRegEvent
          ? `${b.wallSec} s${b.registered < b.n ? ` (${fmt(b.registered)} done)` : ""} | ${b.cpuSec} s | ${(x.wallSec / b.wallSec).toFixed(2)} | ${(cpuSec / b.cpuSec).toFixed(2)}`
          : b
            ? " | | | "
            : "not run (above BENCH_BARESIP_MAX) | | | ";
      return `| ${fmt(x.n)} | ${x.watchRegEvent ? "on" : "off"} | ${wall} | ${x.registersPerSec} | ${fmt(x.p50Ms)} ms | ${fmt(x.p99Ms)} ms | ${fmt(x.retransmissions)} | ${x.rssMiB} MiB | ${x.rssPerAccountKiB} KiB | ${x.heapPerAccountKiB} KiB | ${(x.cpuSecPerRegistration * 1000).toFixed(2)} ms | ${vsBaresip} |`;
    }),
  ),
];
const refreshTable = [
  "| N | expiry | observed (s after start) | mean REGISTER/s | busiest 10 s | peak / mean |",
  "|---|---|---|---|---|---|",
  ...rows.map(({ n, off }) =>
    off.refresh
      ? `| ${fmt(n)} | ${off.expiresSec} s | ${off.refresh.fromSec}–${off.refresh.toSec} | ${off.refresh.meanPerSec} | ${off.refresh.peakPerSec} | ${off.refresh.peakToMean} |`
      : `| ${fmt(n)} | | not measured | | | |`,
  ),
];
const uiTable = [
  "| N | list shown | scroll p50 | scroll max | filter to 1 row | clear filter | forced removal → alert p50 | p99 | max |",
  "|---|---|---|---|---|---|---|---|---|",
  ...rows.map(({ n, on }) =>
    on.ui
      ? `| ${fmt(n)} | ${fmt(on.ui.firstRowMs)} ms | ${on.ui.scrollP50Ms} ms | ${on.ui.scrollMaxMs} ms | ${on.ui.filterMs} ms | ${on.ui.unfilterMs} ms | ${on.ui.removalToAlert.p50Ms} ms | ${on.ui.removalToAlert.p99Ms} ms | ${on.ui.removalToAlert.maxMs} ms |`
      : `| ${fmt(n)} | not measured (registration did not finish) | | | | | | | |`,
  ),
];
const totalSec = Math.round((Date.now() - startedAt) / 1000);
console.log([registrationTable, refreshTable, uiTable].map((t) => t.join("\n")).join("\n\n"));
console.log(`bench finished in ${totalSec} s`);

mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", JSON.stringify({ at: new Date().toISOString(), machine, totalSec, notifyLatency: latency, registration: rows }, null, 2) + "\n");
mkdirSync("docs", { recursive: true });
writeFileSync(
  "docs/benchmarks.md",
  `# Benchmarks

Written by \`npm run bench\` (${totalSec} s) on ${new Date().toISOString().slice(0, 10)}: ${machine}. Kamailio (Debian) on
loopback with 4 UDP workers and digest authentication on every REGISTER; Regwatch runs as the
headless host in its own process with pacing off (\`--rate 1000000\`; its start-up window of 64
accounts in flight still applies). baresip (Debian baresip-core) registers its own N users
against the same registrar in the same run, while the next size's Regwatch run waits for its
refresh round (the one overlap, to keep the whole run under 15 minutes). Ratios are
Regwatch / baresip: below 1, Regwatch is faster or cheaper. Raw figures:
\`bench/results/latest.json\`.

## Registration

${registrationTable.join("\n")}

Latency is from the first REGISTER to the 200 OK, including the digest round trip and the wait in
the start-up window. RSS and heap per account are the growth of the engine process divided by N.

## Refresh load

Accepted REGISTERs per second at the registrar (\`registrar:accepted_regs\`) over the first
refresh round after a start with pacing off, with a short expiry so the round comes soon. The
observation starts at the first refresh (30 % of the expiry) or, if the initial burst was still
going then, just after it, and ends when every account has refreshed once. The target is at
most 1.5.

${refreshTable.join("\n")}

## The UI with N accounts (Chromium, headless host)

Scroll and filter are the time from the change to the next painted frame with the list updated.
A forced removal is \`kamcmd ul.rm\` by an admin: the time to the alert banner covers Kamailio's
NOTIFY, the engine and the renderer.

${uiTable.join("\n")}

## NOTIFY → alert in the UI

A scripted registrar sends \`deactivated\` NOTIFYs to one account; a MutationObserver in Chromium
stamps each alert: ${latency.rounds} rounds, p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms.
`,
);
