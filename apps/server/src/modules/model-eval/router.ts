import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { activeLearningService } from "./active-learning.js";
import { modelEvalService } from "./service.js";

/** Model versions' numbers and the queue's active-learning order (issue 17): wiring only. */
export const modelEvalRouter = (deps: Deps): Router => {
  const r = Router();
  const evaluation = modelEvalService(deps);
  const activeLearning = activeLearningService(deps);
  route(r, api.modelEvaluation, ({ params }) => evaluation.evaluate(params.projectId));
  route(r, api.getActiveLearning, ({ params }) => activeLearning.settings(params.projectId));
  route(r, api.putActiveLearning, ({ params, body }) => activeLearning.update(params.projectId, body));
  return r;
};
