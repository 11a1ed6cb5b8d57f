/**
 * What the Electron preload exposes to the page as `window.regwatch`. Both sides import this
 * type, so the preload and the renderer's IPC client cannot drift apart unnoticed. Payloads
 * stay `unknown` here: the renderer parses every reply and event with the contract.
 */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; status: number; error: unknown };

export interface PreloadBridge {
  invoke(name: string, input: unknown): Promise<BridgeReply>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  onOpenAccount(listener: (accountId: string) => void): () => void;
}
