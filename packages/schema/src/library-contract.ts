import { z } from "zod";
import { Id, IdParam, ImageStatus } from "./domain.js";
import { endpoint } from "./endpoint.js";
import { FolderPath } from "./image-path.js";

/**
 * Managing the library's images (issue 18): bulk actions on a selection, and the folder tree built
 * from the relative paths images keep from their upload (`cam_a/day1/0001.jpg`).
 */

/** Most ids one bulk request may name; beyond that, select by filter (nothing travels as ids). */
export const MAX_BULK_IDS = 100_000;

/** The library's filter: what `listImages` shows for the same status, search and folder. */
export const LibraryFilter = z.object({
  status: ImageStatus.optional(),
  q: z.string().max(200).optional(),
  folder: FolderPath.optional().describe('a folder and its sub-folders: "cam_a/" ("" or absent: all)'),
  predictionRun: Id.optional().describe("only images with pending predictions of this run (issue 17)"),
});
export type LibraryFilter = z.input<typeof LibraryFilter>;

/** What a bulk action does to each selected image. */
export const BulkAction = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("delete"),
    /**
     * The numbers the user confirmed (from a dry run): the delete is refused with 409 CONFLICT if
     * the selection now holds other numbers, so nothing goes that the confirmation did not name.
     */
    confirm: z
      .object({ images: z.number().int().nonnegative(), annotations: z.number().int().nonnegative() })
      .optional(),
  }),
  z.object({ kind: z.literal("setStatus"), status: ImageStatus }),
  z.object({ kind: z.literal("assign"), assigneeId: Id.nullable().describe("null: unassign") }),
  z.object({ kind: z.literal("addTags"), labelIds: z.array(Id).min(1).max(100) }),
  z.object({ kind: z.literal("removeTags"), labelIds: z.array(Id).min(1).max(100) }),
  z.object({
    kind: z.literal("toggleTag"),
    labelId: Id.describe("removed from every selected image if all hold it, else added to those without it"),
  }),
  z.object({ kind: z.literal("move"), folder: FolderPath.describe('the target folder; "" is the root') }),
]);
export type BulkAction = z.input<typeof BulkAction>;
export type BulkActionKind = BulkAction["kind"];

export const BulkRequest = z
  .object({
    imageIds: z.array(Id).min(1).max(MAX_BULK_IDS).optional(),
    filter: LibraryFilter.optional(),
    action: BulkAction,
    dryRun: z
      .boolean()
      .default(false)
      .describe("answer what would happen (counts, per image) and change nothing"),
  })
  .refine((r) => (r.imageIds === undefined) !== (r.filter === undefined), {
    message: "give either imageIds or filter",
    path: ["imageIds"],
  });
export type BulkRequest = z.input<typeof BulkRequest>;

export const BulkItemStatus = z.enum(["changed", "unchanged", "deleted", "refused", "missing"]);
export type BulkItemStatus = z.infer<typeof BulkItemStatus>;

export const BulkItemResult = z.object({
  imageId: Id,
  status: BulkItemStatus.describe(
    "changed; unchanged (already so); deleted; refused (reason says why); missing (no such image in the project)",
  ),
  reason: z.string().optional(),
  revision: z.number().int().nonnegative().optional().describe("tag actions: the image's new revision"),
  tags: z.array(Id).optional().describe("tag actions: the image's tags after the change"),
  fileName: z.string().optional().describe("move: the new name"),
});
export type BulkItemResult = z.infer<typeof BulkItemResult>;

export const BulkResult = z.object({
  action: z.string(),
  dryRun: z.boolean(),
  /** Images the selection named or matched in the project. */
  matched: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  /** delete: the annotations that go (or would go) with the images. */
  annotations: z.number().int().nonnegative().optional(),
  /** toggleTag: what the toggle did. */
  toggled: z.enum(["added", "removed"]).optional(),
  results: z.array(BulkItemResult),
});
export type BulkResult = z.infer<typeof BulkResult>;

export const FolderCount = z.object({
  path: z.string().describe('"cam_a/day1/"'),
  images: z.number().int().nonnegative().describe("directly in this folder, not in its sub-folders"),
});
export const FolderList = z.object({
  folders: z.array(FolderCount).describe("every folder holding images directly, in path order"),
  root: z.number().int().nonnegative().describe("images outside any folder"),
  total: z.number().int().nonnegative(),
});
export type FolderList = z.infer<typeof FolderList>;

const ProjectParams = z.object({ projectId: IdParam });

export const libraryApi = {
  bulkImages: endpoint({
    method: "POST",
    path: "/projects/:projectId/images/bulk",
    summary:
      "One action (delete, set status, assign, add/remove/toggle tags, move to a folder) on images by id or by the library's filter; one result per image; dryRun previews",
    params: ProjectParams,
    body: BulkRequest,
    response: BulkResult,
  }),
  imageFolders: endpoint({
    method: "GET",
    path: "/projects/:projectId/folders",
    summary: "The folders of the project's image paths, with the images directly in each",
    params: ProjectParams,
    response: FolderList,
  }),
} as const;
