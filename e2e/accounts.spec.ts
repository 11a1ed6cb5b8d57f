import { mkdirSync } from "node:fs";
import { expect, test } from "./fixtures.js";

test("a user adds an account through the form and sees it registered", async ({ page, host, registrar }, testInfo) => {
  await registrar.addUser("e2e-alice", "alice-pw-1");
  await page.goto(host.pageUrl);
  await expect(page.getByRole("status")).toHaveText(/Live/);
  // The token leaves the address bar once the page has it.
  expect(page.url()).not.toContain("token=");

  await page.getByRole("button", { name: "Add account" }).click();
  const form = page.getByRole("dialog");
  await form.getByLabel("Name", { exact: true }).fill("Alice (e2e)");
  await form.getByLabel("Address of record (AOR)").fill(`sip:e2e-alice@${registrar.domain}`);
  await form.getByLabel("Password").fill("alice-pw-1");
  await form.getByText("Advanced").click();
  await form.getByLabel("Outbound proxy").fill(registrar.proxyUri);
  await form.getByRole("button", { name: "Add account" }).click();
  await expect(form).toBeHidden();

  const row = page.getByTestId("account-row").filter({ hasText: "Alice (e2e)" });
  await expect(row).toHaveAttribute("data-state", "registered");
  await expect(row.getByTestId("account-code")).toHaveText("200 OK");
  await expect(row.getByText(/^\d+:\d\d:\d\d$|^\d+:\d\d$/)).toBeVisible();
  await expect(page.getByTestId("count-registered")).toHaveText("1");
  expect(await registrar.contacts("e2e-alice")).toHaveLength(1);

  const shot = await page.screenshot({ path: testInfo.outputPath("registered.png") });
  await testInfo.attach("registered", { body: shot, contentType: "image/png" });
  if (process.env.REGWATCH_UPDATE_DOCS) {
    mkdirSync("docs", { recursive: true });
    await page.screenshot({ path: "docs/screenshot-registered.png" });
  }
});

test("field errors come from the shared schema, and a wrong password shows the registrar's 401", async ({ page, host, registrar }) => {
  await registrar.addUser("e2e-bob", "bob-right");
  await page.goto(host.pageUrl);
  await page.getByRole("button", { name: "Add account" }).click();
  const form = page.getByRole("dialog");
  await form.getByLabel("Name", { exact: true }).fill("Bob (e2e)");
  await form.getByLabel("Address of record (AOR)").fill("bob at example");
  await form.getByRole("button", { name: "Add account" }).click();
  await expect(form.getByText("Address of record must be a SIP URI with a user")).toBeVisible();

  await form.getByLabel("Address of record (AOR)").fill(`sip:e2e-bob@${registrar.domain}`);
  await form.getByLabel("Password").fill("bob-wrong");
  await form.getByText("Advanced").click();
  await form.getByLabel("Outbound proxy").fill(registrar.proxyUri);
  await form.getByRole("button", { name: "Add account" }).click();
  const row = page.getByTestId("account-row").filter({ hasText: "Bob (e2e)" });
  await expect(row).toHaveAttribute("data-state", "failed");
  await expect(row.getByTestId("account-code")).toHaveText(/^401 /);
  await expect(page.getByTestId("alert-banner")).toHaveAttribute("data-kind", "auth-failed");
});

test("an admin removing the binding raises the alert banner, and acknowledging clears it", async ({ page, host, registrar }, testInfo) => {
  await registrar.addUser("e2e-carol", "carol-pw");
  const res = await host.api("/api/accounts", {
    method: "POST",
    body: JSON.stringify({ name: "Carol (e2e)", aor: `sip:e2e-carol@${registrar.domain}`, password: "carol-pw", outboundProxy: registrar.proxyUri }),
  });
  expect(res.status).toBe(201);
  const { id } = await res.json();
  await page.goto(host.pageUrl);
  const row = page.getByTestId("account-row").filter({ hasText: "Carol (e2e)" });
  await expect(row).toHaveAttribute("data-state", "registered");
  await expect.poll(async () => (await (await host.api(`/api/accounts/${id}`)).json()).status.regEvent.state).toBe("active");

  await registrar.removeBindings("e2e-carol");
  const banner = page.getByTestId("alert-banner");
  await expect(banner).toHaveAttribute("data-kind", "unregistered");
  await expect(banner).toContainText("Carol (e2e)");
  await expect(banner).toContainText("removed by someone else");
  await expect(page.getByTestId("count-alerts")).toHaveText("1");
  // The default action re-registered the account.
  await expect(row).toHaveAttribute("data-state", "registered");
  const shot = await page.screenshot({ path: testInfo.outputPath("alert.png") });
  await testInfo.attach("alert", { body: shot, contentType: "image/png" });
  if (process.env.REGWATCH_UPDATE_DOCS) await page.screenshot({ path: "docs/screenshot-alert.png" });

  await banner.getByRole("button", { name: "Acknowledge" }).click();
  await expect(banner).toBeHidden();
  await expect(page.getByTestId("count-alerts")).toHaveText("0");
});

test("the account view shows bindings, history, time registered and a redacted SIP trace; filters find failed accounts", async ({ page, host, registrar }, testInfo) => {
  await registrar.addUser("e2e-dora", "dora-pw");
  await registrar.addUser("e2e-ed", "ed-pw");
  for (const [user, password] of [
    ["e2e-dora", "dora-pw"],
    ["e2e-ed", "wrong"],
  ]) {
    const res = await host.api("/api/accounts", {
      method: "POST",
      body: JSON.stringify({ name: `User ${user}`, aor: `sip:${user}@${registrar.domain}`, password, outboundProxy: registrar.proxyUri }),
    });
    expect(res.status).toBe(201);
  }
  await page.goto(host.pageUrl);
  const dora = page.getByTestId("account-row").filter({ hasText: "User e2e-dora" });
  await expect(dora).toHaveAttribute("data-state", "registered");
  await expect(page.getByTestId("account-row").filter({ hasText: "User e2e-ed" })).toHaveAttribute("data-state", "failed");

  await page.getByLabel("Filter by state").selectOption("failed");
  await expect(page.getByTestId("account-row")).toHaveCount(1);
  await expect(page.getByTestId("account-row").first()).toContainText("User e2e-ed");
  await page.getByLabel("Filter by state").selectOption("all");
  await page.getByLabel("Sort by").selectOption("state");
  await expect(page.getByTestId("account-row").first()).toContainText("User e2e-ed");

  await dora.getByRole("button", { name: "Open User e2e-dora" }).click();
  const detail = page.getByTestId("account-detail");
  await expect(detail.getByTestId("detail-code")).toHaveText("200 OK");
  await expect(detail.getByTestId("detail-regevent")).toContainText("active");
  await expect(detail.getByTestId("detail-bindings")).toContainText("This account");
  await expect(detail.getByTestId("detail-share")).toHaveText(/%$/);
  await expect(detail.getByTestId("detail-history")).toContainText("200 OK");
  const trace = detail.getByTestId("detail-trace");
  await expect(trace).toContainText("REGISTER sip:");
  await expect(trace).toContainText("[credentials redacted]");
  await expect(trace).not.toContainText("response=");
  const shot = await page.screenshot({ path: testInfo.outputPath("detail.png") });
  await testInfo.attach("detail", { body: shot, contentType: "image/png" });
  if (process.env.REGWATCH_UPDATE_DOCS) await page.screenshot({ path: "docs/screenshot-detail.png" });

  await detail.getByRole("button", { name: "Remove all bindings…" }).click();
  await expect(detail.getByRole("alertdialog")).toContainText("removes every device");
  await detail.getByRole("button", { name: "Remove all bindings", exact: true }).click();
  await expect(dora).toHaveAttribute("data-state", "unregistered");
  expect(await registrar.contacts("e2e-dora")).toEqual([]);
});
