import { parseAnnotationSet } from "@labelbench/schema";
import { call } from "../api/client";
import { pictureSourceOf } from "../tiles/image-tiles";
import { createImageLoader, type ImageLoader, loadImageElement } from "./image-loader";
import { openPendingStorage } from "./pending-store";
import { type Clock, createSaveQueue, type SaveQueue } from "./save-queue";
import { apiSaveTransport } from "./save-transport";
import { createShapeAuthors, type ShapeAuthors } from "./shape-authors";

/**
 * App-lifetime services of the editor. They outlive the editor page on purpose: saves still pending
 * when the user goes back to the project page keep retrying, and the unload warning keeps guarding them.
 */

export const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (h) => window.clearTimeout(h as number),
};

let loader: ImageLoader | null = null;
export const imageLoader = (): ImageLoader => {
  loader ??= createImageLoader({
    fetchImage: (id) => call("getImage", { params: { imageId: id } }),
    fetchSet: async (id) => {
      const set = await call("getAnnotations", { params: { imageId: id }, parse: parseAnnotationSet });
      shapeAuthors().record(set);
      return set;
    },
    loadElement: async (image) => {
      const source = pictureSourceOf(image);
      if (source.kind === "display") return loadImageElement(source.url);
      // A preview is a bonus while tiles are being built: without one the editor waits for the tiles.
      if (source.kind === "preview") return loadImageElement(source.url).catch(() => null);
      return null;
    },
    now: () => Date.now(),
  });
  return loader;
};

let authors: ShapeAuthors | null = null;
/** Who created and last edited each shape, from every annotation set the server sent. */
export const shapeAuthors = (): ShapeAuthors => {
  authors ??= createShapeAuthors();
  return authors;
};

let queue: Promise<SaveQueue> | null = null;
export const saveQueue = (): Promise<SaveQueue> => {
  queue ??= (async () => {
    const storage = await openPendingStorage(window);
    const q = createSaveQueue({
      transport: apiSaveTransport,
      storage,
      clock: browserClock,
      onSaved: (set) => {
        imageLoader().updateSet(set);
        shapeAuthors().record(set);
      },
    });
    window.addEventListener("beforeunload", (e) => {
      if (!q.hasUnsaved()) return;
      e.preventDefault();
      // Older browsers need returnValue set to show the prompt.
      e.returnValue = "";
    });
    window.addEventListener("online", () => q.flushAll());
    return q;
  })();
  return queue;
};
