import { randomUUID } from "node:crypto";
import { geometryJson } from "@labelbench/geometry";
import { consensus, type QualityShape } from "@labelbench/quality";
import { type Geometry, inOverlapSample } from "@labelbench/schema";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { replaceSet, type StoredAnnotation, storedSet } from "../annotations/repo.js";
import { copyOf, ensureCopy, existingLabels } from "../copies/copy-repo.js";
import { claimRevision } from "../images/image-changes-repo.js";
import { presetOf, scoreImage } from "../quality/score.js";
import { recordEvent } from "../review/events-repo.js";
import { insertComment, insertIssue } from "../review-issues/repo.js";
import { disagreementIssues } from "./disagreement-issues.js";
import {
  joinableImages,
  labelNames,
  lockImage,
  overlapCopies,
  overlapSettingsOf,
  ownOpenOverlap,
  submitMerged,
} from "./overlap-repo.js";

/**
 * Blind overlap (issue 16; docs/quality-workflow.md, "Blind overlap"): the queue hands an image in
 * the overlap sample to up to k distinct annotators, each on a private copy of purpose 'overlap'
 * (modules/copies: none sees the others); when the last copy is submitted the consensus of the k
 * copies becomes the image's annotations, every disagreement a review issue pinned where it is,
 * and the image goes to review.
 */

/**
 * The queue's overlap step for an annotator, inside the `next` transaction: their own open overlap
 * copy first (work in progress, even with the queue off since); then, with the queue on, a slot in
 * an image already in overlap, joined under the image's lock so that two callers racing for the last
 * slot cannot both take it. The image's id, or null.
 */
export const overlapNext = async (
  ex: Executor,
  dialect: Dialect,
  projectId: number,
  userId: number,
  queue: boolean,
  now: string,
): Promise<number | null> => {
  const own = await ownOpenOverlap(ex, projectId, userId);
  if (own !== undefined) return own;
  if (!queue) return null;
  const s = await overlapSettingsOf(ex, projectId);
  if (!s || s.k < 2) return null;
  for (const imageId of await joinableImages(ex, projectId, userId, s.k)) {
    const image = await lockImage(ex, dialect, imageId);
    if (image?.review_state !== "none") continue;
    // Counted again under the lock: another caller may have taken the slot meanwhile.
    const copies = await overlapCopies(ex, imageId);
    if (copies.length >= s.k || copies.some((c) => c.user_id === userId)) continue;
    await ensureCopy(ex, { imageId, userId, purpose: "overlap", now });
    return imageId;
  }
  return null;
};

/**
 * A free image the queue found (locked by its search on PostgreSQL): when the project labels it in
 * overlap (k > 1, in the reproducible overlap sample, not gold), the caller becomes its first
 * annotator, on a copy, instead of leasing the image itself. True when it did.
 */
export const startOverlap = async (
  ex: Executor,
  projectId: number,
  imageId: number,
  gold: string | null,
  userId: number,
  now: string,
): Promise<boolean> => {
  const s = await overlapSettingsOf(ex, projectId);
  if (!s || s.k < 2 || gold !== null || !inOverlapSample(s.seed, imageId, s.percent)) return false;
  await ensureCopy(ex, { imageId, userId, purpose: "overlap", now });
  return true;
};

/** A merged box kept inside the image (medians of boxes inside it almost always are; this makes sure). */
const insideImage = (g: Geometry, width: number, height: number): Geometry => {
  if (g.type !== "box") return g;
  const x = Math.min(Math.max(0, g.x), width);
  const y = Math.min(Math.max(0, g.y), height);
  return { ...g, x, y, width: Math.min(g.width, width - x), height: Math.min(g.height, height - y) };
};

/**
 * After a copy of the image was submitted by `userId` (its own transaction committed): when it is an
 * overlap copy, scores the image's overlap comparisons and, when every overlap copy is submitted and
 * there are k of them (or the project turned overlap down meanwhile), merges them. Runs under the
 * image's lock and only while the image is unmerged, so of two last submissions racing, the later
 * one sees both and the image is merged once. True when it merged.
 */
export const afterCopySubmit = async (
  deps: Pick<Deps, "sql" | "dialect" | "now">,
  imageId: number,
  userId: number,
): Promise<boolean> =>
  deps.sql.transaction().execute(async (trx) => {
    const now = deps.now();
    if ((await copyOf(trx, imageId, userId))?.purpose !== "overlap") return false;
    const image = await lockImage(trx, deps.dialect, imageId);
    if (image?.review_state !== "none") return false;
    const copies = await overlapCopies(trx, imageId);
    const s = await overlapSettingsOf(trx, image.project_id);
    await scoreImage(deps, imageId, trx);
    if (!s || copies.length === 0 || copies.length < s.k || copies.some((c) => c.state !== "submitted"))
      return false;
    return merge(trx, image, copies, s, now);
  });

type LockedImage = NonNullable<Awaited<ReturnType<typeof lockImage>>>;
type CopyRows = Awaited<ReturnType<typeof overlapCopies>>;
type Settings = NonNullable<Awaited<ReturnType<typeof overlapSettingsOf>>>;

/** The merge: the consensus as a save by the system, review, and an issue per disagreement. */
const merge = async (
  trx: Executor,
  image: LockedImage,
  copies: CopyRows,
  s: Settings,
  now: string,
): Promise<boolean> => {
  const imageId = image.id;
  const raw = copies.map((c) => ({
    shapes: JSON.parse(c.shapes) as QualityShape[],
    tags: JSON.parse(c.tags) as number[],
  }));
  // Labels deleted since a copy was saved are left out, as a label deletion does to an image.
  const live = await existingLabels(trx, image.project_id, [
    ...raw.flatMap((r) => r.shapes.map((x) => x.labelId)),
    ...raw.flatMap((r) => r.tags),
  ]);
  const sets = raw.map((r) => ({
    shapes: r.shapes
      .filter((x) => live.has(x.labelId))
      .map((x) => ({ labelId: x.labelId, geometry: x.geometry })),
    tags: r.tags.filter((t) => live.has(t)),
  }));
  const merged = consensus(sets, { quorum: s.quorum, match: presetOf(s.preset) });

  const revision = await claimRevision(trx, imageId, image.revision);
  if (revision === undefined) return false;
  const items: StoredAnnotation[] = merged.shapes.map((x) => ({
    uid: randomUUID(),
    labelId: x.labelId,
    geometryJson: geometryJson(insideImage(x.geometry, image.width, image.height)),
    createdBy: null,
    updatedBy: null,
    createdAt: now,
    updatedAt: now,
  }));
  await replaceSet(trx, imageId, await storedSet(trx, imageId), items, merged.tags, now, null);
  const annotators = copies.map((c) => c.user_id);
  await recordEvent(trx, {
    projectId: image.project_id,
    imageId,
    kind: "consensus",
    actorId: null,
    subjectId: null,
    attempt: image.attempt,
    revision,
    detail: {
      annotators,
      shapes: items.length,
      tags: merged.tags.length,
      quorum: s.quorum,
      needed: merged.needed,
      disagreements: merged.disagreements.length,
    },
    at: now,
  });
  if (!(await submitMerged(trx, imageId, { revision, attempt: image.attempt, now }))) return false;
  const attempt = image.attempt + 1;
  await recordEvent(trx, {
    projectId: image.project_id,
    imageId,
    kind: "submitted",
    actorId: null,
    subjectId: null,
    attempt,
    revision,
    detail: { reviewState: "pending", consensus: true },
    at: now,
  });
  const names = await labelNames(trx, image.project_id);
  const issues = disagreementIssues(merged, {
    width: image.width,
    height: image.height,
    shapeUids: items.map((i) => i.uid),
    labelName: (id) => names.get(id) ?? `label ${id}`,
  });
  for (const issue of issues) {
    const issueId = await insertIssue(trx, {
      projectId: image.project_id,
      imageId,
      anchor: issue.anchor,
      category: issue.category,
      severity: issue.severity,
      attempt,
      authorId: null,
      assigneeId: null,
      at: now,
    });
    await insertComment(trx, { issueId, authorId: null, body: issue.comment, at: now });
    await recordEvent(trx, {
      projectId: image.project_id,
      imageId,
      kind: "issue_opened",
      actorId: null,
      subjectId: null,
      attempt,
      revision,
      issueId,
      detail: {
        category: issue.category,
        severity: issue.severity,
        anchor: issue.anchor.kind,
        consensus: true,
      },
      at: now,
    });
  }
  return true;
};
