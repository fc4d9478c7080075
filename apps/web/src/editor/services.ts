import { parseAnnotationSet } from "@labelbench/schema";
import { call } from "../api/client";
import { createImageLoader, type ImageLoader, loadPictureOf } from "./image-loader";
import { openPendingStorage } from "./pending-store";
import { takePreloaded } from "./preload";
import { applyPatchResult } from "./save-diff";
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
      onSaved: (ack) => {
        const loader = imageLoader();
        if (ack.kind === "set") {
          loader.updateSet(ack.set);
          shapeAuthors().record(ack.set);
          return;
        }
        // A patch's reply names only what changed: apply it to the cached set of its base revision.
        const cached = loader.cached(ack.result.imageId);
        const set = cached ? applyPatchResult(cached.set, ack.baseRevision, ack.result) : null;
        if (set) {
          loader.updateSet(set);
          shapeAuthors().record(set);
        } else if (cached) {
          // The cache missed a revision: read the set again rather than show a stale one on return.
          loader.get(ack.result.imageId, { maxSetAgeMs: 0 }).then(
            (b) => shapeAuthors().record(b.set),
            () => {},
          );
        }
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
