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
