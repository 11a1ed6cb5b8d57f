/** How states, codes and times read in the UI. Pure, unit-tested. */
import type { RegistrationState } from "../shared/contract.js";

export const STATE_LABEL: Record<RegistrationState, string> = {
  disabled: "Disabled",
  registering: "Registering",
  registered: "Registered",
  retrying: "Retrying",
  failed: "Failed",
  unregistering: "Unregistering",
  unregistered: "Unregistered",
};

/** Icon characters so a state never relies on colour alone. */
export const STATE_ICON: Record<RegistrationState, string> = {
  disabled: "–",
  registering: "…",
  registered: "✓",
  retrying: "↻",
  failed: "✕",
  unregistering: "…",
  unregistered: "○",
};

/** "59:59", "1:02:03", "2d 3h" for a time left; "expired" once past. */
export function formatCountdown(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  if (ms <= 0) return "expired";
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${h}h`;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function formatCode(code: number | undefined, reason: string | undefined): string {
  if (code === undefined) return reason ?? "";
  return reason ? `${code} ${reason}` : String(code);
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleString();
}
