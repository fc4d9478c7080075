import { fitViewport, planTiles } from "@labelbench/geometry";
import { type AnnotationSet, type Image, type Label, parseAnnotationSet } from "@labelbench/schema";
import { call } from "../../api/client";
import { keyOf, pyramidOfImage, tileUrlOf } from "../../tiles/image-tiles";
import { type DecodedTile, loadTileBitmap } from "../canvas/tile-cache";
import { loadPictureOf } from "./image-loader";

/**
 * Opening the editor by its address (a reload, a bookmark, a link) used to be a waterfall: the app's
 * script, then the session check, then the editor's chunk, then the editor's first render, and only
 * then the requests for the image, its annotations and its labels (~0.9 s before the first byte of
 * data was asked for). This module is part of the app's first script: when the first address is an
 * editor address it asks for the editor chunk and for the image's data and picture at once, so all of it loads
 * while the session is checked and the editor is set up. The editor takes each request once
 * (`takePreloaded`); anything it does not take is left for the garbage collector.
 *
 * A request that fails is forgotten, so the editor asks again itself (after a sign-in, say) and reports
 * its own error.
 */

export const EDITOR_PATH = /^\/projects\/(\d+)\/images\/(\d+)\/?$/;

interface Kinds {
  image: Image;
  set: AnnotationSet;
  labels: Label[];
  /** The decoded picture (ImageBundle.element). */
  element: ImageBitmap | null;
}
type Kind = keyof Kinds;

const preloaded: { [K in Kind]: Map<number, Promise<Kinds[K]>> } = {
  image: new Map(),
  set: new Map(),
  labels: new Map(),
  element: new Map(),
};

const keep = <K extends Kind>(kind: K, id: number, p: Promise<Kinds[K]>) => {
  const map: Map<number, Promise<Kinds[K]>> = preloaded[kind];
  map.set(id, p);
  p.catch(() => {
    if (map.get(id) === p) map.delete(id);
  });
};

/** Starts loading the editor and its data when `pathname` is an editor address; returns whether it was. */
export const startEditorPreload = (
  pathname: string,
  deps: {
    loadChunk: () => Promise<unknown>;
    /** Settles once the session check has its answer (see below). */
    sessionChecked: () => Promise<unknown>;
  },
): boolean => {
  const m = EDITOR_PATH.exec(pathname);
  const projectId = Number(m?.[1]);
  const imageId = Number(m?.[2]);
  if (!m || !(projectId > 0) || !(imageId > 0)) return false;
  deps.loadChunk().catch(() => {});
  const image = call("getImage", { params: { imageId } });
  keep("image", imageId, image);
  keep("element", imageId, image.then(loadPictureOf));
  image.then(preloadTiles, () => {});
  // The annotations of a dense image take the server a few hundred ms to send: asked for at once, they
  // would hold up the session check (two small requests, one after the other) behind them, and the
  // editor cannot show before the session is known.
  keep(
    "set",
    imageId,
    deps
      .sessionChecked()
      .then(() => call("getAnnotations", { params: { imageId }, parse: parseAnnotationSet })),
  );
  keep(
    "labels",
    projectId,
    call("listLabels", { params: { projectId } }).then((r) => r.items),
  );
  return true;
};

/** The preloaded request of `kind` for `id` (an image id; a project id for labels), handed out once. */
export const takePreloaded = <K extends Kind>(kind: K, id: number): Promise<Kinds[K]> | null => {
  const map: Map<number, Promise<Kinds[K]>> = preloaded[kind];
  const p = map.get(id);
  if (p === undefined) return null;
  map.delete(id);
  return p;
};

/** Side panels and bars around the editor's stage (editor.css), to guess the stage before it exists. */
const PANELS_PX = { wide: 214 + 272, narrow: 196 + 250, bars: 96 };
/** More tiles than this at the guessed fit level are left to the renderer (a guess too far off). */
const MAX_PRELOADED_TILES = 24;

const preloadedTiles = new Map<number, Map<string, Promise<DecodedTile>>>();

/**
 * A tiled image opens at fit: its tiles for that view (the one-tile top level, which stands in for
 * everything, then the level the fit scale needs) are asked for as soon as the image's record
 * arrives, while the editor is still being set up. The stage size is guessed from the window; when
 * the guess picks another level the top tile still puts the image on screen at once.
 */
const preloadTiles = (image: Image) => {
  const pyramid = pyramidOfImage(image);
  if (!pyramid || typeof window === "undefined") return;
  const side = window.innerWidth > 1360 ? PANELS_PX.wide : PANELS_PX.narrow;
  const stage = {
    width: Math.max(200, window.innerWidth - side),
    height: Math.max(200, window.innerHeight - PANELS_PX.bars),
  };
  const fit = fitViewport(image, stage);
  const plan = planTiles(pyramid, {
    view: { minX: 0, minY: 0, maxX: image.width, maxY: image.height },
    scale: fit.scale * (window.devicePixelRatio || 1),
    isLoaded: () => false,
    prefetch: 0,
  });
  const tiles = new Map<string, Promise<DecodedTile>>();
  for (const t of plan.wanted.slice(0, MAX_PRELOADED_TILES)) {
    const p = loadTileBitmap(tileUrlOf(image.id, t), new AbortController().signal);
    p.catch(() => {});
    tiles.set(keyOf(t), p);
  }
  preloadedTiles.set(image.id, tiles);
};

/** The preloaded tile loads of a tiled image, by tile key, handed out once. */
export const takePreloadedTiles = (imageId: number): ReadonlyMap<string, Promise<DecodedTile>> | null => {
  const tiles = preloadedTiles.get(imageId);
  preloadedTiles.delete(imageId);
  return tiles ?? null;
};
