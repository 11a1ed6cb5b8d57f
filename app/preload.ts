/**
 * The only bridge between the page and main: `invoke` for contract commands (names checked
 * against the contract here and again in main) and `subscribe` for pushed events, which returns
 * its own unsubscribe (contextBridge changes function identity, so an `off(listener)` would not work).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import { isCommandName } from "../shared/command-names.js";
import type { BridgeReply, PreloadBridge } from "../shared/preload-bridge.js";
import { IPC } from "./ipc-channels.js";

const bridge: PreloadBridge = {
  invoke(name, input) {
    // The page may pass anything, whatever the type says.
    if (!isCommandName(name)) return Promise.resolve({ ok: false, status: 404, error: { error: `Unknown command ${String(name)}` } });
    return ipcRenderer.invoke(IPC.invoke, name, input) as Promise<BridgeReply>;
  },
  subscribe(listener: (event: string, payload: unknown) => void) {
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(IPC.event, handler);
    ipcRenderer.send(IPC.subscribe);
    return () => {
      ipcRenderer.off(IPC.event, handler);
    };
  },
  /** The shell asks the page to show an account (a desktop notification was clicked). */
  onOpenAccount(listener: (accountId: string) => void) {
    const handler = (_e: IpcRendererEvent, accountId: unknown) => typeof accountId === "string" && listener(accountId);
    ipcRenderer.on(IPC.focusAccount, handler);
    return () => {
      ipcRenderer.off(IPC.focusAccount, handler);
    };
  },
};

contextBridge.exposeInMainWorld("regwatch", bridge);
