import { z } from "zod";
import { authApi } from "./auth-contract.js";
import { datasetsApi } from "./datasets-contract.js";
import {
  AnnotationPatchResult,
  AnnotationSet,
  AnnotationSetPatch,
  AnnotationSetPut,
  canonicalIntParam,
  IdParam,
  Image,
  ImageListQuery,
  ImagePage,
  ImagePatch,
  ImageScope,
  Label,
  LabelBulkCreate,
  LabelCreate,
  LabelDeleteQuery,
  LabelPatch,
  Project,
  ProjectCreate,
  ProjectPatch,
  ProjectStats,
  UploadReply,
} from "./domain.js";
import { endpoint } from "./endpoint.js";
import { keymapApi } from "./keymap.js";
import { libraryApi } from "./library-contract.js";
import { modelBackendsApi } from "./model-backends-contract.js";
import { modelEvalApi } from "./model-eval-contract.js";
import { predictionsApi } from "./predictions-contract.js";
import { qualityApi } from "./quality-contract.js";
import { qualityReportApi } from "./quality-report-contract.js";
import { auditApi } from "./review-audit.js";
import { reviewApi } from "./review-contract.js";
import { versionsApi } from "./versions-contract.js";

export { type Endpoint, endpoint, type Method } from "./endpoint.js";

const ProjectParams = z.object({ projectId: IdParam });
const LabelParams = z.object({ projectId: IdParam, labelId: IdParam });
const ImageParams = z.object({ imageId: IdParam });
const TileIndex = canonicalIntParam(0, "a whole number");
const TileParams = z.object({ imageId: IdParam, level: TileIndex, x: TileIndex, y: TileIndex });

export const Health = z.object({ ok: z.literal(true), version: z.string() });

export const api = {
  health: endpoint({ method: "GET", path: "/health", summary: "Liveness probe", response: Health }),

  listProjects: endpoint({
    method: "GET",
    path: "/projects",
    summary: "List projects with image counts",
    response: z.object({ items: z.array(Project) }),
  }),
  createProject: endpoint({
    method: "POST",
    path: "/projects",
    summary: "Create a project",
    body: ProjectCreate,
    response: Project,
    status: 201,
  }),
  getProject: endpoint({
    method: "GET",
    path: "/projects/:projectId",
    summary: "Get one project",
    params: ProjectParams,
    response: Project,
  }),
  updateProject: endpoint({
    method: "PATCH",
    path: "/projects/:projectId",
    summary: "Rename or describe a project",
    params: ProjectParams,
    body: ProjectPatch,
    response: Project,
  }),
  deleteProject: endpoint({
    method: "DELETE",
    path: "/projects/:projectId",
    summary: "Delete a project with its labels, images and annotations",
    params: ProjectParams,
    status: 204,
  }),
  projectStats: endpoint({
    method: "GET",
    path: "/projects/:projectId/stats",
    summary: "Progress per status and class balance",
    params: ProjectParams,
    response: ProjectStats,
  }),

  listLabels: endpoint({
    method: "GET",
    path: "/projects/:projectId/labels",
    summary: "The project's label set, in order",
    params: ProjectParams,
    response: z.object({ items: z.array(Label) }),
  }),
  createLabel: endpoint({
    method: "POST",
    path: "/projects/:projectId/labels",
    summary: "Add a label at the end of the set",
    params: ProjectParams,
    body: LabelCreate,
    response: Label,
    status: 201,
  }),
  bulkCreateLabels: endpoint({
    method: "POST",
    path: "/projects/:projectId/labels/bulk",
    summary: "Add many labels by name (one request, all or nothing)",
    params: ProjectParams,
    body: LabelBulkCreate,
    response: z.object({ items: z.array(Label) }),
    status: 201,
  }),
  updateLabel: endpoint({
    method: "PATCH",
    path: "/projects/:projectId/labels/:labelId",
    summary: "Rename, recolour, set hotkey, shape types or position; annotations are kept",
    params: LabelParams,
    body: LabelPatch,
    response: Label,
  }),
  deleteLabel: endpoint({
    method: "DELETE",
    path: "/projects/:projectId/labels/:labelId",
    summary: "Delete a label; 409 LABEL_IN_USE unless reassignTo or deleteAnnotations=true",
    params: LabelParams,
    query: LabelDeleteQuery,
    status: 204,
  }),

  uploadImages: endpoint({
    method: "POST",
    path: "/projects/:projectId/images",
    summary: "Upload images (multipart, field `files`, many per request)",
    params: ProjectParams,
    response: UploadReply,
    raw: { request: "multipart/form-data" },
  }),
  listImages: endpoint({
    method: "GET",
    path: "/projects/:projectId/images",
    summary: "Images, cursor-paged, with counts per status",
    params: ProjectParams,
    query: ImageListQuery,
    response: ImagePage,
  }),
  getImage: endpoint({
    method: "GET",
    path: "/images/:imageId",
    summary: "Image metadata",
    params: ImageParams,
    response: Image,
  }),
  updateImage: endpoint({
    method: "PATCH",
    path: "/images/:imageId",
    summary: "Set status or file name",
    params: ImageParams,
    body: ImagePatch,
    response: Image,
  }),
  deleteImage: endpoint({
    method: "DELETE",
    path: "/images/:imageId",
    summary: "Delete an image and its annotations",
    params: ImageParams,
    status: 204,
  }),
  imageFile: endpoint({
    method: "GET",
    path: "/images/:imageId/file",
    summary: "Original bytes (ETag, immutable caching, Range)",
    params: ImageParams,
    raw: { response: "image/*" },
  }),
  imageDisplay: endpoint({
    method: "GET",
    path: "/images/:imageId/display",
    summary:
      "The image as every browser draws it: the original bytes for JPEG, PNG, WebP, GIF and BMP; a lossless PNG (orientation applied) for TIFF",
    params: ImageParams,
    raw: { response: "image/*" },
  }),
  imageThumbnail: endpoint({
    method: "GET",
    path: "/images/:imageId/thumbnail",
    summary: "A 256px WebP thumbnail, orientation applied",
    params: ImageParams,
    raw: { response: "image/webp" },
  }),
  imageTile: endpoint({
    method: "GET",
    path: "/images/:imageId/tiles/:level/:x/:y",
    summary:
      "One tile of a tiled image's pyramid (level 0 = full resolution; column x, row y; see docs/tiles.md). Immutable caching, ETag; 404 outside the pyramid or before the tiles are ready",
    params: TileParams,
    raw: { response: "image/*" },
  }),
  imagePreview: endpoint({
    method: "GET",
    path: "/images/:imageId/preview",
    summary:
      "A tiled image shown whole at most 2048 px wide and high (a level of its pyramid), for fit-to-window; 404 for untiled images",
    params: ImageParams,
    raw: { response: "image/*" },
  }),
  imageNeighbours: endpoint({
    method: "GET",
    path: "/images/:imageId/neighbours",
    summary:
      "Previous/next image ids in the library's order (`sort`, `order`) within its filter (`status`, `q`), the next still-new one, and the position",
    params: ImageParams,
    query: ImageScope,
    response: z.object({
      previousId: z.number().int().nullable(),
      nextId: z.number().int().nullable(),
      nextNewId: z.number().int().nullable(),
      position: z.number().int(),
      total: z.number().int(),
    }),
  }),

  getAnnotations: endpoint({
    method: "GET",
    path: "/images/:imageId/annotations",
    summary: "The image's annotations, tags and revision",
    params: ImageParams,
    response: AnnotationSet,
  }),
  putAnnotations: endpoint({
    method: "PUT",
    path: "/images/:imageId/annotations",
    summary: "Replace the image's annotations atomically; 409 REVISION_CONFLICT on a stale baseRevision",
    params: ImageParams,
    body: AnnotationSetPut,
    response: AnnotationSet,
  }),
  patchAnnotations: endpoint({
    method: "PATCH",
    path: "/images/:imageId/annotations",
    summary:
      "Apply upserts, deletes and tags to the image's annotations; 409 REVISION_CONFLICT on a stale baseRevision",
    params: ImageParams,
    body: AnnotationSetPatch,
    response: AnnotationPatchResult,
  }),
  ...authApi,
  ...datasetsApi,
  ...reviewApi,
  ...auditApi,
  ...qualityApi,
  ...qualityReportApi,
  ...predictionsApi,
  ...modelEvalApi,
  ...modelBackendsApi,
  ...versionsApi,
  ...libraryApi,
  ...keymapApi,
} as const;

export type Api = typeof api;
export type EndpointName = keyof Api;
