import { randomUUID } from "node:crypto";
import type {
  AnnotationPatchResult,
  AnnotationSet,
  AnnotationSetPatch,
  AnnotationSetPut,
  CopyPurpose,
  Image,
  ImageCopy,
  ImageWork,
  ReviewSettings,
  Role,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { checkPatch, checkPut, refuse, refuseOverfull, type ShapeRule } from "../annotations/check-save.js";
import { scoreImage } from "../quality/score.js";
import { inSample, leaseEnd, submittedState } from "../review/work.js";
import { settingsOf } from "../review/work-repo.js";
import {
  type CopyRow,
  claimCopyRevision,
  copiesAmong,
  copiesOfImage,
  copyOf,
  ensureCopy,
  existingLabels,
  goldOf,
  shapesOf,
  submitCopy,
  tagsOf,
  writeCopySet,
} from "./copy-repo.js";
import { patchShapes, replaceShapes, toAnnotation } from "./copy-set.js";

/**
 * A private copy is measured blind against the reference (gold, qualification, overlap): a model's
 * predictions are not offered there, and a save naming one is refused rather than half applied.
 */
const predictionClaims =
  (imageId: number): ShapeRule =>
  (shapes, field) =>
    shapes.flatMap((a, i) =>
      a.predictionId === undefined
        ? []
        : [
            {
              path: `${field}.${i}.predictionId`,
              message: `image ${imageId} is worked in your private copy, where predictions cannot be accepted`,
            },
          ],
    );
/** Who reads or writes: a copy is found by (image, person); annotators never see a gold reference. */
export interface CopyCaller {
  userId: number;
  role: Role;
}

/**
 * Where a caller's reads and writes of an image's annotations go:
 * - `copy`: their own copy (a honeypot or qualification image handed to them, blind overlap);
 * - `unopened`: an annotator on a gold image they hold no copy of yet (found in the library, say):
 *   they read an empty set at revision 0, and their first save creates the copy. The reference
 *   stays out of their sight and out of their reach.
 * - undefined: the image's own annotations.
 */
export type CopyTarget =
  | { kind: "copy"; row: CopyRow; projectId: number }
  | { kind: "unopened"; imageId: number; userId: number; purpose: CopyPurpose; projectId: number };

const purposeOfGold = (gold: string): CopyPurpose => (gold === "qualification" ? "qualification" : "gold");

/** A copy's set with shapes and tags of labels deleted since left out, as a label deletion does. */
const liveSet = async (ex: Executor, projectId: number, row: CopyRow): Promise<AnnotationSet> => {
  const shapes = shapesOf(row);
  const tags = tagsOf(row);
  const live = await existingLabels(ex, projectId, [...shapes.map((s) => s.labelId), ...tags]);
  return {
    imageId: row.image_id,
    revision: row.revision,
    annotations: shapes.filter((s) => live.has(s.labelId)).map(toAnnotation),
    tags: tags.filter((t) => live.has(t)),
  };
};

/**
 * The copy as the workflow's ImageWork, indistinguishable from an image of one's own: open, it looks
 * like a queue image under the caller's lease; submitted, like a submission in the review policy's
 * state. Nothing in it says gold or copy.
 */
const copyWork = (target: CopyTarget, settings: ReviewSettings, now: string): ImageWork => {
  const row = target.kind === "copy" ? target.row : undefined;
  const imageId = target.kind === "copy" ? target.row.image_id : target.imageId;
  const submitted = row?.state === "submitted";
  return {
    imageId,
    projectId: target.projectId,
    assigneeId: row ? row.user_id : null,
    assignedVia: row ? "queue" : null,
    leaseUntil: row && !submitted ? leaseEnd(now, settings.leaseMinutes) : null,
    reviewState: submitted ? submittedState(settings, imageId) : "none",
    attempt: submitted ? 1 : 0,
    inSample: inSample(settings, imageId),
    submittedBy: submitted && row ? row.user_id : null,
    submittedAt: submitted ? (row?.submitted_at ?? null) : null,
    submittedRevision: submitted && row ? row.revision : null,
    decision: null,
    decidedBy: null,
    decidedAt: null,
    decidedRevision: null,
    stale: false,
    revision: row ? row.revision : 0,
    unresolvedIssues: 0,
  };
};

/** The status the library would show for the caller's copy (annotationCount likewise). */
const copyStatus = (row: CopyRow | undefined): Image["status"] =>
  row === undefined ? "new" : row.state === "submitted" ? "done" : row.revision > 0 ? "in_progress" : "new";

/**
 * Private copies (issue 16; docs/quality-workflow.md): an annotator's work on a gold image or an
 * image in blind overlap lands in their own copy, never in the image's annotations. The annotation
 * endpoints, submit and the workflow reads route here first (blind: same shapes of request and
 * reply); managers and reviewers read the copies through their own endpoints.
 */
export const copyService = (deps: Pick<Deps, "sql" | "dialect" | "now">) => {
  const targetOf = async (ex: Executor, imageId: number, caller: CopyCaller | undefined) => {
    if (!caller) return undefined;
    const image = await goldOf(ex, imageId);
    if (!image) return undefined;
    const row = await copyOf(ex, imageId, caller.userId);
    if (row) return { kind: "copy", row, projectId: image.project_id } satisfies CopyTarget;
    if (caller.role === "annotator" && image.gold !== null)
      return {
        kind: "unopened",
        imageId,
        userId: caller.userId,
        purpose: purposeOfGold(image.gold),
        projectId: image.project_id,
      } satisfies CopyTarget;
    return undefined;
  };
  const settingsFor = async (ex: Executor, projectId: number) => {
    const s = await settingsOf(ex, projectId);
    if (!s) throw notFound("project", projectId);
    return s;
  };
  const setOf = async (ex: Executor, target: CopyTarget): Promise<AnnotationSet> =>
    target.kind === "copy"
      ? liveSet(ex, target.projectId, target.row)
      : { imageId: target.imageId, revision: 0, annotations: [], tags: [] };

  /**
   * Opens the write: creates an unopened copy, claims the next revision of the caller's copy, or
   * answers why not (submitted: read-only; another revision: the conflict with the copy's set).
   */
  const claim = async (
    trx: Executor,
    target: CopyTarget,
    imageId: number,
    userId: number,
    baseRevision: number,
    now: string,
  ) => {
    if (target.kind === "unopened") await ensureCopy(trx, { imageId, userId, purpose: target.purpose, now });
    const revision = await claimCopyRevision(trx, imageId, userId, baseRevision, now);
    const row = await copyOf(trx, imageId, userId);
    if (!row) throw notFound("image", imageId);
    if (revision !== undefined) return row;
    const current = { kind: "copy", row, projectId: target.projectId } satisfies CopyTarget;
    if (row.state === "submitted")
      throw new AppError(
        "WORKFLOW_CONFLICT",
        `image ${imageId} is submitted: it cannot be changed any more`,
        copyWork(current, await settingsFor(trx, target.projectId), now),
      );
    throw new AppError(
      "REVISION_CONFLICT",
      `image ${imageId} is at revision ${row.revision}, not ${baseRevision}: someone else saved first`,
      await liveSet(trx, target.projectId, row),
    );
  };

  return {
    targetOf: (imageId: number, caller: CopyCaller | undefined) => targetOf(deps.sql, imageId, caller),

    /** The caller's copy of the image's set, or null when they read the image's own. */
    get: async (imageId: number, caller: CopyCaller | undefined): Promise<AnnotationSet | null> => {
      const target = await targetOf(deps.sql, imageId, caller);
      return target ? setOf(deps.sql, target) : null;
    },

    put: async (
      imageId: number,
      body: z.output<typeof AnnotationSetPut>,
      actor: string | null,
      caller: CopyCaller | undefined,
    ): Promise<AnnotationSet | null> => {
      const target = await targetOf(deps.sql, imageId, caller);
      if (!target || !caller) return null;
      const checked = await checkPut(deps.sql, imageId, body, predictionClaims(imageId));
      const now = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const row = await claim(trx, target, imageId, caller.userId, body.baseRevision, now);
        const shapes = replaceShapes(shapesOf(row), checked.annotations, randomUUID, actor, now);
        await writeCopySet(trx, imageId, caller.userId, shapes, checked.tags);
        return { imageId, revision: row.revision, annotations: shapes.map(toAnnotation), tags: checked.tags };
      });
    },

    patch: async (
      imageId: number,
      body: z.output<typeof AnnotationSetPatch>,
      actor: string | null,
      caller: CopyCaller | undefined,
    ): Promise<AnnotationPatchResult | null> => {
      const target = await targetOf(deps.sql, imageId, caller);
      if (!target || !caller) return null;
      const { upsert, tags } = await checkPatch(deps.sql, imageId, body, predictionClaims(imageId));
      const now = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const row = await claim(trx, target, imageId, caller.userId, body.baseRevision, now);
        const before = new Map(body.upsert.map((a) => [a.id, a.before]));
        const out = patchShapes(
          imageId,
          shapesOf(row),
          {
            upsert: upsert.map((a) => ({ ...a, id: a.id as string })),
            before: upsert.map((a) => before.get(a.id as string)),
            delete: body.delete,
          },
          actor,
          now,
        );
        if (!out.ok) throw refuse(out.issues);
        refuseOverfull(imageId, out.shapes.length);
        const nextTags = tags ?? tagsOf(row);
        await writeCopySet(trx, imageId, caller.userId, out.shapes, nextTags);
        return {
          imageId,
          revision: row.revision,
          annotationCount: out.shapes.length,
          upserted: out.upserted.map(toAnnotation),
          placed: out.placed,
          deleted: body.delete,
          tags: nextTags,
        };
      });
    },

    /**
     * Submits the caller's copy at `revision` (an unopened one is created empty first) and scores
     * the image (modules/quality scoreImage), or null when the caller works on the image itself. A
     * submitted copy is read-only for its author.
     */
    submit: async (imageId: number, revision: number, caller: CopyCaller): Promise<ImageWork | null> => {
      const target = await targetOf(deps.sql, imageId, caller);
      if (!target) return null;
      return deps.sql.transaction().execute(async (trx) => {
        const now = deps.now();
        const settings = await settingsFor(trx, target.projectId);
        if (target.kind === "unopened")
          await ensureCopy(trx, { imageId, userId: caller.userId, purpose: target.purpose, now });
        const before = await copyOf(trx, imageId, caller.userId);
        if (!before) throw notFound("image", imageId);
        const current = { kind: "copy", row: before, projectId: target.projectId } satisfies CopyTarget;
        if (before.state === "submitted")
          throw new AppError(
            "WORKFLOW_CONFLICT",
            `image ${imageId} is already submitted`,
            copyWork(current, settings, now),
          );
        if (before.revision !== revision || !(await submitCopy(trx, imageId, caller.userId, revision, now)))
          throw new AppError(
            "STALE_REVISION",
            `image ${imageId} is at revision ${before.revision}, not ${revision}: the annotations changed since you looked`,
            copyWork(current, settings, now),
          );
        // Scored in the submission's transaction: the result exists as soon as the submission does.
        await scoreImage(deps, imageId, trx);
        const after = await copyOf(trx, imageId, caller.userId);
        if (!after) throw notFound("image", imageId);
        return copyWork({ ...current, row: after }, settings, now);
      });
    },

    /** The caller's copy as ImageWork, or null when they work on the image itself. */
    work: async (imageId: number, caller: CopyCaller | undefined, ex: Executor = deps.sql) => {
      const target = await targetOf(ex, imageId, caller);
      if (!target) return null;
      return copyWork(target, await settingsFor(ex, target.projectId), deps.now());
    },

    /** Workflow items (My work) with the caller's copies shown in place of the images' own work. */
    blindWork: async <T extends ImageWork>(items: T[], caller: CopyCaller): Promise<T[]> => {
      const first = items[0];
      if (!first) return items;
      const settings = await settingsFor(deps.sql, first.projectId);
      const copies = await copiesAmong(
        deps.sql,
        caller.userId,
        items.map((i) => i.imageId),
      );
      const now = deps.now();
      return items.map((item) => {
        const row = copies.get(item.imageId);
        return row
          ? { ...item, ...copyWork({ kind: "copy", row, projectId: item.projectId }, settings, now) }
          : item;
      });
    },

    /**
     * What an annotator's library shows of these images: a gold image or one they hold a copy of
     * looks like their own copy (count, status, holder) and never says gold. Managers and reviewers
     * see the images as they are, gold marker included.
     */
    blind: async (items: Image[], caller: CopyCaller | undefined): Promise<Image[]> => {
      if (caller?.role !== "annotator") return items;
      const first = items[0];
      if (!first) return items;
      const settings = await settingsFor(deps.sql, first.projectId);
      const copies = await copiesAmong(
        deps.sql,
        caller.userId,
        items.map((i) => i.id),
      );
      return items.map((image) => {
        const { gold, ...rest } = image;
        const row = copies.get(image.id);
        if (!row && (gold === null || gold === undefined)) return rest;
        return {
          ...rest,
          status: copyStatus(row),
          annotationCount: row ? shapesOf(row).length : 0,
          // The list's tags (issue 18) are the reference's: an annotator sees their copy's.
          ...(image.tags === undefined ? {} : { tags: row ? tagsOf(row) : [] }),
          assigneeId: row ? row.user_id : null,
          reviewState: row?.state === "submitted" ? submittedState(settings, image.id) : "none",
        };
      });
    },

    /** The image's copies, for managers and reviewers. */
    list: async (imageId: number): Promise<ImageCopy[]> => {
      if (!(await goldOf(deps.sql, imageId))) throw notFound("image", imageId);
      return (await copiesOfImage(deps.sql, imageId)).map((r) => ({
        imageId: r.image_id,
        userId: r.user_id,
        userName: r.user_name,
        purpose: r.purpose,
        state: r.state,
        revision: r.revision,
        shapeCount: shapesOf(r).length,
        tagCount: tagsOf(r).length,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        submittedAt: r.submitted_at,
      }));
    },

    /** One person's copy, shaped as the annotations GET. */
    one: async (imageId: number, userId: number): Promise<AnnotationSet> => {
      const image = await goldOf(deps.sql, imageId);
      if (!image) throw notFound("image", imageId);
      const row = await copyOf(deps.sql, imageId, userId);
      if (!row) throw new AppError("NOT_FOUND", `user ${userId} holds no copy of image ${imageId}`);
      return liveSet(deps.sql, image.project_id, row);
    },
  };
};
export type CopyService = ReturnType<typeof copyService>;
