/**
 * The one entry for commands from outside the process (IPC, HTTP, WebSocket): the name is
 * checked against the contract and the input parsed with its schema before the engine sees it.
 */
import { commands, isCommandName, issuesOf, type ApiError } from "../../shared/contract.js";
import type { Engine } from "../engine.js";
import { EngineError } from "../errors.js";
import type { Logger } from "../log.js";

export async function dispatch(engine: Engine, name: unknown, input: unknown): Promise<unknown> {
  if (!isCommandName(name)) throw new EngineError("not-found", `Unknown command ${String(name).slice(0, 64)}`);
  const parsed = commands[name].input.safeParse(input);
  if (!parsed.success) throw new EngineError("invalid", "Invalid input", issuesOf(parsed.error));
  return engine.handle(name, parsed.data as never);
}

const STATUS: Record<NonNullable<ApiError["code"]>, number> = {
  invalid: 400,
  unauthorized: 401,
  "not-found": 404,
  conflict: 409,
  internal: 500,
};

/** What a client is told about a failure: engine errors as they are, anything else as opaque. */
export function toApiError(e: unknown, logger: Logger): { status: number; body: ApiError } {
  if (e instanceof EngineError) {
    return { status: STATUS[e.code], body: { error: e.message, code: e.code, issues: e.issues } };
  }
  logger.error("command failed", { error: (e as Error)?.stack ?? String(e) });
  return { status: 500, body: { error: "Internal error (see the engine log)", code: "internal" } };
}
