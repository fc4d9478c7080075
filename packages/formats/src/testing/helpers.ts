/** Test-only helpers (node:fs, node:crypto): excluded from the package's own typecheck. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Size } from "@labelbench/geometry";
import type { AttributeValues, Geometry } from "@labelbench/schema";
import { isDatasetTextPath } from "../import.js";
import { basename, isImagePath, nameKey, stemOf } from "../paths.js";
import { planExport } from "../plan.js";
import type {
  DatasetFiles,
  ExportImage,
  ExportItem,
  ExportLabel,
  ExportOptions,
  ExportSource,
  FindImage,
  FormatId,
  Hasher,
  SplitName,
  SplitRatios,
} from "../types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, "../../../..");
export const FIXTURES = process.env.LABELBENCH_FIXTURES ?? path.resolve(REPO_ROOT, "../shared/fixtures");
export const HAVE_FIXTURES = fs.existsSync(path.join(FIXTURES, "SOURCES.md"));
if (!HAVE_FIXTURES) {
  console.warn(`[formats] ${FIXTURES} not found: tests against external datasets are skipped`);
}

export const nodeHasher = (): Hasher => {
  const h = createHash("sha256");
  let bytes = 0;
  return {
    update(data) {
      if (typeof data === "string") {
        h.update(data, "utf8");
        bytes += Buffer.byteLength(data, "utf8");
      } else {
        h.update(data);
        bytes += data.length;
      }
    },
    digest: () => ({ sha256: h.digest("hex"), bytes }),
  };
};

export interface SampleImage extends Omit<ExportImage, "tags" | "format" | "sha256"> {
  sha256?: string;
  format?: string;
  tags?: number[];
  shapes: { id: string; labelIndex: number; geometry: Geometry; attributes?: AttributeValues }[];
}

/** An in-memory ExportSource: what the server builds from SQLite, built from literals. */
export const memorySource = (
  labels: readonly (string | ExportLabel)[],
  images: readonly SampleImage[],
  split: SplitRatios = { train: 100, val: 0, test: 0 },
  seed: string,
  format: FormatId,
): ExportSource & { shapesOf: Map<number, SampleImage["shapes"]> } => {
  const full: ExportImage[] = images.map((im) => ({
    id: im.id,
    fileName: im.fileName,
    path: im.path ?? null,
    width: im.width,
    height: im.height,
    sha256: im.sha256 ?? createHash("sha256").update(`image-${im.id}-${im.fileName}`).digest("hex"),
    format: im.format ?? "jpeg",
    tags: im.tags ?? [],
    annotationCount: im.shapes.length,
    ...(im.split ? { split: im.split } : {}),
  }));
  const plan = planExport(full, split, seed, format);
  const shapesOf = new Map(images.map((im) => [im.id, im.shapes]));
  return {
    labels: labels.map((l) => (typeof l === "string" ? { name: l } : l)),
    plan,
    shapesOf,
    *items(s?: SplitName): Generator<ExportItem> {
      for (const image of plan) {
        if (s && image.split !== s) continue;
        yield { image, shapes: shapesOf.get(image.id) ?? [] };
      }
    },
  };
};

export const exportOptions = (format: FormatId, over: Partial<ExportOptions> = {}): ExportOptions => ({
  format,
  includeImages: false,
  statuses: ["new", "in_progress", "done", "skipped"],
  split: { train: 100, val: 0, test: 0 },
  seed: "seed",
  hasher: nodeHasher,
  ...over,
});

/** Reads JPEG dimensions from the SOF marker (fixtures are baseline/progressive JPEGs, orientation 1). */
export const jpegSize = (buf: Buffer): Size | null => {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1] ?? 0;
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
};

export interface FixtureDataset extends DatasetFiles {
  sizes: Map<string, Size>;
}

/** A fixture folder as the server would see an uploaded zip of it: texts, image paths, sizes. */
export const readDatasetDir = (dir: string): FixtureDataset => {
  const texts = new Map<string, string>();
  const imagePaths: string[] = [];
  const sizes = new Map<string, Size>();
  const walk = (rel: string) => {
    for (const e of fs
      .readdirSync(path.join(dir, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else if (isImagePath(p)) {
        imagePaths.push(p);
        const s = jpegSize(fs.readFileSync(path.join(dir, p)));
        if (s) sizes.set(p, s);
      } else if (isDatasetTextPath(p)) texts.set(p, fs.readFileSync(path.join(dir, p), "utf8"));
    }
  };
  walk("");
  return { texts, imagePaths, sizes };
};

/**
 * The server's matching rule in miniature: a dataset path first, then a unique file name, then
 * a unique stem, among the dataset's images and the project's existing ones.
 */
export const finderFor = (
  zip: ReadonlyMap<string, Size>,
  existing: ReadonlyMap<string, Size> = new Map(),
): FindImage => {
  const all = [
    ...[...zip].map(([p, s]) => ({ key: p, name: basename(p), s })),
    ...[...existing].map(([n, s]) => ({ key: `project:${n}`, name: n, s })),
  ];
  return (ref) => {
    if (ref.path) {
      const s = zip.get(ref.path);
      if (s) return { found: true, key: ref.path, fileName: basename(ref.path), size: s };
    }
    const byName = ref.fileName ? all.filter((a) => nameKey(a.name) === nameKey(ref.fileName ?? "")) : [];
    const byStem = all.filter((a) => nameKey(stemOf(a.name)) === nameKey(ref.stem));
    const pick = byName.length > 0 ? byName : byStem;
    const one = pick[0];
    if (pick.length === 1 && one) return { found: true, key: one.key, fileName: one.name, size: one.s };
    return {
      found: false,
      reason:
        pick.length > 1
          ? `${pick.length} images match "${ref.fileName ?? ref.stem}"`
          : `no image "${ref.fileName ?? ref.stem}"`,
    };
  };
};
