import { describe, expect, it } from "vitest";
import type { AccountView, RegistrationState } from "../shared/contract.js";
import { visibleIds } from "./list-view.js";

const acc = (id: string, name: string, aor: string, state: RegistrationState, lastChange = 0, expiresAt?: number): AccountView =>
  ({ id, name, aor, status: { state, lastChange, expiresAt, regEvent: { state: "off" }, bindings: [] } }) as unknown as AccountView;

const accounts = {
  a: acc("a", "Alpha", "sip:a@one.example", "registered", 5, 3000),
  b: acc("b", "Bravo", "sip:b@two.example", "failed", 9),
  c: acc("c", "Charlie", "sip:c@one.example", "retrying", 7),
  d: acc("d", "Delta", "sip:d@two.example", "disabled", 1),
  e: acc("e", "Echo", "sip:e@one.example", "registered", 3, 1000),
};
const ids = ["a", "b", "c", "d", "e"];
const all = { query: "", filter: "all" as const, sort: "name" as const };

describe("visibleIds", () => {
  it("searches name, AOR and domain", () => {
    expect(visibleIds(ids, accounts, new Set(), { ...all, query: "two.example" })).toEqual(["b", "d"]);
    expect(visibleIds(ids, accounts, new Set(), { ...all, query: "CHAR" })).toEqual(["c"]);
  });

  it("filters by state group and by open alerts", () => {
    expect(visibleIds(ids, accounts, new Set(), { ...all, filter: "pending" })).toEqual(["c"]);
    expect(visibleIds(ids, accounts, new Set(), { ...all, filter: "registered" })).toEqual(["a", "e"]);
    expect(visibleIds(ids, accounts, new Set(["d"]), { ...all, filter: "alerts" })).toEqual(["d"]);
  });

  it("sorts by state (worst first), last change (newest first) and expiry (soonest first)", () => {
    expect(visibleIds(ids, accounts, new Set(), { ...all, sort: "state" })).toEqual(["b", "c", "a", "e", "d"]);
    expect(visibleIds(ids, accounts, new Set(), { ...all, sort: "lastChange" })).toEqual(["b", "c", "a", "e", "d"]);
    expect(visibleIds(ids, accounts, new Set(), { ...all, sort: "expiry" }).slice(0, 2)).toEqual(["e", "a"]);
  });
});
