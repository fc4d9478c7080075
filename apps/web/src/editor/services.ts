import { call, urlOf } from "../api/client";
import { createImageLoader, type ImageLoader, loadImageElement } from "./image-loader";
import { openPendingStorage } from "./pending-store";
import { type Clock, createSaveQueue, type SaveQueue } from "./save-queue";
import { apiSaveTransport } from "./save-transport";

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
    fetchSet: (id) => call("getAnnotations", { params: { imageId: id } }),
    loadElement: (id) => loadImageElement(urlOf("imageDisplay", { imageId: id })),
    now: () => Date.now(),
  });
  return loader;
};

let queue: Promise<SaveQueue> | null = null;
export const saveQueue = (): Promise<SaveQueue> => {
  queue ??= (async () => {
    const storage = await openPendingStorage(window);
    const q = createSaveQueue({
      transport: apiSaveTransport,
      storage,
      clock: browserClock,
      onSaved: (set) => imageLoader().updateSet(set),
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
