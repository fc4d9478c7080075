/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF; a field holding a comma,
 * a quote, a CR or an LF is quoted, its quotes doubled. A field a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or CR) is prefixed with a quote character inside the quoted field,
 * as OWASP advises for CSV injection, unless it is a plain number.
 */
export type CsvValue = string | number | boolean | null | undefined;

const NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

export const csvField = (v: CsvValue): string => {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  const guarded = /^[=+\-@\t\r]/.test(v) && !NUMBER.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(guarded) || guarded !== v ? `"${guarded.replaceAll('"', '""')}"` : guarded;
};

export const toCsv = (header: readonly string[], rows: readonly (readonly CsvValue[])[]): string =>
  [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
