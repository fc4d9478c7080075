import { z } from "zod";
import { LabelScope } from "./attributes.js";
import { ImportReport } from "./datasets-contract.js";
import { AnnotationSet, ShapeType } from "./domain.js";
import { PredictionImportReport } from "./predictions.js";
import { QualificationStatus } from "./quality.js";
import { ImageWork } from "./review.js";

/** Every failure the API reports carries one of these codes, in one envelope. */
export const ErrorCode = z.enum([
  "VALIDATION_ERROR",
  "BAD_JSON",
  "NOT_FOUND",
  "CONFLICT",
  "REVISION_CONFLICT",
  "LABEL_IN_USE",
  "STALE_REVISION",
  "WORKFLOW_CONFLICT",
  "UNSUPPORTED_MEDIA_TYPE",
  "PAYLOAD_TOO_LARGE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "QUALIFICATION_REQUIRED",
  "RATE_LIMITED",
  "SETUP_REQUIRED",
  "BUSY",
  "IMAGE_UNREADABLE",
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** One failing field of a 400: `path` is dotted and says where (`body.annotations.3.geometry.width`, `query.status`). */
export const FieldIssue = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

const Fields = z.array(FieldIssue);
const Count = z.number().int().nonnegative();
const none = z.undefined();

/** A label write refused for a clash with the rest of the set; `field` says which input clashed. */
export const LabelConflict = z.discriminatedUnion("field", [
  z.object({ field: z.literal("name"), labelId: z.number().int() }),
  z.object({ field: z.literal("hotkey"), labelId: z.number().int() }),
  z.object({ field: z.literal("names"), existing: z.array(z.string()) }),
  z.object({ field: z.literal("shapeTypes"), inUse: z.array(ShapeType) }),
  z.object({
    field: z.literal("reassignTo"),
    missing: z.array(ShapeType),
    /** Set when the target's scope (tags or shapes only) refuses the label's uses. */
    scope: LabelScope.optional(),
  }),
  /** The label's shapes (or tags) that a narrower scope would refuse. */
  z.object({ field: z.literal("scope"), shapes: Count.optional(), tags: Count.optional() }),
  /** Why the label's shapes cannot take the new attribute definitions, one sentence each. */
  z.object({ field: z.literal("attributes"), problems: z.array(z.string()) }),
]);

/**
 * What `details` holds for each code: the server builds them to this type (AppError), clients
 * parse them with it. Absent where a code carries none.
 */
export const ERROR_DETAILS = {
  /** The failing fields; a refused dataset or predictions import sends its whole report instead. */
  VALIDATION_ERROR: z.union([Fields, ImportReport, PredictionImportReport]).optional(),
  BAD_JSON: none,
  /** A tile outside the pyramid: the levels there are, as columns x rows of tiles. */
  NOT_FOUND: z.object({ levels: z.array(z.object({ columns: Count, rows: Count })) }).optional(),
  CONFLICT: LabelConflict.optional(),
  /** The image's annotations as stored now, so the client can merge without another request. */
  REVISION_CONFLICT: AnnotationSet,
  LABEL_IN_USE: z.object({ annotations: Count, tags: Count }),
  /** A submit or decision on a revision the annotations have moved past: the image's work as it is now. */
  STALE_REVISION: ImageWork,
  /**
   * A workflow step the image's state does not allow now (another reviewer decided first, the lease
   * went to someone else, nothing was submitted): the image's work as it is now, when there is one.
   */
  WORKFLOW_CONFLICT: ImageWork.optional(),
  UNSUPPORTED_MEDIA_TYPE: Fields.optional(),
  PAYLOAD_TOO_LARGE: Fields.optional(),
  UNAUTHENTICATED: none,
  /** The setup code's field, when that is what was refused. */
  FORBIDDEN: Fields.optional(),
  /** Real work refused until the annotator passes the project's qualification: where they stand. */
  QUALIFICATION_REQUIRED: QualificationStatus,
  RATE_LIMITED: none,
  SETUP_REQUIRED: none,
  BUSY: z.object({ retryAfterSeconds: z.number().int().positive() }).optional(),
  IMAGE_UNREADABLE: none,
  INTERNAL: none,
} as const satisfies Record<ErrorCode, z.ZodType>;
export type ErrorDetails<C extends ErrorCode = ErrorCode> = z.input<(typeof ERROR_DETAILS)[C]>;

export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  BAD_JSON: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REVISION_CONFLICT: 409,
  LABEL_IN_USE: 409,
  STALE_REVISION: 409,
  WORKFLOW_CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  QUALIFICATION_REQUIRED: 403,
  RATE_LIMITED: 429,
  SETUP_REQUIRED: 503,
  BUSY: 503,
  /** A stored file that cannot be decoded (stored before uploads refused it): nothing to retry. */
  IMAGE_UNREADABLE: 422,
  INTERNAL: 500,
};
