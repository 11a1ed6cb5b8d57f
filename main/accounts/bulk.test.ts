import { describe, expect, it } from "vitest";
import type { AccountRecord } from "./account.js";
import { parseImport, serializeExport } from "./bulk.js";

const csv = (lines: string[]) => lines.join("\n") + "\n";

describe("CSV import", () => {
  it("reads good rows with defaults, and reports each bad one with row, line and field", () => {
    const out = parseImport(
      "csv",
      csv([
        "name,aor,password,transport,expires,enabled",
        "Alice,sip:alice@example.com,pw1,udp,600,true",
        'Bob,"sip:bob@example.com",,tcp,,no',
        "Carol,not-a-uri,pw3,udp,600,yes",
        "Dan,sip:dan@example.com,pw4,pigeon,5,maybe",
      ]),
    );
    expect(out.total).toBe(4);
    expect(out.rows.map((r) => [r.row, r.input.name, r.input.expires, r.input.enabled, r.input.transport])).toEqual([
      [1, "Alice", 600, true, "udp"],
      [2, "Bob", 3600, false, "tcp"],
    ]);
    expect(out.issues).toEqual([
      { row: 3, line: 4, field: "aor", message: expect.stringMatching(/SIP URI/) },
      { row: 4, line: 5, field: "enabled", message: '"maybe" is not true/false' },
      { row: 4, line: 5, field: "transport", message: expect.any(String) },
      { row: 4, line: 5, field: "expires", message: expect.stringMatching(/at least/) },
    ]);
  });

  it("handles quoting, embedded commas and quotes, CRLF and a BOM", () => {
    const out = parseImport("csv", '\uFEFFname,aor,password\r\n"Desk, 2nd floor","sip:d@example.com","pa,""ss"""\r\n');
    expect(out.issues).toEqual([]);
    expect(out.rows[0]!.input).toMatchObject({ name: "Desk, 2nd floor", password: 'pa,"ss"' });
  });

  it("reports a control character inside a quoted field instead of storing it", () => {
    const out = parseImport("csv", 'name,aor,password\n"Two\nlines",sip:d@example.com,pw\n');
    expect(out.rows).toEqual([]);
    expect(out.issues[0]).toMatchObject({ row: 1, field: "name" });
  });

  it("refuses unknown columns and unreadable files as a whole", () => {
    expect(parseImport("csv", "name,aor,colour\nA,sip:a@b,red\n").issues[0]).toMatchObject({ row: 0, line: 1, field: "colour" });
    expect(parseImport("csv", 'name,aor\n"unclosed,sip:a@b\n').issues[0]).toMatchObject({ row: 0, message: expect.stringMatching(/CSV/) });
  });
});

describe("JSON import", () => {
  it("takes an array or an export document and reports rows by index", () => {
    const out = parseImport("json", JSON.stringify({ accounts: [{ name: "A", aor: "sip:a@b" }, { name: "", aor: "sip:c@d" }, 42] }));
    expect(out.rows.map((r) => r.input.name)).toEqual(["A"]);
    expect(out.issues.map((i) => [i.row, i.field])).toEqual([
      [2, "name"],
      [3, "(row)"],
    ]);
    expect(parseImport("json", "{oops").issues[0]).toMatchObject({ row: 0, message: expect.stringMatching(/JSON/) });
    expect(parseImport("json", '{"x":1}').issues[0]).toMatchObject({ row: 0 });
  });
});

describe("export", () => {
  const record: AccountRecord = {
    id: "1",
    name: "Desk, 2nd",
    aor: "sip:d@example.com",
    transport: "udp",
    expires: 600,
    enabled: false,
    watchRegEvent: true,
    regEventPolicy: { rejected: "ignore" },
    passwordSealed: "k1:sealed",
    createdAt: 0,
    updatedAt: 0,
  };

  it("leaves passwords out unless asked, and round-trips through import", () => {
    for (const format of ["csv", "json"] as const) {
      const without = serializeExport(format, [record]);
      expect(without).not.toContain("password");
      const withPw = serializeExport(format, [record], () => "s3cret,with comma");
      const back = parseImport(format, withPw);
      expect(back.issues).toEqual([]);
      expect(back.rows[0]!.input).toMatchObject({ name: "Desk, 2nd", aor: "sip:d@example.com", password: "s3cret,with comma", expires: 600, enabled: false });
      if (format === "json") expect(back.rows[0]!.input.regEventPolicy).toEqual({ rejected: "ignore" });
    }
  });
});
