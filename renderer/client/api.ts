/**
 * What the UI needs from a host, the same over Electron IPC and over HTTP + WebSocket.
 * Responses and events are parsed with the contract before the UI sees them.
 */
import type { ApiError, CommandInput, CommandName, CommandOutput, StateDelta } from "../../shared/contract.js";

export type Connection = "connecting" | "live" | "offline";

export interface RegwatchClient {
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  /** Calls `onDelta` for every pushed batch and `onConnection` when the stream (re)connects; returns unsubscribe. */
  subscribe(onDelta: (delta: StateDelta) => void, onConnection: (c: Connection) => void): () => void;
}

/** A failed command, with the host's message and field issues. */
export class CommandError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
    this.name = "CommandError";
  }
}
