/** Path helpers for dataset-internal paths: always `/`-separated, relative, no `.` or `..`. */

export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"] as const;

const EXT_OF_FORMAT: Record<string, string> = {
  jpeg: ".jpg",
  png: ".png",
  webp: ".webp",
  tiff: ".tif",
  bmp: ".bmp",
  gif: ".gif",
};

/** Turns `a\\b/./c/../d` into `a/b/d`; leading `/` and `..` that climb out are dropped. */
export const normalizePath = (p: string): string => {
  const out: string[] = [];
  for (const part of p.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
};

export const dirname = (p: string): string => {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
};

export const basename = (p: string): string => {
  const n = p.replace(/\\/g, "/");
  return n.slice(n.lastIndexOf("/") + 1);
};

export const extname = (p: string): string => {
  const b = basename(p);
  const i = b.lastIndexOf(".");
  return i <= 0 ? "" : b.slice(i);
};

export const stemOf = (p: string): string => {
  const b = basename(p);
  const e = extname(b);
  return e ? b.slice(0, -e.length) : b;
};

export const joinPath = (...parts: string[]): string =>
  normalizePath(parts.filter((p) => p !== "").join("/"));

export const isImagePath = (p: string): boolean =>
  (IMAGE_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase());

/** Key for "same name" checks: case-insensitive and Unicode-normalized, as file systems compare. */
export const nameKey = (s: string): string => s.normalize("NFC").toLocaleLowerCase("en-US");

/**
 * A file name safe on Windows, macOS and Linux: the last path segment, control characters and
 * `<>:"|?*` replaced by `_`, no trailing dots or spaces. Unicode and inner spaces are kept.
 */
export const safeFileName = (name: string): string => {
  const cleaned = basename(name)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_")
    .replace(/[. ]+$/, "")
    .trim();
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "image" : cleaned;
};

/**
 * Gives every image a name unique across the export, compared case-insensitively by stem (YOLO
 * label files and VOC XML files are named by stem, and `a.jpg` / `A.png` would collide on a
 * case-insensitive disk). The first image (in plan order) keeps its name; later ones get `_2`,
 * `_3`, ... Names lacking an image extension get the one of their stored format.
 */
export const uniqueExportNames = (images: readonly { fileName: string; format: string }[]): string[] => {
  const used = new Set<string>();
  return images.map(({ fileName, format }) => {
    let name = safeFileName(fileName);
    if (!isImagePath(name)) name += EXT_OF_FORMAT[format] ?? ".jpg";
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    let candidate = stem;
    for (let n = 2; used.has(nameKey(candidate)); n++) candidate = `${stem}_${n}`;
    used.add(nameKey(candidate));
    // The unchanged name keeps its original string: 100,000 plan entries, not 100,000 copies.
    return candidate === stem && name === fileName ? fileName : candidate + ext;
  });
};
