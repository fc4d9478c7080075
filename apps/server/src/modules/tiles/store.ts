import fsp from "node:fs/promises";
import { type TileCoord, type TilePyramid, tilePyramid } from "@labelbench/geometry";
import { z } from "zod";
import { manifestKey, previewKey, TILE_EXTENSION, tileKey, tilesPrefix } from "../../storage/keys.js";
import type { Storage } from "../../storage/storage.js";

/**
 * A pyramid lives in storage under tilesPrefix(sha) (storage/keys.ts), shared by every project
 * holding the same bytes; its preview is at most PREVIEW_MAX px.
 */
export const TILE_SIZE = 512;
export const PREVIEW_MAX = 2048;

/**
 * Tiles are JPEG, also for images with transparency (flattened onto white): measured on a 100 MP
 * RGBA TIFF, PNG tiles took 17-23 s and 4 bytes per pixel against about 4 s and a tenth of the
 * bytes for JPEG. The original keeps its alpha; the pyramid is only for looking.
 */
export const TileFormat = z.enum(["jpeg"]);
export type TileFormat = z.infer<typeof TileFormat>;

export const Manifest = z.object({
  version: z.literal(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tileSize: z.number().int().positive(),
  levels: z.number().int().positive(),
  format: TileFormat,
  /** False while tiles are still being moved in: such a pyramid is regenerated, never served. */
  complete: z.boolean(),
});
export type Manifest = z.infer<typeof Manifest>;

export const EXTENSION: Record<TileFormat, string> = TILE_EXTENSION;
export const CONTENT_TYPE: Record<TileFormat, string> = { jpeg: "image/jpeg" };

export const pyramidOf = (m: Pick<Manifest, "width" | "height" | "tileSize">): TilePyramid =>
  tilePyramid({ width: m.width, height: m.height }, m.tileSize);

/** Every tile of a pyramid, finest level first. */
export function* allTiles(p: TilePyramid): Generator<TileCoord> {
  for (const l of p.levels) {
    for (let y = 0; y < l.rows; y++) for (let x = 0; x < l.columns; x++) yield { level: l.level, x, y };
  }
}

const readAll = async (storage: Storage, key: string): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of storage.stream(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** The manifest of a sha's pyramid; null when there is none. A manifest that does not parse throws. */
export const readManifest = async (storage: Storage, sha: string): Promise<Manifest | null> => {
  const key = manifestKey(sha);
  if ((await storage.stat(key)) === null) return null;
  const text = (await readAll(storage, key)).toString("utf8");
  return Manifest.parse(JSON.parse(text));
};

export const writeManifest = (storage: Storage, sha: string, m: Manifest) =>
  storage.put(manifestKey(sha), Buffer.from(JSON.stringify(m)));

/** Runs `fn` over `items` with at most `n` in flight (renames and deletes, many of them). */
export const eachLimited = async <T>(
  items: Iterable<T>,
  n: number,
  fn: (item: T) => Promise<void>,
): Promise<void> => {
  const it = items[Symbol.iterator]();
  const worker = async () => {
    for (let r = it.next(); !r.done; r = it.next()) await fn(r.value);
  };
  await Promise.all(Array.from({ length: n }, worker));
};

/**
 * Deletes a sha's pyramid: every tile the manifest implies, the preview, then the manifest itself
 * (last, so an interrupted deletion can be finished by the next one).
 */
export const deletePyramid = async (storage: Storage, sha: string): Promise<number> => {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(storage, sha);
  } catch {
    // Unreadable manifest: nothing tells which tiles exist; drop it so the sha can be tiled afresh.
    await storage.delete(manifestKey(sha));
    return 0;
  }
  if (!manifest) return 0;
  const { format } = manifest;
  const p = pyramidOf(manifest);
  let n = 0;
  await eachLimited(allTiles(p), 16, async (t) => {
    await storage.delete(tileKey(sha, format, t));
    n++;
  });
  await storage.delete(previewKey(sha, format));
  await storage.delete(manifestKey(sha));
  await pruneEmptyDirs(storage, sha, p.levels.length);
  return n;
};

/** A local store keeps directories: remove the pyramid's, now empty, so they do not pile up. */
const pruneEmptyDirs = async (storage: Storage, sha: string, levels: number) => {
  const dirs = [...Array.from({ length: levels }, (_, l) => `${tilesPrefix(sha)}/${l}`), tilesPrefix(sha)];
  for (const key of dirs) {
    const dir = storage.localPath(key);
    // rmdir refuses non-empty directories, which is what keeps a concurrent writer's files safe.
    if (dir) await fsp.rmdir(dir).catch(() => undefined);
  }
};
