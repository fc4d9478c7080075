import type {
  BackendExchange,
  BackendJobCreate,
  BackendMismatch,
  ConnectionTest,
  ModelBackend,
  ModelBackendCreate,
  ModelBackendJob,
  ModelBackendPatch,
  TrainResult,
  WebhookDelivery,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { annotationService } from "../annotations/service.js";
import { issueImageKey, KEY_FOR_TEST_MS, keyUsed } from "./keys.js";
import { labelConfigXml } from "./label-config.js";
import { imageUrl, lsAnnotation, lsProjectRef, lsTask } from "./ls-payloads.js";
import { predictBatch, sendSetup } from "./predict.js";
import { send } from "./protocol.js";
import { backendRepo, toBackend, toJob } from "./repo.js";
import { type BackendJobs, targetOf } from "./worker.js";

/** Who asks: the key a test or job issues acts for them. */
export interface Caller {
  userId: number;
  email: string;
}

const checkAuth = (v: {
  authMethod: ModelBackend["authMethod"];
  basicUser: string | null;
  secret: string | null;
}): void => {
  const issues: { path: string; message: string }[] = [];
  if (v.authMethod === "basic" && v.basicUser === null)
    issues.push({ path: "body.basicUser", message: "basic authentication needs a user name" });
  if (v.authMethod !== "none" && v.secret === null)
    issues.push({
      path: "body.secret",
      message:
        v.authMethod === "basic"
          ? "basic authentication needs a password"
          : "token authentication needs a token",
    });
  if (issues.length > 0)
    throw new AppError(
      "VALIDATION_ERROR",
      `invalid body: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
};

/**
 * Model servers (issue 17; docs/model-backends.md): Labelbench plays Label Studio towards a
 * backend. Connection tests run in the request (their exchanges are the answer); prediction jobs
 * and training webhooks go to the background worker (worker.ts).
 */
export const backendService = (deps: Deps, jobs: BackendJobs) => {
  const repo = backendRepo(deps.sql, deps.dialect);
  const requireBackend = async (id: number) => {
    const row = await repo.backendRow(id);
    if (!row) throw notFound("model backend", id);
    return row;
  };
  const projectOf = async (projectId: number) => {
    const p = await deps.sql
      .selectFrom("projects")
      .select(["id", "name", "created_at"])
      .where("id", "=", projectId)
      .executeTakeFirst();
    if (!p) throw notFound("project", projectId);
    return p;
  };
  const publicUrl = (origin: string) => deps.config.publicUrl ?? origin;

  return {
    list: async (projectId: number) => {
      await projectOf(projectId);
      return repo.listBackends(projectId);
    },
    get: async (id: number) => toBackend(await requireBackend(id)),

    create: async (projectId: number, body: z.output<typeof ModelBackendCreate>, actor: string | null) => {
      await projectOf(projectId);
      checkAuth(body);
      const now = deps.now();
      return repo.insertBackend({
        project_id: projectId,
        name: body.name,
        url: body.url,
        auth_method: body.authMethod,
        basic_user: body.authMethod === "basic" ? body.basicUser : null,
        secret: body.authMethod === "none" ? null : body.secret,
        max_concurrency: body.maxConcurrency,
        timeout_ms: body.timeoutSeconds * 1000,
        batch_size: body.batchSize,
        extra_params: JSON.stringify(body.extraParams),
        is_interactive: body.isInteractive ? 1 : 0,
        created_by: actor,
        created_at: now,
        updated_at: now,
      });
    },

    update: async (id: number, body: z.output<typeof ModelBackendPatch>) => {
      const row = await requireBackend(id);
      const authMethod = body.authMethod ?? (row.auth_method as ModelBackend["authMethod"]);
      const basicUser = body.basicUser === undefined ? row.basic_user : body.basicUser;
      const secret = body.secret === undefined ? row.secret : body.secret;
      checkAuth({ authMethod, basicUser, secret });
      await repo.updateBackend(id, {
        ...(body.name !== undefined && { name: body.name }),
        ...(body.url !== undefined && { url: body.url }),
        auth_method: authMethod,
        basic_user: authMethod === "basic" ? basicUser : null,
        secret: authMethod === "none" ? null : secret,
        ...(body.maxConcurrency !== undefined && { max_concurrency: body.maxConcurrency }),
        ...(body.timeoutSeconds !== undefined && { timeout_ms: body.timeoutSeconds * 1000 }),
        ...(body.batchSize !== undefined && { batch_size: body.batchSize }),
        ...(body.extraParams !== undefined && { extra_params: JSON.stringify(body.extraParams) }),
        ...(body.isInteractive !== undefined && { is_interactive: body.isInteractive ? 1 : 0 }),
        updated_at: deps.now(),
      });
      return toBackend(await requireBackend(id));
    },

    remove: async (id: number) => {
      await requireBackend(id);
      // Its jobs, job images, keys and webhooks go with it (ON DELETE CASCADE); a running job's
      // next lease renewal fails and its process stops.
      await repo.deleteBackend(id);
    },

    /**
     * Test connection: GET /health, POST /setup and one POST /predict, each recorded exactly; the
     * first thing found that keeps predictions from showing is the mismatch.
     */
    test: async (
      id: number,
      imageId: number | undefined,
      caller: Caller,
      origin: string,
    ): Promise<ConnectionTest> => {
      const row = await requireBackend(id);
      const project = await projectOf(row.project_id);
      const labels = await repo.labels(deps.sql, row.project_id);
      const labelConfig = labelConfigXml(labels);
      const target = targetOf(row);
      const exchanges: BackendExchange[] = [];
      const problems: BackendMismatch[] = [];
      const base = publicUrl(origin);
      let modelVersion: string | null = null;
      let converted = 0;
      const result = (chosen: number | null): ConnectionTest => ({
        ok: problems.length === 0 && exchanges.every((e) => e.error === null),
        exchanges,
        mismatch: problems[0] ?? null,
        problems,
        labelConfig,
        modelVersion,
        imageId: chosen,
        converted,
      });
      if (labels.length === 0)
        problems.push({
          step: "setup",
          where: "label set",
          message:
            "the project has no labels: the labelling config names none, so nothing the backend predicts can be kept",
        });

      const health = await send(target, "health", "GET", "/health", undefined);
      exchanges.push(health.exchange);
      if (health.exchange.error !== null) {
        problems.unshift({ step: "health", where: "GET /health", message: health.exchange.error });
        return result(null);
      }
      const h = health.json as { status?: unknown } | null;
      if (typeof h !== "object" || h === null || h.status !== "UP")
        problems.push({
          step: "health",
          where: "status",
          message: `the backend's health is ${JSON.stringify((h as { status?: unknown } | null)?.status ?? null)}, not "UP"`,
        });

      const key = await issueImageKey(
        deps,
        { id: row.id, projectId: row.project_id },
        caller.userId,
        KEY_FOR_TEST_MS,
      );
      const ctx = {
        target,
        publicUrl: base,
        projectRef: lsProjectRef(row.project_id, project.created_at),
        labelConfig,
        labels,
        extraParams: JSON.parse(row.extra_params) as Record<string, unknown>,
        key: key.key,
      };
      const setup = await sendSetup(ctx);
      exchanges.push(setup.exchange);
      if (setup.exchange.error !== null) {
        problems.unshift({ step: "setup", where: "POST /setup", message: setup.exchange.error });
        return result(null);
      }
      const sv = (setup.json as { model_version?: unknown } | null)?.model_version;
      if (typeof sv === "string") modelVersion = sv;

      const image = await deps.sql
        .selectFrom("images")
        .select(["id", "width", "height", "file_name"])
        .where("project_id", "=", row.project_id)
        .$if(imageId !== undefined, (q) => q.where("id", "=", imageId as number))
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      if (!image) {
        if (imageId !== undefined) throw notFound("image", `${imageId} in project ${row.project_id}`);
        problems.push({
          step: "predict",
          where: "tasks",
          message: "the project has no image to send to /predict",
        });
        return result(null);
      }
      const { exchange, reply } = await predictBatch(ctx, [image]);
      exchanges.push(exchange);
      const fetched = await keyUsed(deps, key.id);
      const url = imageUrl(base, image.id);
      const notFetched = `the backend never downloaded the image from ${url} with the key it was given: check that it can reach this address (LABELBENCH_PUBLIC_URL) and sends \`Authorization: Token <access_token from /setup>\``;
      if (!reply) {
        const mentionsImage =
          exchange.response?.body.includes(url) ||
          /download|fetch|get_local_path|urlopen|401|403/i.test(exchange.response?.body ?? "");
        problems.unshift({
          step: "predict",
          where: "POST /predict",
          message:
            !fetched && mentionsImage
              ? `image URL the backend could not fetch: ${notFetched}`
              : (exchange.error ?? "failed"),
        });
        return result(image.id);
      }
      modelVersion = reply.modelVersion ?? modelVersion;
      for (const p of reply.problems) problems.push({ step: "predict", where: p.where, message: p.message });
      const answered = reply.answered[0];
      if (answered?.empty)
        problems.unshift({
          step: "predict",
          where: "results[0].result",
          message: `the backend predicted nothing for image ${image.id} (an empty result list)${fetched ? "" : `; ${notFetched}`}`,
        });
      converted = answered?.predictions.length ?? 0;
      return result(image.id);
    },

    startJob: async (
      id: number,
      body: z.output<typeof BackendJobCreate>,
      caller: Caller,
      origin: string,
    ): Promise<ModelBackendJob> => {
      const row = await requireBackend(id);
      let q = deps.sql.selectFrom("images as i").select("i.id").where("i.project_id", "=", row.project_id);
      if (body.images === "unannotated")
        q = q
          .where("i.annotation_count", "=", 0)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(selectFrom("image_tags as t").select("t.image_id").whereRef("t.image_id", "=", "i.id")),
            ),
          );
      if (body.images === "ids") {
        if (!body.imageIds)
          throw new AppError(
            "VALIDATION_ERROR",
            "invalid body: imageIds: images=ids needs the list of image ids",
            [{ path: "body.imageIds", message: "images=ids needs the list of image ids" }],
          );
        q = q.where("i.id", "in", body.imageIds);
      }
      const ids = (await q.orderBy("i.id").execute()).map((r) => r.id);
      if (body.images === "ids" && body.imageIds) {
        const found = new Set(ids);
        const missing = [...new Set(body.imageIds)].filter((i) => !found.has(i));
        if (missing.length > 0)
          throw new AppError(
            "VALIDATION_ERROR",
            `invalid body: imageIds: ${missing.length} image(s) are not in project ${row.project_id}: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`,
            [
              {
                path: "body.imageIds",
                message: `not in project ${row.project_id}: ${missing.slice(0, 10).join(", ")}`,
              },
            ],
          );
      }
      if (ids.length === 0)
        throw new AppError(
          "VALIDATION_ERROR",
          `invalid body: images: project ${row.project_id} has no ${body.images === "unannotated" ? "unannotated " : ""}image to predict`,
          [
            {
              path: "body.images",
              message: `no ${body.images === "unannotated" ? "unannotated " : ""}image to predict`,
            },
          ],
        );
      const now = deps.now();
      const job = await repo.insertJob(
        {
          backend_id: row.id,
          project_id: row.project_id,
          total: ids.length,
          public_url: publicUrl(origin),
          created_by: caller.email,
          created_at: now,
          updated_at: now,
        },
        ids,
      );
      jobs.wake();
      return job;
    },

    listJobs: async (id: number) => {
      await requireBackend(id);
      return repo.listJobs(id);
    },
    getJob: async (jobId: number) => {
      const row = await repo.jobRow(jobId);
      if (!row) throw notFound("model backend job", jobId);
      return toJob(row);
    },
    cancelJob: async (jobId: number): Promise<ModelBackendJob> => {
      const row = await repo.jobRow(jobId);
      if (!row) throw notFound("model backend job", jobId);
      if (row.state !== "queued" && row.state !== "running")
        throw new AppError(
          "CONFLICT",
          `job ${jobId} is ${row.state} already; only a queued or running job can be cancelled`,
        );
      await deps.sql.transaction().execute(async (trx) => {
        await repo.finishJob(trx, jobId, null, { state: "cancelled", now: deps.now() });
        await repo.dropJobPredictions(trx, jobId);
      });
      const after = await repo.jobRow(jobId);
      if (!after) throw notFound("model backend job", jobId);
      return toJob(after);
    },

    /** START_TRAINING to the backend's /webhook, in the request (its exchange is the answer), and recorded. */
    train: async (id: number): Promise<TrainResult> => {
      const row = await requireBackend(id);
      const project = await projectOf(row.project_id);
      const labels = await repo.labels(deps.sql, row.project_id);
      const payload = {
        action: "START_TRAINING",
        project: { id: row.project_id, title: project.name, label_config: labelConfigXml(labels) },
      };
      const sent = await send(targetOf(row), "train", "POST", "/webhook", payload);
      const ok = sent.exchange.error === null;
      const now = deps.now();
      const hookId = await repo.insertWebhook({
        backend_id: row.id,
        image_id: null,
        action: "START_TRAINING",
        payload: JSON.stringify(payload),
        next_attempt_at: Date.now(),
        created_at: now,
      });
      // Sent already: recorded as delivered or failed, never queued for a second sending.
      await deps.sql
        .updateTable("model_backend_webhooks")
        .set({
          state: ok ? "delivered" : "failed",
          attempts: 1,
          last_error: ok ? null : sent.exchange.error,
          delivered_at: ok ? now : null,
        })
        .where("id", "=", hookId)
        .execute();
      return { ok, exchange: sent.exchange };
    },

    webhooks: async (id: number): Promise<WebhookDelivery[]> => {
      await requireBackend(id);
      return repo.listWebhooks(id);
    },

    /**
     * After an annotation save: queues ANNOTATION_CREATED / _UPDATED / _DELETED for each backend of
     * the image's project (Label Studio's webhook shape), for the worker to deliver. Called without
     * awaiting by the annotation routes: it never slows or fails a save.
     */
    annotationSaved: async (imageId: number, actor: string | null, origin: string): Promise<void> => {
      const backends = await repo.backendsOfImage(imageId);
      if (backends.length === 0) return;
      const first = backends[0];
      if (!first) return;
      const set = await annotationService(deps).get(imageId);
      const image = await deps.sql
        .selectFrom("images")
        .select(["id", "width", "height", "file_name"])
        .where("id", "=", imageId)
        .executeTakeFirstOrThrow();
      const project = await projectOf(first.project_id);
      const labels = await repo.labels(deps.sql, first.project_id);
      const empty = set.annotations.length === 0 && set.tags.length === 0;
      const now = deps.now();
      for (const b of backends) {
        const told = await repo.toldOfImage(b.id, imageId);
        if (empty && !told) continue;
        const action = empty ? "ANNOTATION_DELETED" : told ? "ANNOTATION_UPDATED" : "ANNOTATION_CREATED";
        const payload = (a: string) =>
          JSON.stringify({
            action: a,
            annotation: lsAnnotation(set, image, labels, { updatedAt: now, updatedBy: actor }),
            task: { ...lsTask(publicUrl(origin), image), project: b.project_id },
            project: { id: b.project_id, title: project.name, label_config: labelConfigXml(labels) },
          });
        if (await repo.foldWebhook(b.id, imageId, action, payload)) continue;
        await repo.insertWebhook({
          backend_id: b.id,
          image_id: imageId,
          action,
          payload: payload(action),
          next_attempt_at: Date.now(),
          created_at: now,
        });
      }
      jobs.wake();
    },
  };
};
