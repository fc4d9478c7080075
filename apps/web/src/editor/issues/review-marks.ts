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

/** The picture reaches this far beyond the stage on every side: pans within it only move it. */
const PICTURE_MARGIN_PX = 256;
/** The picture is kept only below this zoom, where many marks share the view (fit, zoomed out). */
const PICTURE_BELOW_SCALE = 0.5;
/** A zoom scales the picture until the scale has rested this long, then draws it sharp. */
const PICTURE_SETTLE_MS = 80;

/** The marks drawn once, at `viewport`, a margin larger than the stage on every side. */
interface Picture {
  canvas: OffscreenCanvas;
  key: unknown[];
  viewport: EditorState["viewport"];
  /** What the marks touched, in the picture's CSS pixels (margin included); null: nothing. */
  area: Area | null;
  /** The zoom that scaled it has rested: the next draw makes it sharp at the new scale. */
  sharpened: boolean;
}

/** Draws the picture scaled by `k` and moved by (dx, dy); returns the stage area it covers. */
const blit = (
  ctx: CanvasRenderingContext2D,
  p: Picture,
  k: number,
  dx: number,
  dy: number,
  stage: EditorState["stageSize"],
): Area | null => {
  if (!p.area) return null;
  const m = PICTURE_MARGIN_PX;
  // Only the part the marks touched, and only what falls on the stage.
  const x0 = Math.max(p.area.x, m - dx / k);
  const y0 = Math.max(p.area.y, m - dy / k);
  const x1 = Math.min(p.area.x + p.area.w, m + (stage.width - dx) / k);
  const y1 = Math.min(p.area.y + p.area.h, m + (stage.height - dy) / k);
  if (x1 <= x0 || y1 <= y0) return null;
  // The picture's pixels per CSS pixel (a change of ratio draws it again: contentKey).
  const r = globalThis.devicePixelRatio ?? 1;
  const sx = x0 * r;
  const sy = y0 * r;
  const sw = (x1 - x0) * r;
  const sh = (y1 - y0) * r;
  const out = { x: dx + (x0 - m) * k, y: dy + (y0 - m) * k, w: (x1 - x0) * k, h: (y1 - y0) * k };
  ctx.drawImage(p.canvas, sx, sy, sw, sh, out.x, out.y, out.w, out.h);
  return out;
};

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

  /**
   * Draws the marks. With a canvas to keep a picture in (the browser), they are drawn once into a
   * picture a margin larger than the stage and blitted: a pan moves the picture (a pan past the
   * margin draws it again), a zoom scales it until the scale has rested for PICTURE_SETTLE_MS, then
   * it is drawn sharp. Drawing 200 issues and a diff anew in every frame of a pan cost ~25 ms of
   * software rendering a frame at fit (bench review-open); a blit costs a few.
   */
  draw(ctx: CanvasRenderingContext2D, s: EditorState): Area | null {
    // Zoomed in, few marks are in view and drawing them is cheaper than blitting a picture larger
    // than the stage (bench review-open at 1:1: 11.5 ms a pan frame drawn, 18.4 blitted, p95 CPU).
    if (s.viewport.scale >= PICTURE_BELOW_SCALE) {
      this.picture = null;
      return this.drawNow(ctx, s, s.viewport, s.stageSize);
    }
    const key = this.contentKey(s);
    const picture = this.picture;
    const v = s.viewport;
    if (picture?.key.every((k, i) => k === key[i])) {
      const k = v.scale / picture.viewport.scale;
      const dx = v.offsetX - picture.viewport.offsetX * k;
      const dy = v.offsetY - picture.viewport.offsetY * k;
      const m = PICTURE_MARGIN_PX;
      const inside =
        dx - m * k <= 0 &&
        dy - m * k <= 0 &&
        dx + (s.stageSize.width + m) * k >= s.stageSize.width &&
        dy + (s.stageSize.height + m) * k >= s.stageSize.height;
      if (inside && (k === 1 || !picture.sharpened)) {
        if (k !== 1) this.settleLater();
        return blit(ctx, picture, k, dx, dy, s.stageSize);
      }
    }
    const made = this.paint(s, key);
    if (made) return blit(ctx, made, 1, 0, 0, s.stageSize);
    return this.drawNow(ctx, s, s.viewport, s.stageSize);
  }

  private picture: Picture | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;

  /** After a zoom rests, the picture is drawn again at the new scale (sharp). */
  private settleLater(): void {
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      if (this.picture) this.picture.sharpened = true;
      for (const l of this.listeners) l();
    }, PICTURE_SETTLE_MS);
  }

  /** What the picture shows besides the camera: a change of any of these draws it again. */
  private contentKey(s: EditorState): unknown[] {
    const st = this.state;
    return [
      st.issues,
      st.selectedIssue,
      st.diff,
      st.showDiff,
      s.doc.shapes,
      s.preview?.kind === "transform" ? s.preview : null,
      s.issueDraft,
      s.stageSize,
      globalThis.devicePixelRatio ?? 1,
    ];
  }

  /** Draws the marks into a picture with a margin round the stage; null without a canvas to keep. */
  private paint(s: EditorState, key: unknown[]): Picture | null {
    if (typeof OffscreenCanvas === "undefined") return null;
    const m = PICTURE_MARGIN_PX;
    const dpr = globalThis.devicePixelRatio ?? 1;
    const size = { width: s.stageSize.width + 2 * m, height: s.stageSize.height + 2 * m };
    let canvas = this.picture?.canvas;
    const w = Math.ceil(size.width * dpr);
    const h = Math.ceil(size.height * dpr);
    if (!canvas || canvas.width !== w || canvas.height !== h) canvas = new OffscreenCanvas(w, h);
    const c = canvas.getContext("2d");
    if (!c) return null;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.clearRect(0, 0, w, h);
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    const viewport = { ...s.viewport, offsetX: s.viewport.offsetX + m, offsetY: s.viewport.offsetY + m };
    const area = this.drawNow(c as unknown as CanvasRenderingContext2D, s, viewport, size);
    this.picture = { canvas, key, viewport: s.viewport, area, sharpened: false };
    return this.picture;
  }

  private drawNow(
    ctx: CanvasRenderingContext2D,
    s: EditorState,
    viewport: EditorState["viewport"],
    stage: EditorState["stageSize"],
  ): Area | null {
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
      viewport,
      stage,
      issues,
      selectedIssue: draft ? DRAFT_ID : this.state.selectedIssue,
      diff: this.diffOf(s),
    });
  }
}
