export * from "./polygon.js";
export * from "./rect.js";
export * from "./spatial-index.js";
export * from "./types.js";
export * from "./validity.js";
export * from "./viewport.js";
export * from "./tiles.js";
