import type { Editor, EditorState, Shape } from "@labelbench/editor";
import { type Bounds, screenPoint, visibleImageBounds } from "@labelbench/geometry";
import type { Image } from "@labelbench/schema";
import type Konva from "konva";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { Shape as KonvaShape, Layer, Stage } from "react-konva";
import { BitmapView, moveOnCompositor } from "./canvas/compositor";
import { drawOverlay, UNKNOWN_LABEL_COLOUR, warmTagText } from "./canvas/draw";
import { type FrameBudget, FrameScheduler } from "./canvas/frame-scheduler";
import { ImageCamera, OVERSCAN_PX, PREP_AT_PX, PREP_STRIPS, ZOOM_SERIES_MS } from "./canvas/image-camera";
import { buildPyramid, type Level, pickLevel, sourceRect } from "./canvas/image-pyramid";
import { OverlayView } from "./canvas/overlay-view";
import { cursorFor } from "./canvas/press-cursor";
import { domRasterHost, type RasterStats, ShapeRaster } from "./canvas/shape-raster";
import { FINE_MIN_CELL_PX, FINE_TILES_PER_SIDE, ShapeTiles } from "./canvas/shape-tiles";
import { type TiledImageStats, TileRenderer } from "./canvas/tile-renderer";
import { takePreloadedTiles } from "./session/preload";

/**
 * What the canvas did, for tests and the benchmark (see RasterStats for the shape layer's figures;
 * `lastShapesAt` times "all shapes drawn" after navigation).
 */
export interface RenderStats extends RasterStats {
  overlayDraws: number;
}

interface Props {
  editor: Editor;
  image: ImageBitmap | null;
  /** The image's size as the server reports it (EXIF orientation applied): the canvas draws it at that size. */
  imageSize: { width: number; height: number } | null;
  /** The server's shapes in "view both" conflict mode. */
  serverShapes: readonly Shape[] | null;
  stats: RenderStats;
  /** An image whose tile pyramid is ready: its visible tiles are drawn instead of `image`. */
  tiled?: Image | null;
  /** What the tile renderer did (the bench and tests read it). */
  tileStats?: TiledImageStats;
}

const WHEEL_LINE_PX = 16;

/** Whether the overlay has anything to draw (selection, hover, a gesture's preview, guides). */
const overlayHasContent = (s: EditorState, serverShapes: readonly Shape[] | null): boolean =>
  s.selection.size > 0 ||
  s.hoverId !== null ||
  s.preview !== null ||
  (s.tool.id === "box" && s.cursor !== null) ||
  (serverShapes !== null && serverShapes.length > 0);

/**
 * The canvas: turns DOM pointer events into editor events and draws what the editor store holds.
 * Nothing here re-renders through React on pan, zoom, hover or drag: a store subscription moves the
 * image layer, asks the shape raster for a frame (it moves its tiles with one CSS transform and
 * renders only tiles whose contents changed, see shape-raster.ts) and redraws the overlay only when
 * it has something to show. Three stacked surfaces: the image (a bitmap the compositor moves), the
 * shape tiles (likewise, shape-raster.ts) and the overlay (a Konva layer, hidden while it shows
 * nothing: selection, handles, previews; overlay-view.ts).
 */
export function EditorCanvas({ editor, image, imageSize, serverShapes, stats, tiled, tileStats }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  /** Holds the image's picture (drawn offscreen, shown as a bitmap) and moves it with CSS transforms. */
  const imageBox = useRef<HTMLDivElement>(null);
  /** Decides per camera change whether the image layer redraws or is only moved (image-camera.ts). */
  const imageCamera = useRef(new ImageCamera());
  /** One animation frame and one time budget for the image's strips, tile redraws and the shapes. */
  const [scheduler] = useState(() => new FrameScheduler());
  useEffect(() => () => scheduler.dispose(), [scheduler]);
  const rasterRef = useRef<HTMLDivElement>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  const overlayShape = useRef<Konva.Shape>(null);
  /**
   * The topmost element, which pointer events hit and which carries the cursor. The cursor is an
   * inherited property: set on the stage, every change restyled all the layers under it (0.5-0.7 ms,
   * forced by the press that selects a shape); on this childless element it restyles one element.
   */
  const cursorRef = useRef<HTMLDivElement>(null);
  /** Asks for the overlay to be drawn (or hidden) in the next frame (set once its canvas exists). */
  const requestOverlay = useRef<() => void>(() => {});
  /** Asks the shape layer for a frame (set once the raster exists). */
  const requestShapes = useRef<() => void>(() => {});
  /** The overlay's last draw drew nothing: while it stays so, camera moves need not clear it again. */
  const overlayBlank = useRef(false);
  const [size, setSize] = useState({ width: 1, height: 1 });
  const serverRef = useRef(serverShapes);
  /** Draws the visible tiles of a tiled image (null for an untiled one, which draws its pyramid). */
  const tilesRef = useRef<TileRenderer | null>(null);
  /** Draws the image again for the camera it was drawn with (a new picture or pyramid level). */
  const redrawImage = useRef<() => void>(() => {});
  /** True while a wheel step is applied (the camera change it makes is a gesture's step). */
  const wheeling = useRef(false);
  /** Draws the image again within the next frame (tiles arrived). */
  const redrawTiles = useRef<() => void>(() => {});
  /** Forgets what the image layer drew and draws it for the current camera. */
  const resetImage = useRef<() => void>(() => {});

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      const next = { width: Math.max(1, Math.floor(r.width)), height: Math.max(1, Math.floor(r.height)) };
      setSize((prev) => (prev.width === next.width && prev.height === next.height ? prev : next));
      const cur = editor.getState().stageSize;
      if (cur.width !== next.width || cur.height !== next.height) editor.setStageSize(next);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [editor]);

  // Camera and redraws, outside React.
  // biome-ignore lint/correctness/useExhaustiveDependencies: drawImage only reads refs and the editor.
  useEffect(() => {
    const stageEl = imageBox.current;
    if (stageEl) moveOnCompositor(stageEl);
    // The image (tiles or an untiled picture) is drawn straight into the bitmap the compositor shows,
    // which it moves without copying it again on every frame (compositor.ts).
    const picture = stageEl ? new BitmapView(stageEl, "ed-stage__picture") : null;
    /** The last picture was drawn from a coarser tile level (mid-zoom): the zoom's end draws it sharp. */
    let coarse = false;
    /**
     * Draws the picture for camera `d` into `ctx` (a canvas of the stage plus the overscan), all of it
     * or the device rows [rows[0], rows[1]) (a strip of a picture prepared over several frames).
     */
    const paintInto = (
      ctx: OffscreenCanvasRenderingContext2D,
      d: EditorState["viewport"],
      stage: EditorState["stageSize"],
      dpr: number,
      opts: { zooming?: boolean; rows?: [number, number] } = {},
    ) => {
      const k = d.scale * dpr;
      const ox = (d.offsetX + OVERSCAN_PX) * dpr;
      const oy = (d.offsetY + OVERSCAN_PX) * dpr;
      const rows = opts.rows;
      const area = { width: stage.width + 2 * OVERSCAN_PX, height: stage.height + 2 * OVERSCAN_PX };
      const whole = visibleImageBounds({ scale: d.scale, offsetX: ox / dpr, offsetY: oy / dpr }, area);
      const view = rows ? { ...whole, minY: (rows[0] - oy) / k, maxY: (rows[1] - oy) / k } : whole;
      if (rows) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(0, rows[0], area.width * dpr + 1, rows[1] - rows[0]);
        ctx.clip();
      }
      const tiles = tilesRef.current;
      if (tiles) {
        tiles.draw(
          ctx,
          view,
          { scale: k, x: ox, y: oy },
          // Mid-zoom, one level coarser: a quarter of the pixels to resample, and the level the zoom
          // passes through is rarely loaded anyway. A strip must not replace the whole view's wants.
          { coarser: opts.zooming ? 1 : 0, want: !rows },
        );
      } else {
        ctx.setTransform(k, 0, 0, k, ox, oy);
        drawImage(ctx, d, view);
      }
      if (rows) ctx.restore();
    };
    const paintImage = (zooming = false, keepPrep = false) => {
      if (!picture) return;
      if (!keepPrep) cancelPrep();
      const s = editor.getState();
      const dpr = window.devicePixelRatio || 1;
      const w = (s.stageSize.width + 2 * OVERSCAN_PX) * dpr;
      const h = (s.stageSize.height + 2 * OVERSCAN_PX) * dpr;
      const d = imageCamera.current.drawnWith;
      coarse = zooming && tilesRef.current !== null;
      onScreen = null;
      picture.show(w, h, dpr, (ctx) => {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        if (d) paintInto(ctx, d, s.stageSize, dpr, { zooming: coarse });
      });
    };

    /**
     * The next picture, prepared a strip per frame while a pan nears the edge of the shown one, so
     * the pan never waits for a whole redraw (a window-sized copy: ~8 ms at 1:1 in software).
     */
    let prep: {
      camera: EditorState["viewport"];
      stage: EditorState["stageSize"];
      dpr: number;
      canvas: OffscreenCanvas;
      ctx: OffscreenCanvasRenderingContext2D;
      next: number;
      rowsPerStrip: number;
      arrivals: number;
      /** A copy of the finished picture, once the browser has made it (see workPrep). */
      bitmap: ImageBitmap | null;
      copying: boolean;
    } | null = null;
    /**
     * Two canvases the next picture is prepared in, in turn, kept from one pan to the next. A
     * window-sized canvas whose pixels were handed over (transferToImageBitmap) allocates new ones on
     * its next draw, 8-20 ms in one strip (a new canvas costs as much), and one whose snapshot is on
     * screen copies it on its next draw (as much again). So a finished picture is snapshotted
     * (createImageBitmap, under 1 ms for a canvas kept readable) and the next one is prepared in the
     * other canvas, whose snapshot left the screen when this one came.
     */
    const spares: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D }[] = [];
    /** The canvas whose snapshot is on screen (not to be drawn into). */
    let onScreen: OffscreenCanvas | null = null;
    /** Tiles arrived since start (a prepared picture with stand-ins drawn before is redrawn). */
    let arrivals = 0;
    const cancelPrep = () => {
      prep = null;
      scheduler.cancel(workPrep);
    };
    const startPrep = (s: EditorState) => {
      const dpr = window.devicePixelRatio || 1;
      const snap = (t: number) => Math.round(t * dpr) / dpr;
      const camera = {
        scale: s.viewport.scale,
        offsetX: snap(s.viewport.offsetX),
        offsetY: snap(s.viewport.offsetY),
      };
      const w = Math.max(1, Math.round((s.stageSize.width + 2 * OVERSCAN_PX) * dpr));
      const h = Math.max(1, Math.round((s.stageSize.height + 2 * OVERSCAN_PX) * dpr));
      const fits = (x: { canvas: OffscreenCanvas }) => x.canvas.width === w && x.canvas.height === h;
      if (!spares.every(fits)) spares.length = 0;
      let spare = spares.find((x) => x.canvas !== onScreen);
      if (!spare) {
        const canvas = new OffscreenCanvas(w, h);
        // Kept in memory the page reads: createImageBitmap snapshots it without a readback.
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        if (!ctx) return;
        spare = { canvas, ctx };
        spares.push(spare);
      }
      const { canvas, ctx } = spare;
      prep = {
        camera,
        stage: s.stageSize,
        dpr,
        canvas,
        ctx,
        next: 0,
        rowsPerStrip: Math.ceil(h / PREP_STRIPS),
        arrivals,
        bitmap: null,
        copying: false,
      };
      tilesRef.current?.want(
        visibleImageBounds(
          {
            scale: camera.scale,
            offsetX: camera.offsetX + OVERSCAN_PX,
            offsetY: camera.offsetY + OVERSCAN_PX,
          },
          { width: s.stageSize.width + 2 * OVERSCAN_PX, height: s.stageSize.height + 2 * OVERSCAN_PX },
        ),
        camera.scale * dpr,
      );
      scheduler.request(workPrep);
    };
    /** Draws strips of the prepared picture: while the frame's budget lasts, or all that is left. */
    const drawStrips = (budget: FrameBudget | null) => {
      const p = prep;
      if (!p) return;
      const h = p.canvas.height;
      while (p.next < h) {
        if (budget && !budget.left()) break;
        const y1 = Math.min(h, p.next + p.rowsPerStrip);
        // The reused canvas still holds the last picture: clear the strip's rows before drawing.
        p.ctx.setTransform(1, 0, 0, 1, 0, 0);
        p.ctx.clearRect(0, p.next, p.canvas.width, y1 - p.next);
        paintInto(p.ctx, p.camera, p.stage, p.dpr, { rows: [p.next, y1] });
        // Canvas drawing is deferred: rasterise the strip now, so the budget sees its cost.
        p.ctx.getImageData(0, 0, 1, 1);
        p.next = y1;
        budget?.spend();
      }
    };
    /** Shows the prepared picture (complete) in place of the drawn one. */
    const swapPrep = () => {
      const p = prep;
      if (!p || !picture) return;
      prep = null;
      scheduler.cancel(workPrep);
      if (p.bitmap) picture.presentBitmap(p.bitmap, p.dpr);
      // Needed at once (the pan outran the snapshot): hand the pixels over; the canvas reallocates.
      else picture.present(p.canvas, p.dpr);
      // Either way the next picture is prepared in the other canvas.
      onScreen = p.canvas;
      imageCamera.current.markDrawn(p.camera);
      coarse = false;
      // Tiles that arrived meanwhile may be missing from strips drawn before they came.
      if (p.arrivals !== arrivals) redrawTiles.current();
    };
    /** The image layer's share of the frame: strips of the next picture (frame-scheduler.ts). */
    function workPrep(budget: FrameBudget): boolean {
      const p = prep;
      if (!p) return false;
      if (p.next < p.canvas.height) {
        drawStrips(budget);
        if (p.next < p.canvas.height) return true;
      }
      if (!p.bitmap) {
        if (!p.copying) {
          p.copying = true;
          createImageBitmap(p.canvas).then(
            (bitmap) => {
              if (prep !== p) {
                bitmap.close();
                return;
              }
              p.bitmap = bitmap;
              scheduler.request(workPrep);
            },
            () => {
              // No snapshot: hand the canvas itself over now.
              if (prep === p) {
                p.copying = false;
                p.bitmap = null;
                swapPrep();
                applyCamera(editor.getState());
              }
            },
          );
        }
        return false;
      }
      swapPrep();
      applyCamera(editor.getState());
      return false;
    }
    let imageTransform = "";
    let settleTimer = 0;
    /** Redraws the image layer for the camera, or moves what it drew (see image-camera.ts). */
    const applyCamera = (s: EditorState, settle = false) => {
      if (!stageEl) return;
      const drawnBefore = imageCamera.current.drawnWith;
      if (settle && tilesRef.current === null && drawnBefore && drawnBefore.scale !== s.viewport.scale) {
        // The end of a wheel zoom on an untiled image: the sharp picture is prepared in strips and
        // swapped in (as a pan's next picture is), not redrawn whole in one frame (20-35 ms for a
        // 1920 x 1080 window in software, a dropped frame). The scaled picture shows meanwhile.
        if (!prep || prep.camera.scale !== s.viewport.scale || prep.stage !== s.stageSize) startPrep(s);
        return;
      }
      const zoomStep =
        !settle &&
        imageCamera.current.drawnWith !== null &&
        imageCamera.current.drawnWith.scale !== s.viewport.scale;
      if (settle && coarse) imageCamera.current.invalidate();
      const step = imageCamera.current.step(
        s.viewport,
        s.stageSize,
        performance.now(),
        window.devicePixelRatio || 1,
        settle,
        wheeling.current,
      );
      const [x, y, k] = step.kind === "draw" ? [0, 0, 1] : [step.x, step.y, step.k];
      const t = `translate(${x}px, ${y}px) scale(${k})`;
      if (t !== imageTransform) {
        imageTransform = t;
        stageEl.style.transform = t;
      }
      if (prep && (prep.camera.scale !== s.viewport.scale || prep.stage !== s.stageSize)) cancelPrep();
      const drawn = imageCamera.current.drawnWith;
      if (step.kind === "move" && step.k === 1 && !zoomStep && prep === null && drawn) {
        const drift = Math.max(
          Math.abs(s.viewport.offsetX - drawn.offsetX),
          Math.abs(s.viewport.offsetY - drawn.offsetY),
        );
        if (drift > PREP_AT_PX) startPrep(s);
      }
      if (step.kind === "draw") {
        const p = prep;
        if (
          p &&
          !zoomStep &&
          p.camera.scale === s.viewport.scale &&
          p.stage === s.stageSize &&
          Math.abs(s.viewport.offsetX - p.camera.offsetX) <= OVERSCAN_PX &&
          Math.abs(s.viewport.offsetY - p.camera.offsetY) <= OVERSCAN_PX
        ) {
          // The pan outran the strips: finish the prepared picture now, still cheaper than a new one.
          drawStrips(null);
          swapPrep();
          applyCamera(s);
          return;
        }
        paintImage(zoomStep && tilesRef.current !== null);
        if (coarse) settleLater();
      } else if (k !== 1) {
        // A wheel zoom's steps only scale the picture: draw it sharp once the steps stop.
        settleLater();
      }
    };
    /**
     * The end of a zoom draws the image sharp at the start of a frame (FrameScheduler.requestInput),
     * not in a timer task of its own: the shape layer, catching up in the same frames, then sees the
     * time the redraw took in its deadline (shape-raster.ts) and the frame is not overrun.
     */
    const settleImage = () => applyCamera(editor.getState(), true);
    const settleLater = () => {
      window.clearTimeout(settleTimer);
      settleTimer = window.setTimeout(() => scheduler.requestInput(settleImage), ZOOM_SERIES_MS);
    };
    const movingKey = (s: EditorState) =>
      s.preview?.kind === "transform" ? s.preview.shapes.map((x) => x.id).join(",") : "";
    const cursorEl = cursorRef.current;
    let cursor = "";
    const setCursor = (s: EditorState) => {
      const next = cursorFor(editor, s);
      if (!cursorEl || next === null || next === cursor) return;
      cursor = next;
      cursorEl.style.cursor = next;
    };
    /** Arrived tiles drawn in the next frame; the shapes and strips get what budget it leaves. */
    const redrawArrived = (budget: FrameBudget): boolean => {
      // A picture being prepared goes on: it is redrawn after its swap if it missed these tiles.
      paintImage(coarse, true);
      budget.spend();
      return false;
    };
    redrawImage.current = () => {
      scheduler.cancel(redrawArrived);
      paintImage(coarse);
    };
    /** Arriving tiles: one redraw per frame at most, however many arrive in it. */
    redrawTiles.current = () => {
      arrivals += 1;
      scheduler.request(redrawArrived);
    };
    resetImage.current = () => {
      imageCamera.current.invalidate();
      applyCamera(editor.getState());
    };
    let s0 = editor.getState();
    imageCamera.current.invalidate();
    applyCamera(s0);
    setCursor(s0);
    requestShapes.current();
    requestOverlay.current();
    const unsubscribe = editor.store.subscribe((s) => {
      const prev = s0;
      s0 = s;
      const camera = s.viewport !== prev.viewport || s.stageSize !== prev.stageSize;
      if (s.stageSize !== prev.stageSize) imageCamera.current.invalidate();
      if (camera) applyCamera(s);
      // Selected shapes stay in the batch (the overlay draws them on top), so selecting redraws no tiles.
      const batchChanged =
        s.doc !== prev.doc ||
        s.labels !== prev.labels ||
        s.hiddenShapes !== prev.hiddenShapes ||
        s.hiddenLabels !== prev.hiddenLabels ||
        s.image !== prev.image ||
        movingKey(s) !== movingKey(prev);
      if (camera || batchChanged) requestShapes.current();
      const crosshairMoved = s.tool.id === "box" && s.cursor !== prev.cursor;
      // Still nothing to draw: the overlay stays hidden, so no frame needs to be asked for it.
      const overlayStaysBlank = overlayBlank.current && !overlayHasContent(s, serverRef.current);
      if (
        !overlayStaysBlank &&
        (camera ||
          batchChanged ||
          s.selection !== prev.selection ||
          crosshairMoved ||
          s.preview !== prev.preview ||
          s.hoverId !== prev.hoverId ||
          s.tool !== prev.tool ||
          s.lockedShapes !== prev.lockedShapes ||
          s.lockedLabels !== prev.lockedLabels)
      )
        requestOverlay.current();
      if (
        s.tool !== prev.tool ||
        s.hoverId !== prev.hoverId ||
        s.selection !== prev.selection ||
        (s.cursor !== prev.cursor && s.selection.size > 0)
      )
        setCursor(s);
    });
    return () => {
      unsubscribe();
      redrawImage.current = () => {};
      redrawTiles.current = () => {};
      resetImage.current = () => {};
      window.clearTimeout(settleTimer);
      scheduler.cancel(redrawArrived);
      cancelPrep();
      picture?.el.remove();
    };
  }, [editor, scheduler]);

  useEffect(() => {
    serverRef.current = serverShapes;
    requestOverlay.current();
  }, [serverShapes]);

  // Konva clears the overlay's canvas when the stage's new size reaches it, in React's commit, which
  // may come after the frame that drew for that size (the "view both" banner shrinks the stage as the
  // server's shapes appear): draw again once the canvas has its size.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the size is the trigger, not an input.
  useEffect(() => {
    requestOverlay.current();
  }, [size]);

  // Input: DOM events on the stage box, wheel as a non-passive listener so it can preventDefault.
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    // The element pointer events hit: capturing on it keeps the target, so a press fires no
    // pointerout/over (and mouseout/over) pairs that a capture on the stage would.
    const capture = cursorRef.current ?? el;
    const toScreen = (e: { clientX: number; clientY: number }) => {
      const r = el.getBoundingClientRect();
      return screenPoint(e.clientX - r.left, e.clientY - r.top);
    };
    const pointer = (e: PointerEvent | MouseEvent) => ({
      screen: toScreen(e),
      button: (e.button === 1 || e.button === 2 ? e.button : 0) as 0 | 1 | 2,
      shift: e.shiftKey,
      alt: e.altKey,
      ctrl: e.ctrlKey || e.metaKey,
    });
    /**
     * Wheel steps arrive several per frame, each in a task of its own; dispatched one by one, each
     * re-rendered the zoom readouts and re-laid out the page (1.5-4 ms a step). They are summed and
     * applied once at the start of the next frame (zoom factors multiply: exp(a) * exp(b) = exp(a + b)).
     */
    let wheel: { screen: ReturnType<typeof toScreen>; deltaY: number; ctrl: boolean } | null = null;
    const applyWheel = () => {
      const w = wheel;
      wheel = null;
      if (!w) return;
      // The image layer scales its picture for every wheel step, the first included (image-camera.ts).
      wheeling.current = true;
      try {
        editor.dispatch({ type: "wheel", ...w });
      } finally {
        wheeling.current = false;
      }
    };
    const onWheel = (e: WheelEvent) => {
      const deltaY =
        e.deltaMode === 1 ? e.deltaY * WHEEL_LINE_PX : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
      const ctrl = e.ctrlKey || e.metaKey;
      // The stage never scrolls the page: every wheel over it is the editor's.
      e.preventDefault();
      // Pinch (ctrl) and plain steps zoom at different rates: do not sum one into the other.
      if (wheel && wheel.ctrl !== ctrl) applyWheel();
      wheel = { screen: toScreen(e), deltaY: (wheel?.deltaY ?? 0) + deltaY, ctrl };
      scheduler.requestInput(applyWheel);
    };
    const onDown = (e: PointerEvent) => {
      // A pending wheel zoom first: the pointer event is read against the camera it sees.
      if (wheel) applyWheel();
      if (e.button > 2) return;
      // Keys belong to the canvas again once the user works on it.
      if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body)
        document.activeElement.blur();
      capture.setPointerCapture(e.pointerId);
      if (editor.dispatch({ type: "pointerDown", ...pointer(e) }) || e.button === 1) e.preventDefault();
    };
    const onMove = (e: PointerEvent) => {
      if (wheel) applyWheel();
      if (editor.dispatch({ type: "pointerMove", ...pointer(e) })) e.preventDefault();
    };
    const onUp = (e: PointerEvent) => {
      if (wheel) applyWheel();
      if (capture.hasPointerCapture(e.pointerId)) capture.releasePointerCapture(e.pointerId);
      if (editor.dispatch({ type: "pointerUp", ...pointer(e) })) e.preventDefault();
    };
    const onLeave = (e: PointerEvent) => {
      if (!capture.hasPointerCapture(e.pointerId)) editor.dispatch({ type: "pointerLeave" });
    };
    const onDouble = (e: MouseEvent) => {
      if (wheel) applyWheel();
      if (editor.dispatch({ type: "doubleClick", ...pointer(e) })) e.preventDefault();
    };
    const onContext = (e: MouseEvent) => e.preventDefault();
    // Middle-button autoscroll would fight the pan.
    const onAux = (e: MouseEvent) => {
      if (e.button === 1) e.preventDefault();
    };
    el.addEventListener("pointerdown", onDown);
    el.addEventListener("pointermove", onMove);
    el.addEventListener("pointerup", onUp);
    el.addEventListener("pointercancel", onUp);
    el.addEventListener("pointerleave", onLeave);
    el.addEventListener("dblclick", onDouble);
    el.addEventListener("wheel", onWheel, { passive: false });
    el.addEventListener("contextmenu", onContext);
    el.addEventListener("auxclick", onAux);
    el.addEventListener("mousedown", onAux);
    return () => {
      el.removeEventListener("pointerdown", onDown);
      el.removeEventListener("pointermove", onMove);
      el.removeEventListener("pointerup", onUp);
      el.removeEventListener("pointercancel", onUp);
      el.removeEventListener("pointerleave", onLeave);
      el.removeEventListener("dblclick", onDouble);
      el.removeEventListener("wheel", onWheel);
      el.removeEventListener("contextmenu", onContext);
      el.removeEventListener("auxclick", onAux);
      el.removeEventListener("mousedown", onAux);
      wheel = null;
    };
  }, [editor, scheduler]);

  useEffect(() => {
    if (image) redrawImage.current();
  }, [image]);

  // Tiles that became ready replace the picture (and the other way round): draw afresh.
  const tiledId = tiled?.id ?? null;
  const tiledRef = useRef(tiled ?? null);
  tiledRef.current = tiled ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new tiled image id is the trigger.
  useEffect(() => {
    const image = tiledRef.current;
    const renderer =
      image && tiledId !== null
        ? new TileRenderer(image, {
            onTile: () => redrawTiles.current(),
            stats: tileStats,
            preloaded: takePreloadedTiles(image.id) ?? undefined,
          })
        : null;
    tilesRef.current = renderer;
    resetImage.current();
    return () => {
      renderer?.dispose();
      if (tilesRef.current === renderer) tilesRef.current = null;
    };
  }, [tiledId]);

  const colourCache = useRef<{ labels: EditorState["labels"]; map: Map<number, string> } | null>(null);
  const coloursOf = (s: EditorState) => {
    if (colourCache.current?.labels !== s.labels)
      colourCache.current = { labels: s.labels, map: new Map(s.labels.map((l) => [l.id, l.color])) };
    return colourCache.current.map;
  };

  const excludedCache = useRef<{ keys: unknown[]; set: ReadonlySet<string> } | null>(null);
  /** Shapes the batch must leave out: moving ones (the overlay draws them where they go), hidden ones. */
  const excludedOf = (s: EditorState): ReadonlySet<string> => {
    const moving = s.preview?.kind === "transform" ? s.preview : null;
    const keys = [s.hiddenShapes, moving];
    const c = excludedCache.current;
    if (c?.keys.every((k, i) => k === keys[i])) return c.set;
    const set = new Set<string>(s.hiddenShapes);
    if (moving) for (const m of moving.shapes) set.add(m.id);
    // Keep the old identity when the contents are equal, so a new preview object does not dirty tiles.
    const same = c?.set.size === set.size && [...set].every((id) => c.set.has(id));
    excludedCache.current = { keys, set: same && c ? c.set : set };
    return excludedCache.current.set;
  };

  // The batch of shapes: raster tiles the compositor moves (shape-raster.ts), one frame at a time.
  // biome-ignore lint/correctness/useExhaustiveDependencies: coloursOf and excludedOf only read refs.
  useEffect(() => {
    const root = rasterRef.current;
    if (!root) return;
    const newPath = () => new Path2D();
    const raster = new ShapeRaster(
      new ShapeTiles(newPath),
      domRasterHost(root),
      stats,
      undefined,
      undefined,
      undefined,
      new ShapeTiles(newPath, FINE_TILES_PER_SIDE, FINE_MIN_CELL_PX),
    );
    /** The shape layer's share of the frame (frame-scheduler.ts). */
    const frame = (budget: FrameBudget): boolean => {
      const s = editor.getState();
      if (!s.image) return false;
      const colours = coloursOf(s);
      return raster.frame(
        {
          image: s.image,
          shapes: s.doc.shapes,
          excluded: excludedOf(s),
          hiddenLabels: s.hiddenLabels,
          colourOf: (l) => colours.get(l) ?? UNKNOWN_LABEL_COLOUR,
          coloursKey: colours,
          viewport: s.viewport,
          stage: s.stageSize,
          pixelRatio: window.devicePixelRatio || 1,
        },
        budget,
      );
    };
    requestShapes.current = () => scheduler.request(frame);
    requestShapes.current();
    return () => {
      scheduler.cancel(frame);
      requestShapes.current = () => {};
      raster.dispose();
    };
  }, [editor, stats, scheduler]);

  const pyramid = useRef<{ image: ImageBitmap; levels: Level<CanvasImageSource>[] } | null>(null);
  // The size as numbers: the page passes a new object on every render, and rebuilding the pyramid
  // (several createImageBitmap passes over the whole picture) on each of them cost seconds.
  const imageWidth = imageSize?.width ?? 0;
  const imageHeight = imageSize?.height ?? 0;
  useEffect(() => {
    if (!image || imageWidth <= 0 || imageHeight <= 0) {
      pyramid.current = null;
      return;
    }
    const imageSize = { width: imageWidth, height: imageHeight };
    if (image.width !== imageSize.width || image.height !== imageSize.height) {
      // A stand-in smaller than the image (a tiled image's preview), stretched over [0,W]x[0,H]: it
      // already is a shrunk level, and the full size must never be allocated.
      const factor = image.width / imageSize.width;
      pyramid.current = {
        image,
        levels: [{ bitmap: image, factor, width: image.width, height: image.height }],
      };
      redrawImage.current();
      return;
    }
    pyramid.current = { image, levels: [{ bitmap: image, factor: 1, ...imageSize }] };
    let alive = true;
    // Resampling a 12 MP picture blocks the main thread for a few hundred ms: not while the image and
    // its shapes are being put on screen, but once the browser is idle.
    const build = () =>
      buildPyramid(image, imageSize).then(
        (levels) => {
          if (!alive || pyramid.current?.image !== image) return;
          pyramid.current = { image, levels };
          redrawImage.current();
        },
        // Without the smaller levels the full image still draws, only slower.
        () => {},
      );
    const idle = window.requestIdleCallback?.(build, { timeout: 3000 }) ?? window.setTimeout(build, 1000);
    redrawImage.current();
    return () => {
      alive = false;
      if (window.cancelIdleCallback) window.cancelIdleCallback(idle);
      else window.clearTimeout(idle);
    };
  }, [image, imageWidth, imageHeight]);

  /** Draws `area` (image pixels) of the image, under a transform from image pixels for camera `d`. */
  const drawImage = (c: OffscreenCanvasRenderingContext2D, d: EditorState["viewport"], area: Bounds) => {
    const s = editor.getState();
    const p = pyramid.current;
    if (!p || !s.image) return;
    const level = pickLevel(p.levels, d.scale);
    if (!level) return;
    const r = sourceRect(area, s.image, level.factor);
    if (!r) return;
    const f = level.factor;
    // Crisp pixels when zoomed in, smooth when the image is shrunk.
    c.imageSmoothingEnabled = d.scale < 1;
    c.drawImage(level.bitmap, r.x * f, r.y * f, r.width * f, r.height * f, r.x, r.y, r.width, r.height);
  };

  /** Draws the overlay; returns the screen area drawn on. */
  const drawTop = (ctx: CanvasRenderingContext2D) => {
    const s = editor.getState();
    const colours = coloursOf(s);
    const colourOf = (l: number) => colours.get(l) ?? UNKNOWN_LABEL_COLOUR;
    const names = new Map(s.labels.map((l) => [l.id, l.name]));
    const moving = s.preview?.kind === "transform" ? s.preview.shapes : [];
    const movingById = new Map(moving.map((x) => [x.id, x]));
    const selected: Shape[] = [];
    for (const id of s.selection) {
      const shape = movingById.get(id) ?? s.doc.shapes.get(id);
      if (shape && !editor.isShapeHidden(id)) selected.push(shape);
    }
    const hover =
      s.hoverId !== null && !s.selection.has(s.hoverId) && !movingById.has(s.hoverId)
        ? (s.doc.shapes.get(s.hoverId) ?? null)
        : null;
    const active = s.labels.find((l) => l.id === s.activeLabelId);
    const area = drawOverlay(ctx, {
      viewport: s.viewport,
      image: s.image,
      colourOf,
      nameOf: (l) => names.get(l) ?? `label ${l}`,
      selected,
      editable: (id) => !editor.isShapeLocked(id),
      moving: moving.filter((x) => !s.selection.has(x.id)),
      hover,
      preview: s.preview?.kind === "transform" ? null : s.preview,
      activeColour: active?.color ?? "#facc15",
      serverShapes: serverRef.current,
      crosshair: s.tool.id === "box" && s.cursor ? s.cursor : null,
    });
    stats.overlayDraws += 1;
    return area;
  };

  // The overlay: drawn in the frame that shows the change, hidden while it has nothing to show.
  // biome-ignore lint/correctness/useExhaustiveDependencies: drawTop only reads refs and the editor.
  useEffect(() => {
    const layer = overlayLayer.current;
    const shape = overlayShape.current;
    if (!layer || !shape) return;
    const view = new OverlayView(layer, shape);
    const frame = (): boolean => {
      const s = editor.getState();
      const content = overlayHasContent(s, serverRef.current);
      overlayBlank.current = !content;
      if (!content) view.hide();
      else view.draw(drawTop);
      return false;
    };
    requestOverlay.current = () => scheduler.request(frame);
    requestOverlay.current();
    // Once the page is idle (the image and its shapes on screen), ready the overlay for the first
    // selection: canvas pixels and the tag font (overlay-view.ts).
    const warm = () => {
      const s = editor.getState();
      const name = s.labels[0]?.name ?? "label";
      view.warm((ctx) => warmTagText(ctx, name));
    };
    const idle = window.requestIdleCallback?.(warm, { timeout: 5000 }) ?? window.setTimeout(warm, 2000);
    return () => {
      scheduler.cancel(frame);
      requestOverlay.current = () => {};
      if (window.cancelIdleCallback) window.cancelIdleCallback(idle);
      else window.clearTimeout(idle);
    };
  }, [editor, scheduler]);

  return (
    <div ref={boxRef} className="ed-stage" data-testid="editor-stage">
      <div ref={imageBox} className="ed-stage__image" style={{ left: -OVERSCAN_PX, top: -OVERSCAN_PX }} />
      <div ref={rasterRef} className="ed-raster" />
      <Stage className="ed-stage__layer" width={size.width} height={size.height} listening={false}>
        <Layer ref={overlayLayer} listening={false}>
          <KonvaShape ref={overlayShape} listening={false} perfectDrawEnabled={false} />
        </Layer>
      </Stage>
      <div ref={cursorRef} className="ed-stage__input" />
    </div>
  );
}
