/**
 * Limits on what one request may store. Set far above anything a person draws or a real dataset
 * holds, so only a mistake or an attack meets them; below them every check stays cheap (a polygon
 * at the vertex limit is checked for self-crossing in a few ms). The schema refuses a list beyond
 * its limit before looking at its items, so an oversized body costs its JSON parse and no more.
 * Stored data above a limit (written before it existed) still reads: only inputs are limited.
 * docs/api.md ("Limits") lists them; the server, the dataset import and the editor use these.
 */

/** Vertices of one polygon. Hand-drawn outlines have tens to hundreds; traced masks a few thousand. */
export const MAX_POLYGON_VERTICES = 20_000;
/** Shapes on one image (the densest benchmark image holds 12,000). */
export const MAX_SHAPES_PER_IMAGE = 100_000;
/** Tags (whole-image labels) on one image. */
export const MAX_TAGS_PER_IMAGE = 1_000;
/** A project's name, and its description. */
export const MAX_PROJECT_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 5_000;
/** A label's name. */
export const MAX_LABEL_NAME_LENGTH = 100;
/**
 * An image's file name is a relative path ("cam_a/0001.jpg"): at most this many UTF-8 bytes in one
 * segment (what ext4, APFS and NTFS all accept) and in the whole path.
 */
export const MAX_PATH_SEGMENT_BYTES = 255;
export const MAX_PATH_BYTES = 1024;
/** A user's or an API token's name. */
export const MAX_USER_NAME_LENGTH = 100;

/** "3 vertices" / "1,000 shapes": a count as the limit messages write it. */
export const countOf = (n: number, noun: string): string => `${n.toLocaleString("en-US")} ${noun}`;

/** Why a polygon of `n` vertices is refused (the server, the import and the editor say the same). */
export const tooManyVerticesReason = (n: number): string =>
  `polygon has ${countOf(n, "vertices")}; at most ${countOf(MAX_POLYGON_VERTICES, "vertices")} are allowed`;
