import { z } from "zod";
import { canonicalIntParam, IdParam, IMAGE_STATUSES, type ImageStatus } from "./domain.js";
import { endpoint } from "./endpoint.js";

/** Dataset export and import (issue 5): formats, options and the import report. */
export const DATASET_FORMATS = ["coco", "yolo", "yolo-seg", "voc", "classification-csv", "imagenet"] as const;
export const DatasetFormat = z.enum(DATASET_FORMATS);
export type DatasetFormat = z.infer<typeof DatasetFormat>;

/** `done,in_progress`; absent or empty means every status (no image is left out by default). */
const StatusList = z
  .string()
  .optional()
  .transform((s, ctx): ImageStatus[] => {
    if (s === undefined || s.trim() === "") return [...IMAGE_STATUSES];
    const parts = [...new Set(s.split(",").map((p) => p.trim()))].filter((p) => p !== "");
    for (const p of parts) {
      if (!(IMAGE_STATUSES as readonly string[]).includes(p)) {
        ctx.addIssue({
          code: "custom",
          message: `"${p}" is not an image status (${IMAGE_STATUSES.join(", ")})`,
        });
      }
    }
    return parts as ImageStatus[];
  });

/** `80,10,10`: whole train/val/test percentages adding up to 100 (missing parts are 0). */
export const SplitParam = z
  .string()
  .trim()
  .regex(/^\d{1,3}(,\s*\d{1,3}){0,2}$/, "give train,val,test percentages like 80,10,10")
  .transform((s) => {
    const [train = 0, val = 0, test = 0] = s.split(",").map((p) => Number(p.trim()));
    return { train, val, test };
  })
  .refine((r) => r.train + r.val + r.test === 100, "percentages must add up to 100");

export const ExportQuery = z.object({
  format: DatasetFormat,
  status: StatusList,
  split: SplitParam.default({ train: 100, val: 0, test: 0 }),
  seed: z
    .string()
    .max(100)
    .optional()
    .transform((s) => (s === undefined || s.trim() === "" ? "labelbench" : s)),
  images: z.enum(["include", "exclude"]).default("include"),
  /**
   * Which images by review state (issue 15): `any`; `accepted` (accepted or fixed and accepted by a
   * reviewer, not stale); `done` (accepted, or submitted and not selected for review). Recorded in
   * the manifest.
   */
  review: z.enum(["any", "accepted", "done"]).default("any"),
  /**
   * A dataset version's number (issue 17): export what it froze instead of the live project, the
   * same bytes on every download. Recorded in the manifest.
   */
  version: canonicalIntParam(1, "a version number (1, 2, 3…)").optional(),
});
export type ExportQuery = z.input<typeof ExportQuery>;

export const ImportQuery = z.object({
  format: z.enum(["auto", ...DATASET_FORMATS]).default("auto"),
  dryRun: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Category names with no label of that name: create the label, or refuse the import. */
  unknownLabels: z.enum(["create", "refuse"]).default("create"),
  /** Images that already have annotations: add the imported ones after them, or replace them. */
  existing: z.enum(["append", "replace"]).default("append"),
  /** A shape that cannot be read or lies outside its image: refuse the import, or skip the shape. */
  invalidShapes: z.enum(["error", "skip"]).default("error"),
});
export type ImportQuery = z.input<typeof ImportQuery>;

export const DatasetProblem = z.object({
  severity: z.enum(["error", "warning"]),
  file: z.string(),
  where: z.string().optional(),
  message: z.string(),
});
export type DatasetProblem = z.infer<typeof DatasetProblem>;

const Count = z.number().int().nonnegative();

export const ImportReport = z.object({
  dryRun: z.boolean(),
  /** True when the import was written (never with errors, never on a dry run). */
  applied: z.boolean(),
  format: DatasetFormat,
  detectedBy: z.string(),
  images: z.object({
    total: Count,
    /** Images already in the project (by file name, or the same bytes in the zip). */
    matched: Count,
    created: Count,
    withAnnotations: Count,
  }),
  annotations: z.object({
    total: Count,
    perLabel: z.array(
      z.object({
        name: z.string(),
        count: Count,
        labelId: z.number().int().positive().nullable(),
        state: z.enum(["existing", "created", "refused"]),
      }),
    ),
  }),
  tags: Count,
  labelsCreated: z.array(z.string()),
  errors: Count,
  warnings: Count,
  problems: z.array(DatasetProblem),
  ignoredFiles: z.array(z.string()),
});
export type ImportReport = z.infer<typeof ImportReport>;

const ProjectParams = z.object({ projectId: IdParam });

export const datasetsApi = {
  exportDataset: endpoint({
    method: "GET",
    path: "/projects/:projectId/export",
    summary:
      "Download the project as a COCO, YOLO, YOLO segmentation or Pascal VOC zip (streamed), with manifest.json and export-report.json",
    params: ProjectParams,
    query: ExportQuery,
    raw: { response: "application/zip" },
  }),
  importDataset: endpoint({
    method: "POST",
    path: "/projects/:projectId/import",
    summary:
      "Import a COCO, YOLO or Pascal VOC dataset: a zip body, or multipart files (zips or bare annotation files); dryRun=true only reports",
    params: ProjectParams,
    query: ImportQuery,
    response: ImportReport,
    raw: { request: "application/zip" },
  }),
};
