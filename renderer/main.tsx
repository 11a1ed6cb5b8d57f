import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import type { RegwatchClient } from "./client/api.js";
import { ClientContext } from "./client/context.js";
import { createHttpClient, takeTokenFromLocation } from "./client/http-client.js";
import { createIpcClient } from "./client/ipc-client.js";
import { startSync } from "./store/store.js";
import "./styles.css";

function pickClient(): RegwatchClient | undefined {
  if (window.regwatch) return createIpcClient(window.regwatch);
  const token = takeTokenFromLocation();
  return token ? createHttpClient(token) : undefined;
}

const root = createRoot(document.getElementById("root")!);
const client = pickClient();
if (!client) {
  root.render(
    <p className="error" role="alert">
      No access token. Open the address that <code>regwatch serve</code> printed (it ends in <code>#token=…</code>).
    </p>,
  );
} else {
  startSync(client);
  root.render(
    <StrictMode>
      <ClientContext.Provider value={client}>
        <App />
      </ClientContext.Provider>
    </StrictMode>,
  );
}
