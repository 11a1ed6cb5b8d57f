import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import { matchRoute } from "./routes.js";
import { parseServeOptions, UsageError } from "./serve-options.js";
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
    expect(build("GET", "/api/accounts/x1/trace", undefined, "limit=7")).toEqual({ command: "accounts.trace", input: { id: "x1", limit: 7 } });
    expect(build("GET", "/api/accounts/x1/trace")).toEqual({ command: "accounts.trace", input: { id: "x1" } });
    expect(build("GET", "/api/accounts/export", undefined, "format=csv&withPasswords=true")).toEqual({ command: "accounts.export", input: { format: "csv", withPasswords: true } });
    // Only the exact word asks for passwords.
    expect(build("GET", "/api/accounts/export", undefined, "withPasswords=1")).toEqual({ command: "accounts.export", input: { format: "json", withPasswords: false } });
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

describe("serve options", () => {
  const generated = "generated-token-0123";
  const parse = (argv: string[], env: Record<string, string | undefined> = {}) => parseServeOptions(argv, env, () => generated);

  it("take the token from --token, else $REGWATCH_TOKEN, else a generated one", () => {
    expect(parse(["--token", "flag-token-123"], { REGWATCH_TOKEN: "env-token-456" })).toMatchObject({ token: "flag-token-123", tokenSource: "flag" });
    expect(parse(["--token=flag-token-123"])).toMatchObject({ token: "flag-token-123", tokenSource: "flag" });
    expect(parse([], { REGWATCH_TOKEN: "env-token-456" })).toMatchObject({ token: "env-token-456", tokenSource: "env" });
    expect(parse([])).toMatchObject({ token: generated, tokenSource: "generated" });
    // The real generator, when nothing is given.
    const real = parseServeOptions([], {});
    expect(real.token).toMatch(TOKEN_PATTERN);
    expect(parseServeOptions([], {}).token).not.toBe(real.token);
  });

  it("refuse a token that is short or unsafe in a URL fragment, wherever it comes from", () => {
    expect(() => parse(["--token", "short"])).toThrow(UsageError);
    expect(() => parse(["--token", "has space in it"])).toThrow(/--token/);
    expect(() => parse([], { REGWATCH_TOKEN: "x#y/zzzzzzzz" })).toThrow(/REGWATCH_TOKEN/);
    expect(() => parse([], { REGWATCH_TOKEN: "" })).toThrow(UsageError);
  });

  it("bind to 127.0.0.1:7480 by default and flag any other address", () => {
    expect(parse([])).toMatchObject({ host: "127.0.0.1", port: 7480, exposed: false, dataDir: undefined });
    for (const host of ["::1", "localhost"]) expect(parse(["--host", host]).exposed).toBe(false);
    expect(parse(["--host", "0.0.0.0"])).toMatchObject({ host: "0.0.0.0", exposed: true });
    expect(parse(["--port", "0"]).port).toBe(0);
    for (const port of ["", "65536", "-1", "80.5", "http"]) expect(() => parse([`--port=${port}`])).toThrow(UsageError);
    expect(() => parse(["--sip-port", "nope"])).toThrow(/--sip-port/);
    expect(parse(["--sip-port", "5070", "--rate", "20", "--data", "/tmp/x"])).toMatchObject({ sipPort: 5070, startRatePerSec: 20, dataDir: "/tmp/x" });
    expect(() => parse(["--rate", "0"])).toThrow(/--rate/);
    expect(() => parse(["--bogus"])).toThrow();
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
