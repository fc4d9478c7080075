import { parseAnnotationSet } from "@labelbench/schema";
import { call } from "../../api/client";
import { useSession } from "../../auth/session-store";
import { openPendingStorage } from "../save/pending-store";
import { applyPatchResult } from "../save/save-diff";
import { type Clock, createSaveQueue, type SaveQueue } from "../save/save-queue";
import { apiSaveTransport, ownedTransport } from "../save/save-transport";
import { createImageLoader, type ImageLoader, loadPictureOf } from "./image-loader";
import { takePreloaded } from "./preload";
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

/** The signed-in account's id, or null (signed out, or not known yet). */
const signedInUserId = (): number | null => {
  const { session } = useSession.getState();
  return session.status === "signedIn" ? session.me.user.id : null;
};

let queue: { ownerId: number; queue: Promise<SaveQueue> } | null = null;
/** The current account's queue once created (the unload warning must answer synchronously). */
let active: SaveQueue | null = null;
let listening = false;

/**
 * The save queue of the signed-in account, over that account's own local copies. Another account
 * signing in (in this tab, after a lapsed session) gets a queue of its own; the previous one stops,
 * its copies staying on this device for their author.
 */
export const saveQueue = (ownerId: number): Promise<SaveQueue> => {
  if (queue?.ownerId === ownerId) return queue.queue;
  const previous = queue;
  active = null;
  previous?.queue.then(
    (q) => q.dispose(),
    () => {},
  );
  const created = createQueue(ownerId).then((q) => {
    if (queue?.queue === created) active = q;
    return q;
  });
  queue = { ownerId, queue: created };
  if (!listening) {
    listening = true;
    window.addEventListener("beforeunload", (e) => {
      if (!active?.hasUnsaved()) return;
      e.preventDefault();
      // Older browsers need returnValue set to show the prompt.
      e.returnValue = "";
    });
    window.addEventListener("online", () => active?.flushAll());
  }
  return created;
};

const createQueue = async (ownerId: number): Promise<SaveQueue> => {
  const storage = await openPendingStorage(window, ownerId);
  const q = createSaveQueue({
    transport: ownedTransport(ownerId, apiSaveTransport, signedInUserId),
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
  return q;
};
