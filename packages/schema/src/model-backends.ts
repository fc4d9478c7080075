import { z } from "zod";
import { Id, Timestamp } from "./domain.js";

/**
 * Model servers (issue 17): Labelbench plays Label Studio towards an existing ML backend, speaking
 * its HTTP protocol unchanged (`GET /health`, `POST /setup`, `POST /predict`, `POST /webhook`).
 * docs/model-backends.md tells the protocol as Labelbench speaks it.
 */

/**
 * How Labelbench authenticates to the backend: nothing, HTTP basic auth (label-studio-ml's
 * BASIC_AUTH_USER / BASIC_AUTH_PASS), or `Authorization: Bearer <secret>` (a reverse proxy's token).
 */
export const ModelBackendAuth = z.enum(["none", "basic", "token"]);
export type ModelBackendAuth = z.infer<typeof ModelBackendAuth>;

const Count = z.number().int().nonnegative();
const BackendUrl = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .max(2000)
  .transform((u) => u.replace(/\/+$/, ""));
const ExtraParams = z
  .record(z.string(), z.unknown())
  .describe("merged into the `params` of every /predict request (e.g. a score threshold)");

export const ModelBackend = z.object({
  id: Id,
  projectId: Id,
  name: z.string(),
  url: z.string(),
  authMethod: ModelBackendAuth,
  basicUser: z.string().nullable(),
  /** The secret is never returned: only whether one is stored and its last 4 characters. */
  secretHint: z.string().nullable().describe('e.g. "••••a1b2"; null when no secret is stored'),
  maxConcurrency: z.number().int().min(1).max(16),
  timeoutSeconds: z.number().int().min(1).max(3600),
  batchSize: z.number().int().min(1).max(100),
  extraParams: ExtraParams,
  /** Label Studio's "interactive preannotations"; Labelbench sends no interactive requests yet. */
  isInteractive: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ModelBackend = z.infer<typeof ModelBackend>;

const BackendFields = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(200),
  url: BackendUrl,
  authMethod: ModelBackendAuth,
  basicUser: z.string().min(1).max(200).nullable(),
  secret: z.string().min(1).max(4000).nullable(),
  maxConcurrency: z.number().int().min(1).max(16),
  timeoutSeconds: z.number().int().min(1).max(3600),
  batchSize: z.number().int().min(1).max(100),
  extraParams: ExtraParams,
  isInteractive: z.boolean(),
});

export const ModelBackendCreate = BackendFields.extend({
  authMethod: ModelBackendAuth.default("none"),
  basicUser: BackendFields.shape.basicUser.default(null),
  secret: BackendFields.shape.secret.default(null),
  maxConcurrency: BackendFields.shape.maxConcurrency.default(2),
  timeoutSeconds: BackendFields.shape.timeoutSeconds.default(60),
  batchSize: BackendFields.shape.batchSize.default(8),
  extraParams: ExtraParams.default({}),
  isInteractive: z.boolean().default(false),
});
export type ModelBackendCreate = z.input<typeof ModelBackendCreate>;

/** `secret` absent keeps the stored one, null removes it. */
export const ModelBackendPatch = BackendFields.partial();
export type ModelBackendPatch = z.input<typeof ModelBackendPatch>;

/** One HTTP request Labelbench sent to the backend and what came back, secrets masked. */
export const BackendExchange = z.object({
  step: z.enum(["health", "setup", "predict", "train", "webhook"]),
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string().nullable(),
  }),
  response: z
    .object({
      status: z.number().int(),
      headers: z.record(z.string(), z.string()),
      body: z.string().describe("as received, cut at 64 KiB"),
    })
    .nullable()
    .describe("null when no answer came (refused, timed out)"),
  error: z.string().nullable().describe("why the exchange failed: no answer, an HTTP error, bad JSON"),
  ms: z.number().nonnegative(),
});
export type BackendExchange = z.infer<typeof BackendExchange>;

/** The first thing that stops the backend's predictions from showing, and where it was found. */
export const BackendMismatch = z.object({
  step: BackendExchange.shape.step,
  where: z.string().describe('e.g. "results[0].result[1].from_name"'),
  message: z.string(),
});
export type BackendMismatch = z.infer<typeof BackendMismatch>;

export const ConnectionTestRequest = z.object({
  /** The image sent to /predict; absent: the project's first image. */
  imageId: Id.optional(),
});
export type ConnectionTestRequest = z.input<typeof ConnectionTestRequest>;

export const ConnectionTest = z.object({
  ok: z.boolean().describe("every step answered and the prediction converted without a problem"),
  exchanges: z.array(BackendExchange),
  mismatch: BackendMismatch.nullable(),
  /** Every problem converting the reply (the first is `mismatch`). */
  problems: z.array(BackendMismatch),
  labelConfig: z.string().describe("the labelling config sent as `schema` / `label_config`"),
  modelVersion: z.string().nullable(),
  imageId: Id.nullable(),
  /** Shapes and tags converted from the /predict reply. */
  converted: Count,
});
export type ConnectionTest = z.infer<typeof ConnectionTest>;

export const BackendJobState = z.enum(["queued", "running", "done", "failed", "cancelled"]);
export type BackendJobState = z.infer<typeof BackendJobState>;

export const BackendJobProblem = z.object({
  imageId: Id.nullable(),
  where: z.string().optional(),
  message: z.string(),
});
export type BackendJobProblem = z.infer<typeof BackendJobProblem>;

export const ModelBackendJob = z.object({
  id: Id,
  backendId: Id,
  projectId: Id,
  state: BackendJobState,
  total: Count,
  done: Count.describe("images predicted (with or without shapes)"),
  failed: Count.describe("images the backend did not answer for, or answered with nothing usable"),
  runId: Id.nullable().describe("the prediction run written when the job finished"),
  modelVersion: z.string().nullable(),
  error: z.string().nullable().describe("why the whole job failed"),
  problems: z.array(BackendJobProblem),
  problemsTruncated: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ModelBackendJob = z.infer<typeof ModelBackendJob>;

export const BackendJobCreate = z.object({
  images: z
    .enum(["all", "unannotated", "ids"])
    .default("unannotated")
    .describe("every image, those without shapes or tags, or the `imageIds` listed"),
  imageIds: z.array(Id).min(1).max(100_000).optional(),
});
export type BackendJobCreate = z.input<typeof BackendJobCreate>;

export const TrainResult = z.object({
  ok: z.boolean(),
  exchange: BackendExchange,
});
export type TrainResult = z.infer<typeof TrainResult>;

export const WebhookAction = z.enum([
  "ANNOTATION_CREATED",
  "ANNOTATION_UPDATED",
  "ANNOTATION_DELETED",
  "START_TRAINING",
]);
export const WebhookDelivery = z.object({
  id: Id,
  backendId: Id,
  imageId: Id.nullable(),
  action: WebhookAction,
  state: z.enum(["pending", "delivered", "failed"]),
  attempts: Count,
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  deliveredAt: Timestamp.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
