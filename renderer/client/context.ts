import { createContext, useContext } from "react";
import type { RegwatchClient } from "./api.js";

export const ClientContext = createContext<RegwatchClient | undefined>(undefined);

export function useClient(): RegwatchClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error("no Regwatch client in context");
  return c;
}
