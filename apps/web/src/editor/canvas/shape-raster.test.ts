import type { Shape } from "@labelbench/editor";
import { describe, expect, it } from "vitest";
import type { FrameBudget } from "./frame-scheduler";
import {
  CATCH_UP_FRAME_MS,
  FIRST_FRAME_BUDGET_MS,
  FRAME_BUDGET_MS,
  type HostPicture,
  MARGIN_PX,
  RASTER_TILE_PX,
  type RasterHost,
  type RasterInput,
  type RasterStats,
  ShapeRaster,
  ZOOM_SETTLE_MS,
} from "./shape-raster";
import { FINE_MIN_CELL_PX, FINE_TILES_PER_SIDE, type PathLike, ShapeTiles } from "./shape-tiles";

class FakePath implements PathLike {
  n = 0;
  rect() {
    this.n++;
  }
  moveTo() {
    this.n++;
  }
  lineTo() {
    this.n++;
  }
  closePath() {}
}

/** A host that records what reaches the screen; rendering a tile "takes" 1 ms of the fake clock. */
const recorder = (directMs = 0.1) => {
  const clock = { t: 0 };
  const log = {
    shows: 0,
    drawn: [] as string[],
    transforms: [] as [number, number, number][],
    visible: false,
    hidden: 0,
    directStrokes: 0,
    /** Per picture begun: the scale of the old picture drawn under it, or null. */
    backdrops: [] as (number | null)[],
  };
  let building: string[] = [];
  let tileSeq = 0;
  const picture: HostPicture<string> = {
    begin: (_w, _h, backdrop) => {
      building = [];
      log.backdrops.push(backdrop?.k ?? null);
    },
    draw: (source) => {
      building.push(source);
    },
    flush: () => {},
    show: () => {
      log.shows += 1;
      log.drawn = building;
    },
    setTransform: (x, y, k) => log.transforms.push([x, y, k]),
    setVisible: (v) => {
      if (log.visible && !v) log.hidden += 1;
      log.visible = v;
    },
    remove: () => {},
  };
  /** Shapes drawn straight into the picture: each cell's stroke "takes" `directMs`. */
  const direct = {
    fillStyle: "" as string | CanvasGradient | CanvasPattern,
    strokeStyle: "" as string | CanvasGradient | CanvasPattern,
    lineWidth: 1,
    globalAlpha: 1,
    lineJoin: "miter" as CanvasLineJoin,
    save: () => {},
    restore: () => {},
    fill: () => {},
    stroke: () => {
      log.directStrokes += 1;
      clock.t += directMs;
    },
    setTransform: () => {},
    clearRect: () => {},
  };
  const host: RasterHost<FakePath, string> = {
    picture,
    pictureContext: () => direct,
    createTile: () => {
      const id = `tile${tileSeq++}`;
      const ctx = {
        fillStyle: "" as string | CanvasGradient | CanvasPattern,
        strokeStyle: "" as string | CanvasGradient | CanvasPattern,
        lineWidth: 1,
        globalAlpha: 1,
        lineJoin: "miter" as CanvasLineJoin,
        save: () => {},
        restore: () => {},
        fill: () => {},
        stroke: () => {},
        setTransform: () => {},
        clearRect: () => {},
      };
      const flush = () => {
        clock.t += 1;
      };
      return { ctx, source: id, flush };
    },
  };
  return { host, log, clock };
};

const stats = (): RasterStats => ({
  shapesDrawn: 0,
  shapesDraws: 0,
  lastShapesMs: 0,
  lastShapesAt: 0,
  tileRenders: 0,
  tileMs: 0,
  pictures: 0,
  urgentPictures: 0,
  settled: false,
  sharpAt: 0,
});

const box = (id: string, x: number, y: number): Shape => ({
  id,
  labelId: 1,
  geometry: { type: "box", x, y, width: 20, height: 20 },
});

/** 40 x 30 boxes spread over a 4000 x 3000 image. */
const scene = () => {
  const shapes: Shape[] = [];
  for (let i = 0; i < 40; i++)
    for (let j = 0; j < 30; j++) shapes.push(box(`b${i}_${j}`, i * 100 + 10, j * 100 + 10));
  return new Map(shapes.map((s) => [s.id, s]));
};

const setup = (directMs?: number) => {
  const r = recorder(directMs);
  const st = stats();
  const raster = new ShapeRaster(new ShapeTiles(() => new FakePath()), r.host, st, () => r.clock.t);
  const colours = { 1: "#ff0000" };
  let input: RasterInput = {
    image: { width: 4000, height: 3000 },
    shapes: scene(),
    excluded: new Set(),
    hiddenLabels: new Set(),
    colourOf: () => "#ff0000",
    coloursKey: colours,
    viewport: { scale: 1, offsetX: -1000, offsetY: -1000 },
    stage: { width: 1000, height: 800 },
    pixelRatio: 1,
  };
  /** Runs frames (16 ms apart) until the raster asks for no more, at most `max`. */
  const settle = (max = 200) => {
    let n = 0;
    while (n < max) {
      r.clock.t += 16;
      n++;
      if (!raster.frame(input)) break;
    }
    return n;
  };
  const frame = (patch: Partial<RasterInput> = {}) => {
    input = { ...input, ...patch };
    r.clock.t += 16;
    return raster.frame(input);
  };
  return {
    r,
    st,
    raster,
    settle,
    frame,
    get input() {
      return input;
    },
  };
};

describe("ShapeRaster", () => {
  it("shows an opened image's view drawn straight from the paths, then one picture of tiles with the margin", () => {
    const t = setup();
    expect(t.frame()).toBe(true);
    expect(t.r.log.directStrokes).toBeGreaterThan(0);
    // Shown in that first frame, no tile drawn into it.
    expect(t.r.log.shows).toBe(1);
    expect(t.r.log.drawn).toEqual([]);
    const frames = t.settle();
    expect(frames).toBeGreaterThan(1);
    expect(t.r.log.shows).toBe(2);
    expect(t.r.log.visible).toBe(true);
    // Stage 1000 x 800 plus the margin on each side at 1:1, view offset -1000,-1000.
    const side = RASTER_TILE_PX;
    const cols = Math.ceil((1000 + 2 * MARGIN_PX) / side) + 1;
    expect(t.r.log.drawn.length).toBeGreaterThan(0);
    expect(t.r.log.drawn.length).toBeLessThanOrEqual(cols * cols);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
    expect(t.st.settled).toBe(true);
  });

  it("keeps each frame's optional work near the budget", () => {
    const t = setup();
    let worst = 0;
    for (let i = 0; i < 100; i++) {
      const before = t.r.clock.t + 16;
      const more = t.frame();
      worst = Math.max(worst, t.r.clock.t - before);
      if (!more) break;
    }
    // A 1 ms tile can start just before the budget runs out (first frames use a larger budget).
    expect(worst).toBeLessThanOrEqual(FIRST_FRAME_BUDGET_MS + 1);
    expect(t.st.tileRenders).toBeGreaterThan(FRAME_BUDGET_MS);
  });

  it("pans within the margin by moving the picture only", () => {
    const t = setup();
    t.settle();
    const renders = t.st.tileRenders;
    const shows = t.r.log.shows;
    t.frame({ viewport: { scale: 1, offsetX: -1060, offsetY: -1030 } });
    expect(t.r.log.shows).toBe(shows);
    expect(t.r.log.transforms.at(-1)).toEqual([-60, -30, 1]);
    expect(t.st.tileRenders - renders).toBeLessThanOrEqual(FRAME_BUDGET_MS + 1);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("composes the next picture ahead of a pan, and at once when the view leaves the picture", () => {
    const t = setup();
    t.settle();
    // Past half the margin: a new picture is prepared over the next frames.
    const shows = t.r.log.shows;
    t.frame({ viewport: { scale: 1, offsetX: -1000 - MARGIN_PX * 0.6, offsetY: -1000 } });
    t.settle();
    expect(t.r.log.shows).toBe(shows + 1);
    expect(t.st.urgentPictures).toBe(0);
    // A jump far outside it: the picture must be right in this very frame.
    t.frame({ viewport: { scale: 1, offsetX: -2500, offsetY: -1800 } });
    expect(t.r.log.shows).toBe(shows + 2);
    expect(t.st.urgentPictures).toBe(1);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("draws a jump's picture (a step onto a far object) straight from the paths, view and margin, in one frame, without tiles", () => {
    const t = setup();
    t.settle();
    const renders = t.st.tileRenders;
    const shows = t.r.log.shows;
    const strokes = t.r.log.directStrokes;
    // Issue 17: `]` moves the camera onto the next prediction, anywhere on the image.
    t.frame({ viewport: { scale: 1, offsetX: -2800, offsetY: -2000 } });
    expect(t.r.log.shows).toBe(shows + 1);
    expect(t.r.log.drawn).toEqual([]);
    expect(t.r.log.directStrokes).toBeGreaterThan(strokes);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
    // Nothing follows: no tile of the view or the margin is rendered, no second picture composed.
    const frames = t.settle();
    expect(frames).toBe(1);
    expect(t.st.tileRenders).toBe(renders);
    expect(t.r.log.shows).toBe(shows + 1);
    // A pan within its margin moves it; a pan past half the margin draws the next one the same way.
    t.frame({ viewport: { scale: 1, offsetX: -2800 - MARGIN_PX * 0.6, offsetY: -2000 } });
    t.settle();
    expect(t.r.log.shows).toBe(shows + 2);
    expect(t.st.tileRenders).toBe(renders);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("draws a jump onto a far object at another scale at once, with no zoom rest and no tiles", () => {
    const t = setup();
    t.settle();
    const renders = t.st.tileRenders;
    const shows = t.r.log.shows;
    t.frame({ viewport: { scale: 2.5, offsetX: -7000, offsetY: -5000 } });
    // In that very frame: nothing of the old picture could stand in for it.
    expect(t.r.log.shows).toBe(shows + 1);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
    t.settle();
    expect(t.st.tileRenders).toBe(renders);
    expect(t.r.log.shows).toBe(shows + 1);
    // The next zoom goes back to tiles.
    t.frame({ viewport: { scale: 2, offsetX: -5600, offsetY: -4000 } });
    t.r.clock.t += ZOOM_SETTLE_MS;
    t.settle();
    expect(t.st.tileRenders).toBeGreaterThan(renders);
  });

  it("shows an edit in the same frame, re-rendering only the tiles it touches", () => {
    const t = setup();
    t.settle();
    const renders = t.st.tileRenders;
    const shapes = new Map(t.input.shapes);
    shapes.set("b12_12", box("b12_12", 1250, 1250));
    t.frame({ shapes });
    expect(t.st.urgentPictures).toBe(1);
    expect(t.st.tileRenders - renders).toBeGreaterThan(0);
    expect(t.st.tileRenders - renders).toBeLessThanOrEqual(4 + FRAME_BUDGET_MS);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("scales the picture during a zoom and renders the new scale once the zoom rests", () => {
    const t = setup();
    t.settle();
    const renders = t.st.tileRenders;
    t.frame({ viewport: { scale: 1.25, offsetX: -1250, offsetY: -1200 } });
    expect(t.r.log.transforms.at(-1)?.[2]).toBeCloseTo(1.25);
    expect(t.st.tileRenders).toBe(renders);
    expect(t.st.shapesDrawn).toBe(0);
    // Still zooming: nothing new is rendered.
    t.frame({ viewport: { scale: 1.5, offsetX: -1500, offsetY: -1400 } });
    expect(t.st.tileRenders).toBe(renders);
    const shows = t.r.log.shows;
    t.r.clock.t += ZOOM_SETTLE_MS;
    t.settle();
    expect(t.st.tileRenders).toBeGreaterThan(renders);
    // The view at the new scale, then the whole picture with its margin.
    expect(t.r.log.shows).toBe(shows + 2);
    expect(t.r.log.transforms.at(-1)?.[2]).toBe(1);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("gives every tile back once no generation holds it, and draws none after giving it back", () => {
    const t = setup();
    const created = new Set<string>();
    const released: string[] = [];
    const createTile = t.r.host.createTile;
    t.r.host.createTile = (side) => {
      const tile = createTile(side);
      created.add(tile.source);
      return tile;
    };
    t.r.host.releaseTile = (tile) => released.push(tile.source);
    const draw = t.r.host.picture.draw;
    t.r.host.picture.draw = (source, x, y) => {
      if (released.includes(source)) throw new Error(`${source} was drawn after it was given back`);
      draw(source, x, y);
    };
    t.settle();
    const first = new Set(created);
    expect(first.size).toBeGreaterThan(0);
    // A pan far enough to evict part of the ring of tiles, then a zoom that comes to rest: a new
    // generation replaces the first, whose tiles all come back, each once.
    t.frame({ viewport: { scale: 1, offsetX: -1600, offsetY: -1000 } });
    t.settle();
    t.frame({ viewport: { scale: 1.25, offsetX: -2000, offsetY: -1250 } });
    t.r.clock.t += ZOOM_SETTLE_MS;
    t.settle();
    expect(new Set(released).size).toBe(released.length);
    for (const id of first) expect(released).toContain(id);
    // The tiles of the generation on screen are kept.
    const kept = [...created].filter((id) => !released.includes(id));
    expect(kept.length).toBeGreaterThan(0);
    expect(t.r.log.drawn.every((id) => kept.includes(id))).toBe(true);
  });

  it("is sharp at a new scale soon after the zoom rests: the view straight from the paths, with the catch-up budget", () => {
    const t = setup();
    t.settle();
    const shows = t.r.log.shows;
    const strokes = t.r.log.directStrokes;
    t.frame({ viewport: { scale: 1.5, offsetX: -1500, offsetY: -1400 } });
    const zoomedAt = t.r.clock.t;
    let frames = 0;
    while (t.st.shapesDrawn === 0 && frames < 500) {
      t.frame();
      frames++;
    }
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
    // Shown with the view only, drawn from the cells' paths (each shape stroked once), before any tile.
    expect(t.r.log.shows).toBe(shows + 1);
    expect(t.r.log.drawn).toEqual([]);
    expect(t.r.log.directStrokes).toBeGreaterThan(strokes);
    // Over the old picture, scaled 1.5x (what a pan before the margin comes shows at the edges).
    expect(t.r.log.backdrops.at(-1)).toBeCloseTo(1.5);
    // The zoom rests ZOOM_SETTLE_MS, then ~1 ms of strokes: a frame or two. At 2 ms of tiles a
    // frame, after 120 ms and with the margin's tiles first in line, this took over a second.
    expect(t.st.sharpAt - zoomedAt).toBeLessThanOrEqual(ZOOM_SETTLE_MS + 3 * 16 + CATCH_UP_FRAME_MS);
    // Then the margin follows, and the whole picture replaces the view's.
    t.settle();
    expect(t.r.log.shows).toBe(shows + 2);
    expect(t.r.log.drawn.length).toBeGreaterThan(9 * 8);
    expect(t.st.settled).toBe(true);
  });

  it("catches up only while the camera rests, and within CATCH_UP_FRAME_MS of each frame's start", () => {
    // Each cell drawn straight into the picture takes 1 ms here.
    const t = setup(1);
    t.settle();
    t.frame({ viewport: { scale: 1.5, offsetX: -1500, offsetY: -1400 } });
    t.r.clock.t += ZOOM_SETTLE_MS;
    // Panning at the new scale: the shared budget only (a 1 ms unit may start just before its end).
    for (let i = 1; i <= 3; i++) {
      const before = t.r.clock.t + 16;
      t.frame({ viewport: { scale: 1.5, offsetX: -1500 - 3 * i, offsetY: -1400 } });
      expect(t.r.clock.t - before).toBeLessThanOrEqual(FRAME_BUDGET_MS + 1);
    }
    expect(t.st.shapesDrawn).toBe(0);
    // At rest, still soft: up to the catch-up deadline, measured from the frame's start.
    t.r.clock.t += ZOOM_SETTLE_MS;
    const frameStart = t.r.clock.t + 16;
    const late: FrameBudget = {
      end: frameStart + FRAME_BUDGET_MS,
      frameStart: frameStart - 4,
      left: () => t.r.clock.t < frameStart + FRAME_BUDGET_MS,
      remaining: () => 0,
      spend: () => {},
    };
    t.r.clock.t += 16;
    t.raster.frame(t.input, late);
    // The frame began 4 ms before this producer ran: 6 ms are left, and a 1 ms unit may start last.
    expect(t.r.clock.t - frameStart).toBeGreaterThanOrEqual(CATCH_UP_FRAME_MS - 4 - 1);
    expect(t.r.clock.t - frameStart).toBeLessThanOrEqual(CATCH_UP_FRAME_MS - 4 + 1);
  });

  it("counts a zoom's rest in frames, from their timestamps: three frames after the last step, however late in its frame the layer ran", () => {
    const t = setup();
    t.settle();
    const strokes = t.r.log.directStrokes;
    const vsync = 1000 / 60;
    let frameStart = t.r.clock.t;
    /** The next frame's budget, the shape layer running `late` ms after the frame began. */
    const next = (late: number): FrameBudget => {
      frameStart += vsync;
      const begun = frameStart;
      t.r.clock.t = begun + late;
      return {
        end: t.r.clock.t + FRAME_BUDGET_MS,
        frameStart: begun,
        left: () => t.r.clock.t < begun + FRAME_BUDGET_MS,
        remaining: () => 0,
        spend: () => {},
      };
    };
    const zoomed = { ...t.input, viewport: { scale: 1.5, offsetX: -1500, offsetY: -1400 } };
    // The zoom's last step: the image layer worked first in that frame.
    t.raster.frame(zoomed, next(3));
    t.raster.frame(zoomed, next(0.5));
    t.raster.frame(zoomed, next(0.5));
    expect(t.r.log.directStrokes).toBe(strokes);
    // The third frame after it (50 ms on, 47.5 ms after the layer last ran): the new scale is drawn.
    t.raster.frame(zoomed, next(0.5));
    expect(t.r.log.directStrokes).toBeGreaterThan(strokes);
  });

  it("completes a view-only picture the view moves past without composing it in one frame", () => {
    const t = setup();
    t.settle();
    t.frame({ viewport: { scale: 1.5, offsetX: -1500, offsetY: -1400 } });
    while (t.st.shapesDrawn === 0) t.frame();
    const urgent = t.st.urgentPictures;
    // Straight away, a pan well past the view's tiles.
    let worst = 0;
    for (let i = 1; i <= 30; i++) {
      const before = t.r.clock.t + 16;
      t.frame({ viewport: { scale: 1.5, offsetX: -1500 - 5 * i, offsetY: -1400 } });
      worst = Math.max(worst, t.r.clock.t - before);
    }
    t.settle();
    expect(t.st.urgentPictures).toBe(urgent);
    // A pan's frames keep the shared budget (a tile of 1 ms may start just before it ends).
    expect(worst).toBeLessThanOrEqual(FRAME_BUDGET_MS + 1);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("shows an edit made while only the view of a new scale is drawn at once, drawing that view again", () => {
    const t = setup();
    t.settle();
    t.frame({ viewport: { scale: 1.5, offsetX: -1500, offsetY: -1400 } });
    while (t.st.shapesDrawn === 0) t.frame();
    const strokes = t.r.log.directStrokes;
    const shows = t.r.log.shows;
    const shapes = new Map(t.input.shapes);
    shapes.set("b12_12", box("b12_12", 1250, 1250));
    t.frame({ shapes });
    // In that same frame: the view drawn again from the edited paths and shown.
    expect(t.r.log.shows).toBe(shows + 1);
    expect(t.r.log.directStrokes).toBeGreaterThan(strokes);
    expect(t.st.urgentPictures).toBeGreaterThan(0);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
  });

  it("takes the picture away at once for another image, keeps it while a restyle renders", () => {
    const t = setup();
    t.settle();
    const shows = t.r.log.shows;
    const recoloured = { 1: "#00ff00" };
    t.frame({ colourOf: () => "#00ff00", coloursKey: recoloured });
    expect(t.r.log.hidden).toBe(0);
    t.settle();
    expect(t.r.log.hidden).toBe(0);
    expect(t.r.log.shows).toBe(shows + 2);
    expect(t.st.urgentPictures).toBe(0);
    expect(t.st.shapesDrawn).toBeGreaterThan(0);
    // Another image of the same size with other shapes: the old picture goes at once.
    t.frame({ image: { width: 4000, height: 3000 }, shapes: new Map([["z", box("z", 1100, 1100)]]) });
    expect(t.r.log.hidden).toBe(1);
    t.settle();
    expect(t.r.log.visible).toBe(true);
    expect(t.st.shapesDrawn).toBe(1);
  });
});

describe("ShapeRaster with a fine grid and a shared budget", () => {
  /** Renders the opened view at 1:1 and returns how many path elements all tile renders stroked. */
  const strokedAt1to1 = (fine: boolean) => {
    const r = recorder();
    let stroked = 0;
    const createTile = r.host.createTile;
    r.host.createTile = (side) => {
      const tile = createTile(side);
      tile.ctx.stroke = (p: FakePath) => {
        stroked += p.n;
      };
      return tile;
    };
    const newPath = () => new FakePath();
    const raster = new ShapeRaster(
      new ShapeTiles(newPath),
      r.host,
      stats(),
      () => r.clock.t,
      undefined,
      undefined,
      fine ? new ShapeTiles(newPath, FINE_TILES_PER_SIDE, FINE_MIN_CELL_PX) : null,
    );
    const input: RasterInput = {
      image: { width: 4000, height: 3000 },
      shapes: scene(),
      excluded: new Set(),
      hiddenLabels: new Set(),
      colourOf: () => "#ff0000",
      coloursKey: {},
      viewport: { scale: 1, offsetX: -1000, offsetY: -1000 },
      stage: { width: 1000, height: 800 },
      pixelRatio: 1,
    };
    for (let i = 0; i < 200; i++) {
      r.clock.t += 16;
      if (!raster.frame(input)) break;
    }
    return { stroked, shows: r.log.shows };
  };

  it("zoomed-in tiles stroke only the shapes near them from the fine grid", () => {
    const coarse = strokedAt1to1(false);
    const fine = strokedAt1to1(true);
    expect(coarse.shows).toBe(2);
    expect(fine.shows).toBe(2);
    expect(fine.stroked).toBeGreaterThan(0);
    // The coarse cells (250 x 188 px) reach far beyond a 256 px tile; the fine ones barely do.
    expect(fine.stroked).toBeLessThan(coarse.stroked * 0.6);
  });

  it("does no optional work once the frame's shared budget is spent", () => {
    const t = setup();
    t.settle();
    const renders = t.st.tileRenders;
    // Pan a little (the ring of tiles ahead is optional work) with a budget other producers used up.
    const spent: FrameBudget = {
      end: t.r.clock.t,
      frameStart: t.r.clock.t,
      left: () => false,
      remaining: () => 0,
      spend: () => {},
    };
    t.r.clock.t += 16;
    t.raster.frame({ ...t.input, viewport: { scale: 1, offsetX: -1100, offsetY: -1000 } }, spent);
    expect(t.st.tileRenders).toBe(renders);
  });
});
