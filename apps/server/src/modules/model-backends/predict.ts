import type { BackendExchange } from "@labelbench/schema";
import { checkPredictionGeometry } from "../predictions/runs.js";
import { lsTask } from "./ls-payloads.js";
import { type BackendTarget, type Sent, send } from "./protocol.js";
import { type ReadReply, readPredictReply, type TaskImage } from "./reply.js";
import type { ProjectLabel } from "./repo.js";

/** What one /predict request needs besides its images. */
export interface PredictContext {
  target: BackendTarget;
  publicUrl: string;
  projectRef: string;
  labelConfig: string;
  labels: readonly ProjectLabel[];
  extraParams: Record<string, unknown>;
  key: string;
}

/** The /setup request as Label Studio sends it when a backend is connected or a job starts. */
export const sendSetup = (
  ctx: Omit<PredictContext, "labels" | "extraParams">,
  signal?: AbortSignal,
): Promise<Sent> =>
  send(
    ctx.target,
    "setup",
    "POST",
    "/setup",
    {
      project: ctx.projectRef,
      schema: ctx.labelConfig,
      hostname: ctx.publicUrl,
      access_token: ctx.key,
      model_version: null,
    },
    [ctx.key],
    signal,
  );

/**
 * One `/predict` request for a batch of images, and its reply read and checked: the predictions of
 * each image, what could not be converted (also shapes the image cannot hold, which would make the
 * run's write refuse everything), and the images the backend answered nothing usable for.
 */
export const predictBatch = async (
  ctx: PredictContext,
  images: readonly (TaskImage & { file_name?: string })[],
  signal?: AbortSignal,
): Promise<{ exchange: BackendExchange; reply: ReadReply | null }> => {
  const sent = await send(
    ctx.target,
    "predict",
    "POST",
    "/predict",
    {
      tasks: images.map((i) => lsTask(ctx.publicUrl, i)),
      project: ctx.projectRef,
      label_config: ctx.labelConfig,
      params: { login: null, password: null, context: null, ...ctx.extraParams },
    },
    [ctx.key],
    signal,
  );
  if (sent.exchange.error !== null) return { exchange: sent.exchange, reply: null };
  const reply = readPredictReply(sent.json, images, ctx.labels);
  const sizes = new Map(images.map((i) => [i.id, i]));
  for (const a of reply.answered) {
    const size = sizes.get(a.imageId);
    if (!size) continue;
    a.predictions = a.predictions.flatMap((p, i) => {
      if (!(p.score >= 0 && p.score <= 1)) {
        reply.problems.push({
          imageId: a.imageId,
          where: `prediction ${i}`,
          message: `score ${p.score} is not from 0 to 1`,
        });
        return [];
      }
      if (!p.geometry) return [p];
      const g = checkPredictionGeometry(p.geometry, size);
      if (g.ok) return [{ ...p, geometry: g.value }];
      reply.problems.push({
        imageId: a.imageId,
        where: `prediction ${i} (${p.modelLabel})`,
        message: `${g.reason} (image ${size.width} x ${size.height} px)`,
      });
      return [];
    });
  }
  return { exchange: sent.exchange, reply };
};
