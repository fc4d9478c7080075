/**
 * Reads a big JSON document one piece at a time: the members of its top-level object are located
 * without being parsed, and the elements of an array member are parsed one by one. A COCO file
 * with a million annotations is then never held as one object tree: only the element being
 * decoded is alive, and the text itself (which the caller already holds).
 */

/** A value inside the text: `text.slice(start, end)` is its JSON. */
export interface JsonSpan {
  readonly start: number;
  readonly end: number;
}

/** Malformed JSON, with where it is (1-based line and column) for the problem message. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = "JsonSyntaxError";
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Characters of numbers and of true/false/null; JSON.parse of the piece checks their order. */
const isLiteral = (c: number) =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x2d ||
  c === 0x2b ||
  c === 0x2e ||
  c === 0x45;

const fail = (text: string, offset: number, reason: string): never => {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  throw new JsonSyntaxError(reason, offset, line, offset - lineStart + 1);
};

const describe = (text: string, i: number) =>
  i >= text.length ? "unexpected end of JSON" : `unexpected ${JSON.stringify(text[i])}`;

const skipSpace = (text: string, i: number): number => {
  let j = i;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j;
};

/** `i` is at an opening quote; returns the index after the closing one. */
const skipString = (text: string, i: number): number => {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q === -1) return fail(text, i, "unterminated string");
    let backslashes = 0;
    for (let k = q - 1; k > i && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
};

/**
 * Returns the index after the value starting at `i` (no leading space). Containers are only
 * balanced here; their content is checked when the piece is parsed.
 */
const skipValue = (text: string, i: number): number => {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    const closers: number[] = [];
    let j = i;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = skipString(text, j);
        continue;
      }
      if (d === OPEN_OBJECT) closers.push(CLOSE_OBJECT);
      else if (d === OPEN_ARRAY) closers.push(CLOSE_ARRAY);
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        if (closers.pop() !== d) return fail(text, j, describe(text, j));
        if (closers.length === 0) return j + 1;
      }
      j++;
    }
    return fail(text, text.length, "unexpected end of JSON");
  }
  let j = i;
  while (j < text.length && isLiteral(text.charCodeAt(j))) j++;
  if (j === i) return fail(text, i, describe(text, i));
  return j;
};

/** Parses one piece, reporting a failure at the piece's place in the whole text. */
export const parseSpan = (text: string, span: JsonSpan): unknown => {
  try {
    return JSON.parse(text.slice(span.start, span.end));
  } catch (err) {
    return fail(text, span.start, `invalid value (${(err as Error).message})`);
  }
};

/**
 * The members of a top-level object, each value located but not parsed (a repeated key keeps
 * its last value, as JSON.parse does). Null when the document is valid JSON but not an object;
 * throws JsonSyntaxError when it is not JSON. Values that `lazy` does not name are parsed here,
 * so the whole document is checked once every lazy array has been read with `arrayElements`.
 */
export const topLevelMembers = (text: string, lazy: readonly string[] = []): Map<string, JsonSpan> | null => {
  const members = new Map<string, JsonSpan>();
  let i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text.charCodeAt(i) !== OPEN_OBJECT) {
    const end = skipValue(text, i);
    parseSpan(text, { start: i, end });
    if (skipSpace(text, end) < text.length)
      fail(text, skipSpace(text, end), describe(text, skipSpace(text, end)));
    return null;
  }
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_OBJECT) i++;
  else {
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) fail(text, i, `${describe(text, i)}, expected a member name`);
      const keyEnd = skipString(text, i);
      const key = parseSpan(text, { start: i, end: keyEnd }) as string;
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) fail(text, i, `${describe(text, i)}, expected ":"`);
      i = skipSpace(text, i + 1);
      const span = { start: i, end: skipValue(text, i) };
      if (!lazy.includes(key) || text.charCodeAt(i) !== OPEN_ARRAY) parseSpan(text, span);
      members.set(key, span);
      i = skipSpace(text, span.end);
      const sep = text.charCodeAt(i);
      if (sep === CLOSE_OBJECT) {
        i++;
        break;
      }
      if (sep !== COMMA) fail(text, i, `${describe(text, i)}, expected "," or "}"`);
      i = skipSpace(text, i + 1);
    }
  }
  i = skipSpace(text, i);
  if (i < text.length) fail(text, i, `${describe(text, i)} after the end of the document`);
  return members;
};

/** True when the span holds an array (its elements can then be read one by one). */
export const isArraySpan = (text: string, span: JsonSpan): boolean =>
  text.charCodeAt(span.start) === OPEN_ARRAY;

/** The elements of the array at `span`, parsed one at a time, with their index. */
export function* arrayElements(text: string, span: JsonSpan): Generator<[value: unknown, index: number]> {
  if (!isArraySpan(text, span)) fail(text, span.start, "expected an array");
  let i = skipSpace(text, span.start + 1);
  if (text.charCodeAt(i) === CLOSE_ARRAY) return;
  for (let index = 0; ; index++) {
    const end = skipValue(text, i);
    yield [parseSpan(text, { start: i, end }), index];
    i = skipSpace(text, end);
    const sep = text.charCodeAt(i);
    if (sep === CLOSE_ARRAY) return;
    if (sep !== COMMA) fail(text, i, `${describe(text, i)}, expected "," or "]"`);
    i = skipSpace(text, i + 1);
  }
}
