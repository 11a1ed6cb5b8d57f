// Builds everything into dist/: the renderer with Vite, the engine CLI and the Electron
// main + preload with esbuild (the bundler Vite itself uses). Native modules stay external.
import { build as esbuild } from "esbuild";
import { build as viteBuild } from "vite";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  external: ["better-sqlite3", "electron", "bufferutil", "utf-8-validate"],
};

await viteBuild({ configFile: "vite.config.ts", logLevel: "warn" });
await Promise.all([
  esbuild({
    ...common,
    entryPoints: { "main/cli": "main/cli.ts" },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
    format: "esm",
    // ws and other CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __rwCreateRequire } from 'node:module'; const require = __rwCreateRequire(import.meta.url);" },
  }),
  esbuild({
    ...common,
    entryPoints: { "app/main": "app/main.ts", "app/preload": "app/preload.ts" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    target: "node22",
  }),
]);
console.log("built dist/ (renderer, main/cli.mjs, app/main.cjs, app/preload.cjs)");
