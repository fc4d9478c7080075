import { geometryBounds } from "@labelbench/editor";
import { fitViewport, type Size, screenPoint, type Viewport, zoomAt } from "@labelbench/geometry";
import { useEffect, useRef, useState } from "react";
import { urlOf } from "../../api/client";
import { previewUrlOf } from "../../tiles/image-tiles";
import { Icon } from "../../ui/icons";
import { drawComparison } from "./comparison-draw";
import { focusCamera, type Mark } from "./comparison-model";

/**
 * A read-only view of one image with both sides of a comparison drawn over it (comparison-draw.ts).
 * Drag pans, the wheel zooms at the pointer, a click on a shape picks it, and a picked entry of the
 * list is brought into view, large (`focusCamera`). One 2D canvas: a
 * comparison holds what one person drew on one image, not the editor's tens of thousands.
 *
 * The camera is on the element (`data-scale`, `data-offset-x`, `data-offset-y`): the e2e test reads
 * it to find where a shape is drawn and checks the pixels there.
 */
export interface ComparisonCanvasProps {
  image: {
    id: number;
    width: number;
    height: number;
    tiles: { state: "none" | "pending" | "ready" | "failed" };
  };
  marks: readonly Mark[];
  focus: string | null;
  /** Bounds of the focused entry (with its partner), in image pixels. */
  focusArea: { minX: number; minY: number; maxX: number; maxY: number } | null;
  show: { reference: boolean; checked: boolean };
  nameOf: (labelId: number) => string;
  onPick: (key: string | null) => void;
}

/** The whole image at a size a browser decodes easily: the display copy, or a tiled image's preview. */
const pictureUrl = (image: ComparisonCanvasProps["image"]): string | null =>
  image.tiles.state === "none"
    ? urlOf("imageDisplay", { imageId: image.id })
    : image.tiles.state === "failed"
      ? null
      : previewUrlOf(image.id);

const usePicture = (url: string | null) => {
  const [picture, setPicture] = useState<HTMLImageElement | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setPicture(null);
    setFailed(false);
    if (!url) return;
    const img = new Image();
    img.decoding = "async";
    img.onload = () => setPicture(img);
    img.onerror = () => setFailed(true);
    img.src = url;
    return () => {
      img.onload = null;
      img.onerror = null;
    };
  }, [url]);
  return { picture, failed: failed || url === null };
};

const ZOOM_STEP = 1.25;
const MAX_SCALE = 16;

export function ComparisonCanvas({
  image,
  marks,
  focus,
  focusArea,
  show,
  nameOf,
  onPick,
}: ComparisonCanvasProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<Size | null>(null);
  const [viewport, setViewport] = useState<Viewport | null>(null);
  const { picture, failed } = usePicture(pictureUrl(image));
  const imageSize: Size = { width: image.width, height: image.height };
  const fit = size ? fitViewport(imageSize, size) : null;
  const view = viewport ?? fit;
  const range = { min: (fit?.scale ?? 1) / 2, max: Math.max(MAX_SCALE, fit?.scale ?? 1) };

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const ro = new ResizeObserver(() => setSize({ width: host.clientWidth, height: host.clientHeight }));
    ro.observe(host);
    setSize({ width: host.clientWidth, height: host.clientHeight });
    return () => ro.disconnect();
  }, []);

  // A picked entry comes into view; picking nothing leaves the camera where it is.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new focus moves the camera
  useEffect(() => {
    if (!focusArea || !size || !view) return;
    // A shape clicked on the picture is already in view: only a pick in the list moves the camera.
    if (pickedHere.current === focus) return;
    setViewport(focusCamera(focusArea, size, range));
  }, [focus, size === null]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !size || !view) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.width * dpr);
    canvas.height = Math.round(size.height * dpr);
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const x = view.offsetX;
    const y = view.offsetY;
    const w = image.width * view.scale;
    const h = image.height * view.scale;
    if (picture) {
      ctx.imageSmoothingEnabled = view.scale < 2;
      ctx.drawImage(picture, x, y, w, h);
    } else {
      ctx.fillStyle = "#3a4150";
      ctx.fillRect(x, y, w, h);
    }
    drawComparison(ctx, { viewport: view, marks, focus, nameOf, show });
  }, [size, view, picture, image.width, image.height, marks, focus, nameOf, show]);

  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  const pickedHere = useRef<string | null>(null);
  const local = (e: { clientX: number; clientY: number }) => {
    const r = hostRef.current?.getBoundingClientRect();
    return screenPoint(e.clientX - (r?.left ?? 0), e.clientY - (r?.top ?? 0));
  };
  const pick = (p: { x: number; y: number }) => {
    if (!view) return;
    const ix = (p.x - view.offsetX) / view.scale;
    const iy = (p.y - view.offsetY) / view.scale;
    const slack = 4 / view.scale;
    let best: { key: string; area: number } | null = null;
    for (const m of marks) {
      if (!show[m.side]) continue;
      const b = geometryBounds(m.shape.geometry);
      if (ix < b.minX - slack || ix > b.maxX + slack || iy < b.minY - slack || iy > b.maxY + slack) continue;
      const area = (b.maxX - b.minX) * (b.maxY - b.minY);
      // The smallest shape under the pointer: a box inside another is reachable.
      if (!best || area < best.area)
        best = { key: m.side === "reference" && m.partner ? m.partner : m.key, area };
    }
    pickedHere.current = best?.key ?? null;
    onPick(best?.key ?? null);
  };

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    // Not React's onWheel: a passive listener cannot keep the page from scrolling.
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      setViewport((v) => {
        const cur = v ?? fit;
        if (!cur) return v;
        const factor = e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP;
        const scale = Math.min(range.max, Math.max(range.min, cur.scale * factor));
        return zoomAt(cur, local(e), scale);
      });
    };
    host.addEventListener("wheel", wheel, { passive: false });
    return () => host.removeEventListener("wheel", wheel);
  });

  const zoomBy = (factor: number) => {
    if (!view || !size) return;
    const scale = Math.min(range.max, Math.max(range.min, view.scale * factor));
    setViewport(zoomAt(view, screenPoint(size.width / 2, size.height / 2), scale));
  };

  return (
    <div
      ref={hostRef}
      className="compare__stage"
      data-testid="comparison-stage"
      data-scale={view?.scale}
      data-offset-x={view?.offsetX}
      data-offset-y={view?.offsetY}
      data-picture={picture ? "ready" : failed ? "none" : "loading"}
      onPointerDown={(e) => {
        // The zoom buttons over the stage keep their clicks.
        if (e.button !== 0 || (e.target as HTMLElement).closest("button")) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { ...local(e), moved: false };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (!d || !view) return;
        const p = local(e);
        if (!d.moved && Math.hypot(p.x - d.x, p.y - d.y) < 4) return;
        d.moved = true;
        setViewport({ ...view, offsetX: view.offsetX + p.x - d.x, offsetY: view.offsetY + p.y - d.y });
        drag.current = { x: p.x, y: p.y, moved: true };
      }}
      onPointerUp={(e) => {
        const d = drag.current;
        drag.current = null;
        if (d && !d.moved) pick(local(e));
      }}
    >
      <canvas
        ref={canvasRef}
        aria-label="The reference and the checked shapes drawn over the image"
        role="img"
      />
      <div className="compare__tools">
        <button
          type="button"
          className="icon-button icon-button--small"
          onClick={() => zoomBy(ZOOM_STEP)}
          title="Zoom in"
        >
          <Icon name="plus" size={16} />
        </button>
        <button
          type="button"
          className="icon-button icon-button--small"
          onClick={() => zoomBy(1 / ZOOM_STEP)}
          title="Zoom out"
        >
          <span aria-hidden="true">−</span>
        </button>
        <button type="button" className="button button--small" onClick={() => setViewport(null)}>
          Fit
        </button>
      </div>
    </div>
  );
}
