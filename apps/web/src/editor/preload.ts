import { type AnnotationSet, type Image, type Label, parseAnnotationSet } from "@labelbench/schema";
import { call } from "../api/client";
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
