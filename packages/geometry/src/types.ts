/**
 * Coordinate spaces are branded so a screen point can never be passed where an image point is
 * expected (excalidraw's GlobalPoint/LocalPoint habit). The brand is required, so a plain `{x, y}`
 * is neither: a point is made with `imagePoint`/`screenPoint` or comes from a conversion, which
 * says which space it is in. Image pixels are the one canonical space:
 * origin at the image's top-left corner, x right, y down, continuous — the image covers [0,W]x[0,H].
 */
declare const space: unique symbol;
export type Space = "image" | "screen";
export type Point<S extends Space = "image"> = { readonly x: number; readonly y: number } & {
  readonly [space]: S;
};
export type ImagePoint = Point<"image">;
export type ScreenPoint = Point<"screen">;

export const imagePoint = (x: number, y: number): ImagePoint => ({ x, y }) as ImagePoint;
export const screenPoint = (x: number, y: number): ScreenPoint => ({ x, y }) as ScreenPoint;

/** Axis-aligned rectangle in image pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A polygon vertex as sent over the wire: `[x, y]` in image pixels. */
export type Vertex = readonly [number, number];

/** Min/max bounds; cheaper than Rect for intersection tests. */
export interface Bounds {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}
