import type { EditorState, Shape } from "@labelbench/editor";
import type { ReviewDiff } from "@labelbench/schema";
import type { OverlayMarks } from "../canvas/overlay-layer";
import type { Area } from "../canvas/overlay-view";
import { type DiffMarks, diffMarks } from "./diff-model";
import { issueMark, type NumberedIssue } from "./issue-model";
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

/**
 * The review's marks on the editor's overlay (canvas/overlay-layer.ts): the image's issues and, when
 * shown, the re-review diff. The page sets what to show; the overlay asks for a frame when it changes,
 * and draws them at the camera and shapes of each frame, so a pin on a shape follows the shape while
 * it is dragged (the transform preview) and after.
 */
export class ReviewMarks implements OverlayMarks {
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

  draw(ctx: CanvasRenderingContext2D, s: EditorState): Area | null {
    const moving = s.preview?.kind === "transform" ? new Map(s.preview.shapes.map((m) => [m.id, m])) : null;
    const shapeOf = (id: string): Shape | undefined => moving?.get(id) ?? s.doc.shapes.get(id);
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
      viewport: s.viewport,
      stage: s.stageSize,
      issues,
      selectedIssue: draft ? DRAFT_ID : this.state.selectedIssue,
      diff: this.diffOf(s),
    });
  }
}
