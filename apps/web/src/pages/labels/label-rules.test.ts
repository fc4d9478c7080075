import {
  DEFAULT_LABEL_PALETTE,
  Hotkey,
  LabelBulkCreate,
  LabelCreate,
  RESERVED_HOTKEYS,
} from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  checkHotkey,
  checkLabelName,
  checkShapeTypes,
  dropTarget,
  freeHotkeys,
  MAX_BULK_LABELS,
  moveItem,
  nextFreeColor,
  nextFreeDigit,
  normalizeHex,
  parseBulkNames,
} from "./label-rules";
import { LABEL_PALETTE } from "./palette";

const labels = [
  { id: 1, name: "Car", hotkey: "1", color: "#4e79a7" },
  { id: 2, name: "Pedestrian", hotkey: "x", color: "#f28e2b" },
  { id: 3, name: "Traffic light", hotkey: null, color: "#e15759" },
];

describe("checkLabelName", () => {
  it.each([
    ["  Bicycle ", { ok: true, value: "Bicycle" }],
    ["", { ok: false, message: "Name must not be empty" }],
    ["   ", { ok: false, message: "Name must not be empty" }],
    ["car", { ok: false, message: 'A label named "Car" already exists' }],
    [" TRAFFIC LIGHT ", { ok: false, message: 'A label named "Traffic light" already exists' }],
  ])("%j -> %j", (input, expected) => {
    expect(checkLabelName(input, labels)).toEqual(expected);
  });

  it("lets a label keep (or re-case) its own name", () => {
    expect(checkLabelName("CAR", labels, 1)).toEqual({ ok: true, value: "CAR" });
  });

  it("refuses names over 100 characters and says how long it is", () => {
    const r = checkLabelName("x".repeat(101), labels);
    expect(r).toEqual({ ok: false, message: "Name is 101 characters long; the limit is 100" });
    expect(checkLabelName("x".repeat(100), labels).ok).toBe(true);
  });
});

describe("checkHotkey", () => {
  it.each([
    ["", { ok: true, value: null }],
    ["2", { ok: true, value: "2" }],
    ["Q", { ok: true, value: "q" }],
    ["0", { ok: false, message: "0 cannot be a hotkey; use 1-9 or a letter" }],
    ["12", { ok: false, message: '"12" cannot be a chord: a letter, then a digit or a letter (g3)' }],
    ["g3x", { ok: false, message: "A hotkey is one key (1-9 or a letter) or a chord of two (g3)" }],
    ["G3", { ok: true, value: "g3" }],
    ["k0", { ok: true, value: "k0" }],
    ["b3", { ok: false, message: '"b3" starts with "b", the editor\'s Box tool' }],
    ["x1", { ok: false, message: '"x1" clashes with "Pedestrian"\'s "x": a key cannot also start a chord' }],
    ["é", { ok: false, message: '"é" cannot be a hotkey; use a digit 1-9 or a letter a-z' }],
    ["-", { ok: false, message: '"-" cannot be a hotkey; use a digit 1-9 or a letter a-z' }],
    ["1", { ok: false, message: '"1" is already the hotkey of "Car"' }],
    ["X", { ok: false, message: '"x" is already the hotkey of "Pedestrian"' }],
  ])("%j -> %j", (input, expected) => {
    expect(checkHotkey(input, labels)).toEqual(expected);
  });

  it("refuses every editor shortcut, naming the command", () => {
    for (const [key, command] of Object.entries(RESERVED_HOTKEYS)) {
      expect(checkHotkey(key.toUpperCase(), labels)).toEqual({
        ok: false,
        message: `"${key}" is reserved for the editor's ${command}`,
      });
    }
  });

  it("refuses a key that would start another label's chord", () => {
    const withChord = [...labels, { id: 9, name: "Bus", hotkey: "g3" }];
    expect(checkHotkey("g", withChord)).toEqual({
      ok: false,
      message: `"g" clashes with "Bus"'s "g3": a key cannot also start a chord`,
    });
    expect(checkHotkey("g4", withChord)).toEqual({ ok: true, value: "g4" });
  });

  it("does not conflict a label with itself", () => {
    expect(checkHotkey("1", labels, 1)).toEqual({ ok: true, value: "1" });
  });
});

describe("checkShapeTypes", () => {
  it("needs at least one shape type and sorts/dedupes", () => {
    expect(checkShapeTypes([])).toEqual({ ok: false, message: "A label must allow at least one shape type" });
    expect(checkShapeTypes(["polygon", "box", "box"])).toEqual({ ok: true, value: ["box", "polygon"] });
  });
});

describe("free hotkeys", () => {
  it("lists digits first, then letters, skipping taken and reserved keys", () => {
    const free = freeHotkeys(labels);
    expect(free.slice(0, 8)).toEqual(["2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(free).not.toContain("x");
    for (const k of Object.keys(RESERVED_HOTKEYS)) expect(free).not.toContain(k);
    expect(free).toContain("c");
  });

  it("offers the next digit, or none when 1-9 are taken", () => {
    expect(nextFreeDigit(labels)).toBe("2");
    const nine = [..."123456789"].map((k, i) => ({ id: i + 1, name: `l${i}`, hotkey: k }));
    expect(nextFreeDigit(nine)).toBeNull();
  });
});

describe("parseBulkNames", () => {
  it("takes one name per line, trimmed, ignoring blank lines and CRLF", () => {
    expect(parseBulkNames("dog\r\n  cat  \n\n\nbird\r", [])).toEqual({
      names: ["dog", "cat", "bird"],
      skipped: [],
    });
  });

  it("never keeps a tab inside a name: cells of a pasted spreadsheet row are names of their own", () => {
    const r = parseBulkNames("dog\tcat\nbird\t\t bus \t\nowl\t", []);
    expect(r).toEqual({ names: ["dog", "cat", "bird", "bus", "owl"], skipped: [] });
    expect(r.names.join("")).not.toContain("\t");
  });

  it("reports repeats, existing names and over-long names instead of sending them", () => {
    const r = parseBulkNames(`Truck\ncar\ntruck\n${"y".repeat(101)}\nBus`, labels);
    expect(r.names).toEqual(["Truck", "Bus"]);
    expect(r.skipped).toEqual([
      { name: "car", reason: 'already in the label set as "Car"' },
      { name: "truck", reason: "repeated in the list" },
      { name: "y".repeat(101), reason: "longer than 100 characters" },
    ]);
  });

  it("caps one paste at the server's bulk limit", () => {
    const text = Array.from({ length: MAX_BULK_LABELS + 2 }, (_, i) => `label ${i}`).join("\n");
    const r = parseBulkNames(text, []);
    expect(r.names).toHaveLength(MAX_BULK_LABELS);
    expect(r.skipped.map((s) => s.name)).toEqual([
      `label ${MAX_BULK_LABELS}`,
      `label ${MAX_BULK_LABELS + 1}`,
    ]);
  });
});

describe("moveItem", () => {
  it.each([
    [0, 2, ["b", "c", "a", "d"]],
    [3, 0, ["d", "a", "b", "c"]],
    [1, 1, ["a", "b", "c", "d"]],
    [1, 99, ["a", "c", "d", "b"]],
    [9, 0, ["a", "b", "c", "d"]],
  ])("from %i to %i", (from, to, expected) => {
    expect(moveItem(["a", "b", "c", "d"], from, to)).toEqual(expected);
  });
});

describe("dropTarget", () => {
  // Rows a b c d; dragging b (1).
  it.each([
    [0, false, 0], // above a: b first
    [0, true, 1], // below a: stays
    [2, false, 1], // above c: stays
    [2, true, 2], // below c: a c b d
    [3, true, 3], // below d: last
  ])("over %i (after=%s) -> %i", (over, after, to) => {
    expect(dropTarget(1, over, after, 4)).toBe(to);
    expect(moveItem(["a", "b", "c", "d"], 1, to)).toEqual(
      { 0: ["b", "a", "c", "d"], 1: ["a", "b", "c", "d"], 2: ["a", "c", "b", "d"], 3: ["a", "c", "d", "b"] }[
        to
      ],
    );
  });
});

describe("colours", () => {
  const palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"];
  it("picks the first palette colour nobody uses, case-insensitively", () => {
    expect(nextFreeColor([{ id: 1, name: "a", hotkey: null, color: "#4E79A7" }], palette)).toBe("#f28e2b");
    expect(nextFreeColor(labels, palette)).toBe("#76b7b2");
  });
  it("cycles when every palette colour is taken", () => {
    const all = palette.map((color, i) => ({ id: i, name: `l${i}`, hotkey: null, color }));
    expect(nextFreeColor([...all, { id: 9, name: "x", hotkey: null, color: "#000000" }], palette)).toBe(
      "#f28e2b",
    );
  });
  it.each([
    ["#ABC", { ok: true, value: "#aabbcc" }],
    ["e15759", { ok: true, value: "#e15759" }],
    [" #E15759 ", { ok: true, value: "#e15759" }],
    ["#e1575", { ok: false, message: "Colour must be a hex value like #e15759" }],
    ["red", { ok: false, message: "Colour must be a hex value like #e15759" }],
  ])("normalizeHex(%j)", (input, expected) => {
    expect(normalizeHex(input)).toEqual(expected);
  });
});

describe("the label editor's checks against the server's schema", () => {
  it("accepts a name exactly when LabelCreate does", () => {
    for (const name of ["", "   ", "a", " Car ", "x".repeat(100), ` ${"x".repeat(100)} `, "x".repeat(101)]) {
      expect(checkLabelName(name, []).ok, JSON.stringify(name)).toBe(LabelCreate.safeParse({ name }).success);
    }
  });

  it("accepts a hotkey exactly when the schema's Hotkey does and the editor has not reserved it", () => {
    for (const key of [
      ..."0123456789abcdefghijklmnopqrstuvwxyzABCXYZ!-é",
      "ab",
      "10",
      "g3",
      "G0",
      "1g",
      "gg",
      "g-",
      "g3x",
    ]) {
      const server = Hotkey.safeParse(key);
      // A chord's first key must not be reserved either.
      const expected = server.success && RESERVED_HOTKEYS[server.data.slice(0, 1)] === undefined;
      expect(checkHotkey(key, []).ok, key).toBe(expected);
    }
  });

  it("keeps a bulk paste within what one bulk create accepts", () => {
    const names = parseBulkNames(
      Array.from({ length: MAX_BULK_LABELS + 5 }, (_, i) => `n${i}`).join("\n"),
      [],
    ).names;
    expect(LabelBulkCreate.safeParse({ names }).success).toBe(true);
    expect(LabelBulkCreate.safeParse({ names: [...names, "one more"] }).success).toBe(false);
  });

  it("offers the server's default palette first", () => {
    expect(LABEL_PALETTE.slice(0, DEFAULT_LABEL_PALETTE.length)).toEqual([...DEFAULT_LABEL_PALETTE]);
  });
});
