/**
 * Client of the Electron shell: the preload exposes `window.regwatch` (invoke + subscribe);
 * every reply and event is parsed with the contract here too.
 */
import { ApiError, commands, StateDelta, type CommandName } from "../../shared/contract.js";
import type { PreloadBridge } from "../../shared/preload-bridge.js";
import { CommandError, type RegwatchClient } from "./api.js";

declare global {
  interface Window {
    regwatch?: PreloadBridge;
  }
}

export function createIpcClient(bridge: PreloadBridge): RegwatchClient {
  return {
    async invoke(name, input) {
      const reply = await bridge.invoke(name, input);
      if (!reply.ok) {
        const body = ApiError.safeParse(reply.error);
        throw new CommandError(reply.status, body.success ? body.data : { error: "Command failed" });
      }
      return commands[name as CommandName].output.parse(reply.result) as never;
    },
    subscribe(onDelta, onConnection) {
      onConnection("live");
      return bridge.subscribe((event, payload) => {
        if (event !== "state.delta") return;
        const delta = StateDelta.safeParse(payload);
        if (delta.success) onDelta(delta.data);
      });
    },
  };
}
