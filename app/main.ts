/**
 * The Electron shell: one window, the tray, notifications, power events, and the engine wired
 * to IPC. All SIP work happens in the engine (main/), which knows nothing of Electron.
 */
import { app, BrowserWindow, powerMonitor, safeStorage, shell } from "electron";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Engine } from "../main/engine.js";
import { createLogger } from "../main/log.js";
import { keyFileSecretBox } from "../main/store/secret-box.js";
import { IPC } from "./ipc-channels.js";
import { connectIpc } from "./ipc-adapter.js";
import { alertNotifier } from "./notifications.js";
import { safeStorageSecretBox } from "./secret-storage.js";
import { createTray } from "./tray.js";
import { worstLevel } from "./worst-state.js";

const logger = createLogger();
const rendererIndex = join(__dirname, "..", "renderer", "index.html");
const rendererUrl = pathToFileURL(rendererIndex).href;
let window: BrowserWindow | undefined;
let engine: Engine | undefined;
let quitting = false;

if (!app.requestSingleInstanceLock()) app.quit();
app.on("second-instance", () => showWindow());

// Navigation and new windows are never allowed; links open in the system browser.
app.on("web-contents-created", (_e, contents) => {
  contents.on("will-navigate", (e, url) => {
    if (url !== rendererUrl) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: "deny" };
  });
});

function secretBox(userData: string) {
  // Linux without a keyring falls back to a hard-coded key; a 0600 key file is no weaker.
  if (process.platform === "linux" && safeStorage.getSelectedStorageBackend?.() === "basic_text") return keyFileSecretBox(userData);
  return safeStorageSecretBox();
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 780,
    title: "Regwatch",
    show: false,
    webPreferences: {
      preload: join(__dirname, "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once("ready-to-show", () => win.show());
  win.on("close", (e) => {
    // Closing the window keeps watching from the tray; Quit unregisters and exits.
    if (!quitting) {
      e.preventDefault();
      win.hide();
    }
  });
  void win.loadFile(rendererIndex);
  return win;
}

function showWindow(): void {
  if (!window || window.isDestroyed()) window = createWindow();
  window.show();
  window.focus();
}

app.whenReady().then(async () => {
  const userData = app.getPath("userData");
  engine = await Engine.create({ dataDir: userData, secretBox: secretBox(userData), logger, watchNetwork: true });
  connectIpc(engine, logger, (url) => url === rendererUrl);
  const setTray = createTray(showWindow, () => app.quit());
  // The shell's own copy of accounts and alerts, kept by the same deltas the window gets.
  const snap = engine.snapshot();
  const accounts = new Map(snap.accounts.map((a) => [a.id, a]));
  const alerts = new Map(snap.alerts.map((a) => [a.id, a]));
  const notify = alertNotifier(
    (id) => accounts.get(id)?.name ?? "Account",
    (alert) => {
      showWindow();
      window?.webContents.send(IPC.focusAccount, alert.accountId);
    },
  );
  setTray(worstLevel(accounts.values(), alerts.values()));
  engine.subscribe((delta) => {
    for (const a of delta.accounts) accounts.set(a.id, a);
    for (const id of delta.removed) accounts.delete(id);
    for (const a of delta.alerts) alerts.set(a.id, a);
    notify(delta);
    setTray(worstLevel(accounts.values(), alerts.values()));
  });
  // After sleep the registrar may have dropped us and NAT bindings are gone: re-register all.
  powerMonitor.on("resume", () => engine?.reregisterAll("resume from sleep"));
  window = createWindow();
});

app.on("before-quit", (e) => {
  if (!engine) return;
  // Unregister every account (bounded wait inside close) before the process ends.
  e.preventDefault();
  quitting = true;
  const closing = engine;
  engine = undefined;
  void closing.close().finally(() => app.quit());
});

app.on("window-all-closed", () => {
  // Stay in the tray on every platform.
});
