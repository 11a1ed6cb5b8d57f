/**
 * `npm run bench`: every benchmark, printed as a table and saved under bench/results/.
 * Timings live here, not in the tests.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { measureNotifyLatency } from "./notify-latency.js";

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`machine: ${machine}`);

const latency = await measureNotifyLatency();
const rows = [["NOTIFY → alert in the UI", `${latency.rounds} rounds`, `p50 ${latency.p50} ms`, `p95 ${latency.p95} ms`, `p99 ${latency.p99} ms`, `max ${latency.max} ms`]];
for (const r of rows) console.log(r.join(" | "));

mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", JSON.stringify({ at: new Date().toISOString(), machine, notifyLatency: latency }, null, 2) + "\n");
