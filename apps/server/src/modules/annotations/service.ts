import { randomUUID } from "node:crypto";
import { geometryJson as storedGeometryJson } from "@labelbench/geometry";
import type {
  Annotation,
  AnnotationPatchResult,
  AnnotationSet,
  AnnotationSetPatch,
  AnnotationSetPut,
  FieldIssue,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { claimRevision } from "../images/image-changes-repo.js";
import { labelRepo } from "../labels/repo.js";
import { applyPredictionLinks, type SavedShape } from "../predictions/link.js";
import { guardSave, type SaveCaller } from "../review/save-guard.js";
import { checkPatch, checkPut, refuse, refuseOverfull } from "./check-save.js";
import {
  getSet,
  has,
  imageOf,
  patchSet,
  rawSet,
  replaceSet,
  type StoredAnnotation,
  storedOf as storedRows,
  storedSet,
  tagsOf,
} from "./repo.js";
import { annotationSetJson } from "./set-json.js";
import type { ValidatedAnnotation } from "./validate.js";

/** The row to store for a checked shape: the old row itself when nothing changed, so it is not rewritten. */
const storedOf = (
  uid: string,
  a: ValidatedAnnotation,
  old: StoredAnnotation | undefined,
  actor: string | null,
  now: string,
): StoredAnnotation => {
  const geometryJson = storedGeometryJson(a.geometry);
  const attributesJson = a.attributes === undefined ? null : JSON.stringify(a.attributes);
  if (
    old &&
    old.labelId === a.labelId &&
    old.geometryJson === geometryJson &&
    (old.attributesJson ?? null) === attributesJson
  )
    return old;
  return {
    uid,
    labelId: a.labelId,
    geometryJson,
    attributesJson,
    createdBy: old ? old.createdBy : actor,
    createdAt: old ? old.createdAt : now,
    updatedBy: actor,
    updatedAt: now,
  };
};

const annotationOf = (
  a: StoredAnnotation,
  checked: ValidatedAnnotation | undefined,
  predictionId: number | undefined,
): Annotation => ({
  id: a.uid,
  labelId: a.labelId,
  geometry: checked?.geometry ?? JSON.parse(a.geometryJson),
  createdBy: a.createdBy,
  updatedBy: a.updatedBy,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
  ...(predictionId === undefined ? {} : { predictionId }),
  ...(a.attributesJson ? { attributes: JSON.parse(a.attributesJson) } : {}),
});

/** The saved shapes as the prediction links see them (modules/predictions/link.ts). */
const savedShapes = (
  checked: readonly ValidatedAnnotation[],
  items: readonly StoredAnnotation[],
  before: ReadonlyMap<string, StoredAnnotation>,
  field: string,
): SavedShape[] =>
  items.map((item, i) => {
    const a = checked[i] as ValidatedAnnotation;
    const old = before.get(item.uid);
    return {
      uid: item.uid,
      labelId: a.labelId,
      geometry: a.geometry,
      claim: a.predictionId,
      stored: old?.predictionId,
      changed: item !== old,
      path: `${field}.${i}`,
    };
  });

/**
 * The labels of a checked save that a deletion took away since it was checked (validation reads
 * the labels before the transaction), as the validator would have named them.
 */
const goneLabels = (
  kept: ReadonlySet<number>,
  field: string,
  shapes: readonly { labelId: number }[],
  tags: readonly number[] | undefined,
): FieldIssue[] => {
  const gone = (id: number) =>
    `label ${id} is not in this project's label set: it was deleted while this save was being checked`;
  return [
    ...shapes.flatMap((a, i) =>
      kept.has(a.labelId) ? [] : [{ path: `${field}.${i}.labelId`, message: gone(a.labelId) }],
    ),
    ...(tags ?? []).flatMap((id, i) => (kept.has(id) ? [] : [{ path: `tags.${i}`, message: gone(id) }])),
  ];
};

export const annotationService = (deps: Pick<Deps, "sql" | "dialect" | "now">) => {
  const requireImage = async (ex: Executor, id: number) => {
    const row = await imageOf(ex, id);
    if (!row) throw notFound("image", id);
    return row;
  };
  /**
   * First in the write transaction: holds the labels the save refers to (see labelRepo.holdForUse),
   * before the image, the order a label's deletion locks them in. Which ones are gone is told
   * after the claim, so a save that lost to a deletion's revision step gets the conflict (and the
   * current set) rather than a refusal.
   */
  const holdLabels = (
    trx: Executor,
    projectId: number,
    shapes: readonly { labelId: number }[],
    tags?: number[],
  ) => labelRepo.holdForUse(trx, deps.dialect, projectId, [...shapes.map((a) => a.labelId), ...(tags ?? [])]);
  /**
   * First in the write transaction: moves the image to the next revision if it is at
   * `baseRevision` (one conditional UPDATE, which holds the image row until the transaction ends),
   * else answers the conflict with the current set. Two concurrent saves, even from two processes,
   * cannot both win, and the winner reads and writes the set under that lock.
   */
  const claim = async (trx: Executor, imageId: number, baseRevision: number): Promise<number> => {
    const next = await claimRevision(trx, imageId, baseRevision);
    if (next !== undefined) return next;
    if (!(await imageOf(trx, imageId))) throw notFound("image", imageId);
    const current = await getSet(trx, imageId);
    throw new AppError(
      "REVISION_CONFLICT",
      `image ${imageId} is at revision ${current.revision}, not ${baseRevision}: someone else saved first`,
      current,
    );
  };

  return {
    get: async (imageId: number): Promise<AnnotationSet> => {
      await requireImage(deps.sql, imageId);
      return getSet(deps.sql, imageId);
    },

    /** The set as JSON spliced from the stored rows, or null when a row needs the ordinary path. */
    getJson: async (imageId: number): Promise<string | null> => {
      await requireImage(deps.sql, imageId);
      const { revision, rows, tags } = await rawSet(deps.sql, imageId);
      return annotationSetJson(imageId, revision, rows, tags);
    },

    /**
     * Replaces the set if `baseRevision` is the current one. Validation happens before the
     * transaction; the revision check and the write happen inside it, so two concurrent saves
     * cannot both win.
     */
    put: async (
      imageId: number,
      body: z.output<typeof AnnotationSetPut>,
      actor: string | null,
      caller?: SaveCaller,
    ): Promise<AnnotationSet> => {
      const { image, ...checked } = await checkPut(deps.sql, imageId, body);
      const now = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const kept = await holdLabels(trx, image.project_id, checked.annotations, checked.tags);
        const revision = await claim(trx, imageId, body.baseRevision);
        await guardSave(trx, imageId, caller, now);
        const gone = goneLabels(kept, "annotations", checked.annotations, checked.tags);
        if (gone.length > 0) throw refuse(gone);
        const before = await storedSet(trx, imageId);
        const items = checked.annotations.map((a) => {
          const uid = a.id ?? randomUUID();
          return storedOf(uid, a, before.get(uid), actor, now);
        });
        await replaceSet(trx, imageId, before, items, checked.tags, now, caller?.userId ?? null);
        const keep = new Set(items.map((a) => a.uid));
        const links = await applyPredictionLinks(trx, {
          imageId,
          saved: savedShapes(checked.annotations, items, before, "annotations"),
          deleted: [...before.values()]
            .filter((b) => !keep.has(b.uid))
            .map((b) => ({ uid: b.uid, predictionId: b.predictionId })),
          actor,
          now,
        });
        if (!links.ok) throw refuse(links.issues);
        // The reply is built from what was just written rather than read back and re-parsed.
        return {
          imageId,
          revision,
          annotations: items.map((a, i) => annotationOf(a, checked.annotations[i], links.linked.get(a.uid))),
          tags: await tagsOf(trx, imageId),
        };
      });
    },

    /**
     * Applies upserts, deletes and tags if `baseRevision` is the current one. Reads and writes only the
     * rows named, so a one-shape save of a dense image costs the same as of an empty one.
     */
    patch: async (
      imageId: number,
      body: z.output<typeof AnnotationSetPatch>,
      actor: string | null,
      caller?: SaveCaller,
    ): Promise<AnnotationPatchResult> => {
      const { image, upsert, upserted, deleting, tags } = await checkPatch(deps.sql, imageId, body);
      const now = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const kept = await holdLabels(trx, image.project_id, upsert, tags);
        const revision = await claim(trx, imageId, body.baseRevision);
        await guardSave(trx, imageId, caller, now);
        const gone = goneLabels(kept, "upsert", upsert, tags);
        if (gone.length > 0) throw refuse(gone);
        const before = await storedRows(trx, imageId, [...upserted, ...deleting]);
        const missing = body.delete.flatMap((uid, i) =>
          before.has(uid)
            ? []
            : [{ path: `delete.${i}`, message: `image ${imageId} has no annotation "${uid}" to delete` }],
        );
        // A new shape's place: just below a shape that stays (stored, not deleted, not itself new).
        const placeBefore = new Map<string, string>();
        const placed: { id: string; before: string }[] = [];
        for (const [i, a] of body.upsert.entries()) {
          if (a.before === undefined || before.has(a.id)) continue;
          if (deleting.has(a.before) || !(await has(trx, imageId, a.before)))
            missing.push({
              path: `upsert.${i}.before`,
              message: `image ${imageId} keeps no annotation "${a.before}" to place "${a.id}" before`,
            });
          placeBefore.set(a.id, a.before);
          placed.push({ id: a.id, before: a.before });
        }
        if (missing.length > 0) throw refuse(missing);
        const items = upsert.map((a) => {
          const uid = a.id as string;
          return storedOf(uid, a, before.get(uid), actor, now);
        });
        const annotationCount = await patchSet(
          trx,
          imageId,
          before,
          items,
          body.delete,
          tags,
          now,
          placeBefore,
          caller?.userId ?? null,
        );
        const links = await applyPredictionLinks(trx, {
          imageId,
          saved: savedShapes(upsert, items, before, "upsert"),
          deleted: body.delete.map((uid) => ({ uid, predictionId: before.get(uid)?.predictionId })),
          actor,
          now,
        });
        if (!links.ok) throw refuse(links.issues);
        refuseOverfull(imageId, annotationCount);
        return {
          imageId,
          revision,
          annotationCount,
          upserted: items.map((a, i) => annotationOf(a, upsert[i], links.linked.get(a.uid))),
          placed,
          deleted: body.delete,
          tags: await tagsOf(trx, imageId),
        };
      });
    },
  };
};
