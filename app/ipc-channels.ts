/** IPC channel names, in one place for main and preload. */
export const IPC = {
  invoke: "regwatch.invoke",
  subscribe: "regwatch.subscribe",
  event: "regwatch.event",
  focusAccount: "regwatch.focus-account",
} as const;
