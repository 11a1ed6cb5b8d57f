import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import { matchRoute } from "./routes.js";
import { bearerToken, generateToken, subprotocolToken, TOKEN_PATTERN, tokenMatches } from "./token.js";

describe("routes", () => {
  const build = (method: string, path: string, body?: unknown, query = "") =>
    matchRoute(method, path)?.build({ body, query: new URLSearchParams(query) });

  it("maps REST paths to contract commands", () => {
    expect(build("GET", "/api/accounts")).toEqual({ command: "accounts.list", input: undefined });
    expect(build("POST", "/api/accounts", { a: 1 })).toEqual({ command: "accounts.create", input: { a: 1 } });
    expect(build("PATCH", "/api/accounts/x1", { name: "n" })).toEqual({ command: "accounts.update", input: { id: "x1", patch: { name: "n" } } });
    expect(build("POST", "/api/accounts/x1/unregister-all")).toEqual({ command: "accounts.unregisterAll", input: { id: "x1" } });
    expect(build("GET", "/api/accounts/x1/history", undefined, "limit=5")).toEqual({ command: "accounts.history", input: { id: "x1", limit: 5 } });
    expect(build("POST", "/api/alerts/al%201/ack")).toEqual({ command: "alerts.ack", input: { id: "al 1" } });
    expect(build("POST", "/api/commands/state.snapshot")).toEqual({ command: "state.snapshot", input: undefined });
    expect(matchRoute("PUT", "/api/accounts")).toBeUndefined();
    expect(matchRoute("POST", "/api/accounts/x1/explode")).toBeUndefined();
    expect(build("GET", "/api/accounts/%E0%A4%A")).toEqual({ command: "accounts.get", input: { id: "%E0%A4%A" } });
  });
});

describe("tokens", () => {
  it("match only exactly, from a Bearer header or a bearer.* subprotocol", () => {
    expect(tokenMatches("secret-token", "secret-token")).toBe(true);
    expect(tokenMatches("secret-token", "secret-tokeN")).toBe(false);
    expect(tokenMatches("secret-token", "secret-token-longer")).toBe(false);
    expect(tokenMatches("secret-token", undefined)).toBe(false);
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(subprotocolToken("regwatch, bearer.abc")).toBe("abc");
    expect(subprotocolToken("regwatch")).toBeUndefined();
  });

  it("are generated so a command line never reads them as an option", () => {
    // Base64url would start with "-" once in 64 tokens; 500 draws catch that almost surely.
    for (let i = 0; i < 500; i++) {
      const token = generateToken();
      expect(token).toMatch(TOKEN_PATTERN);
      expect(token.startsWith("-")).toBe(false);
    }
  });
});

describe("logger", () => {
  it("redacts secret-looking fields", () => {
    const lines: string[] = [];
    const log = createLogger("debug", (l) => lines.push(l));
    log.info("x", { password: "hunter2", Authorization: "Digest abc", account: "a1" });
    expect(lines[0]).not.toContain("hunter2");
    expect(lines[0]).not.toContain("Digest abc");
    expect(lines[0]).toContain("a1");
  });
});
