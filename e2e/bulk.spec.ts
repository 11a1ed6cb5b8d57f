import { writeFileSync } from "node:fs";
import { expect, test } from "./fixtures.js";

test("importing 1,000 accounts: the list renders, scrolls and filters", async ({ page, host }, testInfo) => {
  const lines = ["name,aor,password,enabled"];
  for (let i = 0; i < 1000; i++) lines.push(`User ${String(i).padStart(4, "0")},sip:bulk${i}@import.example,pw${i},false`);
  lines.push("Broken,not-a-uri,pw,false");
  const file = testInfo.outputPath("accounts.csv");
  writeFileSync(file, lines.join("\n"));

  await page.goto(host.pageUrl);
  await page.getByRole("button", { name: "Import / export…" }).click();
  await page.getByLabel("Import accounts from a CSV or JSON file").setInputFiles(file);
  const result = page.getByTestId("import-result");
  await expect(result).toContainText("Imported 1000 account(s); rejected 1.");
  await expect(result).toContainText("Line 1002, aor:");
  await page.getByRole("button", { name: "Close" }).click();

  await expect(page.getByTestId("count-disabled")).toHaveText("1000");
  const rows = page.getByTestId("account-row");
  await expect(rows.first()).toContainText("User 0000");
  // Virtualized: a thousand accounts, a screenful of rows in the DOM.
  expect(await rows.count()).toBeLessThan(60);
  await page.getByTestId("account-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.getByTestId("account-row").filter({ hasText: "User 0999" })).toBeVisible();

  // Keyboard: focus the first row, move down two, open it.
  await page.getByPlaceholder("Search name, AOR or domain").fill("");
  await page.getByTestId("account-list").evaluate((el) => (el.scrollTop = 0));
  await page.locator("[data-index='0']").focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("account-detail").getByRole("heading", { name: "User 0002" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("account-detail")).toBeHidden();

  await page.getByPlaceholder("Search name, AOR or domain").fill("bulk512@");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("User 0512");
});
