export { decodeCocoResults, looksLikeCocoResults } from "./coco-results.js";
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
export { decodeRleString, maskBox, type Rle, readRle, rleToMask, type TracedMask, traceMask } from "./rle.js";
export type { DecodedPrediction, DecodedPredictions, PredictionImageRef } from "./types.js";
export { decodeYoloPredictions, type TextFile } from "./yolo.js";
