import { describe, expect, it } from "vitest";
import { AccountInput, AccountPatch, commands, COMMAND_NAMES, issuesOf } from "./contract.js";

describe("AccountInput", () => {
  it("applies the documented defaults", () => {
    const a = AccountInput.parse({ name: "Alice", aor: "sip:alice@example.com", password: "pw" });
    expect(a).toMatchObject({ transport: "udp", expires: 3600, enabled: true, watchRegEvent: true });
    expect(a.registrar).toBeUndefined();
  });

  it("reports every bad field with its path and a readable message", () => {
    const r = AccountInput.safeParse({
      name: "  ",
      aor: "alice@example.com",
      password: "pw",
      registrar: "http://x",
      outboundProxy: "sip:10.0.0.1:5060;transport=tcp",
      transport: "sctp",
      expires: 5,
    });
    expect(r.success).toBe(false);
    const issues = issuesOf(r.error!);
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(["aor", "expires", "name", "registrar", "transport"]);
    expect(issues.find((i) => i.path === "aor")!.message).toMatch(/SIP URI with a user/);
    expect(issues.find((i) => i.path === "expires")!.message).toMatch(/at least 10/);
  });

  it("rejects unknown fields instead of silently dropping them", () => {
    const r = AccountInput.safeParse({ name: "A", aor: "sip:a@b", password: "", pasword: "typo" });
    expect(r.success).toBe(false);
  });

  it("accepts sips AORs and registrars with ports and params", () => {
    const r = AccountInput.safeParse({ name: "A", aor: "sips:a@b.example", password: "", registrar: "sip:pbx.example:5080;transport=tcp" });
    expect(r.success).toBe(true);
  });

  it("refuses control characters in names and passwords", () => {
    expect(AccountInput.safeParse({ name: "a\u0000b", aor: "sip:a@b", password: "" }).success).toBe(false);
    expect(AccountInput.safeParse({ name: "a", aor: "sip:a@b", password: "x\ny" }).success).toBe(false);
  });
});

describe("AccountPatch", () => {
  it("does not invent defaults for fields the patch leaves out", () => {
    expect(AccountPatch.parse({ name: "New name" })).toEqual({ name: "New name" });
  });

  it("takes null to clear an optional field", () => {
    expect(AccountPatch.parse({ outboundProxy: null })).toEqual({ outboundProxy: null });
    expect(AccountPatch.safeParse({ name: null }).success).toBe(false);
  });
});

describe("commands", () => {
  it("lists the same names as the allow-list the preload uses", () => {
    expect(Object.keys(commands).sort()).toEqual([...COMMAND_NAMES].sort());
  });
});
