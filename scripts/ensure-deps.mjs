// Runs `npm ci` when node_modules is missing or older than package-lock.json, so that the
// README's commands work on a fresh clone. Uses Node built-ins only (nothing is installed yet).
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const stamp = "node_modules/.regwatch-lock-hash";
const hash = createHash("sha256").update(readFileSync("package-lock.json")).update(readFileSync("package.json")).digest("hex");
if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) process.exit(0);
console.log("installing npm dependencies (npm ci)…");
execSync("npm ci --no-audit --no-fund", { stdio: "inherit", env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: "1" } });
writeFileSync(stamp, hash);
