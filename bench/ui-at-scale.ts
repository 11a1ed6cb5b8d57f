/**
 * The UI with N accounts, in Chromium against the headless host: time until the list shows,
 * scroll and filter measured as time to the next painted frame, and an admin's forced removal
 * (`kamcmd ul.rm`) to the alert banner, which covers the registrar's NOTIFY, the engine and the
 * renderer. Every wait is bounded.
 */
import { chromium } from "@playwright/test";
import type { Registrar } from "../e2e/registrar/registrar.js";
import type { HeadlessHost } from "../e2e/support/headless-host.js";
import { quantile } from "../main/state/latency-reservoir.js";

export interface UiRun {
  firstRowMs: number;
  scrollP50Ms: number;
  scrollMaxMs: number;
  filterMs: number;
  unfilterMs: number;
  removalToAlert: { rounds: number; p50Ms: number; p99Ms: number; maxMs: number };
}

const SEARCH = 'input[placeholder="Search name, AOR or domain"]';

export async function measureUi(host: HeadlessHost, registrar: Registrar, users: string[], rounds = 20): Promise<UiRun> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = Date.now();
    await page.goto(host.pageUrl);
    await page.getByTestId("account-row").first().waitFor({ timeout: 120_000 });
    const firstRowMs = Date.now() - t0;

    // No named functions inside evaluate(): tsx would wrap them in a helper the page lacks.
    const scroll = await page.evaluate(async () => {
      const el = document.querySelector("[data-testid=account-list]") as HTMLElement;
      const out: number[] = [];
      for (let i = 0; i < 30; i++) {
        const start = performance.now();
        el.scrollTop = (((i * 7919) % 100) / 100) * el.scrollHeight;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        out.push(performance.now() - start);
      }
      return out.sort((a, b) => a - b);
    });

    // Typing into the search box: time until the list shows the match (or everything again).
    const typeAndWait = (query: string, rowsAtMost: number) =>
      page.evaluate(
        async ([selector, q, most]) => {
          const input = document.querySelector(selector) as HTMLInputElement;
          const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
          const start = performance.now();
          setValue.call(input, q);
          input.dispatchEvent(new Event("input", { bubbles: true }));
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            const rows = document.querySelectorAll("[data-testid=account-row]").length;
            if ((most === 1 ? rows === 1 : rows > 1) || performance.now() - start > 20_000) return performance.now() - start;
          }
        },
        [SEARCH, query, rowsAtMost] as const,
      );
    const pick = users[Math.floor(users.length / 2)]!;
    const filterMs = await typeAndWait(`${pick}@`, 1);
    const unfilterMs = await typeAndWait("", 2);

    await page.evaluate(() => {
      const w = window as unknown as { seen: Map<string, number> };
      w.seen = new Map();
      new MutationObserver(() => {
        const name = document.querySelector("[data-testid=alert-banner] strong")?.textContent?.replace(/:$/, "");
        if (name && !w.seen.has(name)) w.seen.set(name, performance.timeOrigin + performance.now());
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const latencies: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const user = users[Math.floor(((i + 0.5) / rounds) * users.length)]!;
      const removedAt = Date.now();
      await registrar.removeBindings(user);
      const seenAt = await page.waitForFunction((u) => (window as unknown as { seen: Map<string, number> }).seen.get(u), user, { timeout: 10_000 });
      latencies.push(((await seenAt.jsonValue()) as number) - removedAt);
    }
    latencies.sort((a, b) => a - b);
    const q = (xs: number[], p: number) => round(quantile(xs, p));
    return {
      firstRowMs,
      scrollP50Ms: q(scroll, 0.5),
      scrollMaxMs: round(scroll.at(-1)!),
      filterMs: round(filterMs),
      unfilterMs: round(unfilterMs),
      removalToAlert: { rounds, p50Ms: q(latencies, 0.5), p99Ms: q(latencies, 0.99), maxMs: round(latencies.at(-1)!) },
    };
  } finally {
    await browser.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
