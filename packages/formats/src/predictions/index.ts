export {
  convertLabelStudioResult,
  decodeLabelStudioPredictions,
  fractionToPixels,
  type LabelStudioProblem,
  type LabelStudioShape,
  labelStudioImageNames,
  labelStudioResultToPixels,
  rotatedBoxCorners,
} from "./labelstudio.js";
export type { DecodedPrediction, DecodedPredictions, PredictionImageRef } from "./types.js";
