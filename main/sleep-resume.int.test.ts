/**
 * Sleep and resume, as the headless host lives through it: the process stops running (SIGSTOP
 * stands in for a suspended machine), the registrar forgets our bindings meanwhile, and when
 * the process runs again every account re-registers, paced over a few seconds, with the reason
 * in its history.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistrar, type Registrar } from "../e2e/registrar/registrar.js";
import { startHeadlessHost, type HeadlessHost } from "../e2e/support/headless-host.js";
import type { AccountView, HistoryEntry } from "../shared/contract.js";

const ACCOUNTS = 150;
const RATE = 50; // REGISTERs per second: 150 accounts take about 3 s
let registrar: Registrar;
let host: HeadlessHost;

beforeAll(async () => {
  const users = Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, i) => [`s${i}`, `pw-s${i}`]));
  registrar = await startRegistrar({ users });
  host = await startHeadlessHost({ args: ["--rate", String(RATE)], logLevel: "warn" });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await registrar?.stop();
});

const list = async () => (await (await host.api("/api/accounts")).json()) as AccountView[];
const bound = async () => {
  let n = 0;
  for (let i = 0; i < ACCOUNTS; i++) if ((await registrar.contacts(`s${i}`)).length > 0) n++;
  return n;
};

describe("sleep and resume", () => {
  it("re-registers every account, spread over a few seconds, after the process did not run", async () => {
    const lines = ["name,aor,password,outboundProxy,expires,watchRegEvent"];
    for (let i = 0; i < ACCOUNTS; i++) lines.push(`S${i},sip:s${i}@${registrar.domain},pw-s${i},${registrar.proxyUri},3600,false`);
    const res = await host.api("/api/accounts/import", { method: "POST", body: JSON.stringify({ format: "csv", content: lines.join("\n") }) });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await list()).filter((a) => a.status.state === "registered").length, { timeout: 20_000 }).toBe(ACCOUNTS);

    // Asleep: the process does not run, and the registrar loses every binding (a restart, an
    // expiry, an admin): with no reg-event watching nothing could tell us.
    host.kill("SIGSTOP");
    const stoppedAt = Date.now();
    for (let i = 0; i < ACCOUNTS; i++) await registrar.removeBindings(`s${i}`);
    expect(await bound()).toBe(0);
    await new Promise((r) => setTimeout(r, Math.max(0, 16_000 - (Date.now() - stoppedAt))));
    host.kill("SIGCONT");

    await expect.poll(bound, { timeout: 20_000, interval: 1000 }).toBe(ACCOUNTS);
    const accounts = await list();
    expect(accounts.every((a) => a.status.state === "registered")).toBe(true);
    const resumedAt: number[] = [];
    for (const a of accounts) {
      const history = (await (await host.api(`/api/accounts/${a.id}/history`)).json()) as HistoryEntry[];
      const entry = history.find((h) => /^re-registering: resumed after \d+ s asleep$/.test(h.reason ?? ""));
      expect(entry, `history of ${a.name}`).toBeDefined();
      resumedAt.push(entry!.at);
    }
    // Paced, not a burst: at RATE per second the 150 re-registrations span about 3 s.
    const spreadSec = (Math.max(...resumedAt) - Math.min(...resumedAt)) / 1000;
    expect(spreadSec).toBeGreaterThanOrEqual((ACCOUNTS / RATE) * 0.6);
    expect(spreadSec).toBeLessThan(15);
  }, 90_000);
});
