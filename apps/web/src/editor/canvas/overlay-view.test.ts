import type Konva from "konva";
import { describe, expect, it } from "vitest";
import { OverlayView } from "./overlay-view";

/**
 * A stand-in for the Konva layer and shape: `draw()` runs the shape's scene function as Konva does,
 * and `konvaRedraw()` runs it the way Konva's own batched redraw does after an attribute change.
 */
const fakeKonva = () => {
  const cleared: number[][] = [];
  const ctx = { clearRect: (...a: number[]) => cleared.push(a) } as unknown as CanvasRenderingContext2D;
  let scene: ((c: { _context: CanvasRenderingContext2D }) => void) | null = null;
  let visible = true;
  const layer = {
    clearBeforeDraw: () => {},
    visible: (v?: boolean) => {
      if (v === undefined) return visible;
      visible = v;
      return layer;
    },
    draw: () => scene?.({ _context: ctx }),
    width: () => 800,
    height: () => 600,
  };
  const shape = {
    sceneFunc: (f: typeof scene) => {
      scene = f;
    },
  };
  return {
    layer: layer as unknown as Konva.Layer,
    shape: shape as unknown as Konva.Shape,
    cleared,
    konvaRedraw: () => scene?.({ _context: ctx }),
  };
};

describe("the overlay's canvas", () => {
  it("a redraw Konva asks for itself (after showing the layer) keeps what was drawn", () => {
    const k = fakeKonva();
    const view = new OverlayView(k.layer, k.shape);
    let painted = 0;
    view.draw(() => {
      painted++;
      return { x: 10, y: 20, w: 100, h: 50 };
    });
    expect(painted).toBe(1);
    const clearsAfterDraw = k.cleared.length;
    // Konva batches a redraw for the next frame after `visible(true)`: it must not wipe the picture.
    k.konvaRedraw();
    expect(k.cleared).toHaveLength(clearsAfterDraw);
    // The next real draw clears exactly the area the last one touched.
    view.draw(() => null);
    expect(k.cleared.at(-1)).toEqual([9, 19, 103, 53]);
  });
});
