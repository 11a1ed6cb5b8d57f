import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/**
 * Stops a forking server and waits for all its processes. Kamailio's main process exits before
 * its workers do, and a worker still holding the listening sockets makes a restart on the same
 * ports fail with "Address already in use" (seen in CI).
 */
export async function stopProcessTree(child: ChildProcess, graceMs = 5000): Promise<void> {
  const descendants = child.pid === undefined ? [] : descendantsOf(child.pid).map((pid) => ({ pid, start: readStat(pid)?.start }));
  await stopChild(child, graceMs);
  const deadline = Date.now() + graceMs;
  for (;;) {
    const alive = descendants.filter((d) => running(d.pid, d.start));
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      for (const d of alive) killQuietly(d.pid);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Linux /proc: the process's children, grandchildren and so on (none elsewhere). */
function descendantsOf(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const parentOf = new Map<number, number>();
  for (const e of entries) {
    const stat = readStat(Number(e));
    if (stat) parentOf.set(Number(e), stat.ppid);
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid === p) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/**
 * A zombie holds no sockets any more (whoever adopted it reaps it when it can); a different start
 * time means the pid now belongs to another process.
 */
function running(pid: number, start: string | undefined): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.start === start && stat.state !== "Z";
}

function readStat(pid: number): { state: string; ppid: number; start: string } | undefined {
  try {
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // Fields 3, 4 and 22 of proc(5), counted from the state.
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
