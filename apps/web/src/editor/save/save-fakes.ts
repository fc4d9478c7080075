import type { AnnotationSet } from "@labelbench/schema";
import { applyChange } from "./save-diff";
import {
  type Clock,
  type PatchBody,
  type PatchResult,
  type PendingEntry,
  type PendingStorage,
  type PutBody,
  type PutResult,
  type SaveTransport,
  type Snapshot,
  snapshotOf,
} from "./save-queue";

/**
 * Fakes of the services the save queue and the editor session are given (clock, pending store,
 * the server's save endpoints), shared by their tests (save-queue.test.ts, session/editor-session.test.ts).
 */

/** Lets every promise chain the code under test started run to its next real wait. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 60; i++) await Promise.resolve();
};

/** Time that moves only when told: timers fire in order, promises settle in between. */
export class FakeClock implements Clock {
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private nextId = 1;
  constructor(public t = 0) {}
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ id, at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Moves time forward, firing due timers in order and letting promises settle in between. */
  async advance(ms: number) {
    const end = this.t + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
  get pendingTimers() {
    return this.timers.length;
  }
}

/** The pending store in memory (copies in and out, as IndexedDB's structured clone does). */
export class MemoryStorage implements PendingStorage {
  entries = new Map<number, PendingEntry>();
  /** Writes fail as a full disk's would. */
  failWrites = false;
  load = async (id: number) => structuredClone(this.entries.get(id) ?? null);
  list = async () => [...this.entries.values()].map((e) => structuredClone(e));
  save = async (e: PendingEntry) => {
    if (this.failWrites) throw new Error("quota exceeded");
    this.entries.set(e.imageId, structuredClone(e));
  };
  remove = async (id: number) => {
    this.entries.delete(id);
  };
}

export type SaveCall =
  | { kind: "put"; imageId: number; baseRevision: number; body: PutBody }
  | { kind: "patch"; imageId: number; baseRevision: number; body: PatchBody };

type Shape = Snapshot["annotations"][number];

/** A stored set holding `snap` at `revision`, as the server answers it (no authors, fixed times). */
export const setOf = (
  imageId: number,
  revision: number,
  snap: Snapshot,
  stampedAt = "2024-01-01T00:00:00.000Z",
): AnnotationSet => ({
  imageId,
  revision,
  tags: [...snap.tags],
  annotations: snap.annotations.map((a) => ({
    ...a,
    createdBy: null,
    updatedBy: null,
    createdAt: stampedAt,
    updatedAt: stampedAt,
  })),
});

/**
 * The server's save endpoints over one set per image, answering PUTs and PATCHes as the real one
 * does (revision check, upserts in place or before the shape named, deletes of shapes it holds,
 * tags, authors and times on what changed), or as `mode` says. `transport` is what the queue is given.
 */
export class FakeSaveServer {
  sets = new Map<number, AnnotationSet>();
  calls: SaveCall[] = [];
  mode: "up" | "offline" | "500" | "400" | "held" = "up";
  /** When set, saves hang until released (`holdNext`). */
  hold: { release: () => void; promise: Promise<void> } | null = null;
  /** The save is stored but its reply is lost, as a connection reset after the commit. */
  loseReply = false;
  /** Who the server records as the author of what it is sent. */
  account: string | null = null;
  /** When the server says a shape was created or changed. */
  stampedAt = "2024-01-01T00:00:00.000Z";

  get puts() {
    return this.calls.filter((c) => c.kind === "put");
  }
  get patches() {
    return this.calls.filter((c) => c.kind === "patch");
  }

  /** The set `imageId` holds from now on, at `revision`. */
  set(imageId: number, revision: number, snap: Snapshot = { annotations: [], tags: [] }) {
    const s = setOf(imageId, revision, snap, this.stampedAt);
    this.sets.set(imageId, s);
    return s;
  }

  /** Someone saves directly on the server (another user, another tab): the next revision. */
  store(imageId: number, shapes: Shape[], by = this.account, tags: number[] = []) {
    const old = this.current(imageId);
    return this.write(imageId, old.revision + 1, shapes, by, tags);
  }

  holdNext() {
    let release = () => {};
    const promise = new Promise<void>((r) => {
      release = r;
    });
    this.hold = { release, promise };
  }

  /** Whether saves find the server unreachable (subclasses add their own reasons). */
  protected offline(): boolean {
    return this.mode === "offline";
  }

  put = async (imageId: number, body: PutBody): Promise<PutResult> => {
    this.calls.push({ kind: "put", imageId, baseRevision: body.baseRevision, body: structuredClone(body) });
    const a = await this.answer(imageId, body.baseRevision);
    if (a.kind !== "ok") return a;
    const next = this.store(imageId, body.annotations, this.account, [...body.tags]);
    if (this.loseReply) return { kind: "offline", message: "connection reset" };
    return { kind: "saved", set: next };
  };

  patch = async (imageId: number, body: PatchBody): Promise<PatchResult> => {
    this.calls.push({ kind: "patch", imageId, baseRevision: body.baseRevision, body: structuredClone(body) });
    const a = await this.answer(imageId, body.baseRevision);
    if (a.kind !== "ok") return a;
    const have = new Set(a.current.annotations.map((x) => x.id));
    const missing = body.delete.find((id) => !have.has(id));
    if (missing) return { kind: "failed", message: `no annotation "${missing}" to delete`, retry: false };
    const snap = applyChange(snapshotOf(a.current), {
      kind: "diff",
      diff: { upsert: body.upsert, delete: body.delete, tags: body.tags ?? null },
    });
    const next = this.store(imageId, snap.annotations, this.account, [...snap.tags]);
    if (this.loseReply) return { kind: "offline", message: "connection reset" };
    const upserted = new Set(body.upsert.map((x) => x.id));
    return {
      kind: "patched",
      result: {
        imageId,
        revision: next.revision,
        annotationCount: next.annotations.length,
        upserted: next.annotations.filter((x) => upserted.has(x.id)),
        placed: body.upsert.flatMap((u) =>
          u.before === undefined || have.has(u.id) ? [] : [{ id: u.id, before: u.before }],
        ),
        deleted: body.delete,
        tags: next.tags,
      },
    };
  };

  transport: SaveTransport = { put: this.put, patch: this.patch };

  private current(imageId: number): AnnotationSet {
    return this.sets.get(imageId) ?? { imageId, revision: 0, annotations: [], tags: [] };
  }

  /** Stores `shapes` at `revision`: unchanged shapes keep their authors and times, changed ones get `by`'s. */
  private write(
    imageId: number,
    revision: number,
    shapes: readonly Shape[],
    by: string | null,
    tags: number[],
  ) {
    const before = new Map(this.current(imageId).annotations.map((a) => [a.id, a]));
    const set: AnnotationSet = {
      imageId,
      revision,
      tags,
      annotations: shapes.map((s) => {
        const was = before.get(s.id);
        const same =
          was &&
          was.labelId === s.labelId &&
          JSON.stringify(was.geometry) === JSON.stringify(s.geometry) &&
          JSON.stringify(was.attributes ?? {}) === JSON.stringify(s.attributes ?? {});
        return same
          ? was
          : {
              id: s.id,
              labelId: s.labelId,
              geometry: s.geometry,
              ...(s.attributes ? { attributes: s.attributes } : {}),
              createdBy: was?.createdBy ?? by,
              updatedBy: by,
              createdAt: was?.createdAt ?? this.stampedAt,
              updatedAt: this.stampedAt,
            };
      }),
    };
    this.sets.set(imageId, set);
    return set;
  }

  private async answer(imageId: number, baseRevision: number) {
    if (this.hold) await this.hold.promise;
    if (this.offline()) return { kind: "offline", message: "cannot reach the server" } as const;
    if (this.mode === "500") return { kind: "failed", message: "server answered 500", retry: true } as const;
    if (this.mode === "400")
      return { kind: "failed", message: "label 9 is not in the set", retry: false } as const;
    if (this.mode === "held")
      return {
        kind: "failed",
        message: "image 7 is held by another annotator",
        retry: false,
        code: "WORKFLOW_CONFLICT",
      } as const;
    const current = this.current(imageId);
    if (current.revision !== baseRevision) return { kind: "conflict", server: current } as const;
    return { kind: "ok", current } as const;
  }
}
