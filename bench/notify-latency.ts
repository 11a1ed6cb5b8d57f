/**
 * NOTIFY received -> alert visible in the UI, end to end: a scripted registrar sends
 * `deactivated` NOTIFYs to the headless host (built, its own process); Chromium shows the UI and
 * a MutationObserver stamps each change of the alert banner's repeat count. Latency is the
 * browser's stamp minus the moment the NOTIFY left the scripted peer (same machine, same clock).
 *
 * Bounded: ROUNDS notifications, one at a time, each waiting at most 5 s.
 */
import { chromium } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { reginfoXml, ScriptedSipPeer } from "../e2e/support/scripted-sip-peer.js";
import { startHeadlessHost } from "../e2e/support/headless-host.js";
import { quantile } from "../main/state/latency-reservoir.js";

const ROUNDS = Number(process.env.ROUNDS ?? 200);
const now = () => performance.timeOrigin + performance.now();

export async function measureNotifyLatency(rounds = ROUNDS): Promise<{ rounds: number; p50: number; p95: number; p99: number; max: number }> {
  const peer = await ScriptedSipPeer.start();
  const host = await startHeadlessHost();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const aor = "sip:bench@scripted.test";
    const res = await host.api("/api/accounts", { method: "POST", body: JSON.stringify({ name: "Bench", aor, password: "", outboundProxy: peer.uri }) });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    await until(() => peer.count("SUBSCRIBE") > 0 && peer.clientContact !== undefined, "subscription");
    const own = { id: "own", state: "active" as const, event: "registered", uri: peer.clientContact!, expires: 300 };
    await peer.notify(reginfoXml({ version: 0, aor, contacts: [own] }));

    const page = await browser.newPage();
    await page.goto(host.pageUrl);
    await page.getByTestId("account-row").first().waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { stamps: [number, number][] };
      w.stamps = [];
      let last = 0;
      new MutationObserver(() => {
        const banner = document.querySelector("[data-testid=alert-banner]");
        if (!banner) return;
        const m = /×(\d+)/.exec(banner.textContent ?? "");
        const count = m ? Number(m[1]) : 1;
        if (count !== last) {
          last = count;
          w.stamps.push([count, performance.timeOrigin + performance.now()]);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    const latencies: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      const sentAt = now();
      await peer.notify(reginfoXml({ version: i, aor, contacts: [{ ...own, state: "terminated", event: "deactivated" }] }));
      const seenAt = await until(
        async () => (await page.evaluate((n) => (window as unknown as { stamps: [number, number][] }).stamps.find(([c]) => c === n)?.[1], i)) ?? false,
        `alert ${i}`,
      );
      latencies.push((seenAt as number) - sentAt);
      // Let the re-REGISTER the deactivation triggers finish before the next round.
      await until(() => peer.count("REGISTER") >= i + 1, `re-register ${i}`);
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number) => round(quantile(latencies, p / 100));
    return { rounds, p50: q(50), p95: q(95), p99: q(99), max: round(latencies[latencies.length - 1]!) };
  } finally {
    await browser.close();
    await host.stop();
    await peer.close();
  }
}

async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as Exclude<T, false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureNotifyLatency();
  console.log(`NOTIFY -> alert in the UI over ${result.rounds} rounds: p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms, max ${result.max} ms`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/notify-latency.json", JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2) + "\n");
}
