import path from "node:path";
import type { Browser, BrowserContext } from "@playwright/test";
import { ESBUILD_SHIM, type GestureResult, MONITOR_INIT, measureGesture, Pointer } from "../browser.js";
import { SCENE, type SceneShape } from "./editor-scene.js";

/**
 * The naive design the editor is compared with: one Konva node per shape (what a react-konva
 * `<Rect>`/`<Line>` per annotation produces, minus React's own reconciliation), every node listening,
 * no culling, no path or bitmap caches; the stage is dragged to pan and scaled on wheel. Same data, same
 * stage size, same browser and the same measurement as the real editor.
 */

const konvaScript = path.resolve(import.meta.dirname, "../../node_modules/konva/konva.min.js");

interface KonvaNode {
  x(): number;
  y(): number;
}
interface KonvaStage extends KonvaNode {
  scaleX(): number;
  position(p: { x: number; y: number }): void;
  scale(s: { x: number; y: number }): void;
  getPointerPosition(): { x: number; y: number } | null;
  on(ev: string, fn: (e: { evt: WheelEvent }) => void): void;
  add(layer: KonvaLayer): void;
  batchDraw(): void;
}
interface KonvaLayer {
  add(n: unknown): void;
  draw(): void;
}
interface KonvaGlobal {
  Stage: new (c: Record<string, unknown>) => KonvaStage;
  Layer: new () => KonvaLayer;
  Rect: new (c: Record<string, unknown>) => unknown;
  Line: new (c: Record<string, unknown>) => unknown;
}

export interface BaselineResult {
  openMs: number;
  heapMb: number;
  pan: GestureResult;
  zoom: GestureResult;
}

export const naiveKonvaPage = async (
  browser: Browser,
  context: BrowserContext,
  scene: { shapes: SceneShape[]; colours: Map<number, string> },
  box: { width: number; height: number },
  quick: boolean,
): Promise<BaselineResult> => {
  const page = await context.newPage();
  try {
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:#111"><div id="c" style="width:${box.width}px;height:${box.height}px"></div></body></html>`,
    );
    await page.evaluate(ESBUILD_SHIM);
    await page.evaluate(MONITOR_INIT);
    await page.addScriptTag({ path: konvaScript });
    const openMs = await page.evaluate(
      ({ shapes, colours, box, image }) => {
        const K = (window as unknown as { Konva: KonvaGlobal }).Konva;
        const colourOf = new Map(colours);
        const t0 = performance.now();
        const scale = Math.min(box.width / image.width, box.height / image.height);
        const stage = new K.Stage({
          container: "c",
          width: box.width,
          height: box.height,
          draggable: true,
          x: (box.width - image.width * scale) / 2,
          y: (box.height - image.height * scale) / 2,
          scaleX: scale,
          scaleY: scale,
        });
        const layer = new K.Layer();
        stage.add(layer);
        for (const s of shapes) {
          const stroke = colourOf.get(s.labelId) ?? "#fff";
          const g = s.geometry;
          layer.add(
            g.type === "box"
              ? new K.Rect({
                  x: g.x,
                  y: g.y,
                  width: g.width,
                  height: g.height,
                  stroke,
                  strokeWidth: 1,
                  strokeScaleEnabled: false,
                })
              : new K.Line({
                  points: g.points.flat(),
                  closed: true,
                  stroke,
                  strokeWidth: 1,
                  strokeScaleEnabled: false,
                }),
          );
        }
        layer.draw();
        stage.on("wheel", (e) => {
          e.evt.preventDefault();
          const p = stage.getPointerPosition();
          if (!p) return;
          const old = stage.scaleX();
          const next = old * Math.exp(-e.evt.deltaY * 0.0015);
          const anchor = { x: (p.x - stage.x()) / old, y: (p.y - stage.y()) / old };
          stage.scale({ x: next, y: next });
          stage.position({ x: p.x - anchor.x * next, y: p.y - anchor.y * next });
          stage.batchDraw();
        });
        return performance.now() - t0;
      },
      {
        shapes: scene.shapes,
        colours: [...scene.colours.entries()],
        box,
        image: { width: SCENE.width, height: SCENE.height },
      },
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send("HeapProfiler.collectGarbage");
    const heapMb = (await cdp.send("Runtime.getHeapUsage")).usedSize / 2 ** 20;
    await cdp.detach();

    const pointer = await Pointer.of(context, page);
    const cx = box.width / 2;
    const cy = box.height / 2;
    const steps = quick ? 30 : 60;
    await pointer.move(cx, cy);
    const pan = await measureGesture(browser, page, async () => {
      await pointer.down("left");
      await pointer.path(cx + 150, cy + 75, steps);
      await pointer.path(cx, cy, steps);
      await pointer.up();
    });
    const zoom = await measureGesture(browser, page, async () => {
      await pointer.wheel(-30, quick ? 8 : 16, 17);
      await pointer.wheel(30, quick ? 8 : 16, 17);
    });
    return { openMs, heapMb, pan, zoom };
  } finally {
    await page.close();
  }
};
