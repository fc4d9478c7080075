import { shapeIou } from "@labelbench/quality";
import type { FieldIssue, Geometry, PredictionState } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";

/**
 * Annotation saves that accept predictions (issue 17): run inside the save's transaction, after it
 * claimed the image's revision, so a prediction is decided exactly when the shape it became is
 * saved, and a refused save decides nothing.
 *
 * - A shape upserted with `predictionId` takes that prediction: a pending one of the same image in
 *   a live run (or the one it already came from). It becomes `accepted` when label and geometry are
 *   the prediction's, else `edited` with the IoU of the two.
 * - A later change to a shape that came from a prediction moves that prediction to `edited` (or
 *   back to `accepted`) with the new IoU.
 * - Deleting such a shape makes its prediction `rejected`.
 */

export interface SavedShape {
  uid: string;
  labelId: number;
  geometry: Geometry;
  /** The prediction the save names for this shape (`predictionId` of the input), if any. */
  claim: number | undefined;
  /** The prediction the stored shape came from before this save, if any. */
  stored: number | null | undefined;
  /** False when the save left the shape as it was (a PUT resends every shape). */
  changed: boolean;
  /** Where the shape is in the request, for refusals (`upsert.3`). */
  path: string;
}

export interface DeletedShape {
  uid: string;
  predictionId: number | null | undefined;
}

/** Coordinates closer than this are the same: the clamp and a JSON round trip move none further. */
const EPSILON = 1e-6;

const sameGeometry = (a: Geometry, b: Geometry): boolean => {
  if (a.type === "box")
    return (
      b.type === "box" &&
      Math.abs(a.x - b.x) <= EPSILON &&
      Math.abs(a.y - b.y) <= EPSILON &&
      Math.abs(a.width - b.width) <= EPSILON &&
      Math.abs(a.height - b.height) <= EPSILON
    );
  if (b.type !== "polygon" || a.points.length !== b.points.length) return false;
  return a.points.every((p, i) => {
    const q = b.points[i] as [number, number];
    return Math.abs(p[0] - q[0]) <= EPSILON && Math.abs(p[1] - q[1]) <= EPSILON;
  });
};

/** What a prediction becomes as shape `s`: `accepted` (IoU 1) when unchanged, else `edited` with the IoU. */
export const decisionOf = (
  prediction: { labelId: number; geometry: Geometry | null },
  s: { labelId: number; geometry: Geometry },
): { state: PredictionState; editIou: number } => {
  if (!prediction.geometry) return { state: "edited", editIou: 0 };
  if (prediction.labelId === s.labelId && sameGeometry(prediction.geometry, s.geometry))
    return { state: "accepted", editIou: 1 };
  const iou = sameGeometry(prediction.geometry, s.geometry) ? 1 : shapeIou(prediction.geometry, s.geometry);
  return { state: "edited", editIou: iou };
};

/**
 * Checks the save's claims, links the shapes to their predictions and decides them. Returns the
 * refusals (the caller throws them, rolling the save back) or the prediction id of each saved
 * shape that has one.
 */
export const applyPredictionLinks = async (
  ex: Executor,
  c: {
    imageId: number;
    saved: readonly SavedShape[];
    deleted: readonly DeletedShape[];
    actor: string | null;
    now: string;
  },
): Promise<{ ok: false; issues: FieldIssue[] } | { ok: true; linked: Map<string, number> }> => {
  const issues: FieldIssue[] = [];
  const linked = new Map<string, number>();
  const claimedBy = new Map<number, string>();
  for (const s of c.saved) {
    if (s.stored !== null && s.stored !== undefined) linked.set(s.uid, s.stored);
    if (s.claim === undefined) continue;
    const other = claimedBy.get(s.claim);
    if (other !== undefined)
      issues.push({
        path: `${s.path}.predictionId`,
        message: `prediction ${s.claim} is already accepted as annotation "${other}" in this save`,
      });
    claimedBy.set(s.claim, s.uid);
    if (s.stored !== null && s.stored !== undefined && s.stored !== s.claim)
      issues.push({
        path: `${s.path}.predictionId`,
        message: `annotation "${s.uid}" came from prediction ${s.stored}; it cannot become prediction ${s.claim} as well`,
      });
  }
  // Predictions the save decides: newly claimed, or behind a changed shape (a PUT resends every
  // shape, its predictionId included: an unchanged one decides nothing again).
  const decides = (s: SavedShape): number | null => {
    if (s.claim !== undefined && s.claim !== s.stored) return s.claim;
    return s.changed && s.stored !== null && s.stored !== undefined ? s.stored : null;
  };
  const wanted = [...new Set(c.saved.flatMap((s) => decides(s) ?? []))];
  const rows =
    wanted.length === 0
      ? []
      : await ex
          .selectFrom("predictions as p")
          .innerJoin("prediction_runs as r", "r.id", "p.run_id")
          .select([
            "p.id",
            "p.image_id",
            "p.label_id",
            "p.geometry",
            "p.state",
            "p.annotation_id",
            "r.deleted_at",
          ])
          .where("p.id", "in", wanted)
          .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const s of c.saved) {
    if (s.claim === undefined || s.stored === s.claim) continue;
    const p = byId.get(s.claim);
    const at = `${s.path}.predictionId`;
    if (!p || p.deleted_at !== null) {
      issues.push({ path: at, message: `prediction ${s.claim} does not exist (or its run was deleted)` });
      continue;
    }
    if (p.image_id !== c.imageId)
      issues.push({
        path: at,
        message: `prediction ${s.claim} is of image ${p.image_id}, not image ${c.imageId}`,
      });
    else if (p.geometry === null)
      issues.push({
        path: at,
        message: `prediction ${s.claim} is a whole-image tag; accept it as a tag (POST /images/${c.imageId}/predictions/decisions, acceptTags)`,
      });
    else if (p.state !== "pending" && p.annotation_id !== s.uid)
      issues.push({
        path: at,
        message:
          p.annotation_id !== null
            ? `prediction ${s.claim} is already ${p.state} as annotation "${p.annotation_id}"`
            : `prediction ${s.claim} is ${p.state}, not pending; reopen it first`,
      });
  }
  if (issues.length > 0) return { ok: false, issues };

  for (const s of c.saved) {
    const id = decides(s);
    if (id === null) continue;
    const p = byId.get(id);
    if (!p) continue;
    const d = decisionOf(
      { labelId: p.label_id, geometry: p.geometry === null ? null : (JSON.parse(p.geometry) as Geometry) },
      s,
    );
    await ex
      .updateTable("predictions")
      .set({
        state: d.state,
        edit_iou: d.editIou,
        annotation_id: s.uid,
        decided_by: c.actor,
        decided_at: c.now,
      })
      .where("id", "=", id)
      .execute();
    if (s.stored !== id)
      await ex
        .updateTable("annotations")
        .set({ prediction_id: id })
        .where("image_id", "=", c.imageId)
        .where("uid", "=", s.uid)
        .execute();
    linked.set(s.uid, id);
  }
  const rejected = c.deleted.flatMap((d) =>
    d.predictionId === null || d.predictionId === undefined ? [] : [d],
  );
  for (const d of rejected)
    await ex
      .updateTable("predictions")
      .set({ state: "rejected", edit_iou: null, annotation_id: null, decided_by: c.actor, decided_at: c.now })
      .where("id", "=", d.predictionId as number)
      .where("annotation_id", "=", d.uid)
      .execute();
  return { ok: true, linked };
};
