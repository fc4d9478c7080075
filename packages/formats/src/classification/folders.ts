import { nameKey } from "../paths.js";

/**
 * The class folder of each label in an ImageNet-style layout (`train/<folder>/<file>`), in the
 * order given. A label name is a folder name where a file system takes it as it is; otherwise:
 * `/` and `\` (which would nest folders) and what Windows refuses (`<>:"|?*`, control characters,
 * trailing dots and spaces) become `_`, a leading dot (a hidden folder) becomes `_`, and a name
 * equal to another's case-insensitively (as macOS and Windows compare, and as a zip unpacks there)
 * gets `_2`, `_3`… in label order. Deterministic from the list alone: the import computes the same
 * folders from `labels.txt` to map each folder back to its label.
 */
export const classFolders = (labels: readonly string[]): string[] => {
  const taken = new Set<string>();
  return labels.map((name) => {
    const base = cleanFolder(name);
    let folder = base;
    for (let n = 2; taken.has(nameKey(folder)); n++) folder = `${base}_${n}`;
    taken.add(nameKey(folder));
    return folder;
  });
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace
const REFUSED = /[\u0000-\u001f\u007f<>:"|?*/\\]/g;

const cleanFolder = (name: string): string => {
  const s = name
    .replace(REFUSED, "_")
    .replace(/[. ]+$/, "")
    .trim()
    .replace(/^\./, "_");
  return s === "" ? "_" : s;
};
