import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The renderer: one build for the Electron window (loaded from file://) and the headless host.
export default defineConfig({
  root: "renderer",
  base: "./",
  plugins: [react()],
  build: {
    outDir: "../dist/renderer",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
});
