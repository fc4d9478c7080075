export * from "./polygon.js";
export * from "./random.js";
export * from "./rect.js";
export * from "./spatial-index.js";
export * from "./tiles.js";
export * from "./types.js";
export * from "./validity.js";
export * from "./viewport.js";
