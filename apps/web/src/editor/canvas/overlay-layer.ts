import type { Editor, EditorState, Shape } from "@labelbench/editor";
import type Konva from "konva";
import { drawOverlay, UNKNOWN_LABEL_COLOUR, warmTagText } from "./draw";
import type { FrameScheduler } from "./frame-scheduler";
import { type Area, OverlayView } from "./overlay-view";
import { labelColours } from "./shape-layer";

/** Whether the overlay has anything to draw (selection, hover, a gesture's preview, guides). */
export const overlayHasContent = (s: EditorState, serverShapes: readonly Shape[] | null): boolean =>
  s.selection.size > 0 ||
  s.hoverId !== null ||
  s.preview !== null ||
  (s.tool.id === "box" && s.cursor !== null) ||
  (serverShapes !== null && serverShapes.length > 0);

/** Whether a store change alters what the overlay shows (when it shows anything). */
export const overlayChanged = (s: EditorState, prev: EditorState): boolean =>
  s.viewport !== prev.viewport ||
  s.stageSize !== prev.stageSize ||
  s.doc !== prev.doc ||
  s.labels !== prev.labels ||
  s.hiddenShapes !== prev.hiddenShapes ||
  s.hiddenLabels !== prev.hiddenLabels ||
  s.image !== prev.image ||
  s.selection !== prev.selection ||
  (s.tool.id === "box" && s.cursor !== prev.cursor) ||
  s.preview !== prev.preview ||
  s.hoverId !== prev.hoverId ||
  s.tool !== prev.tool ||
  s.lockedShapes !== prev.lockedShapes ||
  s.lockedLabels !== prev.lockedLabels ||
  s.readOnly !== prev.readOnly;

/**
 * Whether a gesture moves shapes now (a drag's preview): marks on them then move every frame, and the
 * overlay, which draws the moving shapes, draws the marks too; otherwise they are a picture of their
 * own (marks-layer.ts).
 */
export const marksLive = (s: Pick<EditorState, "preview">): boolean => s.preview?.kind === "transform";

/**
 * Marks drawn on the overlay under the selection while shapes move (marksLive), from outside the
 * editor's state (the review's issues and diff, issues/review-marks.ts): they say when they changed,
 * and whether they have content.
 */
export interface OverlayMarks {
  hasContent(s: EditorState): boolean;
  /** Whether a store change alters them beyond what the overlay follows anyway (overlayChanged). */
  changed(s: EditorState, prev: EditorState): boolean;
  /** Draws in CSS pixels; returns the area drawn on. */
  draw(ctx: CanvasRenderingContext2D, s: EditorState): Area | null;
  subscribe(listener: () => void): () => void;
}

const union = (a: Area | null, b: Area | null): Area | null => {
  if (!a || !b) return a ?? b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
};

/**
 * The overlay (selection, handles, previews, crosshair guides, the server's shapes in "view both"):
 * drawn in the frame that shows the change, hidden while it has nothing to show (overlay-view.ts).
 */
export class OverlayLayer {
  private readonly view: OverlayView;
  private readonly coloursOf = labelColours();
  private serverShapes: readonly Shape[] | null = null;
  private marks: OverlayMarks | null = null;
  private unsubscribeMarks: () => void = () => {};
  /** The last draw drew nothing: while it stays so, camera moves need not clear it again. */
  private blank = false;
  private readonly cancelWarm: () => void;

  constructor(
    layer: Konva.Layer,
    shape: Konva.Shape,
    private readonly editor: Editor,
    private readonly frames: Pick<FrameScheduler, "request" | "cancel">,
    private readonly onDraw: () => void,
  ) {
    this.view = new OverlayView(layer, shape);
    this.request();
    // Once the page is idle (the image and its shapes on screen), ready the overlay for the first
    // selection: canvas pixels and the tag font (overlay-view.ts).
    const warm = () => {
      const name = editor.getState().labels[0]?.name ?? "label";
      this.view.warm((ctx) => warmTagText(ctx, name));
    };
    if (window.requestIdleCallback) {
      const idle = window.requestIdleCallback(warm, { timeout: 5000 });
      this.cancelWarm = () => window.cancelIdleCallback(idle);
    } else {
      const timer = window.setTimeout(warm, 2000);
      this.cancelWarm = () => window.clearTimeout(timer);
    }
  }

  /** The server's shapes in "view both" conflict mode. */
  setServerShapes(shapes: readonly Shape[] | null): void {
    this.serverShapes = shapes;
    this.request();
  }

  /** Review marks (issues, the re-review diff) drawn under the selection while shapes move. */
  setMarks(marks: OverlayMarks | null): void {
    if (marks === this.marks) return;
    this.unsubscribeMarks();
    this.marks = marks;
    this.unsubscribeMarks = marks?.subscribe(() => this.request()) ?? (() => {});
    this.request();
  }

  /** Asks for the overlay to be drawn (or hidden) in the next frame. */
  request(): void {
    this.frames.request(this.frame);
  }

  /** Follows a store change; still nothing to draw: it stays hidden, and no frame is asked for. */
  stateChanged(s: EditorState, prev: EditorState): void {
    if (this.blank && !this.hasContent(s)) return;
    if (overlayChanged(s, prev) || this.marks?.changed(s, prev)) this.request();
  }

  dispose(): void {
    this.frames.cancel(this.frame);
    this.cancelWarm();
    this.unsubscribeMarks();
  }

  private hasContent(s: EditorState): boolean {
    return overlayHasContent(s, this.serverShapes) || this.drawsMarks(s);
  }

  private drawsMarks(s: EditorState): boolean {
    return marksLive(s) && (this.marks?.hasContent(s) ?? false);
  }

  private readonly frame = (): boolean => {
    const content = this.hasContent(this.editor.getState());
    this.blank = !content;
    if (!content) this.view.hide();
    else this.view.draw((ctx) => this.draw(ctx));
    return false;
  };

  /** Draws the overlay; returns the screen area drawn on. */
  private draw(ctx: CanvasRenderingContext2D): Area | null {
    const editor = this.editor;
    const s = editor.getState();
    const colours = this.coloursOf(s);
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
    const marked = this.marks && this.drawsMarks(s) ? this.marks.draw(ctx, s) : null;
    const area = drawOverlay(ctx, {
      viewport: s.viewport,
      image: s.image,
      colourOf: (l) => colours.get(l) ?? UNKNOWN_LABEL_COLOUR,
      nameOf: (l) => names.get(l) ?? `label ${l}`,
      selected,
      // Read-only (review): no handles promise a resize the editor would refuse.
      editable: (id) => !s.readOnly && !editor.isShapeLocked(id),
      moving: moving.filter((x) => !s.selection.has(x.id)),
      hover,
      preview: s.preview?.kind === "transform" ? null : s.preview,
      activeColour: active?.color ?? "#facc15",
      serverShapes: this.serverShapes,
      crosshair: s.tool.id === "box" && s.cursor ? s.cursor : null,
    });
    this.onDraw();
    return union(marked, area);
  }
}
