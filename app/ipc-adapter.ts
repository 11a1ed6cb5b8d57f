/**
 * Engine <-> renderer over Electron IPC. Every call is checked for its sender (our own window's
 * main frame, loaded from our own files) and its payload parsed by the shared contract in
 * `dispatch`; anything else is dropped with a log line.
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from "electron";
import type { StateDelta } from "../shared/contract.js";
import type { BridgeReply } from "../shared/preload-bridge.js";
import type { Engine } from "../main/engine.js";
import { dispatch, toApiError } from "../main/host/dispatch.js";
import type { Logger } from "../main/log.js";
import { IPC } from "./ipc-channels.js";

export function connectIpc(engine: Engine, logger: Logger, isTrusted: (frameUrl: string) => boolean): () => void {
  const subscribers = new Set<WebContents>();

  const trusted = (e: IpcMainInvokeEvent | IpcMainEvent) => {
    const frame = e.senderFrame;
    const ok = frame !== null && frame.parent === null && isTrusted(frame.url);
    if (!ok) logger.warn("ipc call from an untrusted frame dropped", { url: frame?.url ?? "(gone)" });
    return ok;
  };

  ipcMain.handle(IPC.invoke, async (e, name: unknown, input: unknown): Promise<BridgeReply> => {
    if (!trusted(e)) return { ok: false, status: 403, error: { error: "Forbidden", code: "unauthorized" } };
    try {
      return { ok: true, result: await dispatch(engine, name, input) };
    } catch (err) {
      const { status, body } = toApiError(err, logger);
      return { ok: false, status, error: body };
    }
  });

  ipcMain.on(IPC.subscribe, (e) => {
    if (!trusted(e)) return;
    const wc = e.sender;
    if (subscribers.has(wc)) return;
    subscribers.add(wc);
    wc.once("destroyed", () => subscribers.delete(wc));
  });

  const unsubscribe = engine.subscribe((delta: StateDelta) => {
    for (const wc of subscribers) {
      // Sending to a destroyed window throws.
      if (wc.isDestroyed()) subscribers.delete(wc);
      else wc.send(IPC.event, "state.delta", delta);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC.invoke);
    ipcMain.removeAllListeners(IPC.subscribe);
    subscribers.clear();
  };
}
