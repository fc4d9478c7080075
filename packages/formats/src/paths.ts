/** Path helpers for dataset-internal paths: always `/`-separated, relative, no `.` or `..`. */

export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"] as const;

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

/** The path without its file's extension, folders kept: `cam_a/0001.jpg` gives `cam_a/0001`. */
export const withoutExtension = (p: string): string => p.slice(0, p.length - extname(p).length);

export const joinPath = (...parts: string[]): string =>
  normalizePath(parts.filter((p) => p !== "").join("/"));

export const isImagePath = (p: string): boolean =>
  (IMAGE_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase());

const NON_ASCII = /[^\p{ASCII}]/u;
/**
 * Key for "same name" checks: case-insensitive and Unicode-normalized, as file systems compare.
 * An import calls it per annotation (its image and label names): ASCII, already normal and
 * lower-cased the same by both, skips the locale-aware path, which made 0.3-0.5 s of a million.
 */
export const nameKey = (s: string): string =>
  !NON_ASCII.test(s) ? s.toLowerCase() : s.normalize("NFC").toLocaleLowerCase("en-US");
