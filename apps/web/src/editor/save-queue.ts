import type { AnnotationSet, Geometry } from "@labelbench/schema";

/**
 * The autosave queue: the part of the editor that must never lose work.
 *
 * Every committed change of an image's document becomes a snapshot that is written to durable local
 * storage at once and sent to the server after a short debounce with the revision it was based on.
 * Only an acknowledged save removes the local copy, so a reload, a crash or a server outage keeps
 * the work. Failed saves retry with exponential backoff; a revision conflict stops autosaving for
 * that image and waits for the user's choice — the queue never overwrites someone else's save on its
 * own and never drops local changes on its own.
 *
 * Pure: transport, storage and clock are injected, so every path is unit-tested without a browser.
 */

export interface SnapshotShape {
  id: string;
  labelId: number;
  geometry: Geometry;
}
/** What one PUT sends (besides the base revision). */
export interface Snapshot {
  annotations: SnapshotShape[];
  tags: number[];
}

export interface PendingEntry {
  imageId: number;
  projectId: number;
  /** The server revision the snapshot was edited on; a PUT with it succeeds only if nobody saved since. */
  baseRevision: number;
  snapshot: Snapshot;
  /** How many edits the snapshot holds that the server has not acknowledged. */
  changes: number;
  updatedAt: number;
}

/** Durable per-image storage of unacknowledged snapshots (IndexedDB in the browser). */
export interface PendingStorage {
  load(imageId: number): Promise<PendingEntry | null>;
  list(): Promise<PendingEntry[]>;
  save(entry: PendingEntry): Promise<void>;
  remove(imageId: number): Promise<void>;
}

export type PutResult =
  | { kind: "saved"; set: AnnotationSet }
  /** 409 REVISION_CONFLICT: `server` is the server's current set. */
  | { kind: "conflict"; server: AnnotationSet }
  /** The server could not be reached. */
  | { kind: "offline"; message: string }
  /** The server answered with an error; `retry` is false when sending the same body again cannot help (400). */
  | { kind: "failed"; message: string; retry: boolean };

export interface SaveTransport {
  put(imageId: number, body: { baseRevision: number } & Snapshot): Promise<PutResult>;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type SaveStatus =
  | { kind: "saved"; revision: number }
  | { kind: "pending"; changes: number }
  | { kind: "saving"; changes: number }
  | { kind: "offline"; changes: number; retryAt: number; message: string }
  | { kind: "retrying"; changes: number; retryAt: number; message: string }
  | { kind: "conflict"; changes: number; server: AnnotationSet; mine: Snapshot }
  | { kind: "error"; changes: number; message: string };

export interface SaveQueueState {
  /** One status per image the queue has seen in this session (or recovered from storage). */
  images: ReadonlyMap<number, { projectId: number; status: SaveStatus }>;
  /** Unacknowledged edits over all images. */
  totalChanges: number;
  /** Problems storing local copies (quota, private mode): shown to the user, since it weakens the guarantee. */
  storageError: string | null;
}

/** What to show when an image is opened. */
export type OpenResult =
  | { kind: "server"; set: AnnotationSet }
  /** A local copy newer than the server's revision was found and is being saved. */
  | { kind: "local"; snapshot: Snapshot; revision: number; changes: number }
  /** A local copy exists but the server moved on: the user chooses (the editor shows `mine`). */
  | { kind: "conflict"; mine: Snapshot; server: AnnotationSet; changes: number };

export interface SaveQueueOptions {
  transport: SaveTransport;
  storage: PendingStorage;
  clock: Clock;
  debounceMs?: number;
  /** A stream of edits still saves at least this often. */
  maxWaitMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Called with every acknowledged set, e.g. to refresh a preload cache. */
  onSaved?: (set: AnnotationSet) => void;
}

export interface SaveQueue {
  getState(): SaveQueueState;
  subscribe(listener: () => void): () => void;
  /** Starts tracking an image with the server's current set; reconciles with a stored local copy. */
  open(projectId: number, server: AnnotationSet): Promise<OpenResult>;
  /** Records one committed edit (the whole document after it). */
  change(imageId: number, snapshot: Snapshot): void;
  /** Adopts a set the editor now shows as saved, e.g. the server's version after "take theirs". */
  resolveConflict(imageId: number, choice: "mine" | "theirs"): AnnotationSet | null;
  /** Sends everything pending now (Mod+S, coming back online). */
  flushAll(): void;
  /** Picks up local copies left by an earlier session for images not opened yet, and saves them. */
  resume(): Promise<void>;
  hasUnsaved(): boolean;
  /**
   * Drops an image's unsaved changes, local copy included: only on the user's explicit word (e.g. the
   * image was deleted on the server, so they can never be saved).
   */
  discard(imageId: number): void;
  /** The newest local snapshot the server does not have yet, if any. */
  pendingSnapshot(imageId: number): Snapshot | null;
  /** Resolves once nothing is pending or in flight for `imageId` (or a conflict/error needs the user). */
  settled(imageId: number): Promise<void>;
  dispose(): void;
}

export const sameContent = (set: Pick<AnnotationSet, "annotations" | "tags">, snap: Snapshot): boolean => {
  if (set.annotations.length !== snap.annotations.length) return false;
  const a = [...new Set(set.tags)].sort((x, y) => x - y);
  const b = [...new Set(snap.tags)].sort((x, y) => x - y);
  if (a.length !== b.length || a.some((t, i) => t !== b[i])) return false;
  const byId = new Map(set.annotations.map((s) => [s.id, s]));
  return snap.annotations.every((s) => {
    const other = byId.get(s.id);
    return (
      other !== undefined &&
      other.labelId === s.labelId &&
      JSON.stringify(other.geometry) === JSON.stringify(s.geometry)
    );
  });
};

export const snapshotOf = (set: Pick<AnnotationSet, "annotations" | "tags">): Snapshot => ({
  annotations: set.annotations.map((a) => ({ id: a.id, labelId: a.labelId, geometry: a.geometry })),
  tags: [...set.tags],
});

type Phase = "idle" | "debouncing" | "saving" | "retrying" | "conflict" | "error";

interface Slot {
  imageId: number;
  projectId: number;
  baseRevision: number;
  /** Newest unacknowledged snapshot; null when the server has everything. */
  latest: Snapshot | null;
  changeSeq: number;
  ackedSeq: number;
  /** When the oldest edit not yet sent was made (for maxWait). */
  firstUnsentAt: number | null;
  inFlight: Promise<void> | null;
  phase: Phase;
  attempt: number;
  timer: unknown;
  retryAt: number;
  offline: boolean;
  message: string;
  conflictServer: AnnotationSet | null;
  /** Storage writes for one image run in order. */
  persistChain: Promise<void>;
}

export const createSaveQueue = (opts: SaveQueueOptions): SaveQueue => {
  const { transport, storage, clock } = opts;
  const debounceMs = opts.debounceMs ?? 800;
  const maxWaitMs = opts.maxWaitMs ?? 5000;
  const backoffInitialMs = opts.backoffInitialMs ?? 1000;
  const backoffMaxMs = opts.backoffMaxMs ?? 30_000;
  const slots = new Map<number, Slot>();
  const listeners = new Set<() => void>();
  let storageError: string | null = null;
  let disposed = false;
  let state: SaveQueueState = { images: new Map(), totalChanges: 0, storageError: null };

  const pendingOf = (s: Slot) => s.changeSeq - s.ackedSeq;

  const statusOf = (s: Slot): SaveStatus => {
    const changes = pendingOf(s);
    switch (s.phase) {
      case "conflict":
        return {
          kind: "conflict",
          changes,
          server: s.conflictServer!,
          mine: s.latest ?? { annotations: [], tags: [] },
        };
      case "error":
        return { kind: "error", changes, message: s.message };
      case "retrying":
        return s.offline
          ? { kind: "offline", changes, retryAt: s.retryAt, message: s.message }
          : { kind: "retrying", changes, retryAt: s.retryAt, message: s.message };
      case "saving":
        return { kind: "saving", changes };
      default:
        return changes > 0 ? { kind: "pending", changes } : { kind: "saved", revision: s.baseRevision };
    }
  };

  const emit = () => {
    if (disposed) return;
    const images = new Map<number, { projectId: number; status: SaveStatus }>();
    let total = 0;
    for (const s of slots.values()) {
      images.set(s.imageId, { projectId: s.projectId, status: statusOf(s) });
      total += pendingOf(s);
    }
    state = { images, totalChanges: total, storageError };
    for (const l of listeners) l();
  };

  const persist = (s: Slot, op: () => Promise<void>) => {
    s.persistChain = s.persistChain.then(op).then(
      () => {
        if (storageError !== null) {
          storageError = null;
          emit();
        }
      },
      (err: unknown) => {
        storageError = `could not keep a local copy of unsaved changes: ${(err as Error)?.message ?? String(err)}`;
        emit();
      },
    );
  };

  const entryOf = (s: Slot): PendingEntry | null =>
    s.latest
      ? {
          imageId: s.imageId,
          projectId: s.projectId,
          baseRevision: s.baseRevision,
          snapshot: s.latest,
          changes: pendingOf(s),
          updatedAt: clock.now(),
        }
      : null;

  const writeEntry = (s: Slot) => {
    const entry = entryOf(s);
    if (entry) persist(s, () => storage.save(entry));
    else persist(s, () => storage.remove(s.imageId));
  };

  const clearTimer = (s: Slot) => {
    if (s.timer !== null) clock.clearTimeout(s.timer);
    s.timer = null;
  };

  const schedule = (s: Slot, ms: number) => {
    clearTimer(s);
    s.timer = clock.setTimeout(() => {
      s.timer = null;
      void send(s);
    }, ms);
  };

  const backoff = (attempt: number) => Math.min(backoffMaxMs, backoffInitialMs * 2 ** (attempt - 1));

  const acknowledge = (s: Slot, set: AnnotationSet, seq: number) => {
    s.baseRevision = set.revision;
    s.ackedSeq = Math.max(s.ackedSeq, seq);
    s.attempt = 0;
    s.message = "";
    s.offline = false;
    if (s.changeSeq === s.ackedSeq) {
      s.latest = null;
      s.phase = "idle";
      s.firstUnsentAt = null;
    } else {
      // Edits made while the save was in flight: send them on the new revision.
      s.phase = "debouncing";
      schedule(s, debounceMs);
    }
    writeEntry(s);
    opts.onSaved?.(set);
  };

  const send = (s: Slot): Promise<void> => {
    if (disposed || s.inFlight || s.phase === "conflict") return s.inFlight ?? Promise.resolve();
    const snapshot = s.latest;
    if (!snapshot) {
      s.phase = "idle";
      emit();
      return Promise.resolve();
    }
    clearTimer(s);
    const seq = s.changeSeq;
    const base = s.baseRevision;
    s.phase = "saving";
    s.firstUnsentAt = null;
    emit();
    const run = async () => {
      let result: PutResult;
      try {
        result = await transport.put(s.imageId, { baseRevision: base, ...snapshot });
      } catch (err) {
        result = { kind: "failed", message: (err as Error)?.message ?? String(err), retry: true };
      }
      if (disposed) return;
      switch (result.kind) {
        case "saved":
          acknowledge(s, result.set, seq);
          break;
        case "conflict":
          // A save whose reply was lost looks like a conflict with our own content: that is an ack.
          if (sameContent(result.server, snapshot)) acknowledge(s, result.server, seq);
          else {
            s.phase = "conflict";
            s.conflictServer = result.server;
            s.attempt = 0;
          }
          break;
        case "offline":
        case "failed": {
          if (result.kind === "failed" && !result.retry) {
            s.phase = "error";
            s.message = result.message;
            break;
          }
          s.attempt += 1;
          s.offline = result.kind === "offline";
          s.message = result.message;
          s.phase = "retrying";
          const delay = backoff(s.attempt);
          s.retryAt = clock.now() + delay;
          schedule(s, delay);
          break;
        }
      }
    };
    const p = run().finally(() => {
      s.inFlight = null;
      emit();
    });
    s.inFlight = p;
    return p;
  };

  const newSlot = (projectId: number, imageId: number, baseRevision: number): Slot => ({
    imageId,
    projectId,
    baseRevision,
    latest: null,
    changeSeq: 0,
    ackedSeq: 0,
    firstUnsentAt: null,
    inFlight: null,
    phase: "idle",
    attempt: 0,
    timer: null,
    retryAt: 0,
    offline: false,
    message: "",
    conflictServer: null,
    persistChain: Promise.resolve(),
  });

  const adoptEntry = (s: Slot, entry: PendingEntry) => {
    s.latest = entry.snapshot;
    s.changeSeq = Math.max(1, entry.changes);
    s.ackedSeq = 0;
  };

  const settled = async (imageId: number): Promise<void> => {
    for (;;) {
      const s = slots.get(imageId);
      if (!s || disposed) return;
      if (s.inFlight) {
        await s.inFlight;
        continue;
      }
      if (s.latest === null || s.phase === "conflict" || s.phase === "error" || s.phase === "retrying")
        return;
      await send(s);
    }
  };

  return {
    getState: () => state,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },

    open: async (projectId, server) => {
      const imageId = server.imageId;
      const known = slots.get(imageId);
      if (known) {
        // Let a save in flight land first, or its own revision would look like someone else's.
        if (known.inFlight) await known.inFlight;
        known.projectId = projectId;
        if (known.phase === "conflict" && known.conflictServer) {
          if (server.revision > known.conflictServer.revision) known.conflictServer = server;
          emit();
          return {
            kind: "conflict",
            mine: known.latest ?? { annotations: [], tags: [] },
            server: known.conflictServer,
            changes: pendingOf(known),
          };
        }
        if (known.latest) {
          if (server.revision > known.baseRevision && !sameContent(server, known.latest)) {
            clearTimer(known);
            known.phase = "conflict";
            known.conflictServer = server;
            emit();
            return { kind: "conflict", mine: known.latest, server, changes: pendingOf(known) };
          }
          return {
            kind: "local",
            snapshot: known.latest,
            revision: known.baseRevision,
            changes: pendingOf(known),
          };
        }
        known.baseRevision = Math.max(known.baseRevision, server.revision);
        emit();
        return { kind: "server", set: server };
      }

      const s = newSlot(projectId, imageId, server.revision);
      slots.set(imageId, s);
      let entry: PendingEntry | null = null;
      try {
        entry = await storage.load(imageId);
      } catch (err) {
        storageError = `could not read local copies: ${(err as Error)?.message ?? String(err)}`;
      }
      if (!entry) {
        emit();
        return { kind: "server", set: server };
      }
      if (sameContent(server, entry.snapshot)) {
        // The save went through but its reply never arrived.
        persist(s, () => storage.remove(imageId));
        emit();
        return { kind: "server", set: server };
      }
      adoptEntry(s, entry);
      if (entry.baseRevision === server.revision) {
        s.phase = "debouncing";
        schedule(s, 0);
        emit();
        return { kind: "local", snapshot: entry.snapshot, revision: server.revision, changes: pendingOf(s) };
      }
      s.phase = "conflict";
      s.baseRevision = entry.baseRevision;
      s.conflictServer = server;
      emit();
      return { kind: "conflict", mine: entry.snapshot, server, changes: pendingOf(s) };
    },

    change: (imageId, snapshot) => {
      const s = slots.get(imageId);
      if (!s) throw new Error(`save queue: image ${imageId} changed before it was opened`);
      s.latest = snapshot;
      s.changeSeq += 1;
      writeEntry(s);
      const now = clock.now();
      switch (s.phase) {
        case "conflict":
        case "saving":
          break;
        case "retrying": {
          // The user is still at work: try again soon, but not more than once every couple of seconds.
          const soon = now + Math.max(debounceMs, 2000);
          if (soon < s.retryAt) {
            s.retryAt = soon;
            schedule(s, soon - now);
          }
          break;
        }
        default: {
          if (s.firstUnsentAt === null) s.firstUnsentAt = now;
          s.phase = "debouncing";
          const wait = Math.min(debounceMs, Math.max(0, s.firstUnsentAt + maxWaitMs - now));
          schedule(s, wait);
        }
      }
      emit();
    },

    resolveConflict: (imageId, choice) => {
      const s = slots.get(imageId);
      if (s?.phase !== "conflict" || !s.conflictServer) return null;
      const server = s.conflictServer;
      s.conflictServer = null;
      s.baseRevision = server.revision;
      if (choice === "theirs") {
        s.latest = null;
        s.ackedSeq = s.changeSeq;
        s.phase = "idle";
        writeEntry(s);
        opts.onSaved?.(server);
        emit();
        return server;
      }
      s.phase = "debouncing";
      writeEntry(s);
      void send(s);
      return server;
    },

    flushAll: () => {
      for (const s of slots.values()) {
        if (s.latest && s.phase !== "conflict" && !s.inFlight) void send(s);
      }
    },

    resume: async () => {
      let entries: PendingEntry[];
      try {
        entries = await storage.list();
      } catch (err) {
        storageError = `could not read local copies: ${(err as Error)?.message ?? String(err)}`;
        emit();
        return;
      }
      for (const entry of entries) {
        if (slots.has(entry.imageId)) continue;
        const s = newSlot(entry.projectId, entry.imageId, entry.baseRevision);
        adoptEntry(s, entry);
        slots.set(entry.imageId, s);
        s.phase = "debouncing";
        schedule(s, 0);
      }
      emit();
    },

    hasUnsaved: () => [...slots.values()].some((s) => s.latest !== null || s.inFlight !== null),
    pendingSnapshot: (imageId) => slots.get(imageId)?.latest ?? null,
    discard: (imageId) => {
      const s = slots.get(imageId);
      if (!s) return;
      clearTimer(s);
      s.latest = null;
      s.ackedSeq = s.changeSeq;
      s.conflictServer = null;
      s.phase = "idle";
      writeEntry(s);
      slots.delete(imageId);
      emit();
    },
    settled,
    dispose: () => {
      disposed = true;
      for (const s of slots.values()) clearTimer(s);
      listeners.clear();
    },
  };
};

/** One line for the status bar. */
export const describeStatus = (status: SaveStatus | undefined, now: number): string => {
  if (!status) return "";
  const pending = (n: number) => `${n} change${n === 1 ? "" : "s"} pending`;
  switch (status.kind) {
    case "saved":
      return "Saved";
    case "pending":
      return "Unsaved changes";
    case "saving":
      return "Saving…";
    case "offline":
      return `Offline — ${pending(status.changes)}`;
    case "retrying": {
      const s = Math.max(0, Math.ceil((status.retryAt - now) / 1000));
      return `Save failed, retrying in ${s} s — ${pending(status.changes)}`;
    }
    case "conflict":
      return `Conflict — ${pending(status.changes)}`;
    case "error":
      return `Not saved: ${status.message}`;
  }
};
