import type { Editor, EditorDocument, Shape } from "@labelbench/editor";
import type { Api, Image, Label } from "@labelbench/schema";
import type { z } from "zod";
import { ApiError } from "../../api/client";
import { applyPatchResult } from "../save/save-diff";
import {
  type Clock,
  createSaveQueue,
  type MergeSide,
  type PendingStorage,
  type SaveAck,
  type SaveQueue,
  type SaveQueueState,
  type SaveStatus,
  type SaveTransport,
  type Snapshot,
} from "../save/save-queue";
import type { ImageBundle, ImageLoader } from "./image-loader";
import type { ShapeAuthors } from "./shape-authors";
import { createReachableRetry, isUnreachable } from "./when-reachable";

/**
 * The editor session: everything between the editor core and the server for the image the address
 * names. It opens the image (reconciling a local copy kept by the save queue), bridges the editor's
 * committed changes into autosave, shows merges and settles conflicts, copies shapes from the previous
 * image, keeps the label and neighbour caches, and tries again when the server comes back. The page
 * only shows its state (`subscribe`/`getState`) and forwards the user's choices.
 *
 * Pure of React and of the browser: the server, the account's save queue, the caches and the clock are
 * injected, so every path is tested with fakes (editor-session.test.ts).
 */

export type Neighbours = z.infer<Api["imageNeighbours"]["response"]>;

/** How stale a cached annotation set may be when its image is opened again. */
export const SET_MAX_AGE_MS = 15_000;

/** The requests the session makes besides the image loader's. */
export interface SessionApi {
  labels(projectId: number): Promise<Label[]>;
  /** Previous/next in the library's filter and order, `search` being its query string (`?status=…`). */
  neighbours(imageId: number, search: string): Promise<Neighbours>;
  setImageStatus(imageId: number, status: "done" | "skipped"): Promise<Image>;
}

export interface EditorSessionDeps {
  editor: Editor;
  /** The signed-in account's save queue (app-lifetime: see createAccountQueue); rejects when no storage. */
  queue: Promise<SaveQueue>;
  loader: ImageLoader;
  authors: ShapeAuthors;
  api: SessionApi;
  clock: Clock;
  /** Calls `listener` when the browser says the connection is back (`online`); returns the unsubscribe. */
  onOnline(listener: () => void): () => void;
  /** Short feedback for the user (the page's notices). */
  notify(kind: "info" | "error", text: string): void;
  /**
   * Runs `fn` when the page is next idle (the browser's requestIdleCallback; by default at the
   * clock's next turn): preloading the neighbours waits for it once the image is shown.
   */
  idle?(fn: () => void): void;
}

export interface EditorSessionState {
  /** The image the address names (NaN for an address that names none). */
  imageId: number;
  /** The project of the address, until the image's own is known. */
  routeProjectId: number;
  /** The image shown (or being replaced: compare its id with `imageId`). */
  bundle: ImageBundle | null;
  nav: Neighbours | null;
  loading: boolean;
  error: string | null;
  /** The address names no image this account can see: nothing else of the editor makes sense then. */
  missing: boolean;
  /** During a conflict: the user looks at both versions instead of the dialog. */
  viewBoth: boolean;
  saves: SaveQueueState;
}

export interface EditorSession {
  getState(): EditorSessionState;
  subscribe(listener: () => void): () => void;
  /** Wires autosave and the queue's merges to the editor; returns the stop (cancels loads and retries). */
  start(): () => void;
  /** The address changed (or was first read): opens the image and finds its neighbours as needed. */
  show(imageId: number, routeProjectId: number, search: string): void;
  /** The project the page shows (the image's own once known). */
  projectId(): number;
  /** A newer record of the shown image (tiles progress, a status change). */
  imageUpdated(image: Image): void;
  /** Reads the shown image and its annotations again from the server (after a refused review decision). */
  reload(): void;
  /** Labels may change in another tab: read them again for the image shown. */
  refreshLabels(): void;
  /** Marks the shown image; returns the next image to go to, or null when it is the last one. */
  setStatus(status: "done" | "skipped"): number | null;
  copyFromPrevious(): Promise<void>;
  resolveConflict(choices: ReadonlyMap<string, MergeSide>): void;
  setViewBoth(on: boolean): void;
  /** Sends everything pending now (Mod+S, leaving the image). */
  flushAll(): void;
  discard(imageId: number): void;
  /** The queue once storage is open (the test hook, the unload warning), else null. */
  queue(): SaveQueue | null;
  /** The image edits are recorded for, and its save status: null while another image is put in place. */
  saveState(): { imageId: number | null; status: SaveStatus | null; totalChanges: number };
}

const EMPTY_SAVES: SaveQueueState = { images: new Map(), totalChanges: 0, storageError: null };

export const errorText = (err: unknown): string =>
  err instanceof ApiError && err.status === 404
    ? "This image does not exist (any more)."
    : err instanceof Error
      ? err.message
      : String(err);

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

export const snapshotOfDoc = (doc: EditorDocument): Snapshot => {
  const annotations: Snapshot["annotations"] = [];
  for (const s of doc.shapes.values())
    annotations.push(
      s.attributes
        ? { id: s.id, labelId: s.labelId, geometry: s.geometry, attributes: s.attributes }
        : { id: s.id, labelId: s.labelId, geometry: s.geometry },
    );
  return { annotations, tags: [...doc.tags] };
};

/**
 * The account's save queue. Its acknowledgements patch the caches of the server's set (the image
 * loader's, shape authors), so a revisit shows what was saved without asking the server.
 */
export const createAccountQueue = (deps: {
  transport: SaveTransport;
  storage: PendingStorage;
  clock: Clock;
  loader: ImageLoader;
  authors: ShapeAuthors;
}): SaveQueue =>
  createSaveQueue({
    transport: deps.transport,
    storage: deps.storage,
    clock: deps.clock,
    onSaved: (ack) => patchCaches(deps.loader, deps.authors, ack),
  });

export const patchCaches = (loader: ImageLoader, authors: ShapeAuthors, ack: SaveAck): void => {
  if (ack.kind === "set") {
    loader.updateSet(ack.set);
    authors.record(ack.set);
    return;
  }
  // A patch's reply names only what changed: apply it to the cached set of its base revision.
  const cached = loader.cached(ack.result.imageId);
  const set = cached ? applyPatchResult(cached.set, ack.baseRevision, ack.result) : null;
  if (set) {
    loader.updateSet(set);
    authors.record(set);
  } else if (cached) {
    // The cache missed a revision: read the set again rather than show a stale one on return.
    loader.get(ack.result.imageId, { maxSetAgeMs: 0 }).then(
      (b) => authors.record(b.set),
      () => {},
    );
  }
};

export const createEditorSession = (deps: EditorSessionDeps): EditorSession => {
  const { editor, loader, authors, api, notify } = deps;
  let state: EditorSessionState = {
    imageId: NaN,
    routeProjectId: NaN,
    bundle: null,
    nav: null,
    loading: true,
    error: null,
    missing: false,
    viewBoth: false,
    saves: EMPTY_SAVES,
  };
  const listeners = new Set<() => void>();
  const set = (patch: Partial<EditorSessionState>) => {
    state = { ...state, ...patch };
    for (const l of listeners) l();
  };

  let queue: SaveQueue | null = null;
  /** The image edits are recorded for; null while another image is being put in place. */
  let current: number | null = null;
  /** Set while the session itself puts content into the editor: that is not an edit to save. */
  let suppress = false;
  let search = "";
  /** The address last shown (null before the first, and after a stop). */
  let address: { imageId: number; routeProjectId: number; search: string } | null = null;
  /** Bumped by every load and neighbour request: an answer for an older one is dropped. */
  let loadToken = 0;
  let navToken = 0;
  const labelsCache = new Map<number, Promise<Label[]>>();
  const neighboursCache = new Map<number, Neighbours>();
  const loadRetry = createReachableRetry(deps.clock, deps.onOnline);
  const navRetry = createReachableRetry(deps.clock, deps.onOnline);
  let conflictServerSeen: unknown = null;

  const validId = (id: number) => Number.isInteger(id) && id > 0;
  const projectId = () => state.bundle?.image.projectId ?? state.routeProjectId;

  const labelsOf = (pid: number): Promise<Label[]> => {
    let p = labelsCache.get(pid);
    if (!p) {
      p = api.labels(pid);
      p.catch(() => labelsCache.delete(pid));
      labelsCache.set(pid, p);
    }
    return p;
  };

  /**
   * Preloading the neighbours (their image, their 12,000 shapes) waits until this image is in the
   * editor and the page idle, past its first picture: asked for beside this image, it was served and
   * parsed while this one opened (bench review-open, whose project has a second dense image).
   */
  let afterShown: { imageId: number; run: () => void } | null = null;
  const idle = (fn: () => void) => (deps.idle ? deps.idle(fn) : void deps.clock.setTimeout(fn, 0));
  const whenShown = (imageId: number, run: () => void) => {
    if (current === imageId) idle(run);
    else afterShown = { imageId, run };
  };

  const fetchNeighbours = async (id: number): Promise<Neighbours> => {
    const n = await api.neighbours(id, search);
    neighboursCache.set(id, n);
    return n;
  };

  const onSaves = () => {
    if (!queue) return;
    const saves = queue.getState();
    // The server's side of a conflict is a server reply too: its shapes' authors are the latest known.
    const status = saves.images.get(state.imageId)?.status;
    const server = status?.kind === "conflict" ? status.server : null;
    if (server && server !== conflictServerSeen) authors.record(server);
    conflictServerSeen = server;
    set({ saves });
  };

  /** Puts content into the editor without it counting as an edit to save. */
  const quietly = (fn: () => void) => {
    suppress = true;
    try {
      fn();
    } finally {
      suppress = false;
    }
  };

  const load = (imageId: number, routeProjectId: number, maxSetAgeMs = SET_MAX_AGE_MS) => {
    const token = ++loadToken;
    loadRetry.cancel();
    if (!validId(imageId)) {
      set({ loading: false, missing: true });
      return;
    }
    set({ missing: false, error: null, loading: true, nav: neighboursCache.get(imageId) ?? null });
    const cancelled = () => token !== loadToken;
    (async () => {
      // Image, annotations, labels and local storage all load at once.
      const bundle = loader.get(imageId, { maxSetAgeMs });
      const routeLabels = Number.isInteger(routeProjectId) ? labelsOf(routeProjectId) : null;
      routeLabels?.catch(() => {});
      const b = await bundle;
      const labels =
        routeLabels && b.image.projectId === routeProjectId
          ? await routeLabels
          : await labelsOf(b.image.projectId);
      const q = await deps.queue;
      if (cancelled()) return;
      const opened = await q.open(b.image.projectId, b.set);
      if (cancelled()) return;
      const content =
        opened.kind === "server" ? opened.set : opened.kind === "local" ? opened.snapshot : opened.mine;
      current = null;
      editor.load({
        image: { id: b.image.id, width: b.image.width, height: b.image.height },
        labels,
        set: content,
      });
      current = imageId;
      set({ bundle: b, viewBoth: false, loading: false });
      const waiting = afterShown;
      if (waiting?.imageId === imageId) {
        afterShown = null;
        idle(waiting.run);
      }
      if (opened.kind === "local") {
        // Whatever is pending for this image goes out now, e.g. after signing in again.
        q.flushAll();
        notify(
          "info",
          `Restored ${plural(opened.changes, "unsaved change")} kept on this device; saving them now.`,
        );
      }
    })().catch((err: unknown) => {
      if (cancelled()) return;
      if (err instanceof ApiError && err.status === 404) {
        set({ loading: false, missing: true });
        return;
      }
      const unreachable = isUnreachable(err);
      set({
        loading: false,
        error: unreachable ? `${errorText(err)}. Trying again when the connection is back…` : errorText(err),
      });
      if (unreachable) loadRetry.wait(imageId, () => load(imageId, routeProjectId));
    });
  };

  // Neighbours (previous/next, position) load beside the image; without them only navigation waits.
  const findNeighbours = (imageId: number) => {
    const token = ++navToken;
    navRetry.cancel();
    if (!validId(imageId)) return;
    fetchNeighbours(imageId).then(
      (n) => {
        if (token !== navToken) return;
        set({ nav: n });
        whenShown(imageId, () => {
          if (token === navToken) loader.prefetch([n.nextId, n.previousId, n.nextNewId]);
        });
        for (const id of [n.nextId, n.previousId]) if (id) fetchNeighbours(id).catch(() => {});
      },
      (err: unknown) => {
        if (token !== navToken) return;
        if (isUnreachable(err)) navRetry.wait(imageId, () => findNeighbours(imageId));
        else notify("error", `Could not find the previous and next images: ${errorText(err)}`);
      },
    );
  };

  return {
    getState: () => state,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },

    start: () => {
      let stopped = false;
      const stops: (() => void)[] = [];
      // Autosave: every committed change of the document goes to the queue.
      let last = editor.getState().docVersion;
      stops.push(
        editor.store.subscribe((s) => {
          if (s.docVersion === last) return;
          last = s.docVersion;
          if (current === null || queue === null || suppress) return;
          queue.change(current, snapshotOfDoc(s.doc));
        }),
      );
      deps.queue.then(
        (q) => {
          if (stopped) return;
          queue = q;
          stops.push(q.subscribe(onSaves));
          // A conflict merged on its own (edits of different shapes): the editor shows their changes
          // too, at once, so the next edit is diffed against the merged set and never takes their work back.
          stops.push(
            q.onMerged((id, merged, merge) => {
              if (current !== id) return;
              quietly(() => editor.applyRemote(merged));
              const { added, changed, deleted } = merge.theirs;
              const parts = [
                added > 0 && `${added} added`,
                changed > 0 && `${changed} changed`,
                deleted > 0 && `${deleted} deleted`,
              ].filter(Boolean);
              notify(
                "info",
                `Someone else saved this image; their changes (${parts.join(", ") || "none to shapes"}) are merged with yours.`,
              );
            }),
          );
          onSaves();
          // Copies left by an earlier session for other images get saved in the background.
          void q.resume();
        },
        (err: unknown) => {
          if (!stopped) set({ error: `Cannot keep unsaved work on this device: ${errorText(err)}` });
        },
      );
      return () => {
        stopped = true;
        for (const stop of stops) stop();
        loadToken++;
        navToken++;
        loadRetry.cancel();
        navRetry.cancel();
        queue = null;
        current = null;
        // Started again (React mounts twice in development): the address is read afresh.
        address = null;
      };
    },

    show: (imageId, routeProjectId, nextSearch) => {
      const was = address;
      address = { imageId, routeProjectId, search: nextSearch };
      const sameImage = was !== null && was.imageId === imageId && was.routeProjectId === routeProjectId;
      const sameScope = was !== null && was.search === nextSearch;
      if (sameImage && sameScope) return;
      // A new scope makes every cached answer stale.
      if (!sameScope) neighboursCache.clear();
      search = nextSearch;
      if (!sameImage) {
        set({ imageId, routeProjectId });
        onSaves();
        load(imageId, routeProjectId);
      }
      if (was?.imageId !== imageId || !sameScope) findNeighbours(imageId);
    },

    projectId,

    imageUpdated: (image) => {
      const b = state.bundle;
      if (!b || b.image === image || b.image.id !== image.id) return;
      loader.updateImage(image);
      set({ bundle: { ...b, image } });
    },

    reload: () => {
      // No age is young enough: even a set read this millisecond is read again.
      if (address && validId(address.imageId))
        load(address.imageId, address.routeProjectId, Number.NEGATIVE_INFINITY);
    },

    refreshLabels: () => {
      if (!editor.getState().image) return;
      const pid = projectId();
      labelsCache.delete(pid);
      labelsOf(pid).then(
        (labels) => editor.setLabels(labels),
        () => {},
      );
    },

    setStatus: (status) => {
      const id = state.imageId;
      api.setImageStatus(id, status).then(
        (img) => {
          loader.updateImage(img);
          const b = state.bundle;
          if (b && b.image.id === img.id) set({ bundle: { ...b, image: img } });
          neighboursCache.clear();
        },
        (err: unknown) => notify("error", `Could not mark image ${status}: ${errorText(err)}`),
      );
      const next = state.nav?.nextId ?? null;
      if (!next)
        notify(
          "info",
          status === "done" ? "Marked done. This is the last image." : "Skipped. This is the last image.",
        );
      return next;
    },

    copyFromPrevious: async () => {
      const prev = state.nav?.previousId;
      if (!prev || !queue) return;
      try {
        const pending = queue.pendingSnapshot(prev);
        const source = pending
          ? pending.annotations
          : (await loader.get(prev, { maxSetAgeMs: 0 })).set.annotations;
        if (source.length === 0) {
          notify("info", "The previous image has no shapes to copy.");
          return;
        }
        const shapes: Shape[] = source.map((a) => ({ id: a.id, labelId: a.labelId, geometry: a.geometry }));
        editor.pasteShapes(shapes);
        notify("info", `Copied ${plural(shapes.length, "shape")} from the previous image.`);
      } catch (err) {
        notify("error", `Could not copy from the previous image: ${errorText(err)}`);
      }
    },

    resolveConflict: (choices) => {
      if (!queue) return;
      const r = queue.resolveConflict(state.imageId, choices);
      set({ viewBoth: false });
      if (!r) return;
      // Their merged changes are not the user's to undo; the shapes they took from the other side are:
      // taking theirs by mistake is one Ctrl+Z away from bringing mine back.
      quietly(() => {
        editor.applyRemote(r.merged);
        editor.replaceDocument(r.resolved, { recordHistory: true });
      });
      const taken = [...choices.values()].filter((c) => c === "theirs").length;
      if (taken > 0)
        notify("info", `Took their version of ${plural(taken, "shape")}. Undo brings yours back.`);
    },

    setViewBoth: (on) => set({ viewBoth: on }),
    flushAll: () => queue?.flushAll(),
    discard: (imageId) => queue?.discard(imageId),
    queue: () => queue,
    saveState: () => {
      const st = queue?.getState();
      return {
        imageId: current,
        status: current === null ? null : (st?.images.get(current)?.status ?? null),
        totalChanges: st?.totalChanges ?? 0,
      };
    },
  };
};
