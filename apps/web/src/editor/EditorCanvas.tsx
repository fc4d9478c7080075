import {
  BOX_HANDLES,
  type BoxHandle,
  boxHandlePosition,
  type Editor,
  type EditorState,
  HANDLE_TOLERANCE_PX,
  type Shape,
} from "@labelbench/editor";
import { screenPoint, visibleImageBounds } from "@labelbench/geometry";
import type Konva from "konva";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { Shape as KonvaShape, Layer, Stage } from "react-konva";
import { drawOverlay, UNKNOWN_LABEL_COLOUR } from "./draw";
import { buildPyramid, type Level, pickLevel, sourceRect } from "./image-pyramid";
import { CACHE_MARGIN_PX, cacheSize, PanCache } from "./pan-cache";
import { ShapeTiles } from "./shape-tiles";

export interface RenderStats {
  /** Shapes drawn by the last batch pass (after culling). */
  shapesDrawn: number;
  shapesDraws: number;
  lastShapesMs: number;
  overlayDraws: number;
  /** Times the pan cache bitmap was re-rendered. */
  cacheRenders: number;
}

interface Props {
  editor: Editor;
  image: HTMLImageElement | null;
  /** The image's size as the server reports it (EXIF orientation applied): the canvas draws it at that size. */
  imageSize: { width: number; height: number } | null;
  /** The server's shapes in "view both" conflict mode. */
  serverShapes: readonly Shape[] | null;
  stats: RenderStats;
}

const WHEEL_LINE_PX = 16;

const RESIZE_CURSOR: Record<BoxHandle, string> = {
  nw: "nwse-resize",
  se: "nwse-resize",
  ne: "nesw-resize",
  sw: "nesw-resize",
  n: "ns-resize",
  s: "ns-resize",
  e: "ew-resize",
  w: "ew-resize",
};

/** The cursor over a handle of a selected shape: says "resize" / "move this vertex" before the press. */
const handleCursor = (editor: Editor, s: EditorState): string | null => {
  if (
    s.tool.id !== "select" ||
    s.preview !== null ||
    !s.cursor ||
    s.selection.size === 0 ||
    s.selection.size > 50
  )
    return null;
  const tol = HANDLE_TOLERANCE_PX / s.viewport.scale;
  const near = (x: number, y: number) => Math.abs(x - s.cursor!.x) <= tol && Math.abs(y - s.cursor!.y) <= tol;
  for (const id of s.selection) {
    const shape = s.doc.shapes.get(id);
    if (!shape || editor.isShapeLocked(id)) continue;
    const g = shape.geometry;
    if (g.type === "box") {
      for (const h of BOX_HANDLES) {
        const [x, y] = boxHandlePosition(g, h);
        if (near(x, y)) return RESIZE_CURSOR[h];
      }
    } else if (g.points.some(([x, y]) => near(x, y))) return "move";
  }
  return null;
};

const cursorFor = (s: EditorState): string => {
  switch (s.tool.id) {
    case "pan":
      return s.tool.state === "panning" ? "grabbing" : "grab";
    case "box":
    case "polygon":
      return "crosshair";
    default:
      if (s.tool.state === "translating") return "move";
      if (s.hoverId !== null) return s.selection.has(s.hoverId) ? "move" : "pointer";
      return "default";
  }
};

/**
 * The canvas: turns DOM pointer events into editor events and draws what the editor store holds.
 * Nothing here re-renders through React on pan, zoom, hover or drag: a store subscription moves the
 * layers (one transform each) and asks Konva to redraw only the layers whose inputs changed.
 */
export function EditorCanvas({ editor, image, imageSize, serverShapes, stats }: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const imageLayer = useRef<Konva.Layer>(null);
  const shapesLayer = useRef<Konva.Layer>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  const [size, setSize] = useState({ width: 1, height: 1 });
  const serverRef = useRef(serverShapes);

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
  useEffect(() => {
    const applyCamera = (s: EditorState) => {
      const { scale, offsetX, offsetY } = s.viewport;
      for (const layer of [imageLayer.current, shapesLayer.current]) {
        if (!layer) continue;
        layer.position({ x: offsetX, y: offsetY });
        layer.scale({ x: scale, y: scale });
      }
    };
    const movingKey = (s: EditorState) =>
      s.preview?.kind === "transform" ? s.preview.shapes.map((x) => x.id).join(",") : "";
    const boxEl = boxRef.current;
    const setCursor = (s: EditorState) => {
      if (boxEl) boxEl.style.cursor = handleCursor(editor, s) ?? cursorFor(s);
    };
    let s0 = editor.getState();
    applyCamera(s0);
    setCursor(s0);
    imageLayer.current?.batchDraw();
    shapesLayer.current?.batchDraw();
    overlayLayer.current?.batchDraw();
    const unsubscribe = editor.store.subscribe((s) => {
      const prev = s0;
      s0 = s;
      const camera = s.viewport !== prev.viewport || s.stageSize !== prev.stageSize;
      if (camera) {
        applyCamera(s);
        imageLayer.current?.batchDraw();
      }
      const shapesChanged =
        camera ||
        s.doc !== prev.doc ||
        s.selection !== prev.selection ||
        s.labels !== prev.labels ||
        s.hiddenShapes !== prev.hiddenShapes ||
        s.hiddenLabels !== prev.hiddenLabels ||
        s.image !== prev.image ||
        movingKey(s) !== movingKey(prev);
      if (shapesChanged) shapesLayer.current?.batchDraw();
      const crosshairMoved = s.tool.id === "box" && s.cursor !== prev.cursor;
      if (
        shapesChanged ||
        crosshairMoved ||
        s.preview !== prev.preview ||
        s.hoverId !== prev.hoverId ||
        s.tool !== prev.tool ||
        s.lockedShapes !== prev.lockedShapes ||
        s.lockedLabels !== prev.lockedLabels
      )
        overlayLayer.current?.batchDraw();
      if (
        s.tool !== prev.tool ||
        s.hoverId !== prev.hoverId ||
        s.selection !== prev.selection ||
        (s.cursor !== prev.cursor && s.selection.size > 0)
      )
        setCursor(s);
    });
    return unsubscribe;
  }, [editor]);

  useEffect(() => {
    serverRef.current = serverShapes;
    overlayLayer.current?.batchDraw();
  }, [serverShapes]);

  // Input: DOM events on the stage box, wheel as a non-passive listener so it can preventDefault.
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
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
    const onDown = (e: PointerEvent) => {
      if (e.button > 2) return;
      // Keys belong to the canvas again once the user works on it.
      if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body)
        document.activeElement.blur();
      el.setPointerCapture(e.pointerId);
      if (editor.dispatch({ type: "pointerDown", ...pointer(e) }) || e.button === 1) e.preventDefault();
    };
    const onMove = (e: PointerEvent) => {
      if (editor.dispatch({ type: "pointerMove", ...pointer(e) })) e.preventDefault();
    };
    const onUp = (e: PointerEvent) => {
      if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
      if (editor.dispatch({ type: "pointerUp", ...pointer(e) })) e.preventDefault();
    };
    const onLeave = (e: PointerEvent) => {
      if (!el.hasPointerCapture(e.pointerId)) editor.dispatch({ type: "pointerLeave" });
    };
    const onDouble = (e: MouseEvent) => {
      if (editor.dispatch({ type: "doubleClick", ...pointer(e) })) e.preventDefault();
    };
    const onWheel = (e: WheelEvent) => {
      const deltaY =
        e.deltaMode === 1 ? e.deltaY * WHEEL_LINE_PX : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
      if (editor.dispatch({ type: "wheel", screen: toScreen(e), deltaY, ctrl: e.ctrlKey || e.metaKey }))
        e.preventDefault();
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
    };
  }, [editor]);

  useEffect(() => {
    if (image) imageLayer.current?.batchDraw();
  }, [image]);

  const colourCache = useRef<{ labels: EditorState["labels"]; map: Map<number, string> } | null>(null);
  const coloursOf = (s: EditorState) => {
    if (colourCache.current?.labels !== s.labels)
      colourCache.current = { labels: s.labels, map: new Map(s.labels.map((l) => [l.id, l.color])) };
    return colourCache.current.map;
  };

  const tiles = useRef<ShapeTiles<Path2D> | null>(null);
  const excludedCache = useRef<{ keys: unknown[]; set: ReadonlySet<string> } | null>(null);
  /** Shapes the batch must leave out: selected and moving ones (the overlay draws them), hidden ones. */
  const excludedOf = (s: EditorState): ReadonlySet<string> => {
    const moving = s.preview?.kind === "transform" ? s.preview : null;
    const keys = [s.selection, s.hiddenShapes, moving];
    const c = excludedCache.current;
    if (c?.keys.every((k, i) => k === keys[i])) return c.set;
    const set = new Set<string>([...s.selection, ...s.hiddenShapes]);
    if (moving) for (const m of moving.shapes) set.add(m.id);
    // Keep the old identity when the contents are equal, so a new preview object does not dirty tiles.
    const same = c?.set.size === set.size && [...set].every((id) => c.set.has(id));
    excludedCache.current = { keys, set: same && c ? c.set : set };
    return excludedCache.current.set;
  };

  const panCache = useRef(new PanCache());
  const cacheCanvas = useRef<HTMLCanvasElement | null>(null);
  const cachedCount = useRef(0);

  const drawShapes = (ctx: Konva.Context) => {
    const t0 = performance.now();
    const s = editor.getState();
    if (!s.image) return;
    tiles.current ??= new ShapeTiles(() => new Path2D());
    const t = tiles.current;
    const colours = coloursOf(s);
    t.sync({
      image: s.image,
      shapes: s.doc.shapes,
      excluded: excludedOf(s),
      hiddenLabels: s.hiddenLabels,
      colourOf: (l) => colours.get(l) ?? UNKNOWN_LABEL_COLOUR,
      coloursKey: colours,
    });
    const scale = s.viewport.scale;
    const pixelRatio = shapesLayer.current?.getCanvas().getPixelRatio() ?? 1;
    const input = {
      image: s.image,
      stage: s.stageSize,
      viewport: s.viewport,
      pixelRatio,
      contentVersion: t.version,
    };
    const decision = panCache.current.frame(input);
    const size = cacheSize(input);
    if (decision.kind === "direct" || !size) {
      stats.shapesDrawn = t.draw(ctx._context, visibleImageBounds(s.viewport, s.stageSize), scale);
    } else {
      cacheCanvas.current ??= document.createElement("canvas");
      const cc = cacheCanvas.current;
      if (decision.render) {
        cc.width = size.width;
        cc.height = size.height;
        const c2 = cc.getContext("2d");
        if (!c2) throw new Error("no 2D context for the shape cache");
        c2.setTransform(scale * pixelRatio, 0, 0, scale * pixelRatio, CACHE_MARGIN_PX, CACHE_MARGIN_PX);
        const all = { minX: -1, minY: -1, maxX: s.image.width + 1, maxY: s.image.height + 1 };
        cachedCount.current = t.draw(c2, all, scale);
        stats.cacheRenders += 1;
      }
      const c = ctx._context;
      c.save();
      c.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
      c.imageSmoothingEnabled = false;
      c.drawImage(cc, decision.x, decision.y, cc.width / pixelRatio, cc.height / pixelRatio);
      c.restore();
      stats.shapesDrawn = cachedCount.current;
    }
    stats.shapesDraws += 1;
    stats.lastShapesMs = performance.now() - t0;
  };

  const pyramid = useRef<{ image: HTMLImageElement; levels: Level<CanvasImageSource>[] } | null>(null);
  useEffect(() => {
    if (!image || !imageSize) {
      pyramid.current = null;
      return;
    }
    pyramid.current = { image, levels: [{ bitmap: image, factor: 1, ...imageSize }] };
    let alive = true;
    buildPyramid(image, imageSize).then(
      (levels) => {
        if (!alive || pyramid.current?.image !== image) return;
        pyramid.current = { image, levels };
        imageLayer.current?.batchDraw();
      },
      // Without the smaller levels the full image still draws, only slower.
      () => {},
    );
    imageLayer.current?.batchDraw();
    return () => {
      alive = false;
    };
  }, [image, imageSize]);

  const drawImage = (ctx: Konva.Context) => {
    const s = editor.getState();
    const p = pyramid.current;
    if (!p || !s.image) return;
    const level = pickLevel(p.levels, s.viewport.scale);
    if (!level) return;
    const r = sourceRect(visibleImageBounds(s.viewport, s.stageSize), s.image, level.factor);
    if (!r) return;
    const c = ctx._context;
    const f = level.factor;
    // Crisp pixels when zoomed in, smooth when the image is shrunk.
    c.imageSmoothingEnabled = s.viewport.scale < 1;
    c.drawImage(level.bitmap, r.x * f, r.y * f, r.width * f, r.height * f, r.x, r.y, r.width, r.height);
  };

  const drawTop = (ctx: Konva.Context) => {
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
    drawOverlay(ctx._context, {
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
  };

  return (
    <div ref={boxRef} className="ed-stage" data-testid="editor-stage">
      <Stage width={size.width} height={size.height} listening={false}>
        <Layer ref={imageLayer} listening={false}>
          <KonvaShape sceneFunc={drawImage} listening={false} perfectDrawEnabled={false} />
        </Layer>
        <Layer ref={shapesLayer} listening={false}>
          <KonvaShape sceneFunc={drawShapes} listening={false} perfectDrawEnabled={false} />
        </Layer>
        <Layer ref={overlayLayer} listening={false}>
          <KonvaShape sceneFunc={drawTop} listening={false} perfectDrawEnabled={false} />
        </Layer>
      </Stage>
    </div>
  );
}
