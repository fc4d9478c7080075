import type { Editor, EditorState } from "@labelbench/editor";
import type { Bounds } from "@labelbench/geometry";
import { UNKNOWN_LABEL_COLOUR } from "../canvas/draw";
import type { CanvasMarks } from "../canvas/marks-layer";
import type { Area } from "../canvas/overlay-view";
import { labelColours } from "../canvas/shape-layer";
import { drawPredictions } from "./prediction-draw";
import { extentOf } from "./prediction-model";
import type { PredictionSession } from "./prediction-session";

/**
 * The prediction layer as canvas marks (canvas/marks-layer.ts): one picture the compositor moves on a
 * pan and that is drawn again only when what it shows changes (the sliders, a decision, a shape
 * accepted, the focus), so thousands of predictions cost nothing per frame of a pan or zoom.
 */
export class PredictionMarks implements CanvasMarks {
  private readonly coloursOf = labelColours();
  private extentCache: { key: readonly unknown[]; bounds: Bounds | null } | null = null;

  constructor(
    private readonly session: PredictionSession,
    private readonly editor: Pick<Editor, "store">,
  ) {}

  subscribe(listener: () => void): () => void {
    const offSession = this.session.store.subscribe((s, prev) => {
      if (
        s.data !== prev.data ||
        s.filter !== prev.filter ||
        s.local !== prev.local ||
        s.focusId !== prev.focusId
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
    return this.session.visible().length > 0;
  }

  /** Accepting turns a prediction into a shape (the document changes); hiding a label hides its predictions. */
  changed(s: EditorState, prev: EditorState): boolean {
    return s.hiddenLabels !== prev.hiddenLabels || s.labels !== prev.labels;
  }

  contentKey(s: EditorState): readonly unknown[] {
    return [this.session.visible(), this.session.store.getState().focusId, s.labels];
  }

  extent(s: EditorState): Bounds | null {
    const key = this.contentKey(s);
    const c = this.extentCache;
    if (c && c.key.length === key.length && c.key.every((k, i) => k === key[i])) return c.bounds;
    const bounds = extentOf(this.session.visible());
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
      predictions: this.session.visible(),
      focusId: this.session.store.getState().focusId,
      colourOf: (id) => colours.get(id) ?? UNKNOWN_LABEL_COLOUR,
      nameOf: (id) => names.get(id) ?? `label ${id}`,
    });
  }
}
