/**
 * Every storage key the server writes, in one place. Keys are content-addressed (sha256 of the
 * original's bytes): the same bytes are stored once, whichever projects hold them, and a key never
 * names a project or an image id. Exports are streamed to the client and never stored.
 *   originals/ab/<sha>                 the uploaded bytes
 *   thumbnails/ab/<sha>.webp           the list's picture, made at upload
 *   renditions/ab/<sha>.png            a browser-drawable copy of formats browsers cannot decode (TIFF)
 *   tiles/ab/<sha>/pyramid.json        the tile manifest (written before the first tile, so a deletion
 *                                      always knows every key a generation may have written)
 *   tiles/ab/<sha>/<level>/<x>_<y>.jpg level 0 = full resolution
 *   tiles/ab/<sha>/preview.jpg         one picture for fit-to-window
 */
const shard = (sha: string) => sha.slice(0, 2);

export const originalKey = (sha: string) => `originals/${shard(sha)}/${sha}`;
export const thumbnailKey = (sha: string) => `thumbnails/${shard(sha)}/${sha}.webp`;
/** Browser-drawable rendition of formats browsers cannot decode (TIFF). */
export const displayKey = (sha: string) => `renditions/${shard(sha)}/${sha}.png`;

/** File extension of each tile encoding (tiles/store.ts says why there is only JPEG). */
export const TILE_EXTENSION = { jpeg: "jpg" } as const;
type TileEncoding = keyof typeof TILE_EXTENSION;

export const tilesPrefix = (sha: string) => `tiles/${shard(sha)}/${sha}`;
export const manifestKey = (sha: string) => `${tilesPrefix(sha)}/pyramid.json`;
export const previewKey = (sha: string, format: TileEncoding) =>
  `${tilesPrefix(sha)}/preview.${TILE_EXTENSION[format]}`;
export const tileKey = (sha: string, format: TileEncoding, t: { level: number; x: number; y: number }) =>
  `${tilesPrefix(sha)}/${t.level}/${t.x}_${t.y}.${TILE_EXTENSION[format]}`;
