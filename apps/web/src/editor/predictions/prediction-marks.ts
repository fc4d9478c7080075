import type { Editor, EditorState } from "@labelbench/editor";
import type { Bounds } from "@labelbench/geometry";
import { UNKNOWN_LABEL_COLOUR } from "../canvas/draw";
import { type CanvasMarks, MARKS_REACH_PX } from "../canvas/marks-layer";
import type { Area } from "../canvas/overlay-view";
import { labelColours } from "../canvas/shape-layer";
import { drawPredictions } from "./prediction-draw";
import { extentOf, type ShapePrediction } from "./prediction-model";
import type { PredictionSession } from "./prediction-session";

/**
 * The prediction layer as canvas marks (canvas/marks-layer.ts): one picture the compositor moves on a
 * pan and that is drawn again only when what it shows changes (the sliders, a decision, a shape
 * accepted), so thousands of predictions cost nothing per frame of a pan or zoom.
 */
export class PredictionMarks implements CanvasMarks {
  private readonly coloursOf = labelColours();
  private extentCache: { key: readonly unknown[]; bounds: Bounds | null } | null = null;

  /**
   * `all`: every drawn prediction (a big picture, drawn again only when the layer changes); `focus`:
   * the focused one alone, bold with its handles (a tiny picture of its own, so stepping through
   * thousands of predictions draws one, not all of them).
   */
  constructor(
    private readonly session: PredictionSession,
    private readonly editor: Pick<Editor, "store">,
    private readonly part: "all" | "focus" = "all",
  ) {}

  private focusCache: { p: ShapePrediction | null; list: ShapePrediction[] } = { p: null, list: [] };

  /**
   * The focused prediction's tag (name, score and keys) runs right from its left edge, as long as its
   * text: its picture keeps the stage's width to the right, and is only as tall as the prediction.
   */
  get reachPx() {
    return this.part === "focus"
      ? { left: MARKS_REACH_PX, top: MARKS_REACH_PX, right: Number.POSITIVE_INFINITY, bottom: MARKS_REACH_PX }
      : undefined;
  }

  private shown(): ShapePrediction[] {
    if (this.part === "all") return this.session.visible();
    const f = this.session.focused();
    if (f !== this.focusCache.p) this.focusCache = { p: f, list: f ? [f] : [] };
    return this.focusCache.list;
  }

  subscribe(listener: () => void): () => void {
    const offSession = this.session.store.subscribe((s, prev) => {
      if (
        s.data !== prev.data ||
        s.filter !== prev.filter ||
        s.local !== prev.local ||
        (this.part === "focus" && s.focusId !== prev.focusId)
      )
        listener();
    });
    // The marks layer follows the camera and the document; hiding a label or recolouring it is this.
    const offEditor = this.editor.store.subscribe((s, prev) => {
      if (s.hiddenLabels !== prev.hiddenLabels || s.labels !== prev.labels) listener();
    });
    return () => {
      offSession();
      offEditor();
    };
  }

  hasContent(): boolean {
    return this.shown().length > 0;
  }

  /** Accepting turns a prediction into a shape (the document changes); hiding a label hides its predictions. */
  changed(s: EditorState, prev: EditorState): boolean {
    return s.hiddenLabels !== prev.hiddenLabels || s.labels !== prev.labels;
  }

  contentKey(s: EditorState): readonly unknown[] {
    return [this.shown(), s.labels];
  }

  extent(s: EditorState): Bounds | null {
    const key = this.contentKey(s);
    const c = this.extentCache;
    if (c && c.key.length === key.length && c.key.every((k, i) => k === key[i])) return c.bounds;
    const bounds = extentOf(this.shown());
    this.extentCache = { key, bounds };
    return bounds;
  }

  draw(ctx: CanvasRenderingContext2D, s: EditorState): Area | null {
    return this.drawAt(ctx, s, s.viewport, s.stageSize);
  }

  drawAt(
    ctx: CanvasRenderingContext2D,
    s: EditorState,
    viewport: EditorState["viewport"],
    stage: EditorState["stageSize"],
  ): Area | null {
    const colours = this.coloursOf(s);
    const names = new Map(s.labels.map((l) => [l.id, l.name]));
    return drawPredictions(ctx, {
      viewport,
      stage,
      predictions: this.shown(),
      focusId: this.part === "focus" ? (this.shown()[0]?.id ?? null) : null,
      colourOf: (id) => colours.get(id) ?? UNKNOWN_LABEL_COLOUR,
      nameOf: (id) => names.get(id) ?? `label ${id}`,
    });
  }
}
