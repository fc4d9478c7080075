export * from "./auth.js";
export * from "./contract.js";
export * from "./datasets-contract.js";
export * from "./domain.js";
export * from "./errors.js";
export * from "./fast-parse.js";
export * from "./image-path.js";
export * from "./natural-order.js";
