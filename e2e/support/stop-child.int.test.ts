import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { stopChild, stopProcessTree } from "./stop-child.js";

/**
 * Like Kamailio: the parent listens, forks a worker that inherits the listening socket, and on
 * SIGTERM exits at once while the worker takes a while to finish.
 */
const FORKING_SERVER = `
const { createServer } = require("node:net");
const { spawn } = require("node:child_process");
const srv = createServer().listen(0, "127.0.0.1", () => {
  const worker = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 1500)); setInterval(() => {}, 1000)"],
    { stdio: ["ignore", "ignore", "ignore", srv._handle] });
  worker.unref();
  process.on("SIGTERM", () => {
    worker.kill("SIGTERM");
    process.exit(0);
  });
  setTimeout(() => console.log(srv.address().port, worker.pid), 300);
});
`;

async function startForkingServer() {
  const child = spawn(process.execPath, ["-e", FORKING_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const [port, workerPid] = line.toString().trim().split(" ").map(Number);
  return { child, port: port!, workerPid: workerPid! };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

describe("stopping a forking server", () => {
  it("waits for the workers that still hold its port, not only for the parent", async () => {
    const server = await startForkingServer();
    await stopProcessTree(server.child);
    expect(await canListen(server.port)).toBe(true);
  });

  it("shows the failure stopProcessTree exists for: the parent alone leaves the port taken", async () => {
    const server = await startForkingServer();
    await stopChild(server.child);
    try {
      expect(await canListen(server.port)).toBe(false);
    } finally {
      process.kill(server.workerPid, "SIGKILL");
    }
  });
});
