import { z } from "zod";
import { SplitParam } from "./datasets-contract.js";
import { canonicalIntParam, Id, Timestamp } from "./domain.js";

/**
 * Dataset versions (issue 17): a project's annotations and split frozen into an immutable,
 * numbered version (1, 2, 3… per project) that exports byte-identically later (`?version=N` on the
 * export) and compares with another version or the live project.
 */

const Count = z.number().int().nonnegative();

/** A version's number in a path: 1, 2, 3… */
export const VersionNumberParam = canonicalIntParam(1, "a version number (1, 2, 3…)");
/** The right side of a diff: a version number, or `live` (the project as it is now). */
export const DiffSideParam = z.union([z.literal("live"), VersionNumberParam]);

export const VERSION_NOTE_MAX = 2000;
const Note = z.string().trim().max(VERSION_NOTE_MAX, `a note has at most ${VERSION_NOTE_MAX} characters`);

/** A label as frozen: its id in the project, name and colour then, and its shapes in the version. */
export const VersionLabel = z.object({
  labelId: Id,
  name: z.string(),
  color: z.string(),
  shapes: Count,
});
export type VersionLabel = z.infer<typeof VersionLabel>;

export const DatasetVersion = z.object({
  number: z.number().int().positive(),
  note: z.string(),
  /** `80,10,10` when the freeze assigned each image its split (exports then keep it), else null. */
  split: z.string().nullable(),
  seed: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  counts: z.object({
    images: Count,
    shapes: Count,
    /** In label-set order as frozen. */
    perLabel: z.array(VersionLabel),
  }),
});
export type DatasetVersion = z.infer<typeof DatasetVersion>;

export const VersionCreate = z.object({
  note: Note.default(""),
  /**
   * Freeze a split too: each image's split (train/val/test), assigned as an export assigns it
   * (seeded hash of its content), is kept with the version; its exports then use it.
   */
  split: SplitParam.optional(),
  seed: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((s) => (s === undefined || s === "" ? undefined : s)),
});
export type VersionCreate = z.input<typeof VersionCreate>;

/** A version is immutable; only its note may change. */
export const VersionPatch = z.object({ note: Note });
export type VersionPatch = z.input<typeof VersionPatch>;

export const VersionDiffQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type VersionDiffQuery = z.input<typeof VersionDiffQuery>;

/** Shape changes: matched by annotation id (uid) within their image. */
const ShapeChanges = z.object({
  added: Count,
  removed: Count,
  /** Same id, different geometry, label or attribute values. */
  changed: Count,
  /** Changed shapes whose attribute values changed (a subset of `changed`). */
  attributesChanged: Count,
});

export const VersionDiffLabel = ShapeChanges.extend({
  labelId: Id,
  /** The label's name on the right side (the left side's when it is gone there). */
  name: z.string(),
  color: z.string(),
});
export type VersionDiffLabel = z.infer<typeof VersionDiffLabel>;

export const ImageChange = z.enum(["added", "removed", "changed"]);
export const VersionDiffImage = z.object({
  imageId: Id,
  fileName: z.string(),
  change: ImageChange,
  shapesAdded: Count,
  shapesRemoved: Count,
  shapesChanged: Count,
  /** Whether the image is still in the live project (the editor can open it). */
  live: z.boolean(),
});
export type VersionDiffImage = z.infer<typeof VersionDiffImage>;

export const VersionDiff = z.object({
  from: z.number().int().positive(),
  to: z.union([z.number().int().positive(), z.literal("live")]),
  images: z.object({
    added: Count,
    removed: Count,
    /** In both, with shapes or tags added, removed or changed. */
    changed: Count,
    unchanged: Count,
  }),
  shapes: ShapeChanges.extend({
    /** Changed shapes whose label changed (a subset of `changed`). */
    relabeled: Count,
  }),
  /**
   * Per label: added and changed shapes count under their label on the right side, removed ones
   * under their label on the left.
   */
  perLabel: z.array(VersionDiffLabel),
  /** Images added, removed or changed, in image id order, a page at a time. */
  changedImages: z.object({
    items: z.array(VersionDiffImage),
    total: Count,
    offset: Count,
    limit: Count,
  }),
});
export type VersionDiff = z.infer<typeof VersionDiff>;
