import { describe, expect, it } from "vitest";
import { imagePoint, screenPoint } from "./types.js";
import {
  centreOn,
  fitViewport,
  IDENTITY_VIEWPORT,
  imageToScreen,
  panBy,
  screenToImage,
  type Viewport,
  visibleImageBounds,
  zoomAt,
} from "./viewport.js";

const views: [string, Viewport][] = [
  ["identity", IDENTITY_VIEWPORT],
  ["zoomed in and panned", { scale: 4, offsetX: -120, offsetY: 35.5 }],
  ["zoomed out", { scale: 0.125, offsetX: 300, offsetY: -20 }],
  ["fractional", { scale: 1.37, offsetX: 0.3, offsetY: -0.7 }],
];

describe("screen <-> image transforms", () => {
  it.each(views)("%s: imageToScreen and screenToImage are inverses", (_name, v) => {
    for (const [x, y] of [
      [0, 0],
      [123.5, -7],
      [1e5, 3e4],
    ] as const) {
      const back = screenToImage(v, imageToScreen(v, imagePoint(x, y)));
      expect(back.x).toBeCloseTo(x, 6);
      expect(back.y).toBeCloseTo(y, 6);
    }
  });

  it("applies screen = image * scale + offset", () => {
    const v = { scale: 2, offsetX: 10, offsetY: -5 };
    expect(imageToScreen(v, imagePoint(3, 4))).toEqual({ x: 16, y: 3 });
    expect(screenToImage(v, screenPoint(16, 3))).toEqual({ x: 3, y: 4 });
  });
});

describe("zoomAt", () => {
  it.each(views)("%s: keeps the image point under the cursor fixed at every scale", (_name, v) => {
    for (const anchor of [screenPoint(0, 0), screenPoint(640, 360), screenPoint(17.25, 999)]) {
      const before = screenToImage(v, anchor);
      for (const scale of [0.01, 0.5, 1, 3, 32, 256]) {
        const z = zoomAt(v, anchor, scale);
        expect(z.scale).toBe(scale);
        const after = screenToImage(z, anchor);
        expect(after.x).toBeCloseTo(before.x, 6);
        expect(after.y).toBeCloseTo(before.y, 6);
      }
    }
  });

  it("zooming in then back out returns to the same viewport", () => {
    const v = { scale: 1.5, offsetX: 40, offsetY: 12 };
    const a = screenPoint(300, 200);
    const back = zoomAt(zoomAt(v, a, 12), a, 1.5);
    expect(back.scale).toBe(1.5);
    expect(back.offsetX).toBeCloseTo(40, 9);
    expect(back.offsetY).toBeCloseTo(12, 9);
  });
});

describe("pan, fit, centre, visible bounds", () => {
  it("panBy shifts the offset only", () => {
    expect(panBy({ scale: 2, offsetX: 1, offsetY: 2 }, 10, -4)).toEqual({
      scale: 2,
      offsetX: 11,
      offsetY: -2,
    });
  });

  it.each<[string, { width: number; height: number }, { width: number; height: number }, number]>([
    ["wide image in a tall stage", { width: 2000, height: 1000 }, { width: 800, height: 1000 }, 16],
    ["tall image in a wide stage", { width: 1000, height: 4000 }, { width: 1280, height: 720 }, 16],
    ["tiny image is enlarged", { width: 10, height: 10 }, { width: 532, height: 532 }, 16],
    ["no margin", { width: 640, height: 480 }, { width: 320, height: 240 }, 0],
  ])("fitViewport: %s fits inside the margin and is centred", (_name, image, stage, margin) => {
    const v = fitViewport(image, stage, margin);
    const tl = imageToScreen(v, imagePoint(0, 0));
    const br = imageToScreen(v, imagePoint(image.width, image.height));
    expect(tl.x).toBeGreaterThanOrEqual(margin - 1e-9);
    expect(tl.y).toBeGreaterThanOrEqual(margin - 1e-9);
    expect(br.x).toBeLessThanOrEqual(stage.width - margin + 1e-9);
    expect(br.y).toBeLessThanOrEqual(stage.height - margin + 1e-9);
    // Centred, and touching the margin on the constraining axis.
    expect(tl.x + br.x).toBeCloseTo(stage.width, 9);
    expect(tl.y + br.y).toBeCloseTo(stage.height, 9);
    const touches = Math.abs(tl.x - margin) < 1e-9 || Math.abs(tl.y - margin) < 1e-9;
    expect(touches).toBe(true);
  });

  it("fitViewport of 100x50 in 232x132 with margin 16 is scale 2", () => {
    expect(fitViewport({ width: 100, height: 50 }, { width: 232, height: 132 })).toEqual({
      scale: 2,
      offsetX: 16,
      offsetY: 16,
    });
  });

  it("centreOn puts the image point in the middle of the stage", () => {
    const stage = { width: 800, height: 600 };
    const v = centreOn({ scale: 3, offsetX: 0, offsetY: 0 }, imagePoint(50, 20), stage);
    expect(imageToScreen(v, imagePoint(50, 20))).toEqual({ x: 400, y: 300 });
    expect(v.scale).toBe(3);
  });

  it.each(views)("%s: visibleImageBounds are the stage corners in image pixels", (_name, v) => {
    const stage = { width: 640, height: 480 };
    const vb = visibleImageBounds(v, stage);
    const tl = screenToImage(v, screenPoint(0, 0));
    const br = screenToImage(v, screenPoint(stage.width, stage.height));
    expect(vb.minX).toBeCloseTo(tl.x, 9);
    expect(vb.minY).toBeCloseTo(tl.y, 9);
    expect(vb.maxX).toBeCloseTo(br.x, 9);
    expect(vb.maxY).toBeCloseTo(br.y, 9);
  });
});
