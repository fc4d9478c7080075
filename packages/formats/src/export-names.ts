import { IMAGE_EXTENSIONS, nameKey, normalizePath } from "./paths.js";
import type { FormatId } from "./types.js";

/**
 * Where each image goes inside an export, and under which name. One function for every format,
 * so the rule is written down once (docs/formats.md, "File names"):
 *
 * - The input is the image's path in the project (`cam_a/0001.jpg`) or, lacking one, its file name.
 * - COCO and YOLO keep the folders; VOC, whose readers open `JPEGImages/<id>.jpg` for ids listed
 *   one per line, joins them into the id with `_`.
 * - Every segment loses what a file system refuses (`<>:"|?*`, control characters, trailing dots
 *   and spaces). VOC ids also lose whitespace and `#` (Detectron2 reads the id list with
 *   `np.loadtxt`, which splits on whitespace and cuts at `#`).
 * - YOLO: a folder named `images` becomes `images_`, because Ultralytics finds an image's label
 *   file by replacing the *last* `/images/` of its path with `/labels/`.
 * - The extension is the written format's (after a conversion, see `conversionOf`). A name whose
 *   extension already names that format keeps it as it is; VOC always writes `.jpg`.
 * - Unique by folder and stem, compared case-insensitively (label and XML files are named by stem,
 *   and `a.jpg` / `A.png` collide on macOS and Windows): the first image in id order keeps its
 *   name, later ones get `_2`, `_3`, ... A folder never takes the name of a file, nor a file that
 *   of a folder.
 */

/** The format an image is converted to on the way out, or null when its bytes are copied. */
export type Conversion = "jpeg" | "png" | null;

/**
 * VOC readers open `<id>.jpg`: every other format becomes JPEG. Ultralytics does not list GIF
 * among its image formats (it skips the file and its labels), nor does torchvision's ImageFolder
 * (the ImageNet layout): GIF becomes PNG. COCO readers open whatever `file_name` says.
 */
export const conversionOf = (format: FormatId, stored: string): Conversion => {
  if (format === "voc") return stored === "jpeg" ? null : "jpeg";
  if ((format === "yolo" || format === "yolo-seg" || format === "imagenet") && stored === "gif") return "png";
  return null;
};

/** Extensions each stored format may keep (lower case); the first is the one written otherwise. */
const EXTENSIONS: Record<string, readonly string[]> = {
  jpeg: [".jpg", ".jpeg", ".jpe"],
  png: [".png"],
  webp: [".webp"],
  tiff: [".tif", ".tiff"],
  bmp: [".bmp"],
  gif: [".gif"],
};

/** `.jpg` of `a.b.jpg` or `x/a.jpg`; "" for `noext`, `.hidden` and `x.y/noext`. */
const extOf = (path: string): string => {
  const i = path.lastIndexOf(".");
  return i <= path.lastIndexOf("/") + 1 ? "" : path.slice(i);
};

/** The extension an image is written with, given its own (image) extension and the written format. */
const extensionFor = (own: string, written: string, format: FormatId): string => {
  if (format === "voc") return ".jpg";
  const allowed = EXTENSIONS[written] ?? [".jpg"];
  return allowed.includes(own.toLowerCase()) ? own : (allowed[0] as string);
};

/** Anything `cleanSegment` would change (most names need nothing: one test instead of four passes). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
const UNCLEAN = /[\u0000-\u001f\u007f<>:"|?*]|[. ]$|^\s|\s$|^\.{0,2}$/;
const UNCLEAN_VOC = /[\s#]/u;

const cleanSegment = (segment: string, format: FormatId, empty = "_"): string => {
  if (!UNCLEAN.test(segment) && !(format === "voc" && UNCLEAN_VOC.test(segment))) return segment;
  let s = segment
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_")
    .replace(/[. ]+$/, "")
    .trim();
  if (format === "voc") s = s.replace(/[\s#]/gu, "_");
  return s === "" || s === "." || s === ".." ? empty : s;
};

export interface ImageToName {
  /** The image's path in the project (folders and file name), or its file name. */
  readonly path: string;
  /** Stored format (jpeg, png, ...). */
  readonly format: string;
}

export interface ExportName {
  /** Relative to the format's image folder (`images/<split>/`, `JPEGImages/`), with its extension. */
  readonly name: string;
  /** `name` without its extension: names the label or XML file. */
  readonly stem: string;
  readonly conversion: Conversion;
}

/** Names every image of an export, in the order given (database id order). Deterministic. */
export const exportNames = (images: readonly ImageToName[], format: FormatId): ExportName[] => {
  /** Folder as found (case-insensitive key) -> folder as written. */
  const folders = new Map<string, string>();
  /** Keys of every written folder. */
  const folderKeys = new Set<string>();
  /** Key of `folder/stem` -> the lower-cased extension of the file written there. */
  const stems = new Map<string, string>();

  const isFile = (path: string) => {
    const ext = extOf(path);
    return ext !== "" && stems.get(nameKey(path.slice(0, -ext.length))) === ext.toLowerCase();
  };

  const folderOf = (segments: readonly string[]): string => {
    let written = "";
    let found = "";
    for (const segment of segments) {
      found += `/${nameKey(segment)}`;
      let next = folders.get(found);
      if (next === undefined) {
        let base = cleanSegment(segment, format);
        if ((format === "yolo" || format === "yolo-seg") && nameKey(base) === "images") base += "_";
        const prefix = written === "" ? "" : `${written}/`;
        let candidate = prefix + base;
        for (let n = 2; isFile(candidate); n++) candidate = `${prefix}${base}_${n}`;
        next = candidate;
        folders.set(found, next);
        folderKeys.add(nameKey(next));
      }
      written = next;
    }
    return written;
  };

  return images.map(({ path, format: stored }) => {
    const conversion = conversionOf(format, stored);
    // Most images have a bare file name: no path to take apart (100,000 names per export).
    const segments = /[/\\]/.test(path) ? normalizePath(path).split("/") : [path];
    const file = segments.pop() ?? "";
    const own = extOf(file);
    const hasImageExt = (IMAGE_EXTENSIONS as readonly string[]).includes(own.toLowerCase());
    const fileStem = hasImageExt ? file.slice(0, file.length - own.length) : file;
    const ext = extensionFor(hasImageExt ? own : "", conversion ?? stored, format);
    let folder: string;
    let stem: string;
    if (format === "voc") {
      folder = "";
      stem = [...segments.map((s) => cleanSegment(s, format)), cleanSegment(fileStem, format, "image")].join(
        "_",
      );
    } else {
      folder = folderOf(segments);
      stem = cleanSegment(fileStem, format, "image");
    }
    const prefix = folder === "" ? "" : `${folder}/`;
    let candidate = stem;
    let key = nameKey(prefix + candidate);
    const isFolder = () => folderKeys.size > 0 && folderKeys.has(nameKey(prefix + candidate + ext));
    for (let n = 2; stems.has(key) || isFolder(); n++) {
      candidate = `${stem}_${n}`;
      key = nameKey(prefix + candidate);
    }
    stems.set(key, ext.toLowerCase());
    const fullStem = prefix + candidate;
    const name = fullStem + ext;
    // An unchanged name keeps the caller's string: 100,000 plan entries, not 100,000 copies; and
    // its stem is a slice of that string, where the concatenation above is a chain of pieces
    // (`cam_3/` + `img_0001`) that the plan would hold to the end (~3 MB at 100,000 images in folders).
    if (name === path) return { name: path, stem: path.slice(0, fullStem.length), conversion };
    return { name, stem: fullStem, conversion };
  });
};
