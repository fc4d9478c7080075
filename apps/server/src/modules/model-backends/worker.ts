import { randomUUID } from "node:crypto";
import type { BackendJobProblem } from "@labelbench/schema";
import type { Kysely } from "kysely";
import type pg from "pg";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import type { Dialect } from "../../db/connect.js";
import type { Database } from "../../db/schema.js";
import { createPredictionRun } from "../predictions/runs.js";
import type { BackendJobs } from "./backend-jobs.js";
import { issueImageKey, KEY_AFTER_JOB_MS } from "./keys.js";
import { labelConfigXml } from "./label-config.js";
import { lsProjectRef } from "./ls-payloads.js";
import { predictBatch, sendSetup } from "./predict.js";
import { type BackendTarget, send } from "./protocol.js";
import { backendRepo, type StoredPrediction } from "./repo.js";

export interface BackendWorkerDeps {
  sql: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL: the pool under `sql`; a job's run is written by COPY on a client of its own. */
  pgPool?: pg.Pool;
  config: Config;
  log: Logger;
  now: () => string;
}

/** What the rest of the server asks of the model-backend worker. */
export type { BackendJobs };

export interface BackendWorker extends BackendJobs {
  readonly instance: string;
  start(): void;
  /** Resolves when nothing this process can take now is queued or running (tests). */
  idle(): Promise<void>;
  /** Takes nothing more; a running job stops at its next batch and gives its lease back. */
  stop(opts?: { keepLease?: boolean }): Promise<void>;
}

/** Webhook retries: the pause before attempt n+1 (then the delivery is marked failed). */
const WEBHOOK_BACKOFF_MS = [1_000, 10_000, 60_000, 300_000];
const POLL_MAX_MS = 2000;
const KEY_SWEEP_MS = 10 * 60 * 1000;

export const targetOf = (b: {
  url: string;
  auth_method: string;
  basic_user: string | null;
  secret: string | null;
  timeout_ms: number;
}): BackendTarget => ({
  url: b.url,
  authMethod: b.auth_method as BackendTarget["authMethod"],
  basicUser: b.basic_user,
  secret: b.secret,
  timeoutMs: b.timeout_ms,
});

/** The first line of an exchange's failure, with the start of the reply's body when there was one. */
const failureText = (e: { error: string | null; response: { body: string } | null }): string => {
  const body = e.response?.body.trim();
  return `${e.error ?? "failed"}${body ? `: ${body.slice(0, 300)}` : ""}`;
};

/**
 * The model-backend worker of one process, over the tables all processes share: prediction jobs
 * (one at a time per process, one per backend across processes; taken under a renewed lease, so a
 * dead process's job is taken over and goes on with the images still pending) and the training
 * webhooks outbox (delivered with retries, off every request's path).
 */
export const createBackendWorker = (deps: BackendWorkerDeps): BackendWorker => {
  const { log } = deps;
  const repo = backendRepo(deps.sql, deps.dialect);
  const instance = randomUUID();
  const leaseMs = deps.config.backendLeaseMs;
  const renewMs = Math.max(10, Math.floor(leaseMs / 3));
  const pollMs = Math.min(POLL_MAX_MS, renewMs);
  let started = false;
  let stopped = false;
  let leaseKept = false;
  let poller: NodeJS.Timeout | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  let jobPump: Promise<void> | null = null;
  let hookPump: Promise<void> | null = null;
  let wantJobs = false;
  let wantHooks = false;
  const stopping = new AbortController();

  const scheduleJobs = () => {
    wantJobs = true;
    if (jobPump || !started || stopped) return;
    jobPump = drainJobs()
      .catch((err) => {
        if (!stopped) log.error({ err }, "model backend worker could not take a job; it tries again");
      })
      .finally(() => {
        jobPump = null;
        if (wantJobs && !stopped) scheduleJobs();
      });
  };
  const scheduleHooks = () => {
    wantHooks = true;
    if (hookPump || !started || stopped) return;
    hookPump = drainHooks()
      .catch((err) => {
        if (!stopped) log.error({ err }, "model backend worker could not deliver a webhook; it tries again");
      })
      .finally(() => {
        hookPump = null;
        if (wantHooks && !stopped) scheduleHooks();
      });
  };
  const wake = () => {
    scheduleJobs();
    scheduleHooks();
  };

  const drainJobs = async () => {
    while (!stopped) {
      wantJobs = false;
      const now = Date.now();
      const job = await repo.claimJob(instance, now, now + leaseMs);
      if (!job) return;
      await runJob(job.id, job.backend_id, job.project_id, job.public_url, job.created_by);
    }
  };

  const runJob = async (
    jobId: number,
    backendId: number,
    projectId: number,
    publicUrlOfJob: string,
    createdBy: string | null,
  ) => {
    let lost = false;
    let leaseEnd = Date.now() + leaseMs;
    let renewing = false;
    const renewer = setInterval(() => {
      if (renewing || lost || leaseKept) return;
      renewing = true;
      const until = Date.now() + leaseMs;
      repo
        .renewJob(jobId, instance, until)
        .then((held) => {
          if (held) leaseEnd = until;
          else lost = true;
        })
        .catch((err) => log.warn({ err, jobId }, "could not renew a model backend job's lease"))
        .finally(() => {
          renewing = false;
        });
    }, renewMs);
    const gone = () => stopped || lost || Date.now() >= leaseEnd;
    let keyId: number | null = null;
    try {
      const backend = await repo.backendRow(backendId);
      const project = await deps.sql
        .selectFrom("projects")
        .select("created_at")
        .where("id", "=", projectId)
        .executeTakeFirst();
      const user = createdBy
        ? await deps.sql.selectFrom("users").select("id").where("email", "=", createdBy).executeTakeFirst()
        : undefined;
      if (!backend || !project) return;
      const fail = async (error: string) => {
        await repo.finishJob(deps.sql, jobId, instance, { state: "failed", error, now: deps.now() });
        await repo.dropJobPredictions(deps.sql, jobId);
      };
      if (!user) {
        await fail(
          `the job's creator (${createdBy ?? "nobody"}) no longer exists, so no image key can act for them`,
        );
        return;
      }
      const labels = await repo.labels(deps.sql, projectId);
      const publicUrl = deps.config.publicUrl ?? publicUrlOfJob;
      const issued = await issueImageKey(deps, { id: backendId, projectId }, user.id, KEY_AFTER_JOB_MS);
      keyId = issued.id;
      const ctx = {
        target: targetOf(backend),
        publicUrl,
        projectRef: lsProjectRef(projectId, project.created_at),
        labelConfig: labelConfigXml(labels),
        labels,
        extraParams: JSON.parse(backend.extra_params) as Record<string, unknown>,
        key: issued.key,
      };
      const setup = await sendSetup(ctx, stopping.signal);
      if (gone()) return;
      if (setup.exchange.error !== null) {
        await fail(`POST /setup failed: ${failureText(setup.exchange)}`);
        return;
      }
      const pending = await repo.pendingImages(jobId);
      const batches: (typeof pending)[] = [];
      for (let i = 0; i < pending.length; i += backend.batch_size)
        batches.push(pending.slice(i, i + backend.batch_size));
      let next = 0;
      let cancelled = false;
      // `max_concurrency` lanes take batches in order: at most that many requests in flight.
      const lane = async () => {
        while (!cancelled && !gone()) {
          const batch = batches[next++];
          if (!batch) return;
          const { exchange, reply } = await predictBatch(ctx, batch, stopping.signal);
          if (gone()) return;
          const problems: BackendJobProblem[] = [];
          const done: { imageId: number; predictions: StoredPrediction[] }[] = [];
          let failed: number[] = [];
          if (!reply) {
            failed = batch.map((b) => b.id);
            const text = `POST /predict failed: ${failureText(exchange)}`;
            problems.push({
              imageId: batch.length === 1 ? (batch[0]?.id ?? null) : null,
              message: batch.length === 1 ? text : `${text} (images ${failed.join(", ")})`,
            });
          } else {
            failed = reply.unanswered;
            for (const a of reply.answered) done.push({ imageId: a.imageId, predictions: a.predictions });
            for (const p of reply.problems)
              problems.push({ imageId: p.imageId, where: p.where, message: p.message });
          }
          const recorded = await repo.recordBatch(jobId, instance, {
            done,
            failed,
            problems,
            modelVersion: reply?.modelVersion ?? null,
            now: deps.now(),
          });
          if (!recorded) cancelled = true;
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, backend.max_concurrency) }, lane));
      if (cancelled || gone()) return;
      await writeRun(jobId, projectId, backend.name);
    } catch (err) {
      if (!gone()) {
        log.error({ err, jobId }, "model backend job failed unexpectedly");
        await repo
          .finishJob(deps.sql, jobId, instance, {
            state: "failed",
            error: `internal error: ${err instanceof Error ? err.message : String(err)}`,
            now: deps.now(),
          })
          .catch(() => undefined);
      }
    } finally {
      clearInterval(renewer);
      if (keyId !== null)
        await repo
          .expireKeyAt(keyId, new Date(Date.now() + KEY_AFTER_JOB_MS).toISOString())
          .catch(() => undefined);
      if ((stopped || lost) && !leaseKept) await repo.releaseJob(jobId, instance).catch(() => undefined);
    }
  };

  /**
   * The job's end: every kept prediction written as one run (createPredictionRun: one transaction),
   * then the job marked done with the run's id. Should the job have been cancelled or taken over in
   * between, the run just written is removed again, so no run exists without its job saying so.
   */
  const writeRun = async (jobId: number, projectId: number, backendName: string) => {
    const job = await repo.jobRow(jobId);
    if (job?.state !== "running") return;
    const rows = await repo.donePredictions(deps.sql, jobId);
    if (rows.length === 0) {
      const first = (JSON.parse(job.problems) as BackendJobProblem[])[0];
      await repo.finishJob(deps.sql, jobId, instance, {
        state: "failed",
        error: `no image was predicted${first ? `: ${first.message}` : ""}`,
        now: deps.now(),
      });
      return;
    }
    // A label deleted while the job ran: its predictions go (said in the job's problems), so the
    // run's all-or-nothing write does not refuse every other prediction for them.
    const liveLabels = new Set((await repo.labels(deps.sql, projectId)).map((l) => l.id));
    const goneLabels = new Map<string, number>();
    const predictions = rows.flatMap((r) =>
      (JSON.parse(r.predictions ?? "[]") as StoredPrediction[]).flatMap((p) => {
        if (!liveLabels.has(p.labelId)) {
          goneLabels.set(p.modelLabel, (goneLabels.get(p.modelLabel) ?? 0) + 1);
          return [];
        }
        return [{ imageId: r.image_id, labelId: p.labelId, geometry: p.geometry, score: p.score }];
      }),
    );
    if (goneLabels.size > 0)
      await repo.recordBatch(jobId, instance, {
        done: [],
        failed: [],
        problems: [...goneLabels].map(([label, n]) => ({
          imageId: null,
          message: `label \`${label}\` was deleted while the job ran: its ${n} prediction(s) were not written`,
        })),
        modelVersion: null,
        now: deps.now(),
      });
    const labelMap = new Map<string, number>();
    for (const r of rows)
      for (const p of JSON.parse(r.predictions ?? "[]") as StoredPrediction[])
        labelMap.set(p.modelLabel, p.labelId);
    const run = await createPredictionRun(deps, {
      projectId,
      modelName: backendName,
      modelVersion: job.model_version ?? "unknown",
      source: "backend",
      labelMap: [...labelMap].map(([modelLabel, labelId]) => ({ modelLabel, labelId })),
      params: { backendId: job.backend_id, jobId, images: job.total },
      createdBy: job.created_by,
      predictions,
    });
    const finished = await deps.sql.transaction().execute(async (trx) => {
      const ok = await repo.finishJob(trx, jobId, instance, {
        state: "done",
        run_id: run.id,
        now: deps.now(),
      });
      if (ok) await repo.dropJobPredictions(trx, jobId);
      return ok;
    });
    if (!finished) await deps.sql.deleteFrom("prediction_runs").where("id", "=", run.id).execute();
  };

  const drainHooks = async () => {
    while (!stopped) {
      wantHooks = false;
      const now = Date.now();
      const hook = await repo.claimWebhook(instance, now, now + leaseMs);
      if (!hook) return;
      const backend = await repo.backendRow(hook.backend_id);
      if (!backend) continue;
      const sent = await send(
        targetOf(backend),
        "webhook",
        "POST",
        "/webhook",
        JSON.parse(hook.payload) as unknown,
        [],
        stopping.signal,
      );
      if (stopped && !sent.exchange.response) return;
      const attempts = hook.attempts + 1;
      if (sent.exchange.response && sent.exchange.response.status < 300) {
        await repo.settleWebhook(hook.id, instance, {
          state: "delivered",
          attempts,
          last_error: null,
          delivered_at: deps.now(),
        });
        continue;
      }
      const pause = WEBHOOK_BACKOFF_MS[attempts - 1];
      await repo.settleWebhook(hook.id, instance, {
        attempts,
        last_error: failureText(sent.exchange),
        ...(pause === undefined ? { state: "failed" } : { next_attempt_at: Date.now() + pause }),
      });
    }
  };

  return {
    instance,
    wake,
    start: () => {
      if (started || stopped) return;
      started = true;
      wake();
      poller = setInterval(wake, pollMs);
      poller.unref();
      // Expired image keys are refused already; this only keeps the table small.
      sweeper = setInterval(() => {
        void repo
          .deleteExpiredKeys(deps.now())
          .catch((err) => log.warn({ err }, "could not remove expired image keys"));
      }, KEY_SWEEP_MS);
      sweeper.unref();
    },
    idle: async () => {
      for (;;) {
        const j = jobPump;
        const h = hookPump;
        if (!j && !h) return;
        await Promise.all([j, h]);
      }
    },
    stop: async (opts = {}) => {
      stopped = true;
      leaseKept = opts.keepLease === true;
      if (poller) clearInterval(poller);
      if (sweeper) clearInterval(sweeper);
      stopping.abort();
      while (jobPump || hookPump) await Promise.all([jobPump, hookPump]);
    },
  };
};
