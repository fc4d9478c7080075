import { type EditorState, geometryBounds, type Shape } from "@labelbench/editor";
import type { Bounds } from "@labelbench/geometry";
import type { ReviewDiff } from "@labelbench/schema";
import type { CanvasMarks } from "../canvas/marks-layer";
import type { Area } from "../canvas/overlay-view";
import { type DiffMarks, diffMarks } from "./diff-model";
import { type IssueMark, issueMark, type NumberedIssue } from "./issue-model";
import { drawMarks, type IssueMarkInput } from "./marks-draw";

export interface ReviewMarksState {
  issues: readonly NumberedIssue[];
  selectedIssue: number | null;
  diff: ReviewDiff | null;
  showDiff: boolean;
}

/** Issue ids are positive: the draft cannot be mistaken for one. */
const DRAFT_ID = -1;

const hasDiffContent = (d: ReviewDiff | null) =>
  d !== null && d.added.length + d.changed.length + d.removed.length > 0;

class BoundsUnion {
  value: Bounds | null = null;
  add(b: Bounds) {
    const v = this.value;
    this.value = v
      ? {
          minX: Math.min(v.minX, b.minX),
          minY: Math.min(v.minY, b.minY),
          maxX: Math.max(v.maxX, b.maxX),
          maxY: Math.max(v.maxY, b.maxY),
        }
      : b;
  }
  addMark(m: IssueMark) {
    if (!m) return;
    this.add(m.kind === "point" ? { minX: m.x, minY: m.y, maxX: m.x, maxY: m.y } : m.bounds);
  }
}

/**
 * The review's marks on the canvas: the image's issues and, when shown, the re-review diff. The page
 * sets what to show; they are kept as a picture the compositor moves (canvas/marks-layer.ts), drawn
 * again when what they show changes, and drawn by the overlay at the shapes of each frame while a
 * gesture moves shapes, so a pin on a shape follows the shape while it is dragged (the transform
 * preview) and after.
 */
export class ReviewMarks implements CanvasMarks {
  private state: ReviewMarksState = { issues: [], selectedIssue: null, diff: null, showDiff: false };
  private readonly listeners = new Set<() => void>();
  private diffCache: { diff: ReviewDiff; shapes: EditorState["doc"]["shapes"]; marks: DiffMarks } | null =
    null;

  set(patch: Partial<ReviewMarksState>): void {
    const next = { ...this.state, ...patch };
    const s = this.state;
    if (
      next.issues === s.issues &&
      next.selectedIssue === s.selectedIssue &&
      next.diff === s.diff &&
      next.showDiff === s.showDiff
    )
      return;
    this.state = next;
    for (const l of this.listeners) l();
  }

  get(): ReviewMarksState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasContent(s: Pick<EditorState, "issueDraft">): boolean {
    return (
      this.state.issues.length > 0 ||
      s.issueDraft !== null ||
      (this.state.showDiff && hasDiffContent(this.state.diff))
    );
  }

  /** The issue tool's draft (the form is open) shows where the new issue will go. */
  changed(s: EditorState, prev: EditorState): boolean {
    return s.issueDraft !== prev.issueDraft;
  }

  /** The diff's marks against the editor's shapes, computed again only when either changed. */
  private diffOf(s: EditorState): DiffMarks | null {
    const diff = this.state.showDiff ? this.state.diff : null;
    if (!diff) return null;
    const c = this.diffCache;
    if (c && c.diff === diff && c.shapes === s.doc.shapes) return c.marks;
    const marks = diffMarks(diff, s.doc.shapes);
    this.diffCache = { diff, shapes: s.doc.shapes, marks };
    return marks;
  }

  /** Draws the marks at the editor's camera on its stage (the overlay, while shapes move). */
  draw(ctx: CanvasRenderingContext2D, s: EditorState): Area | null {
    return this.drawAt(ctx, s, s.viewport, s.stageSize);
  }

  /** What the marks show besides the camera: a change of any of these draws their picture again. */
  contentKey(s: EditorState): unknown[] {
    const st = this.state;
    return [
      st.issues,
      st.selectedIssue,
      st.diff,
      st.showDiff,
      s.doc.shapes,
      s.preview?.kind === "transform" ? s.preview : null,
      s.issueDraft,
    ];
  }

  /** The image area every mark lies in (image pixels), computed again only when the content changed. */
  extent(s: EditorState): Bounds | null {
    const key = this.contentKey(s);
    const c = this.extentCache;
    if (c?.key.every((k, i) => k === key[i])) return c.bounds;
    const b = new BoundsUnion();
    const shapeOf = this.shapeLookup(s);
    for (const { issue } of this.state.issues) b.addMark(issueMark(issue, shapeOf));
    if (s.issueDraft) b.addMark(issueMark({ anchor: s.issueDraft.anchor }, shapeOf));
    const diff = this.diffOf(s);
    if (diff) {
      for (const x of diff.added) b.add(geometryBounds(x.geometry));
      for (const x of diff.removed) b.add(geometryBounds(x.geometry));
      for (const x of diff.changed) {
        b.add(geometryBounds(x.geometry));
        b.add(geometryBounds(x.before));
      }
    }
    this.extentCache = { key, bounds: b.value };
    return b.value;
  }

  private extentCache: { key: unknown[]; bounds: Bounds | null } | null = null;

  /** Shapes as the marks see them: a drag's preview where it moves them, else the document's. */
  private shapeLookup(s: EditorState): (id: string) => Shape | undefined {
    const moving = s.preview?.kind === "transform" ? new Map(s.preview.shapes.map((m) => [m.id, m])) : null;
    return (id) => moving?.get(id) ?? s.doc.shapes.get(id);
  }

  /** Draws the marks for `viewport` on an area of `stage` (what lies outside it is skipped). */
  drawAt(
    ctx: CanvasRenderingContext2D,
    s: EditorState,
    viewport: EditorState["viewport"],
    stage: EditorState["stageSize"],
  ): Area | null {
    const shapeOf = this.shapeLookup(s);
    const issues: IssueMarkInput[] = this.state.issues.map(({ issue, n }) => ({
      id: issue.id,
      n,
      state: issue.state,
      mark: issueMark(issue, shapeOf),
    }));
    // The pin being placed: the next number, emphasised like a picked issue.
    const draft = s.issueDraft;
    if (draft)
      issues.push({
        id: DRAFT_ID,
        n: issues.length + 1,
        state: "open",
        mark: issueMark({ anchor: draft.anchor }, shapeOf),
      });
    return drawMarks(ctx, {
      viewport,
      stage,
      issues,
      selectedIssue: draft ? DRAFT_ID : this.state.selectedIssue,
      diff: this.diffOf(s),
    });
  }
}
