import type { Editor, Shape } from "@labelbench/editor";
import type { Image } from "@labelbench/schema";
import type Konva from "konva";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { Shape as KonvaShape, Layer, Stage } from "react-konva";
import { CursorView } from "./canvas/cursor-view";
import { FrameScheduler } from "./canvas/frame-scheduler";
import { OVERSCAN_PX } from "./canvas/image-camera";
import { domImageLayerHost, ImageLayer } from "./canvas/image-layer";
import { type CanvasMarks, domMarksHost, MarksLayer } from "./canvas/marks-layer";
import { OverlayLayer } from "./canvas/overlay-layer";
import { PointerInput, type PressIntercept } from "./canvas/pointer-input";
import { ShapeLayer } from "./canvas/shape-layer";
import type { RasterStats } from "./canvas/shape-raster";
import { type TiledImageStats, TileRenderer } from "./canvas/tile-renderer";
import { takePreloadedTiles } from "./session/preload";

/**
 * What the canvas did, for tests and the benchmark (see RasterStats for the shape layer's figures;
 * `lastShapesAt` times "all shapes drawn" after navigation).
 */
export interface RenderStats extends RasterStats {
  overlayDraws: number;
  /** Pictures of the review marks drawn (canvas/marks-layer.ts). */
  marksDraws: number;
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
  /** Review marks on the overlay (issues, the re-review diff: issues/review-marks.ts). */
  marks?: CanvasMarks | null;
  /** A model's predictions (predictions/prediction-marks.ts): pictures of their own, under the review marks. */
  predictionMarks?: readonly CanvasMarks[];
  /** Presses the prediction layer takes before the editor (focus a prediction, drag it to edit). */
  pressIntercept?: PressIntercept | null;
}

interface Layers {
  image: ImageLayer<ImageBitmap, OffscreenCanvasRenderingContext2D>;
  shapes: ShapeLayer;
  overlay: OverlayLayer;
  marks: MarksLayer;
  predictions: MarksLayer[];
}

/**
 * The canvas: three stacked surfaces and the input over them, composed here and fed from one store
 * subscription. Nothing re-renders through React on pan, zoom, hover or drag.
 * - canvas/image-layer.ts: the picture (a bitmap the compositor moves; tiles or an untiled pyramid);
 * - canvas/shape-layer.ts: the unselected shapes (raster tiles composed into a moving bitmap);
 * - canvas/marks-layer.ts: the review's issues and diff (a moving bitmap, like the shapes);
 * - canvas/overlay-layer.ts: selection, handles, previews (a Konva layer, hidden while empty);
 * - canvas/pointer-input.ts: DOM events to editor events; canvas/cursor-view.ts shows the cursor the
 *   editor decided (EditorState.cursorKind).
 * All three draw in one animation frame with one time budget (canvas/frame-scheduler.ts).
 */
export function EditorCanvas({
  editor,
  image,
  imageSize,
  serverShapes,
  stats,
  tiled,
  tileStats,
  marks,
  predictionMarks,
  pressIntercept,
}: Props) {
  const boxRef = useRef<HTMLDivElement>(null);
  const imageBox = useRef<HTMLDivElement>(null);
  const rasterRef = useRef<HTMLDivElement>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  const overlayShape = useRef<Konva.Shape>(null);
  /** The topmost element, which pointer events hit and which carries the cursor (cursor-view.ts). */
  const inputRef = useRef<HTMLDivElement>(null);
  /** One animation frame and one time budget for the image's strips, tile redraws and the shapes. */
  const [scheduler] = useState(() => new FrameScheduler());
  useEffect(() => () => scheduler.dispose(), [scheduler]);
  const [size, setSize] = useState({ width: 1, height: 1 });
  const layers = useRef<Layers | null>(null);
  /** Draws the visible tiles of a tiled image (null for an untiled one, which draws its pyramid). */
  const tilesRef = useRef<TileRenderer | null>(null);
  // The latest props, for layers created after they came.
  const picture = useRef({ image, imageSize });
  picture.current = { image, imageSize };
  const serverRef = useRef(serverShapes);
  serverRef.current = serverShapes;
  const marksRef = useRef(marks ?? null);
  marksRef.current = marks ?? null;
  const predictionsRef = useRef(predictionMarks ?? []);
  predictionsRef.current = predictionMarks ?? [];
  const interceptRef = useRef(pressIntercept ?? null);
  interceptRef.current = pressIntercept ?? null;

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

  // The layers and the input, created once per editor; one subscription forwards every change.
  useEffect(() => {
    const box = boxRef.current;
    const [imageEl, rasterEl, inputEl] = [imageBox.current, rasterRef.current, inputRef.current];
    const [layerNode, shapeNode] = [overlayLayer.current, overlayShape.current];
    if (!box || !imageEl || !rasterEl || !inputEl || !layerNode || !shapeNode) return;
    const state = () => editor.getState();
    const imageLayer = new ImageLayer(domImageLayerHost(imageEl), scheduler, state);
    // Props that came before this layer (the effects below forward later ones).
    imageLayer.setTiles(tilesRef.current);
    imageLayer.setPicture(picture.current.image, picture.current.imageSize);
    const shapes = new ShapeLayer(rasterEl, scheduler, state, stats);
    const overlay = new OverlayLayer(layerNode, shapeNode, editor, scheduler, () => {
      stats.overlayDraws += 1;
    });
    overlay.setServerShapes(serverRef.current);
    overlay.setMarks(marksRef.current);
    // Over the shapes' picture (appended after it), under the review marks and the overlay.
    const predictionLayers = predictionsRef.current.map((m) => {
      const layer = new MarksLayer(
        domMarksHost(rasterEl),
        scheduler,
        state,
        () => {
          stats.marksDraws += 1;
        },
        undefined,
        false,
      );
      layer.setMarks(m);
      return layer;
    });
    // Over the shapes' picture (appended after it), under the overlay.
    const marksLayer = new MarksLayer(domMarksHost(rasterEl), scheduler, state, () => {
      stats.marksDraws += 1;
    });
    marksLayer.setMarks(marksRef.current);
    layers.current = { image: imageLayer, shapes, overlay, marks: marksLayer, predictions: predictionLayers };
    const cursor = new CursorView(inputEl);
    cursor.show(editor.getState().cursorKind);
    const input = new PointerInput(
      box,
      inputEl,
      editor,
      scheduler,
      (apply) => imageLayer.duringWheel(apply),
      () => interceptRef.current,
    );
    const unsubscribe = editor.store.subscribe((s, prev) => {
      imageLayer.cameraChanged(s, prev);
      shapes.stateChanged(s, prev);
      overlay.stateChanged(s, prev);
      marksLayer.stateChanged(s, prev);
      for (const layer of predictionLayers) layer.stateChanged(s, prev);
      cursor.show(s.cursorKind);
    });
    return () => {
      unsubscribe();
      input.dispose();
      layers.current = null;
      imageLayer.dispose();
      shapes.dispose();
      overlay.dispose();
      marksLayer.dispose();
      for (const layer of predictionLayers) layer.dispose();
    };
  }, [editor, scheduler, stats]);

  // The size as numbers: the page passes a new object on every render, and rebuilding the pyramid
  // (several createImageBitmap passes over the whole picture) on each of them cost seconds.
  const imageWidth = imageSize?.width ?? 0;
  const imageHeight = imageSize?.height ?? 0;
  useEffect(() => {
    layers.current?.image.setPicture(image, { width: imageWidth, height: imageHeight });
  }, [image, imageWidth, imageHeight]);

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
            onTile: () => layers.current?.image.tileArrived(),
            stats: tileStats,
            preloaded: takePreloadedTiles(image.id) ?? undefined,
          })
        : null;
    tilesRef.current = renderer;
    layers.current?.image.setTiles(renderer);
    return () => {
      renderer?.dispose();
      if (tilesRef.current === renderer) tilesRef.current = null;
    };
  }, [tiledId]);

  useEffect(() => {
    layers.current?.overlay.setServerShapes(serverShapes);
  }, [serverShapes]);

  useEffect(() => {
    layers.current?.overlay.setMarks(marks ?? null);
    layers.current?.marks.setMarks(marks ?? null);
  }, [marks]);

  // The page passes the same marks for its life: the layers are made with them (above).

  // Konva clears the overlay's canvas when the stage's new size reaches it, in React's commit, which
  // may come after the frame that drew for that size (the "view both" banner shrinks the stage as the
  // server's shapes appear): draw again once the canvas has its size.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the size is the trigger, not an input.
  useEffect(() => {
    layers.current?.overlay.request();
  }, [size]);

  return (
    <div ref={boxRef} className="ed-stage" data-testid="editor-stage">
      <div ref={imageBox} className="ed-stage__image" style={{ left: -OVERSCAN_PX, top: -OVERSCAN_PX }} />
      <div ref={rasterRef} className="ed-raster" />
      <Stage className="ed-stage__layer" width={size.width} height={size.height} listening={false}>
        <Layer ref={overlayLayer} listening={false}>
          <KonvaShape ref={overlayShape} listening={false} perfectDrawEnabled={false} />
        </Layer>
      </Stage>
      <div ref={inputRef} className="ed-stage__input" />
    </div>
  );
}
