import { describe, expect, it } from "vitest";
import {
  confusionMatrix,
  labelErrors,
  NO_SHAPE_COLUMN,
  NO_SHAPE_ROW,
  topConfusions,
} from "./confusion-model";

const labels = [
  { id: 7, name: "car", color: "#ff0000" },
  { id: 3, name: "person", color: "#00ff00" },
  { id: 9, name: "tree", color: "#0000ff" },
];

describe("confusionMatrix", () => {
  const counts = [
    { reference: 3, checked: 3, count: 8 },
    { reference: 3, checked: 7, count: 2 },
    { reference: 7, checked: 7, count: 5 },
    { reference: 7, checked: null, count: 1 },
    { reference: null, checked: 3, count: 4 },
    { reference: 42, checked: 3, count: 1 },
  ];
  const m = confusionMatrix(counts, labels);

  it("orders labels as the project does, a deleted label after them, and 'no shape' last", () => {
    expect(m.rows.map((r) => r.name)).toEqual(["car", "person", "label #42", NO_SHAPE_ROW]);
    expect(m.columns.map((c) => c.name)).toEqual(["car", "person", "label #42", NO_SHAPE_COLUMN]);
  });

  it("puts each count in its cell and names its kind", () => {
    const at = (r: number | null, c: number | null) =>
      m.cells[m.rows.findIndex((x) => x.labelId === r)]?.[m.columns.findIndex((x) => x.labelId === c)];
    expect(at(3, 3)).toMatchObject({ count: 8, kind: "match" });
    expect(at(3, 7)).toMatchObject({ count: 2, kind: "mismatch" });
    expect(at(7, null)).toMatchObject({ count: 1, kind: "missing" });
    expect(at(null, 3)).toMatchObject({ count: 4, kind: "extra" });
    expect(at(null, null)).toMatchObject({ count: 0, kind: "none" });
    expect(at(42, 3)).toMatchObject({ count: 1, kind: "mismatch" });
  });

  it("totals rows (reference shapes, plus extras) and columns (drawn shapes, plus missing)", () => {
    expect(m.rowTotals).toEqual([6, 10, 1, 4]);
    expect(m.columnTotals).toEqual([7, 13, 0, 1]);
    expect(m.total).toBe(21);
  });

  it("tints a match by its share of the row and an error by the largest error", () => {
    expect(m.cells[1]?.[1]?.tint).toBeCloseTo(0.8);
    expect(m.cells[3]?.[1]?.tint).toBe(1);
    expect(m.cells[1]?.[0]?.tint).toBeCloseTo(0.5);
    expect(m.cells[0]?.[2]?.tint).toBe(0);
  });

  it("leaves out labels nobody counted and is empty without counts", () => {
    expect(m.rows.some((r) => r.name === "tree")).toBe(false);
    const empty = confusionMatrix([], labels);
    expect(empty.rows.map((r) => r.labelId)).toEqual([null]);
    expect(empty.total).toBe(0);
  });
});

describe("topConfusions", () => {
  it("lists errors by count, mismatches before missing/extra on a tie, never matches", () => {
    const top = topConfusions(
      [
        { reference: 1, checked: 1, count: 50 },
        { reference: 1, checked: null, count: 3 },
        { reference: 2, checked: 1, count: 3 },
        { reference: null, checked: 2, count: 5 },
        { reference: 2, checked: 2, count: 0 },
      ],
      2,
    );
    expect(top).toEqual([
      { reference: null, checked: 2, count: 5 },
      { reference: 2, checked: 1, count: 3 },
    ]);
  });
});

describe("labelErrors", () => {
  it("splits a label's errors into not drawn, extra, drawn as another and another drawn as it", () => {
    const cells = [
      { reference: 3, checked: 3, count: 8 },
      { reference: 3, checked: 7, count: 2 },
      { reference: 3, checked: null, count: 1 },
      { reference: null, checked: 3, count: 4 },
      { reference: 7, checked: 3, count: 5 },
      { reference: 7, checked: null, count: 9 },
    ];
    expect(labelErrors(cells, 3)).toEqual({ notDrawn: 1, extra: 4, drawnAsOther: 2, otherDrawnAsIt: 5 });
    expect(labelErrors(cells, 7)).toEqual({ notDrawn: 9, extra: 0, drawnAsOther: 5, otherDrawnAsIt: 2 });
  });
});
