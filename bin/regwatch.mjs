#!/usr/bin/env node
// The `regwatch` command: runs the built engine (npm run build makes dist/).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const cli = fileURLToPath(new URL("../dist/main/cli.mjs", import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write("regwatch: not built yet; run `npm run build` in the project first\n");
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
