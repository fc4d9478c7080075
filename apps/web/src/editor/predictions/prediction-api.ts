import { call } from "../../api/client";
import type { PredictionApi } from "./prediction-session";

/** The browser's prediction endpoints, through the contract (packages/schema predictions-contract.ts). */
export const predictionApi: PredictionApi = {
  imagePredictions: (imageId) => call("imagePredictions", { params: { imageId } }),
  decide: (imageId, body) =>
    call("decidePredictions", { params: { imageId }, body }).then((r) => r.predictions),
  run: (runId) => call("getPredictionRun", { params: { runId } }),
  calibration: (runId, targetPrecision) =>
    call("predictionCalibration", { params: { runId }, query: { targetPrecision } }),
};
