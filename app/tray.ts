/** The tray icon: its colour and tooltip mirror the worst current state. */
import { Menu, nativeImage, Tray, type NativeImage } from "electron";
import type { TrayLevel } from "./worst-state.js";

const COLOURS: Record<TrayLevel, string> = { idle: "#8b949e", ok: "#1a7f37", pending: "#d29922", alert: "#e16f24", failed: "#c62828" };
const LABELS: Record<TrayLevel, string> = {
  idle: "No active accounts",
  ok: "All registered",
  pending: "Registering…",
  alert: "Forced deregistration: see alerts",
  failed: "Some accounts failed to register",
};

function dot(colour: string): NativeImage {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="6" fill="${colour}"/></svg>`;
  return nativeImage.createFromDataURL(`data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`);
}

export function createTray(onShow: () => void, onQuit: () => void): (level: TrayLevel) => void {
  const tray = new Tray(dot(COLOURS.idle));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: "Show Regwatch", click: onShow },
      { type: "separator" },
      { label: "Quit (unregisters all accounts)", click: onQuit },
    ]),
  );
  tray.on("click", onShow);
  let current: TrayLevel | undefined;
  return (level) => {
    if (level === current) return;
    current = level;
    tray.setImage(dot(COLOURS[level]));
    tray.setToolTip(`Regwatch — ${LABELS[level]}`);
  };
}
