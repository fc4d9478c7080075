import type { ImagePredictions, Prediction, PredictionRun } from "@labelbench/schema";

export const makeRun = (over: Partial<PredictionRun> & Pick<PredictionRun, "id">): PredictionRun => ({
  projectId: 1,
  modelName: "yolov8n",
  modelVersion: "1",
  source: "coco-results",
  labelMap: [],
  params: {},
  trainedOnVersion: null,
  createdBy: "ml@example.com",
  createdAt: "2026-12-07T10:00:00.000Z",
  counts: { pending: 0, accepted: 0, edited: 0, rejected: 0 },
  imageCount: 1,
  ...over,
});

export const box = (x: number, y: number, width: number, height: number) => ({
  type: "box" as const,
  x,
  y,
  width,
  height,
});

export const makePrediction = (over: Partial<Prediction> & Pick<Prediction, "id" | "score">): Prediction => ({
  runId: 1,
  imageId: 1,
  labelId: 1,
  geometry: box(10 * over.id, 10, 40, 30),
  state: "pending",
  annotationId: null,
  decidedBy: null,
  decidedAt: null,
  ...over,
});

export const makeImagePredictions = (
  predictions: Prediction[],
  runs = [makeRun({ id: 1 })],
): ImagePredictions => ({
  imageId: 1,
  runs,
  predictions,
});
