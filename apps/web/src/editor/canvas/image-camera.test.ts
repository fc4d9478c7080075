import { describe, expect, it } from "vitest";
import { ImageCamera, OVERSCAN_PX, ZOOM_SERIES_MS } from "./image-camera";

const stage = { width: 1000, height: 800 };
const at = (scale: number, offsetX: number, offsetY: number) => ({ scale, offsetX, offsetY });

describe("ImageCamera", () => {
  it("draws first, then moves the drawn picture for pans within the overscan, in whole pixels", () => {
    const c = new ImageCamera();
    expect(c.step(at(1, 0, 0), stage, 0, 1)).toEqual({ kind: "draw" });
    expect(c.step(at(1, -40.4, 25.6), stage, 10, 1)).toEqual({ kind: "move", x: -40, y: 26, k: 1 });
    expect(c.drawnWith).toEqual(at(1, 0, 0));
    // Beyond the margin: drawn again, around the new camera.
    expect(c.step(at(1, -OVERSCAN_PX - 1, 0), stage, 20, 1)).toEqual({ kind: "draw" });
    expect(c.drawnWith).toEqual(at(1, -OVERSCAN_PX - 1, 0));
  });

  it("moves relative to a picture prepared ahead once it is marked drawn", () => {
    const c = new ImageCamera();
    c.step(at(1, 0, 0), stage, 0, 1);
    // A picture prepared for (-200, 0) replaces the drawn one: a pan to -420 is still a move.
    c.markDrawn(at(1, -200, 0));
    expect(c.step(at(1, -420, 0), stage, 10, 1)).toEqual({ kind: "move", x: -220, y: 0, k: 1 });
  });

  it("draws a single zoom at once, scales the following steps of a wheel zoom, draws when it rests", () => {
    const c = new ImageCamera();
    c.step(at(1, 0, 0), stage, 0, 1);
    // A lone zoom (a key, fit): sharp at once.
    expect(c.step(at(1.1, -50, -40), stage, 1000, 1)).toEqual({ kind: "draw" });
    // The next steps arrive within the series window: scaled, not drawn.
    const s = c.step(at(1.21, -105, -84), stage, 1000 + ZOOM_SERIES_MS / 2, 1);
    expect(s.kind).toBe("move");
    if (s.kind === "move") {
      expect(s.k).toBeCloseTo(1.1);
      // screen = (drawn - d.offset) * k + v.offset for a point drawn at the element's origin (-m).
      expect(s.x).toBeCloseTo(OVERSCAN_PX * (1 - 1.1) - 105 - 1.1 * -50);
    }
    expect(c.step(at(1.21, -105, -84), stage, 1000 + ZOOM_SERIES_MS, 1, true)).toEqual({ kind: "draw" });
  });

  it("scales a wheel's first step too (a gesture), and draws when it rests", () => {
    const c = new ImageCamera();
    c.step(at(1, 0, 0), stage, 0, 1);
    const s = c.step(at(1.1, -50, -40), stage, 1000, 1, false, true);
    expect(s.kind).toBe("move");
    if (s.kind === "move") expect(s.k).toBeCloseTo(1.1);
    expect(c.drawnWith).toEqual(at(1, 0, 0));
    expect(c.step(at(1.1, -50, -40), stage, 1000 + ZOOM_SERIES_MS, 1, true)).toEqual({ kind: "draw" });
  });

  it("draws when a zoom step would show beyond what was drawn", () => {
    const c = new ImageCamera(100);
    c.step(at(1, 0, 0), stage, 0, 1);
    c.step(at(0.95, 25, 20), stage, 1000, 1); // first step of a series: drawn
    // Zooming out to 0.5x of the drawn scale about the centre uncovers more than 100 px of margin.
    expect(c.step(at(0.6, 200, 160), stage, 1010, 1)).toEqual({ kind: "draw" });
  });

  it("keeps scaling a zoom out past the whole image: only the image's part of the view must be covered", () => {
    // A 1000 x 800 image drawn whole at fit (scale 1, offset 0) with a 100 px margin.
    const image = { width: 1000, height: 800 };
    const c = new ImageCamera(100);
    c.step(at(1, 0, 0), stage, 0, 1, false, false, image);
    // Zooming out about the centre to 0.7: the view reaches 214 px beyond the picture's margin on
    // each side, but nothing of the image lies there.
    const out = c.step(at(0.7, 150, 120), stage, 10, 1, false, true, image);
    expect(out.kind).toBe("move");
    if (out.kind === "move") expect(out.k).toBeCloseTo(0.7);
    // Without the image's size the same step must draw: the picture would not cover the view.
    const blind = new ImageCamera(100);
    blind.step(at(1, 0, 0), stage, 0, 1);
    expect(blind.step(at(0.7, 150, 120), stage, 10, 1, false, true)).toEqual({ kind: "draw" });
    // A zoomed-in picture does not hold the whole image: zooming out then uncovers image pixels.
    const near = new ImageCamera(100);
    near.step(at(4, -1500, -1200), stage, 0, 1, false, false, image);
    expect(near.step(at(2.4, -700, -560), stage, 10, 1, false, true, image)).toEqual({ kind: "draw" });
  });

  it("forgets the drawing when told (stage resized)", () => {
    const c = new ImageCamera();
    c.step(at(1, 0, 0), stage, 0, 1);
    c.invalidate();
    expect(c.step(at(1, -5, 0), stage, 10, 1)).toEqual({ kind: "draw" });
  });
});
