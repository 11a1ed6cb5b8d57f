/**
 * Client of the headless host: commands over HTTP with the bearer token, events over a
 * WebSocket that offers the token as its subprotocol (browsers cannot set headers on it).
 */
import { ApiError, commands, StateDelta, type CommandName } from "../../shared/contract.js";
import { CommandError, type Connection, type RegwatchClient } from "./api.js";

export function createHttpClient(token: string, base: URL = new URL(window.location.href)): RegwatchClient {
  const origin = base.origin;
  return {
    async invoke(name, input) {
      const res = await fetch(`${origin}/api/commands/${name}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, ...(input === undefined ? {} : { "Content-Type": "application/json" }) },
        body: input === undefined ? undefined : JSON.stringify(input),
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : undefined;
      if (!res.ok) {
        const body = ApiError.safeParse(json);
        throw new CommandError(res.status, body.success ? body.data : { error: `HTTP ${res.status}` });
      }
      return commands[name as CommandName].output.parse(json) as never;
    },
    subscribe(onDelta, onConnection) {
      let ws: WebSocket | undefined;
      let closed = false;
      let retry = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const connect = () => {
        onConnection("connecting");
        const url = `${origin.replace(/^http/, "ws")}/api/events`;
        ws = new WebSocket(url, ["regwatch", `bearer.${token}`]);
        ws.onopen = () => {
          retry = 0;
          onConnection("live");
        };
        ws.onmessage = (ev) => {
          try {
            const msg = JSON.parse(String(ev.data)) as { event?: string; payload?: unknown };
            if (msg.event !== "state.delta") return;
            const delta = StateDelta.safeParse(msg.payload);
            if (delta.success) onDelta(delta.data);
          } catch {
            // Not ours to act on; the next snapshot corrects any gap.
          }
        };
        ws.onclose = () => {
          if (closed) return;
          onConnection("offline");
          // Reconnect with backoff (0.5 s doubling to 10 s); the store resyncs on "live".
          timer = setTimeout(connect, Math.min(10_000, 500 * 2 ** retry++));
        };
      };
      connect();
      return () => {
        closed = true;
        if (timer) clearTimeout(timer);
        ws?.close();
      };
    },
  };
}

/** The token the host put in the page's URL fragment; kept for this tab and removed from the address bar. */
export function takeTokenFromLocation(): string | undefined {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem("regwatch.token", fromHash);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem("regwatch.token") ?? undefined;
}
