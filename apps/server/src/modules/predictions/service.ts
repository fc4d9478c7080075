import { randomUUID } from "node:crypto";
import {
  type AcceptRunRequest,
  type Calibration,
  type CalibrationQuery,
  countOf,
  type ImagePredictions,
  MAX_SHAPES_PER_IMAGE,
  type Prediction,
  type PredictionDecisions,
  type PredictionRun,
  type PredictionRunPatch,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { annotationService } from "../annotations/service.js";
import { claimRevision, revisionOf, saved } from "../images/image-changes-repo.js";
import { guardSave, type SaveCaller } from "../review/save-guard.js";
import { liveRun, liveRunsOf, type PredictionRow, predictionsOfImage, toPrediction, toRun } from "./repo.js";

/** Fewer decisions than this, and calibration suggests no threshold: the rate per bin is noise. */
export const MIN_DECISIONS = 50;

/** The lowest threshold whose decided predictions at or above it reach `target` precision, or null. */
export const suggestedThreshold = (
  decided: readonly { score: number; accepted: boolean }[],
  target: number,
): number | null => {
  const sorted = [...decided].sort((a, b) => b.score - a.score);
  let accepted = 0;
  let best: number | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const d = sorted[i] as { score: number; accepted: boolean };
    if (d.accepted) accepted++;
    // A threshold sits at a score: everything tied with it is in.
    const next = sorted[i + 1];
    if (next && next.score === d.score) continue;
    if (accepted / (i + 1) >= target) best = d.score;
  }
  return best;
};

export const predictionService = (deps: Deps) => {
  const annotations = annotationService(deps);
  const requireRun = async (ex: Executor, runId: number) => {
    const run = await liveRun(ex, runId);
    if (!run) throw notFound("prediction run", runId);
    return run;
  };
  const requireImage = async (ex: Executor, imageId: number) => {
    const image = await ex
      .selectFrom("images")
      .select(["id", "project_id", "annotation_count", "revision"])
      .where("id", "=", imageId)
      .executeTakeFirst();
    if (!image) throw notFound("image", imageId);
    return image;
  };
  /** The image's predictions in live runs (a deleted run's decided ones stay for metrics, unseen). */
  const imagePredictionRows = async (ex: Executor, imageId: number): Promise<PredictionRow[]> => {
    const image = await requireImage(ex, imageId);
    const runs = await liveRunsOf(ex, image.project_id);
    return predictionsOfImage(
      ex,
      imageId,
      runs.map((r) => r.id),
    );
  };

  return {
    list: async (projectId: number): Promise<PredictionRun[]> => {
      const project = await deps.sql
        .selectFrom("projects")
        .select("id")
        .where("id", "=", projectId)
        .executeTakeFirst();
      if (!project) throw notFound("project", projectId);
      return (await liveRunsOf(deps.sql, projectId)).map(toRun);
    },

    get: async (runId: number): Promise<PredictionRun> => toRun(await requireRun(deps.sql, runId)),

    update: async (runId: number, patch: z.output<typeof PredictionRunPatch>): Promise<PredictionRun> => {
      await requireRun(deps.sql, runId);
      if (Object.keys(patch).length > 0)
        await deps.sql
          .updateTable("prediction_runs")
          .set({
            ...(patch.modelName === undefined ? {} : { model_name: patch.modelName }),
            ...(patch.modelVersion === undefined ? {} : { model_version: patch.modelVersion }),
            ...(patch.trainedOnVersion === undefined ? {} : { trained_on_version: patch.trainedOnVersion }),
          })
          .where("id", "=", runId)
          .execute();
      return toRun(await requireRun(deps.sql, runId));
    },

    /** Pending predictions go in one statement; decided ones stay (hidden with the run) for its metrics. */
    remove: async (runId: number): Promise<void> => {
      await deps.sql.transaction().execute(async (trx) => {
        await requireRun(trx, runId);
        await trx
          .deleteFrom("predictions")
          .where("run_id", "=", runId)
          .where("state", "=", "pending")
          .execute();
        await trx
          .updateTable("prediction_runs")
          .set({ deleted_at: deps.now() })
          .where("id", "=", runId)
          .execute();
      });
    },

    forImage: async (imageId: number): Promise<ImagePredictions> => {
      const rows = await imagePredictionRows(deps.sql, imageId);
      const runIds = new Set(rows.map((r) => r.run_id));
      const image = await requireImage(deps.sql, imageId);
      const runs = (await liveRunsOf(deps.sql, image.project_id)).filter((r) => runIds.has(r.id));
      return { imageId, runs: runs.map(toRun), predictions: rows.map(toPrediction) };
    },

    /**
     * Rejects pending predictions, reopens decided ones (undo), accepts tag predictions (the tag is
     * added to the image: one revision step). All or nothing; every id must be a prediction of this
     * image in a live run.
     */
    decide: async (
      imageId: number,
      body: z.output<typeof PredictionDecisions>,
      actor: string | null,
      caller: SaveCaller | undefined,
    ): Promise<{ predictions: Prediction[]; revision: number; setChanged: boolean }> => {
      const now = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const image = await requireImage(trx, imageId);
        const named = [...body.acceptTags, ...body.reject, ...body.reopen];
        const issues: { path: string; message: string }[] = [];
        const seen = new Map<number, string>();
        for (const [field, ids] of [
          ["acceptTags", body.acceptTags],
          ["reject", body.reject],
          ["reopen", body.reopen],
        ] as const)
          ids.forEach((id, i) => {
            const other = seen.get(id);
            if (other !== undefined)
              issues.push({ path: `body.${field}.${i}`, message: `prediction ${id} is also in ${other}` });
            seen.set(id, `${field}`);
          });
        const live = new Set((await liveRunsOf(trx, image.project_id)).map((r) => r.id));
        const rows =
          named.length === 0
            ? []
            : await trx
                .selectFrom("predictions")
                .selectAll()
                .where("id", "in", [...new Set(named)])
                .execute();
        const byId = new Map(rows.map((r) => [r.id, r]));
        const check = (field: string, ids: readonly number[], ok: (p: PredictionRow) => string | null) =>
          ids.forEach((id, i) => {
            const p = byId.get(id);
            const path = `body.${field}.${i}`;
            if (!p || !live.has(p.run_id))
              issues.push({ path, message: `prediction ${id} does not exist (or its run was deleted)` });
            else if (p.image_id !== imageId)
              issues.push({
                path,
                message: `prediction ${id} is of image ${p.image_id}, not image ${imageId}`,
              });
            else {
              const why = ok(p);
              if (why) issues.push({ path, message: why });
            }
          });
        check("acceptTags", body.acceptTags, (p) =>
          p.geometry !== null
            ? `prediction ${p.id} is a shape; accept it by saving the shape with predictionId`
            : p.state !== "pending" && p.state !== "accepted"
              ? `prediction ${p.id} is ${p.state}; reopen it first`
              : null,
        );
        check("reject", body.reject, (p) =>
          p.state === "accepted" || p.state === "edited"
            ? p.annotation_id !== null
              ? `prediction ${p.id} became annotation "${p.annotation_id}"; delete that shape to reject it`
              : `prediction ${p.id} is ${p.state}; reopen it first`
            : null,
        );
        check("reopen", body.reopen, (p) =>
          p.annotation_id !== null
            ? `prediction ${p.id} became annotation "${p.annotation_id}"; delete that shape (it is then rejected) before reopening it`
            : null,
        );
        if (issues.length > 0) {
          const first = issues[0];
          throw new AppError(
            "VALIDATION_ERROR",
            `${issues.length} decision(s) refused; first: ${first?.path}: ${first?.message}`,
            issues,
          );
        }
        let revision = image.revision;
        const newTags = body.acceptTags.filter((id) => byId.get(id)?.state === "pending");
        const had = new Set(
          (
            await trx.selectFrom("image_tags").select("label_id").where("image_id", "=", imageId).execute()
          ).map((t) => t.label_id),
        );
        // The accept that adds a tag is marked (tag_added), one prediction per label, so its reopen
        // takes off exactly what it added: never a tag the image had before.
        const adders = new Map<number, number>();
        for (const id of newTags) {
          const label = (byId.get(id) as PredictionRow).label_id;
          if (!had.has(label) && !adders.has(label)) adders.set(label, id);
        }
        const reopened = new Set(body.reopen);
        const removed = new Map<number, number | null>();
        const undone = body.reopen
          .map((id) => byId.get(id) as PredictionRow)
          .filter((p) => p.geometry === null && p.state === "accepted" && p.tag_added === 1);
        if (undone.length > 0) {
          // Another accepted prediction of the same tag (another run's) keeps it: it inherits the mark.
          const others = await trx
            .selectFrom("predictions")
            .select(["id", "label_id"])
            .where("image_id", "=", imageId)
            .where("geometry", "is", null)
            .where("state", "=", "accepted")
            .where("label_id", "in", [...new Set(undone.map((p) => p.label_id))])
            .where("run_id", "in", [...live])
            .orderBy("id")
            .execute();
          for (const p of undone) {
            if (!had.has(p.label_id) || removed.has(p.label_id)) continue;
            const heir = others.find((o) => o.label_id === p.label_id && !reopened.has(o.id));
            removed.set(p.label_id, heir?.id ?? null);
          }
        }
        const takenOff = [...removed].filter(([, heir]) => heir === null).map(([label]) => label);
        if (adders.size > 0 || takenOff.length > 0) {
          // The tags are an edit of the image's set: the revision steps (an editor holding the old one
          // gets the usual conflict and merges), the workflow's save rule applies.
          const next = await claimRevision(trx, imageId, image.revision);
          if (next === undefined)
            throw new AppError(
              "CONFLICT",
              `image ${imageId} changed while its tag predictions were being decided; try again`,
            );
          revision = next;
          await guardSave(trx, imageId, caller, now);
          if (adders.size > 0)
            await trx
              .insertInto("image_tags")
              .values([...adders.keys()].map((label_id) => ({ image_id: imageId, label_id })))
              .onConflict((oc) => oc.columns(["image_id", "label_id"]).doNothing())
              .execute();
          if (takenOff.length > 0)
            await trx
              .deleteFrom("image_tags")
              .where("image_id", "=", imageId)
              .where("label_id", "in", takenOff)
              .execute();
          const tags = await trx
            .selectFrom("image_tags")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("image_id", "=", imageId)
            .executeTakeFirstOrThrow();
          await saved(trx, imageId, image.annotation_count, Number(tags.n), now, caller?.userId ?? null);
          if (adders.size > 0)
            await trx
              .updateTable("predictions")
              .set({ tag_added: 1 })
              .where("id", "in", [...adders.values()])
              .execute();
        }
        if (newTags.length > 0)
          await trx
            .updateTable("predictions")
            .set({ state: "accepted", edit_iou: 1, decided_by: actor, decided_at: now })
            .where("id", "in", newTags)
            .execute();
        const heirs = [...removed.values()].filter((h): h is number => h !== null);
        if (heirs.length > 0)
          await trx.updateTable("predictions").set({ tag_added: 1 }).where("id", "in", heirs).execute();
        if (body.reject.length > 0)
          await trx
            .updateTable("predictions")
            .set({
              state: "rejected",
              edit_iou: null,
              annotation_id: null,
              decided_by: actor,
              decided_at: now,
            })
            .where("id", "in", body.reject)
            .where("state", "!=", "rejected")
            .execute();
        if (body.reopen.length > 0)
          await trx
            .updateTable("predictions")
            .set({
              state: "pending",
              edit_iou: null,
              annotation_id: null,
              decided_by: null,
              decided_at: null,
              tag_added: 0,
            })
            .where("id", "in", body.reopen)
            .execute();
        const after =
          named.length === 0
            ? []
            : await trx
                .selectFrom("predictions")
                .selectAll()
                .where("id", "in", [...new Set(named)])
                .orderBy("id")
                .execute();
        const current = (await revisionOf(trx, imageId)) ?? revision;
        return {
          predictions: after.map(toPrediction),
          revision: current,
          setChanged: current !== image.revision,
        };
      });
    },

    /**
     * Accepts every pending prediction of the run at or above minScore (optionally per label or
     * image) through the annotation service: one save (one revision) per image, the shape limit and
     * the workflow's rules as for any save. An image a save refuses is left as it was and reported.
     * `savedImageIds` are the images it saved, for the training webhooks a save sends.
     */
    acceptRun: async (
      runId: number,
      body: z.output<typeof AcceptRunRequest>,
      actor: string | null,
      caller: SaveCaller | undefined,
    ) => {
      await requireRun(deps.sql, runId);
      let q = deps.sql
        .selectFrom("predictions")
        .selectAll()
        .where("run_id", "=", runId)
        .where("state", "=", "pending")
        .where("score", ">=", body.minScore);
      if (body.labelIds) q = q.where("label_id", "in", body.labelIds.length > 0 ? body.labelIds : [0]);
      if (body.imageIds) q = q.where("image_id", "in", body.imageIds.length > 0 ? body.imageIds : [0]);
      const rows = await q.orderBy("image_id").orderBy("score", "desc").orderBy("id").execute();
      const byImage = new Map<number, PredictionRow[]>();
      for (const r of rows) {
        const list = byImage.get(r.image_id);
        if (list) list.push(r);
        else byImage.set(r.image_id, [r]);
      }
      let accepted = 0;
      const saved: number[] = [];
      const skipped: { imageId: number; reason: string }[] = [];
      for (const [imageId, preds] of byImage) {
        const shapes = preds.filter((p) => p.geometry !== null);
        const tags = preds.filter((p) => p.geometry === null);
        try {
          if (shapes.length > 0) {
            const image = await requireImage(deps.sql, imageId);
            if (image.annotation_count + shapes.length > MAX_SHAPES_PER_IMAGE) {
              skipped.push({
                imageId,
                reason: `it holds ${countOf(image.annotation_count, "shapes")}; ${countOf(shapes.length, "more")} would pass the limit of ${MAX_SHAPES_PER_IMAGE} per image`,
              });
              continue;
            }
            await annotations.patch(
              imageId,
              {
                baseRevision: image.revision,
                upsert: shapes.map((p) => ({
                  id: randomUUID(),
                  labelId: p.label_id,
                  geometry: JSON.parse(p.geometry as string),
                  predictionId: p.id,
                })),
                delete: [],
              },
              actor,
              caller,
            );
          }
          if (tags.length > 0)
            await predictionService(deps).decide(
              imageId,
              { acceptTags: tags.map((t) => t.id), reject: [], reopen: [] },
              actor,
              caller,
            );
          accepted += preds.length;
          saved.push(imageId);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          skipped.push({ imageId, reason: err.message });
        }
      }
      return { result: { accepted, images: saved.length, skipped }, savedImageIds: saved };
    },

    calibration: async (runId: number, q: z.output<typeof CalibrationQuery>): Promise<Calibration> => {
      await requireRun(deps.sql, runId);
      let sel = deps.sql
        .selectFrom("predictions")
        .select(["score", "state"])
        .where("run_id", "=", runId)
        .where("state", "!=", "pending");
      if (q.labelId !== undefined) sel = sel.where("label_id", "=", q.labelId);
      const decided = (await sel.execute()).map((r) => ({
        score: r.score,
        accepted: r.state === "accepted" || r.state === "edited",
      }));
      const bins = Array.from({ length: q.bins }, (_, i) => ({
        from: i / q.bins,
        to: (i + 1) / q.bins,
        decided: 0,
        accepted: 0,
        rate: null as number | null,
      }));
      for (const d of decided) {
        const b = bins[Math.min(q.bins - 1, Math.floor(d.score * q.bins))];
        if (!b) continue;
        b.decided++;
        if (d.accepted) b.accepted++;
      }
      for (const b of bins) b.rate = b.decided === 0 ? null : b.accepted / b.decided;
      return {
        runId,
        decided: decided.length,
        minDecisions: MIN_DECISIONS,
        bins,
        suggestedThreshold:
          decided.length < MIN_DECISIONS ? null : suggestedThreshold(decided, q.targetPrecision),
        targetPrecision: q.targetPrecision,
      };
    },
  };
};
