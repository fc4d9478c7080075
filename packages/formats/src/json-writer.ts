/**
 * JSON written as one record per line: byte-stable, diffable, and streamable (an array of a
 * million annotations is produced line by line, never as one string).
 */

/** `"key":value` pairs of a small object on one line (JSON.stringify is deterministic by key order). */
export const line = (v: unknown): string => JSON.stringify(v);

export type JsonSection =
  | readonly [key: string, value: unknown]
  | readonly [key: string, items: Iterable<unknown>, kind: "array"]
  /**
   * Items already serialized as UTF-8, in chunks of any size: `\n{…},\n{…}…` (each item on its
   * own line, a comma before every one but the first).
   */
  | readonly [key: string, chunks: Iterable<Uint8Array>, kind: "json-bytes"];

/**
 * Yields `{"a":…,"big":[\n{…},\n{…}\n],"next":…}` where array-valued sections come from
 * iterables. Sections are written in the order given.
 */
export function* jsonDocument(sections: readonly JsonSection[]): Generator<string | Uint8Array> {
  yield "{";
  let first = true;
  for (const section of sections) {
    const key = JSON.stringify(section[0]);
    const sep = first ? "" : ",";
    first = false;
    if (section.length === 3 && section[2] === "json-bytes") {
      yield `${sep}${key}:[`;
      let any = false;
      for (const chunk of section[1]) {
        if (chunk.length === 0) continue;
        any = true;
        yield chunk;
      }
      yield any ? "\n]" : "]";
    } else if (section.length === 3) {
      yield `${sep}${key}:[`;
      let n = 0;
      for (const v of section[1]) yield `${n++ === 0 ? "\n" : ",\n"}${line(v)}`;
      yield n > 0 ? "\n]" : "]";
    } else {
      yield `${sep}${key}:${line(section[1])}`;
    }
  }
  yield "}\n";
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
export const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Parses RFC 4180 CSV into rows of fields; returns the line number (1-based) of each row. */
export const parseCsv = (text: string): { row: string[]; line: number }[] => {
  const rows: { row: string[]; line: number }[] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  let lineNo = 1;
  let rowLine = 1;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") lineNo++;
        field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      row.push(field);
      if (row.length > 1 || row[0] !== "") rows.push({ row, line: rowLine });
      row = [];
      field = "";
      lineNo++;
      rowLine = lineNo;
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push({ row, line: rowLine });
  }
  return rows;
};
