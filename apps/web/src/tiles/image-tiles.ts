import { type TileCoord, type TilePyramid, tilePyramid } from "@labelbench/geometry";
import type { Image } from "@labelbench/schema";
import { urlOf } from "../api/client";

export const tileUrlOf = (imageId: number, t: TileCoord): string =>
  urlOf("imageTile", { imageId, level: t.level, x: t.x, y: t.y });

/** A picture of the whole tiled image at most 2048 px wide and high (for thumbnails, minimaps). */
export const previewUrlOf = (imageId: number): string => urlOf("imagePreview", { imageId });

export const keyOf = (t: TileCoord) => `${t.level}/${t.x}/${t.y}`;

/** The pyramid the server built for this image, or null when the image has none (yet). */
export const pyramidOfImage = (
  image: Pick<Image, "width" | "height"> & { tiles: Pick<Image["tiles"], "state" | "tileSize" | "levels"> },
): TilePyramid | null => {
  const { state, tileSize, levels } = image.tiles;
  if (state !== "ready" || tileSize === null) return null;
  const p = tilePyramid({ width: image.width, height: image.height }, tileSize);
  // Both ends use the same math; a mismatch means a server and client of different versions.
  if (levels !== null && levels !== p.levels.length) return null;
  return p;
};

/**
 * The one picture the editor downloads for an image, besides tiles. Never the original or the
 * display copy of a tiled image (hundreds of megapixels a browser would have to decode whole):
 * - untiled: the display copy (the original, or a PNG for TIFF); it must load.
 * - tiles ready: nothing; <TiledImage> draws the tiles on screen at the level the zoom needs.
 * - tiles pending: the preview if the server has one, so work can start over it; optional.
 * - tiles failed: nothing; the editor says why.
 */
export type PictureSource =
  | { kind: "display"; url: string }
  | { kind: "preview"; url: string }
  | { kind: "none" };

export const pictureSourceOf = (image: Pick<Image, "id" | "tiles">): PictureSource => {
  switch (image.tiles.state) {
    case "none":
      return { kind: "display", url: urlOf("imageDisplay", { imageId: image.id }) };
    case "pending":
      return { kind: "preview", url: previewUrlOf(image.id) };
    case "ready":
    case "failed":
      return { kind: "none" };
  }
};

const TILE_STATE_RANK: Record<Image["tiles"]["state"], number> = { none: 0, pending: 1, ready: 2, failed: 2 };

/**
 * Of two replies for the same image, the one further along in tile generation (a pyramid only moves
 * forward: pending, then ready or failed), `a` when they are level. Keeps a slow, older poll reply
 * from undoing a newer one.
 */
export const fresherImage = <T extends Pick<Image, "id" | "tiles">>(a: T, b: T): T => {
  if (a.id !== b.id) return b;
  const ra = TILE_STATE_RANK[a.tiles.state];
  const rb = TILE_STATE_RANK[b.tiles.state];
  if (ra !== rb) return ra > rb ? a : b;
  // Ties keep `a`, so a caller comparing its own copy with a poll keeps its object's identity.
  return b.tiles.progress > a.tiles.progress ? b : a;
};

/** "42%" for a pending pyramid's progress (0..1). Never 100% before the tiles are ready. */
export const tileProgressText = (progress: number): string =>
  `${Math.min(99, Math.max(0, Math.floor(progress * 100)))}%`;
