import { XMLParser, XMLValidator } from "fast-xml-parser";
import { type DecodeOptions, DecodeState, splitFromName } from "../decode-common.js";
import { readText, textPaths } from "../files.js";
import { parseDecimal } from "../numbers.js";
import { basename, dirname, extname, joinPath, stemOf } from "../paths.js";
import type { DatasetFiles, Decoded, FindImage, SplitName } from "../types.js";

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name, jpath) =>
    jpath === "annotation.object" || name === "part" || jpath === "annotation.object.attributes.attribute",
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
/** Element text; empty elements (`<difficult/>`, as labelme writes) read as "". */
const text = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : v === undefined ? null : "";
/** Flags: empty or missing read as 0 (labelme writes `<truncated/>`). */
const flag = (v: unknown): number => {
  const t = text(v);
  return t === null || t === "" ? 0 : (parseDecimal(t) ?? 0);
};

/**
 * An entity declared as a file or URL (`<!ENTITY x SYSTEM "file:///etc/passwd">`, XXE): refused as
 * a problem of the file, where the XML parser would throw. Entities are never resolved here.
 */
const externalEntity = (xml: string): { line: number; message: string } | null => {
  const doctype = xml.indexOf("<!DOCTYPE");
  if (doctype < 0) return null;
  const m = /<!ENTITY\s+%?\s*[^\s>]+\s+(SYSTEM|PUBLIC)\b/.exec(xml.slice(doctype));
  if (!m) return null;
  return {
    line: xml.slice(0, doctype + m.index).split("\n").length,
    message: "declares an external entity (a DOCTYPE with SYSTEM or PUBLIC): VOC XML cannot refer to files",
  };
};

/** Class lists VOC itself lacks: ours (labels.txt), labelme's class_names.txt, CVAT's labelmap.txt. */
const LABEL_LISTS = ["labels.txt", "class_names.txt", "labelmap.txt"];

export const looksLikeVoc = (files: DatasetFiles): boolean => {
  const paths = textPaths(files);
  // The folder name first: it needs no file read.
  if (paths.some((p) => /(^|\/)Annotations\/[^/]+\.xml$/.test(p))) return true;
  return paths.some((p) => {
    if (extname(p).toLowerCase() !== ".xml") return false;
    const t = readText(files, p);
    return /<annotation[\s>]/.test(t) && t.includes("<object");
  });
};

/**
 * Pascal VOC XML, as the VOC devkit, labelme, CVAT and datumaro write it: bndbox in 1-based
 * inclusive pixel indices (floats accepted), read back as x = xmin - 1, width = xmax - xmin + 1;
 * empty `truncated`/`difficult` elements read as 0; parts and actions skipped with a warning.
 */
export const decodeVoc = (files: DatasetFiles, find: FindImage, options: DecodeOptions = {}): Decoded => {
  const st = new DecodeState(files, find, options);
  const paths = textPaths(files);

  const list = paths
    .filter((p) => LABEL_LISTS.includes(basename(p).toLowerCase()))
    .sort((a, b) => a.split("/").length - b.split("/").length)[0];
  if (list) {
    for (const l of readText(files, list).split(/\r?\n/)) {
      const name = l.split(":")[0]?.trim();
      if (name) st.declare(name);
    }
  }

  const splits = new Map<string, SplitName>();
  for (const p of paths) {
    const m = /(^|\/)ImageSets\/Main\/(train|val|test)\.txt$/.exec(p);
    const split = m?.[2] ? splitFromName(m[2]) : null;
    if (!split) continue;
    for (const stem of readText(files, p).split(/\r?\n/)) {
      const s = stem.trim().split(/\s+/)[0];
      if (s) splits.set(s, split);
    }
  }

  const described = new Set<string>();
  for (const file of paths) {
    if (extname(file).toLowerCase() !== ".xml") continue;
    // One XML read at a time (the server reads it from the zip now, not before).
    const xml = readText(files, file);
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      if (file.includes("Annotations/") || xml.includes("<annotation"))
        st.log.error(file, `line ${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`);
      else st.ignored.push(file);
      continue;
    }
    const external = externalEntity(xml);
    if (external) {
      st.log.error(file, `line ${external.line}`, external.message);
      continue;
    }
    const doc = parser.parse(xml) as Node;
    const ann = doc.annotation;
    if (!isNode(ann)) {
      st.ignored.push(file);
      continue;
    }
    decodeVocFile(st, file, ann, splits, described);
  }

  // JPEGImages without an XML file: background images. Other images (masks) are not the dataset.
  for (const p of files.imagePaths) {
    if (described.has(p)) continue;
    if (dirname(p).split("/").pop() === "JPEGImages") {
      st.image(
        { path: p, fileName: basename(p), stem: stemOf(p) },
        p,
        undefined,
        splits.get(stemOf(p)) ?? null,
      );
    } else st.ignored.push(p);
  }
  for (const p of paths) {
    const isSplitList = /(^|\/)ImageSets\/Main\/(train|val|test)\.txt$/.test(p);
    if (
      extname(p).toLowerCase() === ".txt" &&
      !isSplitList &&
      !LABEL_LISTS.includes(basename(p).toLowerCase())
    )
      st.ignored.push(p);
  }
  st.readClassificationCsv();
  return st.finish("voc");
};

const decodeVocFile = (
  st: DecodeState,
  file: string,
  ann: Node,
  splits: ReadonlyMap<string, SplitName>,
  described: Set<string>,
) => {
  const fileName = text(ann.filename)?.trim() || `${stemOf(file)}.jpg`;
  const dir = dirname(file);
  const path = st.resolvePath(
    [joinPath(dir, "..", "JPEGImages", fileName), joinPath(dir, fileName), joinPath(dir, "..", fileName)],
    fileName,
  );
  if (path) described.add(path);
  const img = st.image(
    { path, fileName: basename(fileName), stem: stemOf(fileName) },
    file,
    undefined,
    splits.get(stemOf(file)) ?? null,
  );
  if (!img) return;
  const size = isNode(ann.size) ? ann.size : {};
  const w = parseDecimal(text(size.width) ?? "");
  const h = parseDecimal(text(size.height) ?? "");
  // Some tools write 0 when they did not know the size; only a real size is checked.
  if (w && h && !st.checkDeclaredSize(img, { width: w, height: h }, file, "size")) return;

  const objects = Array.isArray(ann.object) ? ann.object : [];
  objects.forEach((o: unknown, i) => {
    const where = `object ${i + 1}`;
    if (!isNode(o)) {
      st.invalid(file, where, "not an element with children");
      return;
    }
    const name = text(o.name)?.trim() ?? "";
    if (name === "") {
      st.invalid(file, `${where} name`, "missing or empty");
      return;
    }
    if (name.length > 100) {
      st.invalid(file, `${where} name`, "longer than 100 characters");
      return;
    }
    const bb = isNode(o.bndbox) ? o.bndbox : null;
    if (!bb) {
      st.invalid(file, `${where} (${name}) bndbox`, "missing");
      return;
    }
    const v = (["xmin", "ymin", "xmax", "ymax"] as const).map((k) => parseDecimal(text(bb[k]) ?? ""));
    const bad = v.indexOf(null);
    if (bad >= 0) {
      st.invalid(
        file,
        `${where} (${name}) bndbox`,
        `${["xmin", "ymin", "xmax", "ymax"][bad]} is not a number`,
      );
      return;
    }
    const [xmin, ymin, xmax, ymax] = v as [number, number, number, number];
    if (xmax < xmin || ymax < ymin) {
      st.invalid(file, `${where} (${name}) bndbox`, `max (${xmax}, ${ymax}) is below min (${xmin}, ${ymin})`);
      return;
    }
    const dropped: string[] = [];
    const attributes = vocAttributes(st, file, `${where} (${name})`, o);
    if (Array.isArray(o.part) && o.part.length > 0) {
      const parts = o.part.map((p: unknown) => (isNode(p) ? text(p.name) : null) ?? "?");
      dropped.push(`part(s) ${parts.map((p) => `"${p}"`).join(", ")}`);
    }
    if (o.actions !== undefined) dropped.push("actions");
    if (dropped.length > 0) st.log.warn(file, `${where} (${name})`, `not kept: ${dropped.join(", ")}`);
    st.shape(
      img,
      name,
      { type: "box", x: xmin - 1, y: ymin - 1, width: xmax - xmin + 1, height: ymax - ymin + 1 },
      file,
      `${where} (${name}) bndbox`,
      attributes,
    );
  });
};

/**
 * An object's attributes as CVAT's VOC export writes them: `truncated` and `difficult` when 1 (0 is
 * VOC's default, every object carries it: kept only as the absence of a value), `occluded` whenever
 * present, and `<attributes><attribute><name>…</name><value>…</value></attribute></attributes>` as text.
 */
const vocAttributes = (
  st: DecodeState,
  file: string,
  where: string,
  o: Record<string, unknown>,
): Record<string, boolean | number | string> => {
  const out: Record<string, boolean | number | string> = {};
  if (flag(o.truncated) === 1) out.truncated = true;
  if (flag(o.difficult) === 1) out.difficult = true;
  if (o.occluded !== undefined) out.occluded = flag(o.occluded) === 1;
  const list = isNode(o.attributes) ? o.attributes.attribute : undefined;
  const items = Array.isArray(list) ? list : list === undefined ? [] : [list];
  items.forEach((a: unknown, i) => {
    const n = isNode(a) ? text(a.name)?.trim() : undefined;
    if (!n) {
      st.log.warn(file, `${where} attributes ${i + 1}`, "an attribute without a name; not kept");
      return;
    }
    out[n] = (isNode(a) ? text(a.value) : undefined) ?? "";
  });
  return out;
};
