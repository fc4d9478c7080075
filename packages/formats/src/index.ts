export { LabelAttributes, type RawAttributeValue } from "./attributes.js";
export {
  decodeClassificationCsv,
  decodeImagenet,
  looksLikeClassificationCsv,
  looksLikeImagenet,
  splitLabels,
} from "./classification/decode.js";
export {
  csvImagePath,
  encodeClassificationCsv,
  encodeImagenet,
  LABEL_SEPARATOR,
} from "./classification/encode.js";
export { classFolders } from "./classification/folders.js";
export { decodeCoco, looksLikeCoco, looksLikeCocoFile } from "./coco/decode.js";
export { cocoAnnotation, cocoAnnotationPath, encodeCoco } from "./coco/encode.js";
export {
  type CategoryResult,
  type CocoBox,
  type CocoPolygons,
  type DetectionEvaluation,
  type DetectionSummary,
  type EvalDetection,
  type EvalGroundTruth,
  type EvalInput,
  evaluateDetections,
  type IouType,
} from "./coco/evaluate.js";
export { cocoSelfEvaluation, validateCocoForPycocotools } from "./coco/validate.js";
export type { DecodeOptions } from "./decode-common.js";
export { encodeDataset, encodeToFiles } from "./export.js";
export { type Conversion, conversionOf, type ExportName, exportNames } from "./export-names.js";
export { readChunks, readText, textPaths } from "./files.js";
export { type Detection, decodeDataset, detectFormat, isDatasetTextPath, isImagePath } from "./import.js";
export { imagePathIn, MANIFEST_PATH, MANIFEST_VERSION } from "./manifest.js";
export { keepOutlines, MIN_OUTLINE_AREA } from "./outlines.js";
export {
  basename,
  extname,
  nameKey,
  normalizePath,
  stemOf,
  withoutExtension,
} from "./paths.js";
export { planExport, splitMajor } from "./plan.js";
export * from "./predictions/index.js";
export { formatProblem, ProblemLog } from "./problems.js";
export { type ExportReport, REPORT_CODES, type ReportCode, type ReportItem } from "./report.js";
export { boxFromCorners, checkShape } from "./shapes.js";
export { assignSplits, formatSplit, parseSplit, splitCounts, splitHash } from "./split.js";
export * from "./types.js";
export { decodeVoc } from "./voc/decode.js";
export { toVocBox, vocXml } from "./voc/encode.js";
export { decodeYolo } from "./yolo/decode.js";
export { dataYaml, yoloAxis, yoloBoxLine } from "./yolo/encode.js";
