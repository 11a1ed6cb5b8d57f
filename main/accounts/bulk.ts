/**
 * Bulk import and export of accounts as CSV or JSON. Parsing and validation only (no store):
 * every row is checked with the contract's AccountInput and reported with its row, line and
 * field; the caller writes the good rows in one transaction.
 *
 * CSV is read and written by csv-parse / csv-stringify (quoting, embedded newlines, BOMs).
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { AccountInput, type BulkFormat, type ImportIssue } from "../../shared/contract.js";
import type { AccountRecord } from "./account.js";

export const CSV_COLUMNS = ["name", "aor", "password", "authUsername", "registrar", "outboundProxy", "transport", "tlsCaFile", "expires", "enabled", "watchRegEvent"] as const;
const BOOLEAN_COLUMNS = new Set(["enabled", "watchRegEvent"]);

export interface ParsedRow {
  row: number;
  line?: number;
  input: AccountInput;
}

export interface ParseOutcome {
  rows: ParsedRow[];
  issues: ImportIssue[];
  /** Data rows seen, good and bad. */
  total: number;
}

export function parseImport(format: BulkFormat, content: string): ParseOutcome {
  return format === "csv" ? parseCsv(content) : parseJson(content);
}

function parseCsv(content: string): ParseOutcome {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(content, { columns: (header: string[]) => header.map((h) => h.trim()), bom: true, skip_empty_lines: true, info: true, relax_column_count: false, trim: true });
  } catch (e) {
    const err = e as Error & { lines?: number };
    return { rows: [], total: 0, issues: [{ row: 0, line: err.lines, field: "", message: `Not a readable CSV file: ${err.message}` }] };
  }
  const header = records.length ? Object.keys(records[0]!.record) : [];
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) {
    return { rows: [], total: records.length, issues: [{ row: 0, line: 1, field: unknown.join(", "), message: `Unknown column(s); expected ${CSV_COLUMNS.join(", ")}` }] };
  }
  const out: ParseOutcome = { rows: [], issues: [], total: records.length };
  records.forEach(({ record, info }, i) => {
    const raw: Record<string, unknown> = {};
    const problems: ImportIssue[] = [];
    for (const [key, value] of Object.entries(record)) {
      if (value === "") continue;
      if (key === "expires") raw[key] = /^\d+$/.test(value) ? Number(value) : value;
      else if (BOOLEAN_COLUMNS.has(key)) {
        const b = parseBoolean(value);
        if (b === undefined) problems.push({ row: i + 1, line: info.lines, field: key, message: `"${value}" is not true/false` });
        else raw[key] = b;
      } else raw[key] = value;
    }
    raw.password ??= "";
    check(raw, i + 1, info.lines, out, problems);
  });
  return out;
}

function parseJson(content: string): ParseOutcome {
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ""));
  } catch (e) {
    return { rows: [], total: 0, issues: [{ row: 0, field: "", message: `Not valid JSON: ${(e as Error).message}` }] };
  }
  const list = Array.isArray(data) ? data : (data as { accounts?: unknown })?.accounts;
  if (!Array.isArray(list)) {
    return { rows: [], total: 0, issues: [{ row: 0, field: "", message: "Expected an array of accounts or { \"accounts\": [...] }" }] };
  }
  const out: ParseOutcome = { rows: [], issues: [], total: list.length };
  list.forEach((item, i) => {
    const raw = item && typeof item === "object" ? { password: "", ...(item as Record<string, unknown>) } : item;
    check(raw, i + 1, undefined, out, []);
  });
  return out;
}

function check(raw: unknown, row: number, line: number | undefined, out: ParseOutcome, problems: ImportIssue[]): void {
  const parsed = AccountInput.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ row, line, field: issue.path.map(String).join(".") || "(row)", message: issue.message });
    }
  }
  if (problems.length || !parsed.success) out.issues.push(...problems);
  else out.rows.push({ row, line, input: parsed.data });
}

function parseBoolean(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (["true", "1", "yes", "y"].includes(s)) return true;
  if (["false", "0", "no", "n"].includes(s)) return false;
  return undefined;
}

/** Accounts as a file. `passwordOf` is called only when passwords are to be included. */
export function serializeExport(format: BulkFormat, records: AccountRecord[], passwordOf?: (r: AccountRecord) => string): string {
  const rows = records.map((r) => ({
    name: r.name,
    aor: r.aor,
    ...(passwordOf ? { password: passwordOf(r) } : {}),
    authUsername: r.authUsername,
    registrar: r.registrar,
    outboundProxy: r.outboundProxy,
    transport: r.transport,
    tlsCaFile: r.tlsCaFile,
    expires: r.expires,
    enabled: r.enabled,
    watchRegEvent: r.watchRegEvent,
    ...(format === "json" && Object.keys(r.regEventPolicy).length ? { regEventPolicy: r.regEventPolicy } : {}),
  }));
  if (format === "json") return JSON.stringify({ version: 1, accounts: rows }, null, 2) + "\n";
  const columns = CSV_COLUMNS.filter((c) => c !== "password" || passwordOf);
  return stringify(rows, { header: true, columns: [...columns], cast: { boolean: (b) => (b ? "true" : "false") } });
}
