import { parseAnnotationSet } from "@labelbench/schema";
import { call } from "../../api/client";
import { useSession } from "../../auth/session-store";
import { parseScope, scopeQuery } from "../../pages/images/library-scope";
import { openPendingStorage } from "../save/pending-store";
import type { Clock, SaveQueue } from "../save/save-queue";
import { apiSaveTransport, ownedTransport } from "../save/save-transport";
import { createAccountQueue, type SessionApi } from "./editor-session";
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

const createQueue = async (ownerId: number): Promise<SaveQueue> =>
  createAccountQueue({
    transport: ownedTransport(ownerId, apiSaveTransport, signedInUserId),
    storage: await openPendingStorage(window, ownerId),
    clock: browserClock,
    loader: imageLoader(),
    authors: shapeAuthors(),
  });

/** The server as the editor session asks it (the first labels may have been asked for while the app started). */
export const sessionApi: SessionApi = {
  labels: (projectId) =>
    takePreloaded("labels", projectId) ?? call("listLabels", { params: { projectId } }).then((r) => r.items),
  neighbours: (imageId, search) =>
    call("imageNeighbours", {
      params: { imageId },
      query: scopeQuery(parseScope(new URLSearchParams(search))),
    }),
  setImageStatus: (imageId, status) => call("updateImage", { params: { imageId }, body: { status } }),
};

/** The browser's word that the connection is back. */
/** Runs `fn` when the browser is next idle (at the latest after 2 s of a page that never is). */
export const afterIdle = (fn: () => void): void => {
  if (window.requestIdleCallback) window.requestIdleCallback(() => fn(), { timeout: 2000 });
  else window.setTimeout(fn, 200);
};

export const onOnline = (listener: () => void): (() => void) => {
  window.addEventListener("online", listener);
  return () => window.removeEventListener("online", listener);
};
