import type { Deps } from "../../deps.js";

/** Content-addressed keys: the same bytes are stored once, whichever projects hold them. */
export const originalKey = (sha: string) => `originals/${sha.slice(0, 2)}/${sha}`;
/** Browser-drawable rendition of formats browsers cannot decode (TIFF). */
export const displayKey = (sha: string) => `renditions/${sha.slice(0, 2)}/${sha}.png`;
export const thumbnailKey = (sha: string) => `thumbnails/${sha.slice(0, 2)}/${sha}.webp`;
export const tilesPrefix = (sha: string) => `tiles/${sha.slice(0, 2)}/${sha}`;

/**
 * Deletes the stored files of images no row (and no upload in flight) references any more, the
 * tile pyramid in the background. Call it after the rows are gone; the rule is in stored-files.ts.
 */
export const removeImageFiles = (deps: Pick<Deps, "files">, shas: string[]) => deps.files.collect(shas);
