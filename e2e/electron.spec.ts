/**
 * The desktop shell end to end with Playwright's Electron driver. It needs the Electron binary,
 * which this project's CI machines cannot download: there the test is skipped with the reason.
 */
import { _electron as electron, expect, test } from "@playwright/test";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The Electron executable if it is on disk. Requiring the package would try to download it. */
function electronBinary(): { path?: string; why?: string } {
  const pkgDir = dirname(createRequire(import.meta.url).resolve("electron/package.json"));
  const pathFile = join(pkgDir, "path.txt");
  if (!existsSync(pathFile)) return { why: `the Electron binary was never downloaded (no ${pathFile}; downloads are blocked on this machine)` };
  const exe = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkgDir, "dist"), readFileSync(pathFile, "utf8").trim());
  return existsSync(exe) ? { path: exe } : { why: `the Electron binary is missing at ${exe}` };
}

const binary = electronBinary();
if (binary.why) console.log(`electron.spec: skipped because ${binary.why}; it runs where Electron can be downloaded.`);

test("the desktop window loads the UI through the preload bridge", async () => {
  test.skip(binary.why !== undefined, `Skipped: ${binary.why}`);
  const userData = mkdtempSync(join(tmpdir(), "regwatch-electron-"));
  const app = await electron.launch({ executablePath: binary.path, args: [".", `--user-data-dir=${userData}`] });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole("heading", { name: "Regwatch" })).toBeVisible();
    await expect(window.getByRole("status")).toHaveText(/Live/);
    // The page has the bridge and nothing of Node.
    expect(await window.evaluate(() => typeof (window as unknown as { regwatch?: unknown }).regwatch)).toBe("object");
    expect(await window.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe("undefined");
  } finally {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  }
});
