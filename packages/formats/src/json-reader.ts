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

/* ------------------------------------------------------------------ chunked reading */

const NOT_PARSED: unique symbol = Symbol("not parsed");
/** `}` positions tried before an object element is walked character by character. */
const FAST_TRIES = 4;

/** What `JsonChunkReader.next()` met. */
export type JsonEvent =
  /** A member read whole (`key`, `raw()`/`parse()`): not a lazy array. */
  | "member"
  /** A lazy array member starts (`key`); its elements follow. */
  | "array"
  /** One element of the current lazy array (`key`, `index`, `raw()`/`parse()`). */
  | "element"
  | "arrayEnd"
  /** The document is valid JSON but not an object (it was read whole to check it). */
  | "notObject"
  | "end";

type At = "start" | "firstKey" | "key" | "afterMember" | "firstElement" | "afterElement" | "done";

/**
 * The same reading as `topLevelMembers` + `arrayElements`, over a document that arrives in
 * pieces (a file read a few MB at a time): only the unread rest of the current piece and the
 * value being read are held, so a 200 MB COCO file costs a few MB. Containers are only balanced
 * while scanning; `parse()` checks a value when the caller wants it, and `raw()` lets a caller
 * skip an element without parsing it.
 */
export class JsonChunkReader {
  /** The member the last event belongs to. */
  key = "";
  /** Index of the last `element` in its array. */
  index = -1;
  private readonly iter: Iterator<string>;
  private readonly lazy: ReadonlySet<string>;
  private buf = "";
  private pos = 0;
  /** First buffer index still needed (the value being scanned); what lies before may go. */
  private mark = 0;
  /** Absolute offset of `buf[0]`, and the line count and last line start before it. */
  private base = 0;
  private lines = 1;
  private lineStart = 0;
  private valueStart = 0;
  private valueEnd = 0;
  private at: At = "start";
  /** The current element when the fast path already parsed it. */
  private parsed: unknown = NOT_PARSED;

  constructor(chunks: Iterable<string>, lazy: readonly string[] = []) {
    this.iter = chunks[Symbol.iterator]();
    this.lazy = new Set(lazy);
  }

  /** Releases the source (a file being read) when the caller stops before the end. */
  close() {
    this.iter.return?.();
  }

  /** The text of the current member or element. */
  raw(): string {
    return this.buf.slice(this.valueStart, this.valueEnd);
  }

  /** The current member or element parsed; malformed content fails at its place in the document. */
  parse(): unknown {
    if (this.parsed !== NOT_PARSED) return this.parsed;
    try {
      return JSON.parse(this.raw());
    } catch (err) {
      return this.fail(this.valueStart, `invalid value (${(err as Error).message})`);
    }
  }

  next(): JsonEvent {
    switch (this.at) {
      case "start": {
        if (this.buf === "" && !this.pull()) return this.fail(0, "unexpected end of JSON");
        if (this.buf.charCodeAt(0) === 0xfeff) this.pos = 1;
        const c = this.space();
        if (c !== OPEN_OBJECT) return this.notObject();
        this.pos++;
        this.at = "firstKey";
        return this.next();
      }
      case "firstKey":
      case "key": {
        const c = this.space();
        if (this.at === "firstKey" && c === CLOSE_OBJECT) {
          this.pos++;
          return this.finish();
        }
        if (c !== QUOTE) return this.fail(this.pos, `${this.describe(this.pos)}, expected a member name`);
        this.mark = this.pos;
        const keyEnd = this.scanString(this.pos);
        this.key = JSON.parse(this.buf.slice(this.mark, keyEnd)) as string;
        this.pos = keyEnd;
        if (this.space() !== COLON) return this.fail(this.pos, `${this.describe(this.pos)}, expected ":"`);
        this.pos++;
        const v = this.space();
        if (v === OPEN_ARRAY && this.lazy.has(this.key)) {
          this.pos++;
          this.index = -1;
          this.at = "firstElement";
          return "array";
        }
        this.scanValue();
        this.at = "afterMember";
        return "member";
      }
      case "afterMember": {
        const c = this.space();
        if (c === CLOSE_OBJECT) {
          this.pos++;
          return this.finish();
        }
        if (c !== COMMA) return this.fail(this.pos, `${this.describe(this.pos)}, expected "," or "}"`);
        this.pos++;
        this.at = "key";
        return this.next();
      }
      case "firstElement":
      case "afterElement": {
        let c = this.space();
        if (c === CLOSE_ARRAY) {
          this.pos++;
          this.at = "afterMember";
          return "arrayEnd";
        }
        if (this.at === "afterElement") {
          if (c !== COMMA) return this.fail(this.pos, `${this.describe(this.pos)}, expected "," or "]"`);
          this.pos++;
          c = this.space();
        }
        if (c === OPEN_OBJECT) this.scanObject();
        else this.scanValue();
        this.index++;
        this.at = "afterElement";
        return "element";
      }
      case "done":
        return "end";
    }
  }

  private finish(): JsonEvent {
    const c = this.space();
    if (c !== -1) return this.fail(this.pos, `${this.describe(this.pos)} after the end of the document`);
    this.at = "done";
    this.close();
    return "end";
  }

  /** A document that is not an object is read whole: valid JSON is "not COCO", broken JSON an error. */
  private notObject(): JsonEvent {
    this.mark = this.pos;
    while (this.pull()) {
      // the whole rest is needed to check it
    }
    this.parsed = NOT_PARSED;
    this.valueStart = this.pos;
    this.valueEnd = this.buf.length;
    if (this.valueStart >= this.valueEnd) return this.fail(this.pos, "unexpected end of JSON");
    this.parse();
    this.at = "done";
    return "notObject";
  }

  /** Appends the next non-empty piece, dropping what lies before `mark`; false at the end. */
  private pull(): boolean {
    for (;;) {
      const n = this.iter.next();
      if (n.done) return false;
      if (n.value === "") continue;
      const drop = this.mark;
      if (drop > 0) {
        for (let i = this.buf.indexOf("\n"); i !== -1 && i < drop; i = this.buf.indexOf("\n", i + 1)) {
          this.lines++;
          this.lineStart = this.base + i + 1;
        }
        this.base += drop;
        this.pos -= drop;
        this.valueStart -= drop;
        this.valueEnd -= drop;
        this.mark = 0;
      }
      this.buf = this.buf.slice(drop) + n.value;
      return true;
    }
  }

  /** Skips white space (reading on as needed); the next character, or -1 at the end. */
  private space(): number {
    for (;;) {
      const buf = this.buf;
      let i = this.pos;
      while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
      this.pos = i;
      if (i < buf.length) return buf.charCodeAt(i);
      this.mark = i;
      if (!this.pull()) return -1;
    }
  }

  /** Reads on when `i` reached the end of the buffer; returns the shift of buffer indices, -1 at the end. */
  private more(): number {
    const before = this.mark;
    return this.pull() ? before : -1;
  }

  /** `i` is at an opening quote (and at or after `mark`); returns the index after the closing one. */
  private scanString(i: number): number {
    let start = i;
    let j = i + 1;
    for (;;) {
      const q = this.buf.indexOf('"', j);
      if (q === -1) {
        j = this.buf.length;
        const shift = this.more();
        if (shift < 0) return this.fail(start, "unterminated string");
        start -= shift;
        j -= shift;
        continue;
      }
      let backslashes = 0;
      for (let k = q - 1; k > start && this.buf.charCodeAt(k) === BACKSLASH; k--) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /**
   * An object element, the common case (a COCO image or annotation): JSON objects are prefix-free,
   * so the first `}` that ends a text JSON.parse accepts is the object's own end. Parsing up to
   * each `}` in turn finds it without walking every character; an object with nested objects
   * (or broken) falls back to the character scanner after a few tries.
   */
  private scanObject() {
    this.mark = this.pos;
    let from = this.pos + 1;
    for (let tries = 0; tries < FAST_TRIES; ) {
      const k = this.buf.indexOf("}", from);
      if (k === -1) {
        from = this.buf.length;
        const shift = this.more();
        if (shift < 0) break;
        from -= shift;
        continue;
      }
      try {
        this.parsed = JSON.parse(this.buf.slice(this.mark, k + 1));
        this.valueStart = this.mark;
        this.valueEnd = k + 1;
        this.pos = k + 1;
        return;
      } catch {
        tries++;
        from = k + 1;
      }
    }
    this.scanValue();
  }

  /** Locates the value at `pos` (containers balanced, not checked); sets valueStart/End and moves past it. */
  private scanValue() {
    this.parsed = NOT_PARSED;
    this.mark = this.pos;
    const first = this.pos < this.buf.length ? this.buf.charCodeAt(this.pos) : -1;
    let end: number;
    if (first === QUOTE) end = this.scanString(this.pos);
    else if (first === OPEN_OBJECT || first === OPEN_ARRAY) end = this.scanContainer();
    else {
      let j = this.pos;
      for (;;) {
        while (j < this.buf.length && isLiteral(this.buf.charCodeAt(j))) j++;
        if (j < this.buf.length) break;
        const shift = this.more();
        if (shift < 0) break;
        j -= shift;
      }
      if (j === this.mark) return this.fail(j, this.describe(j));
      end = j;
    }
    this.valueStart = this.mark;
    this.valueEnd = end;
    this.pos = end;
  }

  private scanContainer(): number {
    const closers: number[] = [];
    let j = this.mark;
    let buf = this.buf;
    for (;;) {
      if (j >= buf.length) {
        const shift = this.more();
        if (shift < 0) return this.fail(j, "unexpected end of JSON");
        j -= shift;
        buf = this.buf;
      }
      const d = buf.charCodeAt(j);
      if (d === QUOTE) {
        j = this.scanString(j);
        buf = this.buf;
        continue;
      }
      if (d === OPEN_OBJECT) closers.push(CLOSE_OBJECT);
      else if (d === OPEN_ARRAY) closers.push(CLOSE_ARRAY);
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        if (closers.pop() !== d) return this.fail(j, this.describe(j));
        if (closers.length === 0) return j + 1;
      }
      j++;
    }
  }

  private describe(i: number): string {
    return i >= this.buf.length ? "unexpected end of JSON" : `unexpected ${JSON.stringify(this.buf[i])}`;
  }

  /** Throws at buffer index `i`, with the line and column in the whole document. */
  private fail(i: number, reason: string): never {
    let line = this.lines;
    let lineStart = this.lineStart;
    const upTo = Math.min(i, this.buf.length);
    for (let k = this.buf.indexOf("\n"); k !== -1 && k < upTo; k = this.buf.indexOf("\n", k + 1)) {
      line++;
      lineStart = this.base + k + 1;
    }
    const offset = this.base + i;
    this.close();
    throw new JsonSyntaxError(reason, offset, line, offset - lineStart + 1);
  }
}
