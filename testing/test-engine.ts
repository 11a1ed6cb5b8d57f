/**
 * An engine for integration tests: its own temporary data directory, SIP on loopback, a quiet
 * logger and quick state batches; `dispose` closes it and removes the directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine, type EngineOptions } from "../main/engine.js";
import { silentLogger } from "../main/log.js";

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  dispose(): Promise<void>;
}

export async function createTestEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), "regwatch-test-"));
  const engine = await Engine.create({ sipBind: "127.0.0.1", logger: silentLogger, deltaIntervalMs: 20, ...options, dataDir });
  return {
    engine,
    dataDir,
    dispose: async () => {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
