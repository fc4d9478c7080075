import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf, authOf } from "../auth/context.js";
import { notifyAnnotationSaved, notifyAnnotationsSaved } from "../model-backends/router.js";
import type { SaveCaller } from "../review/save-guard.js";
import { importPredictions } from "./import.js";
import { predictionService } from "./service.js";

/** Who decides, for the workflow's rule on images someone else holds (review/save-guard.ts). */
const callerOf = (res: Response): SaveCaller | undefined => {
  const user = authOf(res)?.user;
  return user && { userId: user.id, role: user.role };
};

/** Model-assisted labeling (issue 17): prediction runs, their import, and decisions on them. */
export const predictionsRouter = (deps: Deps): Router => {
  const r = Router();
  const service = predictionService(deps);
  route(r, api.listPredictionRuns, async ({ params }) => ({ items: await service.list(params.projectId) }));
  route(r, api.getPredictionRun, ({ params }) => service.get(params.runId));
  route(r, api.updatePredictionRun, ({ params, body }) => service.update(params.runId, body));
  route(r, api.deletePredictionRun, async ({ params, res }) => {
    await service.remove(params.runId);
    res.status(204).end();
  });
  route(r, api.importPredictions, ({ params, query, req, res }) =>
    importPredictions(deps, params.projectId, query, req, actorOf(res)),
  );
  route(r, api.imagePredictions, ({ params }) => service.forImage(params.imageId));
  route(r, api.decidePredictions, async ({ params, body, req, res }) => {
    const { setChanged, ...decided } = await service.decide(
      params.imageId,
      body,
      actorOf(res),
      callerOf(res),
    );
    // Accepting a tag (or reopening one, which takes it off) changed the image's set: a save.
    if (setChanged) notifyAnnotationSaved(deps, req, res, params.imageId);
    return decided;
  });
  route(r, api.acceptPredictionRun, async ({ params, body, req, res }) => {
    const { result, savedImageIds } = await service.acceptRun(
      params.runId,
      body,
      actorOf(res),
      callerOf(res),
    );
    // Each image it saved tells the model servers, as a save of that image does.
    notifyAnnotationsSaved(deps, req, res, savedImageIds);
    return result;
  });
  route(r, api.predictionCalibration, ({ params, query }) => service.calibration(params.runId, query));
  return r;
};
