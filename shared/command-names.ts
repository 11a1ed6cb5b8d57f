/**
 * The command names alone, without schemas, for code that only needs the allow-list (the
 * Electron preload stays small). contract.ts checks at compile time that this list and its
 * `commands` map name the same commands.
 */
export const COMMAND_NAMES = [
  "state.snapshot",
  "accounts.list",
  "accounts.get",
  "accounts.create",
  "accounts.update",
  "accounts.delete",
  "accounts.enable",
  "accounts.disable",
  "accounts.register",
  "accounts.unregister",
  "accounts.unregisterAll",
  "accounts.history",
  "accounts.trace",
  "accounts.import",
  "accounts.export",
  "engine.networkChanged",
  "engine.stats",
  "alerts.list",
  "alerts.ack",
] as const;

export type CommandNameList = (typeof COMMAND_NAMES)[number];

const NAMES: ReadonlySet<string> = new Set(COMMAND_NAMES);

export function isCommandName(name: unknown): name is CommandNameList {
  return typeof name === "string" && NAMES.has(name);
}
