import {
  type AnnotationSetPatch,
  type AnnotationSetPut,
  countOf,
  type FieldIssue,
  MAX_SHAPES_PER_IMAGE,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import { AppError, notFound } from "../../http/errors.js";
import { labelRepo } from "../labels/repo.js";
import { imageOf } from "./repo.js";
import { validateAnnotationSet, validateAnnotations, validateTags } from "./validate.js";

/**
 * The checks a save makes before its transaction, shared by the image's own set (service.ts) and an
 * annotator's private copy (modules/copies): the same request may land in either, so it is refused
 * the same way, with the same paths and messages.
 */

/** A 400 listing every bad field, with paths relative to the request (like the route helper's). */
export const refuse = (bodyIssues: FieldIssue[]): AppError => {
  const issues = bodyIssues.map((i) => ({ path: `body.${i.path}`, message: i.message }));
  const first = issues[0];
  return new AppError(
    "VALIDATION_ERROR",
    `${issues.length} invalid field(s); first: ${first?.path}: ${first?.message}`,
    issues,
  );
};

/**
 * What a destination refuses beyond the shared rules, of the shapes at `field` (a private copy
 * refuses predictions): told after the shapes' own issues.
 */
export type ShapeRule = (
  shapes: readonly { predictionId?: number | undefined }[],
  field: string,
) => FieldIssue[];

const imageAndLabels = async (ex: Executor, imageId: number) => {
  const image = await imageOf(ex, imageId);
  if (!image) throw notFound("image", imageId);
  const labels = new Map((await labelRepo.rulesOf(ex, image.project_id)).map((l) => [l.id, l]));
  return { image, labels };
};

/** A whole set (PUT) checked against the image and its project's labels, or the refusal. */
export const checkPut = async (
  ex: Executor,
  imageId: number,
  body: z.output<typeof AnnotationSetPut>,
  rule?: ShapeRule,
) => {
  const { image, labels } = await imageAndLabels(ex, imageId);
  const checked = validateAnnotationSet(body, image, labels);
  if (!checked.ok) throw refuse(checked.issues);
  const more = rule?.(body.annotations, "annotations") ?? [];
  if (more.length > 0) throw refuse(more);
  return { image, annotations: checked.annotations, tags: checked.tags };
};

/**
 * A patch checked against the image and its project's labels (each id upserted or deleted once at
 * most), or the refusal. `tags` is undefined when the patch leaves the tags as they are.
 */
export const checkPatch = async (
  ex: Executor,
  imageId: number,
  body: z.output<typeof AnnotationSetPatch>,
  rule?: ShapeRule,
) => {
  const { image, labels } = await imageAndLabels(ex, imageId);
  const issues: FieldIssue[] = [];
  const upsert = validateAnnotations(body.upsert, "upsert", image, labels, issues);
  if (rule) issues.push(...rule(body.upsert, "upsert"));
  const upserted = new Set(body.upsert.map((a) => a.id));
  const deleting = new Set<string>();
  body.delete.forEach((uid, i) => {
    if (upserted.has(uid))
      issues.push({ path: `delete.${i}`, message: `annotation "${uid}" is both upserted and deleted` });
    else if (deleting.has(uid))
      issues.push({ path: `delete.${i}`, message: `duplicate annotation id "${uid}"` });
    deleting.add(uid);
  });
  const tags = body.tags === undefined ? undefined : validateTags(body.tags, labels, issues);
  if (issues.length > 0) throw refuse(issues);
  return { image, upsert, upserted, deleting, tags };
};

/**
 * Refuses a patch that would leave more shapes than an image may hold; thrown inside the save's
 * transaction, so the patch (and its revision step) is rolled back whole.
 */
export const refuseOverfull = (imageId: number, count: number): void => {
  if (count > MAX_SHAPES_PER_IMAGE)
    throw refuse([
      {
        path: "upsert",
        message: `image ${imageId} would hold ${countOf(count, "shapes")}; at most ${countOf(MAX_SHAPES_PER_IMAGE, "shapes")} per image`,
      },
    ]);
};
