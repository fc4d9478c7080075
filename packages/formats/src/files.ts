import type { DatasetFiles } from "./types.js";

/** Every annotation file of a dataset: held ones first, then those read on demand. */
export const textPaths = (files: DatasetFiles): string[] => [
  ...files.texts.keys(),
  ...(files.lazy?.keys() ?? []),
];

export const readText = (files: DatasetFiles, path: string): string => {
  const held = files.texts.get(path);
  if (held !== undefined) return held;
  return files.lazy?.get(path)?.text() ?? "";
};

/** A file in pieces: big JSON is read this way so it is never one string. */
export const readChunks = (files: DatasetFiles, path: string): Iterable<string> => {
  const held = files.texts.get(path);
  if (held !== undefined) return [held];
  return files.lazy?.get(path)?.chunks() ?? [];
};
