import { describe, expect, it } from "vitest";
import type { Ctx } from "../canvas/draw";
import { diffMarks } from "./diff-model";
import { ISSUE_COLOUR } from "./issue-model";
import { DIFF_COLOUR, drawMarks, type IssueMarkInput, type MarksInput } from "./marks-draw";
import { makeDiff } from "./test-fixtures";

/** Records the calls, the colour of each stroke and fill, and the dash in force. */
const recorder = () => {
  const ops: string[] = [];
  const strokes: { style: string; dashed: boolean }[] = [];
  const fills: string[] = [];
  let dash: number[] = [];
  const ctx = {
    fillStyle: "",
    strokeStyle: "",
    lineWidth: 1,
    globalAlpha: 1,
    font: "",
    textBaseline: "alphabetic",
    lineJoin: "miter",
    beginPath: () => ops.push("beginPath"),
    rect: (...a: number[]) => ops.push(`rect ${a.join(",")}`),
    moveTo: (x: number, y: number) => ops.push(`moveTo ${x},${y}`),
    lineTo: (x: number, y: number) => ops.push(`lineTo ${x},${y}`),
    closePath: () => ops.push("closePath"),
    fill: () => fills.push(String(ctx.fillStyle)),
    stroke: () => strokes.push({ style: String(ctx.strokeStyle), dashed: dash.length > 0 }),
    save: () => ops.push("save"),
    restore: () => ops.push("restore"),
    setLineDash: (d: number[]) => {
      dash = d;
    },
    fillRect: () => ops.push("fillRect"),
    strokeRect: () => ops.push("strokeRect"),
    arc: (x: number, y: number) => ops.push(`arc ${x},${y}`),
    fillText: (t: string) => ops.push(`text ${t}`),
    measureText: (t: string) => ({ width: t.length * 6 }) as TextMetrics,
  };
  return { ctx: ctx as unknown as Ctx, ops, strokes, fills };
};

const HALO_FILL = "rgba(0,0,0,0.6)";

const input = (over: Partial<MarksInput>): MarksInput => ({
  viewport: { scale: 2, offsetX: 10, offsetY: 20 },
  stage: { width: 800, height: 600 },
  issues: [],
  selectedIssue: null,
  diff: null,
  ...over,
});

const point = (
  id: number,
  n: number,
  x: number,
  y: number,
  state: IssueMarkInput["state"] = "open",
): IssueMarkInput => ({
  id,
  n,
  state,
  mark: { kind: "point", x, y },
});

describe("review marks on the overlay", () => {
  it("a point is a numbered pin at its screen position, in its state's colour", () => {
    const r = recorder();
    const area = drawMarks(r.ctx, input({ issues: [point(1, 1, 100, 50), point(2, 2, 200, 60, "fixed")] }));
    // A halo under every pin, then one disc per pin in its state's colour.
    expect(r.ops.filter((o) => o.startsWith("arc")).sort()).toEqual([
      "arc 210,120",
      "arc 210,120",
      "arc 410,140",
      "arc 410,140",
    ]);
    expect(r.ops.filter((o) => o.startsWith("text"))).toEqual(["text 1", "text 2"]);
    expect(r.fills).toContain(ISSUE_COLOUR.open);
    expect(r.fills).toContain(ISSUE_COLOUR.fixed);
    expect(area).not.toBeNull();
  });

  it("marks outside the stage are not drawn at all", () => {
    const r = recorder();
    const area = drawMarks(
      r.ctx,
      input({
        issues: [
          point(1, 1, 5000, 5000),
          {
            id: 2,
            n: 2,
            state: "open",
            mark: { kind: "region", bounds: { minX: -900, minY: 0, maxX: -800, maxY: 10 } },
          },
        ],
      }),
    );
    expect(r.ops.filter((o) => o.startsWith("arc") || o.startsWith("rect") || o.startsWith("text"))).toEqual(
      [],
    );
    expect(area).toBeNull();
  });

  it("a region is a dashed rectangle, a shape anchor its outline (solid), both with a pin at the corner", () => {
    const r = recorder();
    drawMarks(
      r.ctx,
      input({
        issues: [
          {
            id: 1,
            n: 1,
            state: "open",
            mark: { kind: "region", bounds: { minX: 0, minY: 0, maxX: 50, maxY: 40 } },
          },
          {
            id: 2,
            n: 2,
            state: "resolved",
            mark: {
              kind: "shape",
              geometry: { type: "box", x: 100, y: 100, width: 10, height: 10 },
              bounds: { minX: 100, minY: 100, maxX: 110, maxY: 110 },
            },
          },
        ],
      }),
    );
    expect(r.ops).toContain("rect 10,20,100,80");
    expect(r.ops).toContain("rect 210,220,20,20");
    expect(r.strokes.filter((s) => s.style === ISSUE_COLOUR.open)).toEqual([
      { style: ISSUE_COLOUR.open, dashed: true },
    ]);
    expect(r.strokes.filter((s) => s.style === ISSUE_COLOUR.resolved)).toEqual([
      { style: ISSUE_COLOUR.resolved, dashed: false },
    ]);
    // The region's pin on its top left corner, the shape's on its top right (clear of a selection's tag).
    expect(r.ops).toContain("arc 10,20");
    expect(r.ops).toContain("arc 240,210");
  });

  it("a style is one path: 150 open pins on shapes cost one outline stroke pair and two fills, not 150", () => {
    const r = recorder();
    const issues: IssueMarkInput[] = Array.from({ length: 150 }, (_, i) => ({
      id: i + 1,
      n: i + 1,
      state: "open",
      mark: {
        kind: "shape",
        geometry: { type: "box", x: i * 2, y: 10, width: 5, height: 5 },
        bounds: { minX: i * 2, minY: 10, maxX: i * 2 + 5, maxY: 15 },
      },
    }));
    drawMarks(r.ctx, input({ issues }));
    expect(r.strokes).toHaveLength(2);
    expect(r.fills).toEqual([HALO_FILL, ISSUE_COLOUR.open]);
    expect(r.ops.filter((o) => o.startsWith("text"))).toHaveLength(150);
  });

  it("the selected issue is drawn last, over the others", () => {
    const r = recorder();
    drawMarks(
      r.ctx,
      input({ issues: [point(1, 1, 0, 0), point(2, 2, 0, 0), point(3, 3, 0, 0)], selectedIssue: 1 }),
    );
    expect(r.ops.filter((o) => o.startsWith("text"))).toEqual(["text 2", "text 3", "text 1"]);
  });

  it("the diff: removed as red dashed ghosts, changed in orange with the old outline dashed, added in green", () => {
    const r = recorder();
    const shapes = new Map([
      ["a", { id: "a", labelId: 1, geometry: { type: "box" as const, x: 10, y: 10, width: 5, height: 5 } }],
      ["c", { id: "c", labelId: 1, geometry: { type: "box" as const, x: 30, y: 10, width: 5, height: 5 } }],
    ]);
    const diff = diffMarks(
      makeDiff({
        added: ["a"],
        changed: [
          {
            id: "c",
            labelChanged: false,
            geometryChanged: true,
            before: { labelId: 1, geometry: { type: "box", x: 20, y: 10, width: 5, height: 5 } },
          },
        ],
        removed: [{ id: "r", labelId: 1, geometry: { type: "box", x: 50, y: 10, width: 5, height: 5 } }],
      }),
      shapes,
    );
    drawMarks(r.ctx, input({ diff }));
    const coloured = r.strokes.filter((s) => s.style !== "rgba(0,0,0,0.6)");
    expect(coloured).toEqual([
      { style: DIFF_COLOUR.changed, dashed: true },
      { style: DIFF_COLOUR.removed, dashed: true },
      { style: DIFF_COLOUR.changed, dashed: false },
      { style: DIFF_COLOUR.added, dashed: false },
    ]);
    // Where each was: before (20), removed (50), now (30), added (10); image x * 2 + 10 on screen.
    expect(r.ops.filter((o) => o.startsWith("rect"))).toEqual([
      "rect 50,40,10,10",
      "rect 110,40,10,10",
      "rect 70,40,10,10",
      "rect 30,40,10,10",
    ]);
  });
});
