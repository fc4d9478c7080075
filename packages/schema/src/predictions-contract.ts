import { z } from "zod";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import {
  AcceptRunRequest,
  AcceptRunResult,
  Calibration,
  CalibrationQuery,
  ImagePredictions,
  PredictionDecisionResult,
  PredictionDecisions,
  PredictionImportQuery,
  PredictionImportReport,
  PredictionRun,
  PredictionRunPatch,
} from "./predictions.js";

/** Model-assisted labeling (issue 17): prediction runs, their import, and decisions on them. */
const ProjectParams = z.object({ projectId: IdParam });
const ImageParams = z.object({ imageId: IdParam });
const RunParams = z.object({ runId: IdParam });

export const predictionsApi = {
  listPredictionRuns: endpoint({
    method: "GET",
    path: "/projects/:projectId/prediction-runs",
    summary:
      "The project's prediction runs (newest first) with pending / accepted / edited / rejected counts",
    params: ProjectParams,
    response: z.object({ items: z.array(PredictionRun) }),
  }),
  getPredictionRun: endpoint({
    method: "GET",
    path: "/prediction-runs/:runId",
    summary: "One prediction run with its counts",
    params: RunParams,
    response: PredictionRun,
  }),
  updatePredictionRun: endpoint({
    method: "PATCH",
    path: "/prediction-runs/:runId",
    summary: "Rename a run's model or version, or name the dataset version it was trained on",
    params: RunParams,
    body: PredictionRunPatch,
    response: PredictionRun,
  }),
  deletePredictionRun: endpoint({
    method: "DELETE",
    path: "/prediction-runs/:runId",
    summary:
      "Remove the run's pending predictions in one step; decided ones (and the annotations they became) stay for the run's metrics",
    params: RunParams,
    status: 204,
  }),
  importPredictions: endpoint({
    method: "POST",
    path: "/projects/:projectId/predictions/import",
    summary:
      "Import a model's predictions as a new run: COCO results JSON, YOLO label files with a confidence column (zip), or Label Studio JSON; dryRun=true only reports; all or nothing",
    params: ProjectParams,
    query: PredictionImportQuery,
    response: PredictionImportReport,
    raw: { request: "application/json, application/zip or multipart/form-data" },
  }),
  imagePredictions: endpoint({
    method: "GET",
    path: "/images/:imageId/predictions",
    summary: "The image's predictions from every live run (all states), and those runs",
    params: ImageParams,
    response: ImagePredictions,
  }),
  decidePredictions: endpoint({
    method: "POST",
    path: "/images/:imageId/predictions/decisions",
    summary:
      "Reject pending predictions of the image, or reopen decided ones (undo); accepting is an annotation save with predictionId",
    params: ImageParams,
    body: PredictionDecisions,
    response: PredictionDecisionResult,
  }),
  acceptPredictionRun: endpoint({
    method: "POST",
    path: "/prediction-runs/:runId/accept",
    summary:
      "Accept every pending prediction of the run at or above minScore (optionally per label or image) as annotations",
    params: RunParams,
    body: AcceptRunRequest,
    response: AcceptRunResult,
  }),
  predictionCalibration: endpoint({
    method: "GET",
    path: "/prediction-runs/:runId/calibration",
    summary: "Acceptance rate per score bin and the threshold suggested for a target precision",
    params: RunParams,
    query: CalibrationQuery,
    response: Calibration,
  }),
} as const;
