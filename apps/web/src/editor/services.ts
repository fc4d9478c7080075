import { parseAnnotationSet } from "@labelbench/schema";
import { call } from "../api/client";
import { createImageLoader, type ImageLoader, loadPictureOf } from "./image-loader";
import { openPendingStorage } from "./pending-store";
import { takePreloaded } from "./preload";
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
    // The first image may have been asked for while the app started (preload.ts).
    fetchImage: (id) => takePreloaded("image", id) ?? call("getImage", { params: { imageId: id } }),
    fetchSet: async (id) => {
      const set = await (takePreloaded("set", id) ??
        call("getAnnotations", { params: { imageId: id }, parse: parseAnnotationSet }));
      shapeAuthors().record(set);
      return set;
    },
    loadElement: (image) => takePreloaded("element", image.id) ?? loadPictureOf(image),
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
