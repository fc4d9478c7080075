import { geometryEquals } from "@labelbench/geometry";
import {
  type AnnotationPatchResult,
  type AnnotationSet,
  type Api,
  type ErrorCode,
  sameAttributeValues,
} from "@labelbench/schema";
import type { z } from "zod";
import {
  applyChange,
  applyDiffInPlace,
  type Content,
  contentOf,
  diffApplied,
  diffContent,
  isEmptyDiff,
  type PatchRequest,
  type PendingChange,
  type ShapeDiff,
  type Snapshot,
  snapshotOf,
  snapshotOfContent,
} from "./save-diff";
import {
  type Ancestors,
  ancestorsOf,
  type MergeSide,
  mergeThreeWay,
  rebuildBase,
  type ThreeWayMerge,
} from "./save-merge";

/**
 * The autosave queue: the part of the editor that must never lose work.
 *
 * Every committed change of an image's document is compared with what the server acknowledged; the
 * difference (a few shapes) is written to durable local storage at once and sent to the server after a
 * short debounce as a PATCH on the revision it was based on. A whole-set PUT is used only where a diff
 * cannot say it ("keep mine" after a conflict, copies stored by older versions).
 * Only an acknowledged save removes the local copy, so a reload, a crash or a server outage keeps
 * the work. Failed saves retry with exponential backoff. A revision conflict is a three-way merge
 * (save-merge.ts) of my edits and the server's newer set against the set both started from: edits of
 * different shapes merge on their own and the merged set is saved; shapes changed on both sides stop
 * autosaving for that image until the user chooses, shape by shape — the queue never overwrites
 * someone else's save on its own and never drops local changes on its own.
 *
 * Pure: transport, storage and clock are injected, so every path is unit-tested without a browser.
 */

export type { PendingChange, ShapeDiff, Snapshot, SnapshotShape } from "./save-diff";
export { snapshotOf } from "./save-diff";
export type { MergeSide, ShapeConflict, ThreeWayMerge } from "./save-merge";

export interface PendingEntry {
  imageId: number;
  projectId: number;
  /** The server revision the edits were made on; a save with it succeeds only if nobody saved since. */
  baseRevision: number;
  /**
   * What the server does not have yet: normally a diff on `baseRevision` (small, cheap to store). While
   * a conflict waits for the user, the diff is on the server's newer set that the conflict showed.
   */
  change: PendingChange;
  /** How many edits the change holds that the server has not acknowledged. */
  changes: number;
  updatedAt: number;
  /**
   * The `baseRevision` versions of the shapes a diff touches (and its tags), so a conflict found after
   * a reload is still a three-way merge. Missing in copies kept by older versions.
   */
  ancestors?: Ancestors;
}

/** Durable per-image storage of unacknowledged changes (IndexedDB in the browser). */
export interface PendingStorage {
  load(imageId: number): Promise<PendingEntry | null>;
  list(): Promise<PendingEntry[]>;
  save(entry: PendingEntry): Promise<void>;
  remove(imageId: number): Promise<void>;
}

export type SaveFailure =
  /** 409 REVISION_CONFLICT: `server` is the server's current set. */
  | { kind: "conflict"; server: AnnotationSet }
  /** The server could not be reached. */
  | { kind: "offline"; message: string }
  /**
   * The server answered with an error; `retry` is false when sending the same body again cannot help
   * (400); `code` is the server's (WORKFLOW_CONFLICT: someone else holds the image).
   */
  | { kind: "failed"; message: string; retry: boolean; code?: ErrorCode };

export type PutResult = { kind: "saved"; set: AnnotationSet } | SaveFailure;
export type PatchResult = { kind: "patched"; result: AnnotationPatchResult } | SaveFailure;

/** What a routine autosave sends: the contract's patch body, with its upserts and deletes always named. */
export type PatchBody = PatchRequest & Required<Pick<PatchRequest, "upsert" | "delete">>;
/** What a whole-set save sends: the contract's PUT body, every shape with its id. */
export type PutBody = Pick<z.input<Api["putAnnotations"]["body"]>, "baseRevision"> & Snapshot;

export interface SaveTransport {
  /** The whole set (recoveries, "keep mine"). */
  put(imageId: number, body: PutBody): Promise<PutResult>;
  /** What changed (routine autosaves). */
  patch(imageId: number, body: PatchBody): Promise<PatchResult>;
}

/** An acknowledged save, for caches of the server's set: a whole set, or a patch on `baseRevision`. */
export type SaveAck =
  | { kind: "set"; set: AnnotationSet }
  | { kind: "patch"; baseRevision: number; result: AnnotationPatchResult };

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
  /** `merge.conflicts`: the shapes changed on both sides (the rest merges when the user has chosen). */
  | { kind: "conflict"; changes: number; server: AnnotationSet; mine: Snapshot; merge: ThreeWayMerge }
  | { kind: "error"; changes: number; message: string; code?: ErrorCode };

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
  /** A local copy exists, the server moved on and some shapes changed on both sides: the user chooses (the editor shows `mine`). */
  | { kind: "conflict"; mine: Snapshot; server: AnnotationSet; changes: number };

/** The outcome of a conflict the user settled: what the editor shows from now on. */
export interface Resolution {
  /** Everything merged, each shape changed on both sides as mine. */
  merged: Snapshot;
  /** The same with the user's choices: differs from `merged` where they took their version. */
  resolved: Snapshot;
}

/**
 * A conflict merged without a question: the editor showing `imageId` must show `merged` from now on
 * (it holds their changes as well as mine). Called synchronously, before any further edit can happen.
 */
export type MergedListener = (imageId: number, merged: Snapshot, merge: ThreeWayMerge) => void;

export interface SaveQueueOptions {
  transport: SaveTransport;
  storage: PendingStorage;
  clock: Clock;
  debounceMs?: number;
  /** A stream of edits still saves at least this often. */
  maxWaitMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Called with every acknowledged save, e.g. to refresh a preload cache. */
  onSaved?: (ack: SaveAck) => void;
}

export interface SaveQueue {
  getState(): SaveQueueState;
  subscribe(listener: () => void): () => void;
  /** Starts tracking an image with the server's current set; reconciles with a stored local copy. */
  open(projectId: number, server: AnnotationSet): Promise<OpenResult>;
  /** Records one committed edit (the whole document after it). */
  change(imageId: number, snapshot: Snapshot): void;
  /**
   * Settles a conflict: the merge with, for each shape changed on both sides, the side `choices` names
   * (mine where it names none) is saved on the server's revision. Null when the image is not in conflict.
   */
  resolveConflict(imageId: number, choices: ReadonlyMap<string, MergeSide>): Resolution | null;
  /** Conflicts merged on their own (see MergedListener). */
  onMerged(listener: MergedListener): () => void;
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
      geometryEquals(other.geometry, s.geometry) &&
      sameAttributeValues(other.attributes, s.attributes)
    );
  });
};

/**
 * What an image's slot is doing, each phase with what only it has (as the tools' states are): a timer
 * only while a save waits for it, the failure only while retrying, the server's set and the merge only
 * while the user chooses. A slot cannot be in conflict without the conflict's sets, or retry without a
 * time for it.
 */
type Phase =
  | { kind: "idle" }
  /** A save goes out when `timer` fires (the debounce, or at once). */
  | { kind: "debouncing"; timer: unknown }
  /** A save is in flight (`Slot.inFlight`). */
  | { kind: "saving" }
  /** The last save failed and is tried again at `retryAt`; `offline`: the server could not be reached. */
  | { kind: "retrying"; timer: unknown; retryAt: number; offline: boolean; message: string }
  /** Shapes changed on both sides: the server's set and the merge with it (recomputed as the user edits). */
  | { kind: "conflict"; server: AnnotationSet; theirs: Snapshot; merge: ThreeWayMerge }
  /** The server refused for good: autosave waits for the next edit or the user's word. */
  | { kind: "error"; message: string; code?: ErrorCode };

const IDLE: Phase = { kind: "idle" };

interface Slot {
  imageId: number;
  projectId: number;
  baseRevision: number;
  /**
   * The server's content at `baseRevision` that diffs are taken against (during a conflict: the
   * conflict's server set); null when unknown, for a stored copy resumed without opening its image.
   */
  base: Content | null;
  /** The editor's newest content the server does not have; null when nothing is pending or unknown. */
  latest: Snapshot | null;
  /** What the next save sends; null when the server has everything. */
  pending: PendingChange | null;
  /** The next save sends the whole set: "keep mine", or a diff the server refused. */
  full: boolean;
  changeSeq: number;
  ackedSeq: number;
  /** When the oldest edit not yet sent was made (for maxWait). */
  firstUnsentAt: number | null;
  /** The save under way; its reply may move the phase on a moment before the request settles. */
  inFlight: Promise<void> | null;
  phase: Phase;
  /** Failed tries in a row (the backoff), counted across the saving and retrying phases. */
  attempt: number;
  /** From a stored copy: the base's versions of the shapes it touches, while `base` is unknown. */
  ancestors: Ancestors | null;
  /** Storage writes for one image run in order. */
  persistChain: Promise<void>;
}

const EMPTY: Snapshot = { annotations: [], tags: [] };

const patchBody = (baseRevision: number, d: ShapeDiff): PatchBody => {
  const body: PatchBody = { baseRevision, upsert: d.upsert, delete: d.delete };
  if (d.tags !== null) body.tags = d.tags;
  return body;
};

export const createSaveQueue = (opts: SaveQueueOptions): SaveQueue => {
  const { transport, storage, clock } = opts;
  const debounceMs = opts.debounceMs ?? 800;
  const maxWaitMs = opts.maxWaitMs ?? 5000;
  const backoffInitialMs = opts.backoffInitialMs ?? 1000;
  const backoffMaxMs = opts.backoffMaxMs ?? 30_000;
  const slots = new Map<number, Slot>();
  const listeners = new Set<() => void>();
  const mergedListeners = new Set<MergedListener>();
  let storageError: string | null = null;
  let disposed = false;
  let state: SaveQueueState = { images: new Map(), totalChanges: 0, storageError: null };

  const pendingOf = (s: Slot) => s.changeSeq - s.ackedSeq;

  const statusOf = (s: Slot): SaveStatus => {
    const changes = pendingOf(s);
    const phase = s.phase;
    switch (phase.kind) {
      case "conflict":
        return {
          kind: "conflict",
          changes,
          server: phase.server,
          mine: s.latest ?? EMPTY,
          merge: phase.merge,
        };
      case "error":
        return { kind: "error", changes, message: phase.message, code: phase.code };
      case "retrying": {
        const { retryAt, message } = phase;
        return { kind: phase.offline ? "offline" : "retrying", changes, retryAt, message };
      }
      case "saving":
        return { kind: "saving", changes };
      case "idle":
      case "debouncing":
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

  const writeEntry = (s: Slot) => {
    if (s.pending) {
      const entry: PendingEntry = {
        imageId: s.imageId,
        projectId: s.projectId,
        baseRevision: s.baseRevision,
        change: s.pending,
        changes: pendingOf(s),
        updatedAt: clock.now(),
      };
      const ancestors =
        s.pending.kind === "diff" && s.base ? ancestorsOf(s.base, s.pending.diff) : s.ancestors;
      if (ancestors) entry.ancestors = ancestors;
      persist(s, () => storage.save(entry));
    } else persist(s, () => storage.remove(s.imageId));
  };

  /** Derives what to send from the editor's content: a diff on `base`, or the whole set. */
  const recompute = (s: Slot) => {
    if (!s.latest) return;
    if (s.full || !s.base) {
      s.pending = { kind: "full", snapshot: s.latest };
      return;
    }
    const diff = diffContent(s.base, s.latest);
    s.pending = isEmptyDiff(diff) ? null : { kind: "diff", diff };
  };

  /** Nothing left to send: the server has what the editor shows. */
  const markSaved = (s: Slot) => {
    s.ackedSeq = s.changeSeq;
    s.latest = null;
    s.pending = null;
    s.full = false;
    clearTimer(s);
    s.phase = IDLE;
    s.firstUnsentAt = null;
  };

  /** Stops the timer of a waiting phase; the caller moves the slot to its next phase. */
  const clearTimer = (s: Slot) => {
    if (s.phase.kind === "debouncing" || s.phase.kind === "retrying") clock.clearTimeout(s.phase.timer);
  };

  const startTimer = (s: Slot, ms: number): unknown => clock.setTimeout(() => void send(s), ms);

  /** A save goes out in `ms`. */
  const debounce = (s: Slot, ms: number) => {
    clearTimer(s);
    s.phase = { kind: "debouncing", timer: startTimer(s, ms) };
  };

  const backoff = (attempt: number) => Math.min(backoffMaxMs, backoffInitialMs * 2 ** (attempt - 1));

  const acknowledge = (s: Slot, seq: number, sent: PendingChange, ack: SaveAck, server?: AnnotationSet) => {
    s.baseRevision = ack.kind === "set" ? ack.set.revision : ack.result.revision;
    // The new base keeps the editor's own objects where it can, so the next diff compares pointers.
    if (server) s.base = contentOf(server);
    else if (sent.kind === "full") s.base = contentOf(sent.snapshot);
    else if (s.base) applyDiffInPlace(s.base, sent.diff);
    if (sent.kind === "full") s.full = false;
    s.ackedSeq = Math.max(s.ackedSeq, seq);
    s.attempt = 0;
    if (s.changeSeq === s.ackedSeq) markSaved(s);
    else {
      // Edits made while the save was in flight: send them on the new revision.
      recompute(s);
      if (!s.pending) markSaved(s);
      else debounce(s, debounceMs);
    }
    writeEntry(s);
    opts.onSaved?.(ack);
  };

  /**
   * The set the pending edits were made on, and those edits as a whole set. A copy resumed from storage
   * has no base in memory: it is rebuilt from the server's newer set and the stored ancestors.
   */
  const baseAndMine = (s: Slot, theirs: Snapshot): { base: Content; mine: Snapshot } => {
    if (s.base) {
      const mine =
        s.latest ??
        (s.pending ? applyChange(snapshotOfContent(s.base), s.pending) : snapshotOfContent(s.base));
      return { base: s.base, mine };
    }
    const guess = s.latest ?? (s.pending ? applyChange(theirs, s.pending) : theirs);
    const diff = s.pending?.kind === "diff" ? s.pending.diff : diffContent(contentOf(theirs), guess);
    const base = rebuildBase(theirs, diff, s.ancestors);
    return { base, mine: s.latest ?? applyChange(snapshotOfContent(base), { kind: "diff", diff }) };
  };

  /** The editor's content is now `merged`, a diff on the server's `server`: save it from there. */
  const rebase = (s: Slot, server: AnnotationSet, merged: Snapshot) => {
    clearTimer(s);
    s.phase = IDLE;
    s.ancestors = null;
    s.baseRevision = server.revision;
    s.base = contentOf(server);
    s.latest = merged;
    s.full = false;
    s.attempt = 0;
    recompute(s);
    if (!s.pending) markSaved(s);
    else debounce(s, 0);
    writeEntry(s);
    // The server's set is news for caches of it (the preload cache, shape authors).
    opts.onSaved?.({ kind: "set", set: server });
  };

  /**
   * The server moved on past the pending edits' base: a three-way merge. Without a shape changed on
   * both sides the merged set is saved at once (and the editor told); otherwise autosave stops and the
   * user chooses, with the edits kept as a diff on their own base (so a reload merges the same way).
   */
  const meetServer = (s: Slot, server: AnnotationSet): "merged" | "conflict" => {
    const theirs = snapshotOf(server);
    const { base, mine } = baseAndMine(s, theirs);
    const merge = mergeThreeWay(base, mine, theirs);
    if (merge.conflicts.length === 0) {
      rebase(s, server, merge.merged);
      for (const l of mergedListeners) l(s.imageId, merge.merged, merge);
      return "merged";
    }
    clearTimer(s);
    s.base = base;
    s.latest = mine;
    s.phase = { kind: "conflict", server, theirs, merge };
    s.attempt = 0;
    s.full = false;
    recompute(s);
    writeEntry(s);
    return "conflict";
  };

  const send = (s: Slot): Promise<void> => {
    if (disposed || s.inFlight || s.phase.kind === "conflict") return s.inFlight ?? Promise.resolve();
    const change = s.pending;
    if (!change) {
      clearTimer(s);
      s.phase = IDLE;
      emit();
      return Promise.resolve();
    }
    clearTimer(s);
    const seq = s.changeSeq;
    const base = s.baseRevision;
    const sentLatest = s.latest;
    s.phase = { kind: "saving" };
    s.firstUnsentAt = null;
    emit();
    const run = async () => {
      let result: PutResult | PatchResult;
      try {
        result =
          change.kind === "full"
            ? await transport.put(s.imageId, { baseRevision: base, ...change.snapshot })
            : await transport.patch(s.imageId, patchBody(base, change.diff));
      } catch (err) {
        result = { kind: "failed", message: (err as Error)?.message ?? String(err), retry: true };
      }
      if (disposed) return;
      switch (result.kind) {
        case "saved":
          acknowledge(s, seq, change, { kind: "set", set: result.set });
          break;
        case "patched":
          acknowledge(s, seq, change, { kind: "patch", baseRevision: base, result: result.result });
          break;
        case "conflict": {
          const server = result.server;
          // A save whose reply was lost looks like a conflict with our own content: that is an ack.
          const ours = sentLatest
            ? sameContent(server, sentLatest)
            : change.kind === "full"
              ? sameContent(server, change.snapshot)
              : diffApplied(server, change.diff);
          if (ours) acknowledge(s, seq, change, { kind: "set", set: server }, server);
          else meetServer(s, server);
          break;
        }
        case "offline":
        case "failed": {
          if (result.kind === "failed" && !result.retry) {
            // Someone else holding the image refuses any body: no point in sending the whole set.
            if (change.kind === "diff" && s.latest && result.code !== "WORKFLOW_CONFLICT") {
              // The server refused the diff (e.g. it names a shape the server lacks): the whole set
              // says the same without depending on what the server holds. Its refusal is final.
              s.full = true;
              recompute(s);
              debounce(s, 0);
              break;
            }
            s.full = false;
            recompute(s);
            s.phase = { kind: "error", message: result.message, code: result.code };
            break;
          }
          s.attempt += 1;
          const delay = backoff(s.attempt);
          s.phase = {
            kind: "retrying",
            timer: startTimer(s, delay),
            retryAt: clock.now() + delay,
            offline: result.kind === "offline",
            message: result.message,
          };
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
    base: null,
    latest: null,
    pending: null,
    full: false,
    changeSeq: 0,
    ackedSeq: 0,
    firstUnsentAt: null,
    inFlight: null,
    phase: IDLE,
    attempt: 0,
    ancestors: null,
    persistChain: Promise.resolve(),
  });

  const adoptEntry = (s: Slot, entry: PendingEntry) => {
    s.baseRevision = entry.baseRevision;
    s.pending = entry.change;
    s.latest = entry.change.kind === "full" ? entry.change.snapshot : null;
    s.changeSeq = Math.max(1, entry.changes);
    s.ackedSeq = 0;
    s.ancestors = entry.ancestors ?? null;
  };

  /**
   * A stored change met the server's set: replayed on it when the server is still at the change's
   * revision; dropped when the server already holds it; otherwise merged with it.
   */
  const reconcile = (s: Slot, server: AnnotationSet, change: PendingChange): OpenResult => {
    const held =
      change.kind === "full" ? sameContent(server, change.snapshot) : diffApplied(server, change.diff);
    if (held) {
      // The save went through but its reply never arrived.
      clearTimer(s);
      markSaved(s);
      s.baseRevision = Math.max(s.baseRevision, server.revision);
      s.base = contentOf(server);
      writeEntry(s);
      emit();
      return { kind: "server", set: server };
    }
    if (s.baseRevision !== server.revision) return merged(s, server);
    const mine = applyChange(snapshotOf(server), change);
    s.latest = mine;
    s.base = contentOf(server);
    recompute(s);
    if (!s.pending) markSaved(s);
    else debounce(s, 0);
    writeEntry(s);
    emit();
    return { kind: "local", snapshot: mine, revision: server.revision, changes: pendingOf(s) };
  };

  /** Open's answer once the server's newer set was merged with what is pending. */
  const merged = (s: Slot, server: AnnotationSet): OpenResult => {
    const outcome = meetServer(s, server);
    emit();
    if (outcome === "conflict")
      return { kind: "conflict", mine: s.latest ?? EMPTY, server, changes: pendingOf(s) };
    const snapshot = s.latest ?? snapshotOf(server);
    return { kind: "local", snapshot, revision: server.revision, changes: pendingOf(s) };
  };

  const settled = async (imageId: number): Promise<void> => {
    for (;;) {
      const s = slots.get(imageId);
      if (!s || disposed) return;
      if (s.inFlight) {
        await s.inFlight;
        continue;
      }
      const waiting = s.phase.kind === "conflict" || s.phase.kind === "error" || s.phase.kind === "retrying";
      if (s.pending === null || waiting) return;
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
      // Idle images let go of their base content (a dense image's is megabytes): opening one again
      // brings the server's set, which becomes its base.
      for (const other of slots.values())
        if (other.imageId !== imageId && !other.pending && !other.inFlight) other.base = null;
      const known = slots.get(imageId);
      if (known) {
        // Let a save in flight land first, or its own revision would look like someone else's.
        if (known.inFlight) await known.inFlight;
        known.projectId = projectId;
        if (known.phase.kind === "conflict") {
          // A still newer save: merge with that one instead.
          if (server.revision > known.phase.server.revision) return merged(known, server);
          emit();
          return {
            kind: "conflict",
            mine: known.latest ?? EMPTY,
            server: known.phase.server,
            changes: pendingOf(known),
          };
        }
        if (known.pending && known.latest && known.base) {
          if (server.revision > known.baseRevision && !sameContent(server, known.latest))
            return merged(known, server);
          return {
            kind: "local",
            snapshot: known.latest,
            revision: known.baseRevision,
            changes: pendingOf(known),
          };
        }
        // A copy resumed in the background and not saved yet: now its image's set is known.
        if (known.pending) return reconcile(known, server, known.pending);
        if (server.revision >= known.baseRevision) known.baseRevision = server.revision;
        known.base = contentOf(server);
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
        s.base = contentOf(server);
        emit();
        return { kind: "server", set: server };
      }
      adoptEntry(s, entry);
      return reconcile(s, server, entry.change);
    },

    change: (imageId, snapshot) => {
      const s = slots.get(imageId);
      if (!s) throw new Error(`save queue: image ${imageId} changed before it was opened`);
      s.latest = snapshot;
      s.changeSeq += 1;
      recompute(s);
      // Edits while the user compares: the shapes changed on both sides may change too.
      if (s.phase.kind === "conflict" && s.base)
        s.phase.merge = mergeThreeWay(s.base, snapshot, s.phase.theirs);
      if (!s.pending && !s.inFlight && s.phase.kind !== "conflict") {
        // Back to exactly what the server has (e.g. an edit undone): nothing to send.
        clearTimer(s);
        markSaved(s);
        s.attempt = 0;
        writeEntry(s);
        emit();
        return;
      }
      writeEntry(s);
      const now = clock.now();
      const phase = s.phase;
      switch (phase.kind) {
        case "conflict":
        case "saving":
          break;
        case "retrying": {
          // The user is still at work: try again soon, but not more than once every couple of seconds.
          const soon = now + Math.max(debounceMs, 2000);
          if (soon < phase.retryAt) {
            clock.clearTimeout(phase.timer);
            s.phase = { ...phase, retryAt: soon, timer: startTimer(s, soon - now) };
          }
          break;
        }
        case "idle":
        case "debouncing":
        case "error": {
          if (s.firstUnsentAt === null) s.firstUnsentAt = now;
          const wait = Math.min(debounceMs, Math.max(0, s.firstUnsentAt + maxWaitMs - now));
          debounce(s, wait);
        }
      }
      emit();
    },

    resolveConflict: (imageId, choices) => {
      const s = slots.get(imageId);
      if (s?.phase.kind !== "conflict" || !s.base || !s.latest) return null;
      const { server, theirs } = s.phase;
      const all = mergeThreeWay(s.base, s.latest, theirs);
      const resolved = choices.size === 0 ? all : mergeThreeWay(s.base, s.latest, theirs, choices);
      rebase(s, server, resolved.merged);
      emit();
      return { merged: all.merged, resolved: resolved.merged };
    },

    onMerged: (l) => {
      mergedListeners.add(l);
      return () => mergedListeners.delete(l);
    },

    flushAll: () => {
      for (const s of slots.values()) {
        if (s.pending && s.phase.kind !== "conflict" && !s.inFlight) void send(s);
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
        debounce(s, 0);
      }
      emit();
    },

    hasUnsaved: () => [...slots.values()].some((s) => s.pending !== null || s.inFlight !== null),
    pendingSnapshot: (imageId) => {
      const s = slots.get(imageId);
      return s?.pending ? s.latest : null;
    },
    discard: (imageId) => {
      const s = slots.get(imageId);
      if (!s) return;
      markSaved(s);
      writeEntry(s);
      slots.delete(imageId);
      emit();
    },
    settled,
    dispose: () => {
      disposed = true;
      for (const s of slots.values()) clearTimer(s);
      listeners.clear();
      mergedListeners.clear();
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
