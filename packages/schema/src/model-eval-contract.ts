import { z } from "zod";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import { ActiveLearningPatch, ActiveLearningSettings, ModelEvaluation } from "./model-eval.js";

/** "Does the model help?" and active learning (issue 17). docs/quality-metrics.md, "Model versions". */
const ProjectParams = z.object({ projectId: IdParam });

export const modelEvalApi = {
  modelEvaluation: endpoint({
    method: "GET",
    path: "/projects/:projectId/model-evaluation",
    summary:
      "Per model version (live prediction run, oldest first): COCO mAP@[.5:.95], AP50, AP75 and AR@100 on the gold images, acceptance rate and mean edit from the decisions, active seconds per image with its predictions, and the no-prediction baseline; each with its sample size",
    params: ProjectParams,
    response: ModelEvaluation,
  }),
  getActiveLearning: endpoint({
    method: "GET",
    path: "/projects/:projectId/active-learning",
    summary:
      "The work queue's order: upload order, or the model's uncertainty mixed with diversity across labels",
    params: ProjectParams,
    response: ActiveLearningSettings,
  }),
  putActiveLearning: endpoint({
    method: "PUT",
    path: "/projects/:projectId/active-learning",
    summary: "Change the work queue's order (fields left out stay as they are)",
    params: ProjectParams,
    body: ActiveLearningPatch,
    response: ActiveLearningSettings,
  }),
};
