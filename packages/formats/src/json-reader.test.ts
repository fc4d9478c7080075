import { describe, expect, it } from "vitest";
import {
  arrayElements,
  JsonChunkReader,
  JsonSyntaxError,
  parseSpan,
  topLevelMembers,
} from "./json-reader.js";

const LAZY = ["images", "annotations", "categories"];

/** Reads a document the streaming way back into a plain value. */
const readBack = (text: string): unknown => {
  const members = topLevelMembers(text, LAZY);
  if (!members) return JSON.parse(text);
  const out: Record<string, unknown> = {};
  for (const [key, span] of members) {
    out[key] =
      LAZY.includes(key) && text[span.start] === "["
        ? [...arrayElements(text, span)].map(([v]) => v)
        : parseSpan(text, span);
  }
  return out;
};

const syntaxError = (run: () => unknown): JsonSyntaxError => {
  try {
    run();
  } catch (err) {
    if (err instanceof JsonSyntaxError) return err;
    throw err;
  }
  throw new Error("no syntax error");
};

describe("streaming JSON reader", () => {
  it("gives what JSON.parse gives, element by element, with indices", () => {
    const doc = {
      info: { description: 'a "quoted" \\ name, {not: a brace}', year: 2024 },
      images: [{ id: 1, file_name: "a b/ü.jpg", width: 10, height: 20 }, { id: "x" }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 0,
          bbox: [1.5, 2e-3, -7, 1e10],
          segmentation: [[1, 2, 3, 4, 5, 6]],
        },
        { id: 2, segmentation: { counts: "a]b[c}", size: [1, 2] }, iscrowd: true, extra: null },
      ],
      categories: [],
      licenses: [[], [[]], {}],
    };
    for (const text of [
      JSON.stringify(doc),
      JSON.stringify(doc, null, 2),
      `\ufeff ${JSON.stringify(doc)}\n`,
    ]) {
      expect(readBack(text)).toEqual(doc);
    }
    const text = JSON.stringify(doc);
    const span = topLevelMembers(text, LAZY)?.get("annotations");
    expect(span && [...arrayElements(text, span)].map(([, i]) => i)).toEqual([0, 1]);
  });

  it("keeps the last of a repeated key, as JSON.parse does", () => {
    const text = '{"images":[1],"images":[2,3]}';
    expect(readBack(text)).toEqual(JSON.parse(text));
  });

  it("tells valid non-objects apart from broken JSON", () => {
    expect(topLevelMembers("[1,2]")).toBeNull();
    expect(topLevelMembers(' "s" ')).toBeNull();
    expect(topLevelMembers("{}")?.size).toBe(0);
    expect(() => topLevelMembers("[1,2")).toThrow(JsonSyntaxError);
  });

  it("names line and column of what is wrong", () => {
    const e = syntaxError(() => topLevelMembers('{\n  "info": {},\n  "images" [1]\n}'));
    expect([e.line, e.column]).toEqual([3, 12]);
    expect(e.message).toMatch(/expected ":" at line 3 column 12$/);

    const trailing = syntaxError(() => topLevelMembers('{"a":1}\nx'));
    expect([trailing.line, trailing.column]).toEqual([2, 1]);

    const text = '{"annotations":[\n{"id":1},\n{"id":2,}\n]}';
    const span = topLevelMembers(text, LAZY)?.get("annotations");
    if (!span) throw new Error("no annotations");
    const seen: unknown[] = [];
    const bad = syntaxError(() => {
      for (const [v] of arrayElements(text, span)) seen.push(v);
    });
    expect(seen).toEqual([{ id: 1 }]);
    expect(bad.line).toBe(3);
    expect(bad.message).toMatch(/^invalid value/);
  });

  it("checks non-lazy members and separators between elements", () => {
    expect(() => topLevelMembers('{"info":{"a" 1},"images":[]}', LAZY)).toThrow(JsonSyntaxError);
    expect(() => topLevelMembers('{"images":[1 2]}', LAZY)).not.toThrow();
    const text = '{"images":[1 2]}';
    const span = topLevelMembers(text, LAZY)?.get("images");
    if (!span) throw new Error("no images");
    expect(() => [...arrayElements(text, span)]).toThrow(/expected "," or "]"/);
    expect(() => topLevelMembers('{"a":"unterminated}')).toThrow(/unterminated string/);
    expect(() => topLevelMembers('{"a":[1}]}')).toThrow(JsonSyntaxError);
  });
});

/** Reads a document in pieces of `size` characters back into a plain value. */
const readBackChunked = (text: string, size: number): unknown => {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  const r = new JsonChunkReader(pieces, LAZY);
  const out: Record<string, unknown> = {};
  let list: unknown[] = [];
  for (let e = r.next(); e !== "end"; e = r.next()) {
    if (e === "notObject") return JSON.parse(text);
    if (e === "member") out[r.key] = r.parse();
    else if (e === "array") list = out[r.key] = [];
    else if (e === "element") {
      expect(r.index).toBe(list.length);
      list.push(r.parse());
    }
  }
  return out;
};

const chunkedError = (text: string, size: number): JsonSyntaxError =>
  syntaxError(() => readBackChunked(text, size));

describe("streaming JSON reader over pieces", () => {
  it("gives what JSON.parse gives for any piece size", () => {
    const doc = {
      info: { description: 'a "quoted" \\ name, {not: a brace} \\"', year: 2024 },
      images: [{ id: 1, file_name: "a b/ü.jpg", width: 10, height: 20 }, { id: "x" }],
      annotations: [{ id: 1, bbox: [1.5, 2e-3, -7, 1e10], segmentation: [[1, 2, 3, 4, 5, 6]] }, 7, "s", null],
      categories: [],
      licenses: [[], [[]], {}],
      n: -12.5e3,
    };
    for (const text of [
      JSON.stringify(doc),
      JSON.stringify(doc, null, 2),
      `\ufeff ${JSON.stringify(doc)}\n`,
    ]) {
      for (const size of [1, 2, 3, 7, 100, 1 << 20]) expect(readBackChunked(text, size)).toEqual(doc);
    }
    expect(readBackChunked("{}", 1)).toEqual({});
    expect(readBackChunked(" [1,2] ", 2)).toEqual([1, 2]);
  });

  it("names the same line and column as the whole-text reader, across pieces", () => {
    const cases = [
      '{\n  "info": {},\n  "images" [1]\n}',
      '{"a":1}\nx',
      '{"annotations":[\n{"id":1},\n{"id":2,}\n]}',
      '{"images":[1 2]}',
      '{"a":"unterminated}',
      '{"a":[1}]}',
      '{"images": [], "annotations": [',
      "[1,2",
    ];
    for (const text of cases) {
      const whole = chunkedError(text, 1 << 20);
      for (const size of [1, 2, 5]) {
        const e = chunkedError(text, size);
        expect([e.line, e.column, e.reason], `${text} / ${size}`).toEqual([
          whole.line,
          whole.column,
          whole.reason,
        ]);
      }
    }
    const e = chunkedError('{\n  "info": {},\n  "images" [1]\n}', 3);
    expect(e.message).toMatch(/expected ":" at line 3 column 12$/);
  });
});
