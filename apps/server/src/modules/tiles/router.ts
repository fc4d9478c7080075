import { hasTile } from "@labelbench/geometry";
import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { previewKey, tileKey } from "../../storage/keys.js";
import { sendStored } from "../images/serve.js";
import { type TiledImageRow, tileRepo } from "./repo.js";
import { CONTENT_TYPE, type Manifest, pyramidOf, readManifest } from "./store.js";

/** Manifests never change once complete; keeping the recent ones saves a read per tile request. */
const MANIFEST_CACHE = 256;

export const tilesRouter = (deps: Deps): Router => {
  const r = Router();
  const images = tileRepo(deps.sql, deps.dialect);
  /**
   * Per process, and safe so: a manifest is read only once complete, and a complete manifest never
   * changes (the bytes it describes are content-addressed); a deleted pyramid's entry is never used,
   * since its image row is gone or no longer 'ready'.
   */
  const manifests = new Map<string, Manifest>();

  const manifestOf = async (row: TiledImageRow): Promise<Manifest> => {
    const cached = manifests.get(row.sha256);
    if (cached) {
      manifests.delete(row.sha256);
      manifests.set(row.sha256, cached);
      return cached;
    }
    const m = await readManifest(deps.storage, row.sha256);
    if (!m?.complete)
      throw new AppError("NOT_FOUND", `the tiles of image ${row.id} are missing from storage`);
    manifests.set(row.sha256, m);
    if (manifests.size > MANIFEST_CACHE) {
      const oldest = manifests.keys().next().value;
      if (oldest !== undefined) manifests.delete(oldest);
    }
    return m;
  };

  /** The image's row if its pyramid is ready; a 404 that says why otherwise. */
  const tiledImage = async (imageId: number): Promise<TiledImageRow> => {
    const row = await images.tiledImage(imageId);
    if (!row) throw notFound("image", imageId);
    switch (row.tile_state) {
      case "ready":
        return row;
      case "none":
        throw new AppError(
          "NOT_FOUND",
          `image ${row.id} is not tiled (${row.width}x${row.height} is below the tiling threshold); use its file`,
        );
      case "pending":
        throw new AppError(
          "NOT_FOUND",
          `the tiles of image ${row.id} are still being generated (${Math.round(row.tile_progress * 100)}%)`,
        );
      case "failed":
        throw new AppError("NOT_FOUND", `tile generation failed for image ${row.id}; see the server log`);
    }
  };

  route(r, api.imageTile, async ({ params, req, res }) => {
    const row = await tiledImage(params.imageId);
    const m = await manifestOf(row);
    const p = pyramidOf(m);
    const t = { level: params.level, x: params.x, y: params.y };
    if (!hasTile(p, t)) {
      const l = p.levels[t.level];
      throw new AppError(
        "NOT_FOUND",
        l
          ? `tile ${t.x},${t.y} is outside level ${t.level} of image ${row.id}, which has ${l.columns}x${l.rows} tiles`
          : `image ${row.id} has tile levels 0..${p.levels.length - 1}, not ${t.level}`,
        { levels: p.levels.map((x) => ({ columns: x.columns, rows: x.rows })) },
      );
    }
    const key = tileKey(row.sha256, m.format, t);
    const stat = await deps.storage.stat(key);
    if (!stat)
      throw new AppError(
        "NOT_FOUND",
        `tile ${t.level}/${t.x}/${t.y} of image ${row.id} is missing from storage`,
      );
    const etag = `${row.sha256}-t${m.tileSize}-${t.level}-${t.x}-${t.y}`;
    await sendStored(req, res, deps.storage, key, etag, CONTENT_TYPE[m.format], stat.size);
  });

  route(r, api.imagePreview, async ({ params, req, res }) => {
    const row = await tiledImage(params.imageId);
    const m = await manifestOf(row);
    const key = previewKey(row.sha256, m.format);
    const stat = await deps.storage.stat(key);
    if (!stat) throw new AppError("NOT_FOUND", `the preview of image ${row.id} is missing from storage`);
    await sendStored(
      req,
      res,
      deps.storage,
      key,
      `${row.sha256}-p${m.tileSize}`,
      CONTENT_TYPE[m.format],
      stat.size,
    );
  });

  return r;
};
