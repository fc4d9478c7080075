import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import {
  type TileCoord,
  type TilePyramid,
  tileCount,
  tilePixelSize,
  tilePyramid,
} from "@labelbench/geometry";
import sharp, { type OverlayOptions, type Sharp } from "sharp";
import type { Config } from "../../config.js";
import { originalKey, previewKey, tileKey } from "../../storage/keys.js";
import type { Storage } from "../../storage/storage.js";
import { runBmpJobOffThread } from "../images/bmp-thread.js";
import { checkTiffExtent } from "../images/tiff-extent.js";
import type { PendingSource } from "./repo.js";
import {
  allTiles,
  eachLimited,
  type Manifest,
  PREVIEW_MAX,
  TILE_SIZE,
  type TileFormat,
  writeManifest,
} from "./store.js";

/**
 * Work dirs are named `tilegen-<sha256>-<random>`, so a crash's leftovers can be recognised and
 * removed, and (in a temp folder several processes share) told from a live job's by its sha's lease.
 */
export const WORK_DIR_PREFIX = "tilegen-";
/** The sha a work dir was made for; null for a name of an older layout. */
export const workDirSha = (name: string): string | null =>
  new RegExp(`^${WORK_DIR_PREFIX}([0-9a-f]{64})-`).exec(name)?.[1] ?? null;

export interface GenerateHooks {
  /** Fraction done, 0..1 (called often; throttling is the caller's business). */
  progress(fraction: number): void;
  /** Checked between steps: true stops the job (the rows stay 'pending' and are resumed later). */
  cancelled(): boolean;
}

export type GenerateOutcome = { kind: "done"; manifest: Manifest } | { kind: "cancelled" };

/** Share of the progress bar for decoding and encoding; moving tiles into storage gets the rest. */
const ENCODE_SHARE = 0.9;
const JPEG_QUALITY = 85;
/** File suffixes dzsave writes (storage keys use EXTENSION). */
const VIPS_SUFFIX: Record<TileFormat, string> = { jpeg: "jpeg" };

/**
 * Builds a sha's tile pyramid with libvips' dzsave (one streaming pass over the original, all levels
 * at once), checks the output against the shared pyramid math, makes the preview from the level
 * that fits PREVIEW_MAX, and moves everything into storage. EXIF orientation is applied, so tiles
 * are in displayed orientation like the image's width and height.
 */
export const generatePyramid = async (
  deps: { storage: Storage; config: Config },
  src: PendingSource,
  hooks: GenerateHooks,
): Promise<GenerateOutcome> => {
  const { storage } = deps;
  const pyramid = tilePyramid({ width: src.width, height: src.height }, TILE_SIZE);
  const work = await fsp.mkdtemp(path.join(storage.tempDir, `${WORK_DIR_PREFIX}${src.sha256}-`));
  try {
    const input = await openSource(deps, src, work);
    const format: TileFormat = "jpeg";
    const out = path.join(work, "p");
    const levelDir = (level: number) => path.join(`${out}_files`, String(pyramid.levels.length - 1 - level));

    const total = tileCount(pyramid);
    const watcher = watchProgress(pyramid, levelDir, (n) => hooks.progress((ENCODE_SHARE * n) / total));
    try {
      await input
        .flatten({ background: "#ffffff" })
        .jpeg({ quality: JPEG_QUALITY })
        .tile({ size: TILE_SIZE, overlap: 0, layout: "dz", depth: "onetile" })
        .toFile(out);
    } finally {
      watcher.stop();
    }
    await checkOutput(pyramid, levelDir, VIPS_SUFFIX[format]);
    hooks.progress(ENCODE_SHARE);
    if (hooks.cancelled()) return { kind: "cancelled" };

    const preview = await renderPreview(pyramid, levelDir, format);
    const manifest: Manifest = {
      version: 1,
      width: src.width,
      height: src.height,
      tileSize: TILE_SIZE,
      levels: pyramid.levels.length,
      format,
      complete: false,
    };
    // The manifest goes first: from here on, a deletion knows every key that may exist.
    await writeManifest(storage, src.sha256, manifest);
    let moved = 0;
    let stopped = false;
    await eachLimited(allTiles(pyramid), 8, async (t) => {
      if (stopped || hooks.cancelled()) {
        stopped = true;
        return;
      }
      const file = path.join(levelDir(t.level), `${t.x}_${t.y}.${VIPS_SUFFIX[format]}`);
      await storage.putFile(tileKey(src.sha256, format, t), file);
      moved++;
      if (moved % 64 === 0) hooks.progress(ENCODE_SHARE + ((1 - ENCODE_SHARE) * moved) / total);
    });
    if (stopped) return { kind: "cancelled" };
    await storage.put(previewKey(src.sha256, format), preview);
    const done = { ...manifest, complete: true };
    await writeManifest(storage, src.sha256, done);
    return { kind: "done", manifest: done };
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
};

/** A sharp pipeline over the original, orientation applied; BMP goes through our own decoder. */
const openSource = async (
  deps: { storage: Storage; config: Config },
  src: PendingSource,
  work: string,
): Promise<Sharp> => {
  const key = originalKey(src.sha256);
  let file = deps.storage.localPath(key);
  if (file === null) {
    file = path.join(work, "original");
    await pipeline(deps.storage.stream(key), fs.createWriteStream(file));
  }
  if (src.format === "bmp") {
    // Decoded in a worker thread (JavaScript, seconds for a big one) into a TIFF libvips can read.
    const converted = path.join(work, "original.tif");
    const r = await runBmpJobOffThread({ file, convertTo: converted });
    if (!r.ok) throw new Error(`cannot decode the BMP original: ${r.reason}`);
    return sharp(converted, { limitInputPixels: false });
  }
  if (src.format === "tiff") {
    // libtiff only warns about strips past the end of the file: a truncated original stored before
    // uploads checked this would tile into blank squares instead of failing.
    const extent = await checkTiffExtent(file);
    if (!extent.ok) throw new Error(extent.reason);
  }
  return sharp(file, { limitInputPixels: deps.config.maxPixels, failOn: "truncated" }).rotate();
};

/** Counts finished tiles while libvips writes them; sharp itself reports no progress. */
const watchProgress = (p: TilePyramid, levelDir: (level: number) => string, report: (n: number) => void) => {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    Promise.all(
      p.levels.map((l) =>
        fsp.readdir(levelDir(l.level)).then(
          (f) => f.length,
          () => 0,
        ),
      ),
    )
      .then((counts) => report(counts.reduce((a, b) => a + b, 0)))
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 250);
  return { stop: () => clearInterval(timer) };
};

/**
 * The tiles on disk must be exactly the ones the shared math predicts (clients address tiles with
 * it): the right number per level, every expected name, and edge tiles of the predicted size.
 */
const checkOutput = async (p: TilePyramid, levelDir: (level: number) => string, ext: string) => {
  const root = path.dirname(levelDir(0));
  const dirs = (await fsp.readdir(root)).filter((d) => /^\d+$/.test(d));
  if (dirs.length !== p.levels.length) {
    throw new Error(`libvips wrote ${dirs.length} levels, the pyramid math predicts ${p.levels.length}`);
  }
  for (const l of p.levels) {
    const names = new Set(await fsp.readdir(levelDir(l.level)));
    if (names.size !== l.columns * l.rows) {
      throw new Error(`level ${l.level}: libvips wrote ${names.size} tiles, expected ${l.columns * l.rows}`);
    }
    for (let y = 0; y < l.rows; y++) {
      for (let x = 0; x < l.columns; x++) {
        if (!names.has(`${x}_${y}.${ext}`))
          throw new Error(`level ${l.level}: tile ${x}_${y}.${ext} is missing`);
      }
    }
    const corner: TileCoord = { level: l.level, x: l.columns - 1, y: l.rows - 1 };
    const meta = await sharp(path.join(levelDir(l.level), `${corner.x}_${corner.y}.${ext}`)).metadata();
    const want = tilePixelSize(p, corner);
    if (meta.width !== want.width || meta.height !== want.height) {
      throw new Error(
        `level ${l.level}: corner tile is ${meta.width}x${meta.height}, the pyramid math predicts ${want.width}x${want.height}`,
      );
    }
  }
};

/** The finest level no larger than PREVIEW_MAX, stitched from its tiles (at most 4x4 of them). */
const renderPreview = async (
  p: TilePyramid,
  levelDir: (level: number) => string,
  format: TileFormat,
): Promise<Buffer> => {
  const l = p.levels.find((x) => Math.max(x.width, x.height) <= PREVIEW_MAX) ?? p.levels[p.levels.length - 1];
  if (!l) throw new Error("pyramid has no levels");
  const parts: OverlayOptions[] = [];
  for (let y = 0; y < l.rows; y++) {
    for (let x = 0; x < l.columns; x++) {
      parts.push({
        input: path.join(levelDir(l.level), `${x}_${y}.${VIPS_SUFFIX[format]}`),
        left: x * p.tileSize,
        top: y * p.tileSize,
      });
    }
  }
  return sharp({ create: { width: l.width, height: l.height, channels: 3, background: "#ffffff" } })
    .composite(parts)
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
};
