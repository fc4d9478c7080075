export * from "./assignment.js";
export * from "./interval.js";
export * from "./iou.js";
export * from "./match-image.js";
export * from "./metrics.js";
export * from "./options.js";
export * from "./totals.js";
export * from "./types.js";
