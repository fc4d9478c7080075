import type { Deps } from "../../deps.js";
import { imageRepo } from "./repo.js";

/** Content-addressed keys: the same bytes are stored once, whichever projects hold them. */
export const originalKey = (sha: string) => `originals/${sha.slice(0, 2)}/${sha}`;
/** Browser-drawable rendition of formats browsers cannot decode (TIFF). */
export const displayKey = (sha: string) => `renditions/${sha.slice(0, 2)}/${sha}.png`;
export const thumbnailKey = (sha: string) => `thumbnails/${sha.slice(0, 2)}/${sha}.webp`;
export const tilesPrefix = (sha: string) => `tiles/${sha.slice(0, 2)}/${sha}`;

/** Deletes stored files of images no row references any more (the tile pyramid in the background). */
export const removeImageFiles = async (
  deps: Pick<Deps, "db" | "storage" | "log" | "tiles">,
  shas: string[],
) => {
  const repo = imageRepo(deps.db);
  for (const sha of shas) {
    if (repo.shaInUse(sha)) continue;
    try {
      await deps.storage.delete(originalKey(sha));
      await deps.storage.delete(thumbnailKey(sha));
      await deps.storage.delete(displayKey(sha));
      deps.tiles.remove(sha);
    } catch (err) {
      deps.log.warn({ err, sha }, "could not delete image files");
    }
  }
};
