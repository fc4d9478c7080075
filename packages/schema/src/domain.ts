import { z } from "zod";
import { AttributeDefinitions, AttributeValues, LabelScope } from "./attributes.js";
import { FolderPath, ImagePath } from "./image-path.js";
import { HOTKEY_PATTERN, MAX_BULK_LABELS } from "./label-rules.js";
import {
  countOf,
  MAX_DESCRIPTION_LENGTH,
  MAX_LABEL_NAME_LENGTH,
  MAX_POLYGON_VERTICES,
  MAX_PROJECT_NAME_LENGTH,
  MAX_SHAPES_PER_IMAGE,
  MAX_TAGS_PER_IMAGE,
  tooManyVerticesReason,
} from "./limits.js";

export const Id = z.number().int().positive();
export type Id = z.infer<typeof Id>;
/**
 * A whole number in a path segment, in canonical decimal only: `0x10`, `1e3`, ` 1`, `+1` or `01`
 * would all coerce to a number, and each would name a resource by a spelling nobody wrote on purpose.
 * Numbers are accepted as they are (the web client passes its ids unconverted).
 */
export const canonicalIntParam = (min: 0 | 1, what: string) =>
  z
    .preprocess(
      (v) => (typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v),
      z
        .string()
        .regex(
          min === 0 ? /^(0|[1-9][0-9]{0,14})$/ : /^[1-9][0-9]{0,14}$/,
          `must be ${what} in decimal digits (at most 15; no sign, spaces, leading zeros, exponent or hex)`,
        )
        .transform(Number),
    )
    // What it is to a client: a whole number from `min` (the OpenAPI document reads this).
    .meta({ type: "integer", minimum: min });
/** Path ids arrive as strings. */
export const IdParam = canonicalIntParam(1, "a positive whole number");
export const Timestamp = z.string().describe("ISO-8601 UTC timestamp");

export const Project = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  imageCount: z.number().int().nonnegative(),
  doneCount: z.number().int().nonnegative(),
  annotatorsCanExport: z.boolean().describe("whether annotator members may download exports"),
});
export type Project = z.infer<typeof Project>;

export const ProjectCreate = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(MAX_PROJECT_NAME_LENGTH),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).default(""),
});
export type ProjectCreate = z.input<typeof ProjectCreate>;
export const ProjectPatch = z
  .object({
    name: z.string().trim().min(1, "name must not be empty").max(MAX_PROJECT_NAME_LENGTH),
    description: z.string().max(MAX_DESCRIPTION_LENGTH),
    annotatorsCanExport: z.boolean(),
  })
  .partial();
export type ProjectPatch = z.infer<typeof ProjectPatch>;

export const ShapeType = z.enum(["box", "polygon"]);
export type ShapeType = z.infer<typeof ShapeType>;

export const Color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "colour must be #rrggbb")
  .transform((c) => c.toLowerCase());
/**
 * Label hotkeys: a digit 1-9, a letter, or a two-key chord (a letter, then a digit or a letter: "g3");
 * editor shortcuts reserve some letters (see RESERVED_HOTKEYS), for a chord's first key too.
 */
export const Hotkey = z
  .string()
  .regex(
    HOTKEY_PATTERN,
    "hotkey must be a digit 1-9, a letter, or a chord of a letter then a digit or letter (g3)",
  )
  .transform((k) => k.toLowerCase());

/** Letters the editor uses for its own commands; a label may not take them. */
export const RESERVED_HOTKEYS: Readonly<Record<string, string>> = {
  v: "Select tool",
  b: "Box tool",
  p: "Polygon tool",
  h: "Pan tool",
  a: "Previous image",
  d: "Next image",
  f: "Fit to window",
  n: "Next new image",
  s: "Skip image",
};

export const Label = z.object({
  id: Id,
  projectId: Id,
  name: z.string(),
  color: z.string(),
  hotkey: z.string().nullable(),
  position: z.number().int().nonnegative(),
  shapeTypes: z.array(ShapeType).min(1),
  scope: LabelScope.describe("drawn shapes, whole-image tags, or both"),
  attributes: AttributeDefinitions.describe("what each shape of the label says besides its label (issue 18)"),
  annotationCount: z.number().int().nonnegative(),
});
export type Label = z.infer<typeof Label>;

const LabelName = z.string().trim().min(1, "name must not be empty").max(MAX_LABEL_NAME_LENGTH);
const ShapeTypes = z
  .array(ShapeType)
  .min(1, "a label must allow at least one shape type")
  .transform((a) => [...new Set(a)].sort());

export const LabelCreate = z.object({
  name: LabelName,
  color: Color.optional(),
  hotkey: Hotkey.nullable().optional(),
  shapeTypes: ShapeTypes.default(["box", "polygon"]),
  scope: LabelScope.default("both"),
  attributes: AttributeDefinitions.default([]),
});
export type LabelCreate = z.input<typeof LabelCreate>;
export const LabelPatch = z.object({
  name: LabelName.optional(),
  color: Color.optional(),
  hotkey: Hotkey.nullable().optional(),
  shapeTypes: ShapeTypes.optional(),
  scope: LabelScope.optional(),
  attributes: AttributeDefinitions.optional().describe(
    "replaces the definitions; shapes keep the values their attributes still accept (by name), drop the others, and take the defaults of new attributes",
  ),
  position: z.number().int().nonnegative().optional(),
});
export type LabelPatch = z.input<typeof LabelPatch>;
export const LabelBulkCreate = z.object({ names: z.array(LabelName).min(1).max(MAX_BULK_LABELS) });
export const LabelDeleteQuery = z.object({
  reassignTo: IdParam.optional(),
  deleteAnnotations: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});

export const ImageStatus = z.enum(["new", "in_progress", "done", "skipped"]);
export type ImageStatus = z.infer<typeof ImageStatus>;
export const IMAGE_STATUSES = ImageStatus.options;

export const ImageFormat = z.enum(["jpeg", "png", "webp", "tiff", "bmp", "gif"]);
export type ImageFormat = z.infer<typeof ImageFormat>;

export const TileInfo = z.object({
  state: z.enum(["none", "pending", "ready", "failed"]),
  progress: z.number().min(0).max(1),
  tileSize: z.number().int().positive().nullable(),
  levels: z.number().int().nonnegative().nullable(),
});
export type TileInfo = z.infer<typeof TileInfo>;

/** An image's place in review (issue 15); review.ts explains each state and names it `ReviewState`. */
export const ImageReviewState = z.enum(["none", "pending", "accepted", "rejected", "unreviewed"]);
/** A gold image (issue 16): its own annotations are the reference; annotators label copies of it. */
export const GoldKind = z.enum(["honeypot", "qualification"]);
export type GoldKind = z.infer<typeof GoldKind>;

export const Image = z.object({
  id: Id,
  projectId: Id,
  fileName: z
    .string()
    .describe('path relative to what was uploaded, folders separated by "/": "cam_a/0001.jpg"'),
  sha256: z.string(),
  width: z.number().int().positive().describe("as displayed: EXIF orientation applied"),
  height: z.number().int().positive().describe("as displayed: EXIF orientation applied"),
  format: ImageFormat,
  byteSize: z.number().int().nonnegative(),
  status: ImageStatus,
  annotationCount: z.number().int().nonnegative(),
  tiles: TileInfo,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  // Issue 15, for the library's grid (who works on what, where it stands in review) without a
  // request per tile. Optional: images written before the workflow, and fixtures, leave them out.
  assigneeId: Id.nullable()
    .optional()
    .describe(
      "who annotates it now: a manager's assignment, a live queue lease, or rework (expired leases: null)",
    ),
  reviewState: ImageReviewState.optional(),
  // Issue 16: shown to managers and reviewers only; an annotator's reply never carries it.
  gold: GoldKind.nullable().optional().describe("a gold image's kind (managers and reviewers only)"),
  // Issue 18: the library's grid shows each image's tags (and the grid classification toggles them).
  tags: z.array(Id).optional().describe("label ids tagging the whole image (listImages fills it)"),
});
export type Image = z.infer<typeof Image>;

export const ImagePatch = z.object({
  status: ImageStatus.optional(),
  fileName: ImagePath.optional(),
});

export const StatusCounts = z.object({
  new: z.number().int(),
  in_progress: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  total: z.number().int(),
});
export type StatusCounts = z.infer<typeof StatusCounts>;

/**
 * The library's orders. `name` is natural file-name order (img2 before img10, case and accents
 * folded); `status` goes new, in progress, done, skipped, then by name; `annotations` by count,
 * then by name; `edited` by the last change to the image (status, annotations, name). Every order
 * ends with the id, so it is total; `desc` is the exact reverse of `asc`, ties included.
 */
export const ImageSort = z.enum(["name", "added", "status", "annotations", "edited"]);
export type ImageSort = z.infer<typeof ImageSort>;
export const SortOrder = z.enum(["asc", "desc"]);
export type SortOrder = z.infer<typeof SortOrder>;
/** The direction a sort takes when none is given: most annotated and most recently edited first. */
export const DEFAULT_SORT_ORDER: Record<ImageSort, SortOrder> = {
  name: "asc",
  added: "asc",
  status: "asc",
  annotations: "desc",
  edited: "desc",
};
/** Which images the library shows, and in what order: the editor's previous/next walk the same. */
export const ImageScope = z.object({
  status: ImageStatus.optional(),
  q: z.string().max(200).optional(),
  folder: FolderPath.optional().describe('a folder and its sub-folders: "cam_a/" (issue 18)'),
  predictionRun: canonicalIntParam(1, "a prediction run's id")
    .optional()
    .describe("only images with pending predictions of this run (issue 17)"),
  sort: ImageSort.default("name"),
  order: SortOrder.optional().describe("default: asc, but desc for `annotations` and `edited`"),
});

export const ImageListQuery = ImageScope.extend({
  /** Cursors carry the sort key of the last image, which holds its (up to 1 KiB) name. */
  cursor: z.string().max(8192).optional(),
  /** Skip this many matching images: lets a grid seek far without walking every page. Not with `cursor`. */
  offset: z.coerce.number().int().min(0).max(100_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const ImagePage = z.object({
  items: z.array(Image),
  nextCursor: z.string().nullable(),
  counts: StatusCounts,
});
export type ImagePage = z.infer<typeof ImagePage>;

export const UploadResult = z.discriminatedUnion("status", [
  z.object({ fileName: z.string(), status: z.literal("created"), image: Image }),
  z.object({ fileName: z.string(), status: z.literal("duplicate"), image: Image }),
  z.object({
    fileName: z.string(),
    status: z.literal("rejected"),
    code: z.enum(["UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE", "VALIDATION_ERROR"]),
    reason: z.string(),
  }),
]);
export type UploadResult = z.infer<typeof UploadResult>;
export const UploadReply = z.object({ results: z.array(UploadResult) });
export type UploadReply = z.infer<typeof UploadReply>;

/** Geometry in image pixels: origin top-left, x right, y down, continuous ([0,W]x[0,H]). */
const Coord = z.number().refine(Number.isFinite, "must be a finite number");
export const BoxGeometry = z.object({
  type: z.literal("box"),
  x: Coord,
  y: Coord,
  width: Coord,
  height: Coord,
});
export const PolygonGeometry = z.object({
  type: z.literal("polygon"),
  points: z.array(z.tuple([Coord, Coord])).min(3, "polygon needs at least 3 points"),
});
export const Geometry = z.discriminatedUnion("type", [BoxGeometry, PolygonGeometry]);
/**
 * Geometry as a client sends it: a polygon within MAX_POLYGON_VERTICES, refused on its length
 * before its points are read. `Geometry` (what is stored and read back) has no such limit, so a
 * shape stored before the limit existed still reads.
 */
export const GeometryInput = z.discriminatedUnion("type", [
  BoxGeometry,
  PolygonGeometry.extend({
    points: PolygonGeometry.shape.points.max(MAX_POLYGON_VERTICES, {
      error: (issue) => tooManyVerticesReason(Array.isArray(issue.input) ? issue.input.length : 0),
    }),
  }),
]);
export type BoxGeometry = z.infer<typeof BoxGeometry>;
export type PolygonGeometry = z.infer<typeof PolygonGeometry>;
export type Geometry = z.infer<typeof Geometry>;

/** The message of a list refused on its length (checked before its items are read). */
const tooMany = (max: number, noun: string) => ({
  error: (issue: { input: unknown }) =>
    `${countOf(Array.isArray(issue.input) ? issue.input.length : 0, noun)}; at most ${countOf(max, noun)} per image`,
});

/** Annotation ids are chosen by the client (UUIDs) so shapes drawn offline keep their identity. */
export const AnnotationId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "id may hold letters, digits, - and _");

export const Annotation = z.object({
  id: AnnotationId,
  labelId: Id,
  geometry: Geometry,
  createdBy: z.string().nullable(),
  updatedBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** The prediction (issue 17) this shape was accepted from; absent for shapes drawn by hand. */
  predictionId: Id.optional(),
  attributes: AttributeValues.optional().describe(
    "attribute name to value, in the label's definition order; absent when the shape has none",
  ),
});
export type Annotation = z.infer<typeof Annotation>;

export const AnnotationInput = z.object({
  id: AnnotationId.optional(),
  labelId: Id,
  geometry: GeometryInput,
  /**
   * Accepts a pending prediction of this image as this shape: it becomes `accepted` when label and
   * geometry are the prediction's, `edited` otherwise. Kept with the shape for good.
   */
  predictionId: Id.optional(),
  attributes: AttributeValues.optional().describe(
    "checked against the label's attribute definitions: no unknown names, values of the right type and range, required ones present",
  ),
});
export type AnnotationInput = z.infer<typeof AnnotationInput>;

export const AnnotationSet = z.object({
  imageId: Id,
  revision: z.number().int().nonnegative(),
  annotations: z.array(Annotation),
  tags: z.array(Id).describe("label ids attached to the whole image"),
});
export type AnnotationSet = z.infer<typeof AnnotationSet>;

export const AnnotationSetPut = z.object({
  baseRevision: z.number().int().nonnegative(),
  annotations: z.array(AnnotationInput).max(MAX_SHAPES_PER_IMAGE, tooMany(MAX_SHAPES_PER_IMAGE, "shapes")),
  tags: z.array(Id).max(MAX_TAGS_PER_IMAGE, tooMany(MAX_TAGS_PER_IMAGE, "tags")).default([]),
});
export type AnnotationSetPut = z.input<typeof AnnotationSetPut>;

/**
 * A change to an image's set since `baseRevision`, so a save costs what changed, not the image's size.
 * Upserted shapes that exist keep their place; new ones go after the existing shapes, in this order.
 */
export const AnnotationSetPatch = z.object({
  baseRevision: z.number().int().nonnegative(),
  upsert: z
    .array(
      AnnotationInput.extend({
        id: AnnotationId,
        before: AnnotationId.optional().describe(
          "for a new shape: the stored shape it goes just below in drawing order (an undone delete returns to its place); absent: on top. Ignored for a shape already stored, which keeps its place",
        ),
      }),
    )
    .max(MAX_SHAPES_PER_IMAGE, tooMany(MAX_SHAPES_PER_IMAGE, "shapes"))
    .default([]),
  delete: z.array(AnnotationId).max(MAX_SHAPES_PER_IMAGE, tooMany(MAX_SHAPES_PER_IMAGE, "ids")).default([]),
  tags: z
    .array(Id)
    .max(MAX_TAGS_PER_IMAGE, tooMany(MAX_TAGS_PER_IMAGE, "tags"))
    .optional()
    .describe("replaces the image's tags when present"),
});
export type AnnotationSetPatch = z.input<typeof AnnotationSetPatch>;

/** The reply to a patch: the new revision and the upserted shapes as stored, never the whole set. */
export const AnnotationPatchResult = z.object({
  imageId: Id,
  revision: z.number().int().nonnegative(),
  annotationCount: z.number().int().nonnegative(),
  upserted: z.array(Annotation).describe("the upserted shapes as stored (clamped geometry, authors)"),
  placed: z
    .array(z.object({ id: AnnotationId, before: AnnotationId }))
    .describe("new shapes placed below a stored one, in the order applied; the other new shapes went on top"),
  deleted: z.array(AnnotationId),
  tags: z.array(Id),
});
export type AnnotationPatchResult = z.infer<typeof AnnotationPatchResult>;

export const ProjectStats = z.object({
  counts: StatusCounts,
  labels: z.array(
    z.object({
      labelId: Id,
      name: z.string(),
      color: z.string(),
      annotations: z.number().int(),
      images: z.number().int(),
      tagged: z.number().int(),
    }),
  ),
  totalAnnotations: z.number().int(),
});
export type ProjectStats = z.infer<typeof ProjectStats>;
