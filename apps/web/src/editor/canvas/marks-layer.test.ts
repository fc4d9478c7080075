import { TestEditor } from "@labelbench/editor/testing";
import { describe, expect, it } from "vitest";
import { numberIssues } from "../issues/issue-model";
import { ReviewMarks } from "../issues/review-marks";
import { makeIssue } from "../issues/test-fixtures";
import type { FrameBudget, Producer } from "./frame-scheduler";
import { MARKS_MARGIN_PX, MARKS_REACH_PX, type MarksHost, MarksLayer } from "./marks-layer";
import { ZOOM_SETTLE_MS } from "./shape-raster";

/** Records what reaches the screen; a copy (prepare) resolves when the test says so. */
const recorder = () => {
  const log = {
    begun: 0,
    shows: 0,
    visible: false,
    transforms: [] as [number, number, number][],
    /** Pins (arcs) drawn into the picture being composed. */
    arcs: 0,
    /** Each picture's size in device pixels. */
    sizes: [] as [number, number][],
  };
  let release: (() => void)[] = [];
  const noop = () => {};
  const ctx = new Proxy(
    {
      arc: () => {
        log.arcs += 1;
      },
      measureText: () => ({ width: 6 }),
    },
    { get: (t, k) => (k in t ? t[k as keyof typeof t] : noop), set: () => true },
  ) as unknown as CanvasRenderingContext2D;
  const host: MarksHost = {
    picture: {
      begin: (w, h) => {
        log.sizes.push([w, h]);
        log.begun += 1;
        log.arcs = 0;
      },
      draw: noop,
      flush: noop,
      prepare: () =>
        new Promise<void>((r) => {
          release.push(r);
        }),
      show: () => {
        log.shows += 1;
      },
      setTransform: (x, y, k) => log.transforms.push([x, y, k]),
      setVisible: (v) => {
        log.visible = v;
      },
      remove: noop,
    },
    context: () => ctx,
    pixelRatio: () => 1,
  };
  /** Lets every copy under way finish. */
  const copied = async () => {
    const r = release;
    release = [];
    for (const f of r) f();
    await Promise.resolve();
    await Promise.resolve();
  };
  return { host, log, copied };
};

const budget = (frameStart: number): FrameBudget => ({
  end: Number.POSITIVE_INFINITY,
  frameStart,
  left: () => true,
  remaining: () => 16,
  spend: () => {},
});

/**
 * A 4000 x 3000 image in a 1000 x 800 stage at 1:1, with point issues on a grid over the whole image:
 * most of them lie outside the view and its margin.
 */
const scene = () => {
  const t = new TestEditor({
    image: { width: 4000, height: 3000 },
    stage: { width: 1000, height: 800 },
    annotations: [TestEditor.box("a", 1, 100, 100, 50, 50)],
  });
  const issues = [];
  for (let i = 0; i < 40; i++)
    issues.push(
      makeIssue({
        id: i + 1,
        anchor: { kind: "point", x: 50 + (i % 8) * 500, y: 50 + Math.floor(i / 8) * 600 },
      }),
    );
  const marks = new ReviewMarks();
  marks.set({ issues: numberIssues(issues) });
  const clock = { t: 1000 };
  const rec = recorder();
  /** The layer's frame, as it hands it to the frame scheduler. */
  let producer: Producer | null = null;
  const layer = new MarksLayer(
    rec.host,
    {
      request: (p) => {
        producer = p;
      },
      cancel: () => {},
    },
    () => t.state,
  );
  layer.setMarks(marks);
  const frame = () => {
    clock.t += 16;
    return producer?.(budget(clock.t)) ?? false;
  };
  const pan = (dx: number, dy: number) => {
    const v = t.state.viewport;
    t.editor.setViewport({ ...v, offsetX: v.offsetX + dx, offsetY: v.offsetY + dy });
  };
  return { t, marks, clock, rec, frame, pan, copied: rec.copied, layerOf: layer };
};

describe("MarksLayer: the review's marks as a picture the compositor moves", () => {
  it("draws the marks once and only moves the picture on a pan within its margin", () => {
    const { rec, frame, pan } = scene();
    frame();
    expect(rec.log.begun).toBe(1);
    expect(rec.log.shows).toBe(1);
    expect(rec.log.visible).toBe(true);
    // The view and its margin hold the pins at x 50 and 500 in the first two rows.
    expect(rec.log.arcs).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      pan(-20, -10);
      frame();
    }
    expect(rec.log.begun).toBe(1);
    // The picture starts where the marks do (the pins' reach from x, y 50), and moves with the pan.
    const [x, y] = rec.log.transforms[0] ?? [];
    expect(rec.log.transforms.at(-1)).toEqual([(x ?? 0) - 100, (y ?? 0) - 50, 1]);
  });

  it("holds only the pixels the marks reach, not the window's and the margin's", () => {
    const { t, rec, frame } = scene();
    t.editor.setViewport({ scale: 1, offsetX: 0, offsetY: 0 });
    frame();
    // The pins from (50, 50) on, each reaching MARKS_REACH_PX: the picture's top-left is at the reach
    // (18, 18) of the image, 256 + 18 px into the area; it ends with the stage and its margin.
    expect(rec.log.transforms.at(-1)).toEqual([18 + MARKS_MARGIN_PX, 18 + MARKS_MARGIN_PX, 1]);
    expect(rec.log.sizes.at(-1)).toEqual([1000 + MARKS_MARGIN_PX - 18, 800 + MARKS_MARGIN_PX - 18]);
    // One mark (as a focused prediction is): a picture of its size.
    const one = new ReviewMarks();
    one.set({ issues: numberIssues([makeIssue({ id: 1, anchor: { kind: "point", x: 300, y: 200 } })]) });
    const single = scene();
    single.t.editor.setViewport({ scale: 1, offsetX: 0, offsetY: 0 });
    single.layerOf.setMarks(one);
    single.frame();
    const [w, h] = single.rec.log.sizes.at(-1) ?? [];
    expect(w).toBeLessThanOrEqual(2 * MARKS_REACH_PX + 1);
    expect(h).toBeLessThanOrEqual(2 * MARKS_REACH_PX + 1);
  });

  it("a pan past half the margin draws the next picture ahead and shows it once its copy is out", async () => {
    const { t, rec, frame, pan, copied } = scene();
    frame();
    pan(-(MARKS_MARGIN_PX / 2 + 10), 0);
    frame();
    expect(rec.log.begun).toBe(2);
    // Still the old picture on screen, moved.
    expect(rec.log.shows).toBe(1);
    await copied();
    frame();
    expect(rec.log.shows).toBe(2);
    // The new picture was drawn for this camera: it sits unmoved, where the marks' reach (from 18, 18)
    // starts in its area.
    const v = t.state.viewport;
    expect(rec.log.transforms.at(-1)).toEqual([18 + v.offsetX + MARKS_MARGIN_PX, 18 + MARKS_MARGIN_PX, 1]);
  });

  it("a pan that outruns the picture draws it again at once", () => {
    const { rec, frame, pan } = scene();
    frame();
    pan(-(MARKS_MARGIN_PX + 300), 0);
    frame();
    expect(rec.log.begun).toBe(2);
    expect(rec.log.shows).toBe(2);
  });

  it("when every mark lies in the picture (the whole image in view), a pan never draws them again", () => {
    const { t, rec, frame, pan } = scene();
    t.editor.setViewport({ scale: 0.2, offsetX: 100, offsetY: 100 });
    frame();
    expect(rec.log.begun).toBe(1);
    for (let i = 0; i < 10; i++) {
      pan(-25, 15);
      frame();
    }
    expect(rec.log.begun).toBe(1);
  });

  it("a zoom scales the picture and draws it sharp once the scale has rested", async () => {
    const { t, rec, frame, clock, copied } = scene();
    frame();
    t.wheel(500, 400, 100);
    frame();
    expect(rec.log.begun).toBe(1);
    expect(rec.log.transforms.at(-1)?.[2]).toBeLessThan(1);
    clock.t += ZOOM_SETTLE_MS;
    frame();
    expect(rec.log.begun).toBe(2);
    await copied();
    frame();
    expect(rec.log.shows).toBe(2);
    expect(rec.log.transforms.at(-1)?.[2]).toBe(1);
  });

  it("a change of what the marks show draws them again in the same frame", () => {
    const { marks, rec, frame } = scene();
    frame();
    marks.set({ selectedIssue: 3 });
    frame();
    expect(rec.log.begun).toBe(2);
    expect(rec.log.shows).toBe(2);
  });

  it("stands aside while a drag moves shapes (the overlay draws the marks then) and is drawn again after the drop", () => {
    const { t, rec, frame } = scene();
    frame();
    t.editor.select(["a"]);
    t.pointerDown(120, 120).pointerMove(150, 140);
    frame();
    expect(rec.log.visible).toBe(false);
    t.pointerUp(150, 140);
    frame();
    expect(rec.log.visible).toBe(true);
    expect(rec.log.begun).toBe(2);
  });

  it("shows nothing without marks", () => {
    const { marks, rec, frame } = scene();
    marks.set({ issues: [] });
    frame();
    expect(rec.log.begun).toBe(0);
    expect(rec.log.visible).toBe(false);
  });
});
