import type {
  BackendJobProblem,
  BackendJobState,
  Geometry,
  ModelBackend,
  ModelBackendJob,
  ShapeType,
  WebhookDelivery,
} from "@labelbench/schema";
import { WebhookAction } from "@labelbench/schema";
import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";

type BackendRow = Selectable<Database["model_backends"]>;
type JobRow = Selectable<Database["model_backend_jobs"]>;
type WebhookRow = Selectable<Database["model_backend_webhooks"]>;

/** Problems kept on a job row: enough to see what went wrong, bounded for a 100k-image job. */
export const MAX_JOB_PROBLEMS = 1000;

/** A converted prediction kept per image until the job writes its run. */
export interface StoredPrediction {
  labelId: number;
  geometry: Geometry | null;
  score: number;
  modelLabel: string;
}

const hint = (secret: string | null): string | null =>
  secret === null ? null : `••••${secret.length > 8 ? secret.slice(-4) : ""}`;

export const toBackend = (r: BackendRow): ModelBackend => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  url: r.url,
  authMethod: r.auth_method as ModelBackend["authMethod"],
  basicUser: r.basic_user,
  secretHint: hint(r.secret),
  maxConcurrency: r.max_concurrency,
  timeoutSeconds: Math.round(r.timeout_ms / 1000),
  batchSize: r.batch_size,
  extraParams: JSON.parse(r.extra_params) as Record<string, unknown>,
  isInteractive: r.is_interactive === 1,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toJob = (r: JobRow): ModelBackendJob => ({
  id: r.id,
  backendId: r.backend_id,
  projectId: r.project_id,
  state: r.state as BackendJobState,
  total: r.total,
  done: r.done,
  failed: r.failed,
  runId: r.run_id,
  modelVersion: r.model_version,
  error: r.error,
  problems: JSON.parse(r.problems) as BackendJobProblem[],
  problemsTruncated: r.problem_count > MAX_JOB_PROBLEMS,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDelivery = (r: WebhookRow): WebhookDelivery => ({
  id: r.id,
  backendId: r.backend_id,
  imageId: r.image_id,
  action: WebhookAction.parse(r.action),
  state: r.state as WebhookDelivery["state"],
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

export interface ProjectLabel {
  id: number;
  name: string;
  color: string;
  shapeTypes: ShapeType[];
}

/** What the module reads and writes: backends, their jobs and job images, keys and webhooks. */
export const backendRepo = (db: Kysely<Database>, dialect: Dialect) => ({
  labels: async (ex: Executor, projectId: number): Promise<ProjectLabel[]> =>
    (
      await ex
        .selectFrom("labels")
        .select(["id", "name", "color", "shape_types"])
        .where("project_id", "=", projectId)
        .orderBy("position")
        .orderBy("id")
        .execute()
    ).map((l) => ({
      id: l.id,
      name: l.name,
      color: l.color,
      shapeTypes: l.shape_types.split(",") as ShapeType[],
    })),

  backendRow: async (id: number): Promise<BackendRow | null> =>
    (await db.selectFrom("model_backends").selectAll().where("id", "=", id).executeTakeFirst()) ?? null,

  listBackends: async (projectId: number): Promise<ModelBackend[]> =>
    (
      await db
        .selectFrom("model_backends")
        .selectAll()
        .where("project_id", "=", projectId)
        .orderBy("id")
        .execute()
    ).map(toBackend),

  insertBackend: async (values: Omit<BackendRow, "id">): Promise<ModelBackend> =>
    toBackend(await db.insertInto("model_backends").values(values).returningAll().executeTakeFirstOrThrow()),

  updateBackend: async (id: number, values: Partial<Omit<BackendRow, "id">>): Promise<void> => {
    await db.updateTable("model_backends").set(values).where("id", "=", id).execute();
  },

  deleteBackend: async (id: number): Promise<void> => {
    await db.deleteFrom("model_backends").where("id", "=", id).execute();
  },

  /** Backends of the project an image is in (the webhook fan-out on a save). */
  backendsOfImage: async (imageId: number): Promise<{ id: number; project_id: number }[]> =>
    db
      .selectFrom("model_backends as b")
      .innerJoin("images as i", "i.project_id", "b.project_id")
      .select(["b.id", "b.project_id"])
      .where("i.id", "=", imageId)
      .execute(),

  // Jobs -----------------------------------------------------------------------------------------

  /** Queues a job over these images, in one transaction. */
  insertJob: async (
    values: Omit<
      JobRow,
      | "id"
      | "state"
      | "done"
      | "failed"
      | "run_id"
      | "model_version"
      | "error"
      | "problems"
      | "problem_count"
      | "leased_by"
      | "lease_until"
    >,
    imageIds: readonly number[],
  ): Promise<ModelBackendJob> =>
    db.transaction().execute(async (trx) => {
      const job = await trx
        .insertInto("model_backend_jobs")
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
      for (let i = 0; i < imageIds.length; i += 500) {
        await trx
          .insertInto("model_backend_job_images")
          .values(imageIds.slice(i, i + 500).map((image_id) => ({ job_id: job.id, image_id })))
          .execute();
      }
      return toJob(job);
    }),

  jobRow: async (id: number): Promise<JobRow | null> =>
    (await db.selectFrom("model_backend_jobs").selectAll().where("id", "=", id).executeTakeFirst()) ?? null,

  listJobs: async (backendId: number): Promise<ModelBackendJob[]> =>
    (
      await db
        .selectFrom("model_backend_jobs")
        .selectAll()
        .where("backend_id", "=", backendId)
        .orderBy("id", "desc")
        .limit(50)
        .execute()
    ).map(toJob),

  /**
   * Takes the oldest open job nobody holds a live lease on, and whose backend has no other job
   * running under a live lease (a backend's concurrency limit holds across processes), in one
   * statement; see tiles/repo.ts `claim` for how SKIP LOCKED keeps two takers apart.
   */
  claimJob: async (instance: string, now: number, until: number): Promise<JobRow | null> =>
    (await db
      .updateTable("model_backend_jobs")
      .set({ leased_by: instance, lease_until: until, state: "running" })
      .where("id", "=", (eb) =>
        eb
          .selectFrom("model_backend_jobs as j")
          .select("j.id")
          .where("j.state", "in", ["queued", "running"])
          .where((w) => w.or([w("j.lease_until", "is", null), w("j.lease_until", "<", now)]))
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom("model_backend_jobs as o")
                  .select("o.id")
                  .whereRef("o.backend_id", "=", "j.backend_id")
                  .whereRef("o.id", "!=", "j.id")
                  .where("o.state", "=", "running")
                  .where("o.lease_until", ">=", now),
              ),
            ),
          )
          .orderBy("j.id")
          .limit(1)
          .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked()),
      )
      .where("state", "in", ["queued", "running"])
      .returningAll()
      .executeTakeFirst()) ?? null,

  /** Extends a held lease; false when it is no longer held (taken over, cancelled, deleted). */
  renewJob: async (jobId: number, instance: string, until: number): Promise<boolean> => {
    const r = await db
      .updateTable("model_backend_jobs")
      .set({ lease_until: until })
      .where("id", "=", jobId)
      .where("leased_by", "=", instance)
      .where("state", "=", "running")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  releaseJob: async (jobId: number, instance: string): Promise<void> => {
    await db
      .updateTable("model_backend_jobs")
      .set({ leased_by: null, lease_until: null })
      .where("id", "=", jobId)
      .where("leased_by", "=", instance)
      .execute();
  },

  jobState: async (jobId: number): Promise<string | null> =>
    (await db.selectFrom("model_backend_jobs").select("state").where("id", "=", jobId).executeTakeFirst())
      ?.state ?? null,

  /** The images of a job still to predict, in id order. */
  pendingImages: async (
    jobId: number,
  ): Promise<{ id: number; width: number; height: number; file_name: string }[]> =>
    db
      .selectFrom("model_backend_job_images as ji")
      .innerJoin("images as i", "i.id", "ji.image_id")
      .select(["i.id", "i.width", "i.height", "i.file_name"])
      .where("ji.job_id", "=", jobId)
      .where("ji.state", "=", "pending")
      .orderBy("i.id")
      .execute(),

  /**
   * Records one batch's outcome (its images done or failed, their predictions, the job's counts and
   * problems) in one transaction, only while `instance` holds the job.
   */
  recordBatch: async (
    jobId: number,
    instance: string,
    outcome: {
      done: { imageId: number; predictions: StoredPrediction[] }[];
      failed: number[];
      problems: BackendJobProblem[];
      modelVersion: string | null;
      now: string;
    },
  ): Promise<boolean> =>
    db.transaction().execute(async (trx) => {
      const job = await trx
        .selectFrom("model_backend_jobs")
        .select(["problems", "problem_count", "model_version"])
        .where("id", "=", jobId)
        .where("leased_by", "=", instance)
        .where("state", "=", "running")
        .$if(dialect === "postgres", (q) => q.forUpdate())
        .executeTakeFirst();
      if (!job) return false;
      for (const d of outcome.done)
        await trx
          .updateTable("model_backend_job_images")
          .set({ state: "done", predictions: JSON.stringify(d.predictions) })
          .where("job_id", "=", jobId)
          .where("image_id", "=", d.imageId)
          .execute();
      if (outcome.failed.length > 0)
        await trx
          .updateTable("model_backend_job_images")
          .set({ state: "failed" })
          .where("job_id", "=", jobId)
          .where("image_id", "in", outcome.failed)
          .execute();
      const kept = JSON.parse(job.problems) as BackendJobProblem[];
      const room = Math.max(0, MAX_JOB_PROBLEMS - kept.length);
      await trx
        .updateTable("model_backend_jobs")
        .set((eb) => ({
          done: eb("done", "+", outcome.done.length),
          failed: eb("failed", "+", outcome.failed.length),
          problems: JSON.stringify([...kept, ...outcome.problems.slice(0, room)]),
          problem_count: eb("problem_count", "+", outcome.problems.length),
          model_version: job.model_version ?? outcome.modelVersion,
          updated_at: outcome.now,
        }))
        .where("id", "=", jobId)
        .execute();
      return true;
    }),

  donePredictions: async (
    ex: Executor,
    jobId: number,
  ): Promise<{ image_id: number; predictions: string | null }[]> =>
    ex
      .selectFrom("model_backend_job_images")
      .select(["image_id", "predictions"])
      .where("job_id", "=", jobId)
      .where("state", "=", "done")
      .orderBy("image_id")
      .execute(),

  /** Ends a job (done, failed or cancelled), only while `instance` holds it (null: whoever holds it). */
  finishJob: async (
    ex: Executor,
    jobId: number,
    instance: string | null,
    values: {
      state: "done" | "failed" | "cancelled";
      error?: string | null;
      run_id?: number | null;
      now: string;
    },
  ): Promise<boolean> => {
    const r = await ex
      .updateTable("model_backend_jobs")
      .set({
        state: values.state,
        error: values.error ?? null,
        run_id: values.run_id ?? null,
        leased_by: null,
        lease_until: null,
        updated_at: values.now,
      })
      .where("id", "=", jobId)
      .where("state", "in", ["queued", "running"])
      .$if(instance !== null, (q) => q.where("leased_by", "=", instance))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** The job's kept predictions go once its run is written (or it ends without one). */
  dropJobPredictions: async (ex: Executor, jobId: number): Promise<void> => {
    await ex
      .updateTable("model_backend_job_images")
      .set({ predictions: null })
      .where("job_id", "=", jobId)
      .where("predictions", "is not", null)
      .execute();
  },

  // Keys -----------------------------------------------------------------------------------------

  insertKey: async (values: Omit<Selectable<Database["model_backend_keys"]>, "id">): Promise<number> =>
    (await db.insertInto("model_backend_keys").values(values).returning("id").executeTakeFirstOrThrow()).id,

  expireKeyAt: async (keyId: number, expiresAt: string): Promise<void> => {
    await db
      .updateTable("model_backend_keys")
      .set({ expires_at: expiresAt })
      .where("id", "=", keyId)
      .execute();
  },

  deleteExpiredKeys: async (now: string): Promise<void> => {
    await db.deleteFrom("model_backend_keys").where("expires_at", "<=", now).execute();
  },

  // Webhooks -------------------------------------------------------------------------------------

  /** Whether the backend knows the image's annotation: its latest webhook for it is not a deletion. */
  toldOfImage: async (backendId: number, imageId: number): Promise<boolean> => {
    const last = await db
      .selectFrom("model_backend_webhooks")
      .select("action")
      .where("backend_id", "=", backendId)
      .where("image_id", "=", imageId)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return last !== undefined && last.action !== "ANNOTATION_DELETED";
  },

  insertWebhook: async (
    values: Pick<
      WebhookRow,
      "backend_id" | "image_id" | "action" | "payload" | "next_attempt_at" | "created_at"
    >,
  ): Promise<number> =>
    (await db.insertInto("model_backend_webhooks").values(values).returning("id").executeTakeFirstOrThrow())
      .id,

  /**
   * Folds a save into the image's webhook still waiting for this backend (none in flight): the
   * backend hears of the latest annotation once, not of every autosave. Returns false when there is
   * none to fold into. A creation the backend never heard of, deleted again, is no webhook at all.
   */
  foldWebhook: async (
    backendId: number,
    imageId: number,
    action: "ANNOTATION_CREATED" | "ANNOTATION_UPDATED" | "ANNOTATION_DELETED",
    payload: (action: string) => string,
  ): Promise<boolean> => {
    const waiting = await db
      .selectFrom("model_backend_webhooks")
      .select(["id", "action"])
      .where("backend_id", "=", backendId)
      .where("image_id", "=", imageId)
      .where("state", "=", "pending")
      .where("leased_by", "is", null)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!waiting || waiting.action === "START_TRAINING") return false;
    const first = waiting.action === "ANNOTATION_CREATED";
    if (first && action === "ANNOTATION_DELETED") {
      const r = await db
        .deleteFrom("model_backend_webhooks")
        .where("id", "=", waiting.id)
        .where("leased_by", "is", null)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    }
    const folded = first ? "ANNOTATION_CREATED" : action;
    const r = await db
      .updateTable("model_backend_webhooks")
      .set({ action: folded, payload: payload(folded) })
      .where("id", "=", waiting.id)
      .where("state", "=", "pending")
      .where("leased_by", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  claimWebhook: async (instance: string, now: number, until: number): Promise<WebhookRow | null> =>
    (await db
      .updateTable("model_backend_webhooks")
      .set({ leased_by: instance, lease_until: until })
      .where("id", "=", (eb) =>
        eb
          .selectFrom("model_backend_webhooks")
          .select("id")
          .where("state", "=", "pending")
          .where("next_attempt_at", "<=", now)
          .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<", now)]))
          .orderBy("next_attempt_at")
          .orderBy("id")
          .limit(1)
          .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked()),
      )
      .returningAll()
      .executeTakeFirst()) ?? null,

  settleWebhook: async (
    id: number,
    instance: string,
    values: Partial<
      Pick<WebhookRow, "state" | "attempts" | "next_attempt_at" | "last_error" | "delivered_at">
    >,
  ): Promise<void> => {
    await db
      .updateTable("model_backend_webhooks")
      .set({ ...values, leased_by: null, lease_until: null })
      .where("id", "=", id)
      .where("leased_by", "=", instance)
      .execute();
  },

  listWebhooks: async (backendId: number): Promise<WebhookDelivery[]> =>
    (
      await db
        .selectFrom("model_backend_webhooks")
        .selectAll()
        .where("backend_id", "=", backendId)
        .orderBy("id", "desc")
        .limit(100)
        .execute()
    ).map(toDelivery),
});

export type BackendRepo = ReturnType<typeof backendRepo>;
