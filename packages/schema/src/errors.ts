import { z } from "zod";

/** Every failure the API reports carries one of these codes, in one envelope. */
export const ErrorCode = z.enum([
  "VALIDATION_ERROR",
  "BAD_JSON",
  "NOT_FOUND",
  "CONFLICT",
  "REVISION_CONFLICT",
  "LABEL_IN_USE",
  "UNSUPPORTED_MEDIA_TYPE",
  "PAYLOAD_TOO_LARGE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
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

export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  BAD_JSON: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REVISION_CONFLICT: 409,
  LABEL_IN_USE: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SETUP_REQUIRED: 503,
  BUSY: 503,
  /** A stored file that cannot be decoded (stored before uploads refused it): nothing to retry. */
  IMAGE_UNREADABLE: 422,
  INTERNAL: 500,
};
