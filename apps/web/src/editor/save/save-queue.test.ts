import { describe, expect, it } from "vitest";
import { FakeClock, FakeSaveServer, MemoryStorage, type SaveCall, setOf } from "./save-fakes";
import {
  createSaveQueue,
  describeStatus,
  type PendingChange,
  type PendingEntry,
  type SaveAck,
  type SaveQueueOptions,
  type Snapshot,
  sameContent,
  snapshotOf,
} from "./save-queue";

const revisionOf = (ack: SaveAck) => (ack.kind === "set" ? ack.set.revision : ack.result.revision);
/** The content a call asked the server to hold, as ids (a patch: upserts and deletes). */
const sent = (c: SaveCall | undefined) =>
  c?.kind === "put"
    ? { put: c.body.annotations.map((a) => a.id) }
    : { upsert: c?.body.upsert.map((a) => a.id), delete: c?.body.delete };

const box = (id: string, x = 1): Snapshot["annotations"][number] => ({
  id,
  labelId: 1,
  geometry: { type: "box", x, y: 2, width: 10, height: 10 },
});
const snap = (...ids: string[]): Snapshot => ({ annotations: ids.map((id) => box(id)), tags: [] });
const diffOf = (upsert: string[], del: string[] = [], tags: number[] | null = null): PendingChange => ({
  kind: "diff",
  diff: { upsert: upsert.map((id) => box(id)), delete: del, tags },
});
const entryOf = (
  imageId: number,
  baseRevision: number,
  change: PendingChange,
  changes = 1,
): PendingEntry => ({
  imageId,
  projectId: 1,
  baseRevision,
  change,
  changes,
  updatedAt: 0,
});

const setup = (over: Partial<SaveQueueOptions> = {}) => {
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const server = new FakeSaveServer();
  const saved: SaveAck[] = [];
  const queue = createSaveQueue({
    transport: server,
    storage,
    clock,
    debounceMs: 800,
    maxWaitMs: 5000,
    backoffInitialMs: 1000,
    backoffMaxMs: 8000,
    onSaved: (s) => saved.push(s),
    ...over,
  });
  const status = (id = 7) => queue.getState().images.get(id)?.status;
  return { clock, storage, server, queue, status, saved };
};

describe("save queue: autosave", () => {
  it("debounces edits into one PATCH of what changed, on the base revision, and forgets the local copy once acknowledged", async () => {
    const { clock, storage, server, queue, status, saved } = setup();
    expect(await queue.open(1, server.set(7, 3))).toMatchObject({ kind: "server" });
    queue.change(7, snap("a"));
    await clock.advance(300);
    queue.change(7, snap("a", "b"));
    expect(status()).toEqual({ kind: "pending", changes: 2 });
    await clock.advance(0);
    expect(storage.entries.get(7)).toMatchObject({ baseRevision: 3, changes: 2, projectId: 1 });
    await clock.advance(799);
    expect(server.calls).toHaveLength(0);
    await clock.advance(1);
    expect(server.calls).toEqual([
      {
        kind: "patch",
        imageId: 7,
        baseRevision: 3,
        body: { baseRevision: 3, upsert: snap("a", "b").annotations, delete: [] },
      },
    ]);
    expect(status()).toEqual({ kind: "saved", revision: 4 });
    expect(storage.entries.has(7)).toBe(false);
    expect(saved.map(revisionOf)).toEqual([4]);
    expect(saved[0]).toMatchObject({ kind: "patch", baseRevision: 3, result: { annotationCount: 2 } });
    expect(queue.hasUnsaved()).toBe(false);
  });

  it("keeps saving at least every maxWait during a continuous stream of edits", async () => {
    const { clock, server, queue } = setup();
    await queue.open(1, server.set(7, 0));
    for (let i = 0; i < 12; i++) {
      queue.change(7, snap(`s${i}`));
      await clock.advance(500);
    }
    expect(server.calls.length).toBeGreaterThanOrEqual(1);
    expect(sent(server.calls[0])).toEqual({ upsert: ["s9"], delete: [] });
  });

  it("sends edits made while a save is in flight afterwards, on the new revision", async () => {
    const { clock, storage, server, queue, status } = setup();
    await queue.open(1, server.set(7, 1));
    queue.change(7, snap("a"));
    server.holdNext();
    await clock.advance(800);
    expect(status()).toEqual({ kind: "saving", changes: 1 });
    queue.change(7, snap("a", "b"));
    expect(status()).toEqual({ kind: "saving", changes: 2 });
    server.hold?.release();
    server.hold = null;
    await clock.advance(0);
    expect(status()).toEqual({ kind: "pending", changes: 1 });
    // The stored copy now points at the revision the first save produced, so a reload does not conflict.
    expect(storage.entries.get(7)).toMatchObject({ baseRevision: 2, changes: 1 });
    await clock.advance(800);
    expect(server.calls.map((c) => c.baseRevision)).toEqual([1, 2]);
    expect(status()).toEqual({ kind: "saved", revision: 3 });
    expect(storage.entries.size).toBe(0);
  });
});

describe("save queue: diffs", () => {
  it("coalesces edits of one shape into one upsert, and a shape created then deleted sends nothing", async () => {
    const { clock, server, queue, storage } = setup();
    await queue.open(1, server.set(7, 1, snap("a", "b", "c")));
    for (const x of [2, 3, 4]) queue.change(7, { annotations: [box("a", x), box("b"), box("c")], tags: [] });
    queue.change(7, { annotations: [box("a", 4), box("b"), box("c"), box("tmp")], tags: [] });
    queue.change(7, { annotations: [box("a", 4), box("b"), box("c")], tags: [5] });
    await clock.advance(0);
    expect(storage.entries.get(7)?.change).toEqual({
      kind: "diff",
      diff: { upsert: [box("a", 4)], delete: [], tags: [5] },
    });
    await clock.advance(800);
    expect(server.calls).toEqual([
      {
        kind: "patch",
        imageId: 7,
        baseRevision: 1,
        body: { baseRevision: 1, upsert: [box("a", 4)], delete: [], tags: [5] },
      },
    ]);
    expect(server.sets.get(7)).toMatchObject({ revision: 2, tags: [5] });
    expect(snapshotOf(server.sets.get(7)!)).toEqual({
      annotations: [box("a", 4), box("b"), box("c")],
      tags: [5],
    });
  });

  it("keeps only the diff in local storage for a dense image, and diffs later edits on the acknowledged state", async () => {
    const { clock, server, queue, storage } = setup();
    const many = snap(...Array.from({ length: 5000 }, (_, i) => `s${i}`));
    await queue.open(1, server.set(7, 0, many));
    const moved = { annotations: many.annotations.map((s, i) => (i === 10 ? box("s10", 99) : s)), tags: [] };
    queue.change(7, moved);
    await clock.advance(0);
    expect(JSON.stringify(storage.entries.get(7)).length).toBeLessThan(400);
    await clock.advance(800);
    const next = { annotations: moved.annotations.filter((s) => s.id !== "s20"), tags: [] };
    queue.change(7, next);
    await clock.advance(800);
    expect(server.calls.map(sent)).toEqual([
      { upsert: ["s10"], delete: [] },
      { upsert: [], delete: ["s20"] },
    ]);
    expect(server.sets.get(7)?.annotations).toHaveLength(4999);
  });

  it("an image opened again after another one still saves diffs on its acknowledged state", async () => {
    const { clock, server, queue } = setup();
    await queue.open(1, server.set(7, 0, snap("a", "b")));
    queue.change(7, snap("a", "b", "c"));
    await clock.advance(800);
    await queue.open(1, server.set(8, 0));
    expect(await queue.open(1, server.sets.get(7)!)).toMatchObject({ kind: "server", set: { revision: 1 } });
    queue.change(7, snap("a", "c"));
    await clock.advance(800);
    expect(server.calls.map((c) => [c.kind, sent(c)])).toEqual([
      ["patch", { upsert: ["c"], delete: [] }],
      ["patch", { upsert: [], delete: ["b"] }],
    ]);
    expect(snapshotOf(server.sets.get(7)!)).toEqual(snap("a", "c"));
  });

  it("an edit undone before the save sends nothing and leaves nothing stored", async () => {
    const { clock, server, queue, storage, status } = setup();
    await queue.open(1, server.set(7, 2, snap("a")));
    queue.change(7, { annotations: [box("a", 5)], tags: [] });
    queue.change(7, snap("a"));
    await clock.advance(5000);
    expect(server.calls).toHaveLength(0);
    expect(storage.entries.size).toBe(0);
    expect(status()).toEqual({ kind: "saved", revision: 2 });
    expect(queue.hasUnsaved()).toBe(false);
  });

  it("falls back to a whole-set PUT when the server refuses a diff (its set is not what we based it on)", async () => {
    const { clock, server, queue, status } = setup();
    await queue.open(1, server.set(7, 2, snap("a", "b")));
    // The server's set at revision 2 lacks "b" (e.g. an old cache): deleting it cannot be applied.
    server.set(7, 2, snap("a"));
    queue.change(7, snap("a", "c"));
    await clock.advance(800);
    expect(server.calls.map((c) => c.kind)).toEqual(["patch", "put"]);
    expect(status()).toEqual({ kind: "saved", revision: 3 });
    expect(snapshotOf(server.sets.get(7)!)).toEqual(snap("a", "c"));
    // Back to diffs afterwards.
    queue.change(7, snap("a", "c", "d"));
    await clock.advance(800);
    expect(server.calls.map((c) => c.kind)).toEqual(["patch", "put", "patch"]);
  });

  it("edits made during a whole-set save are diffed on it once it is acknowledged", async () => {
    const t = setup();
    await t.queue.open(1, t.server.set(7, 2, snap("a", "b")));
    t.server.set(7, 2, snap("a"));
    t.queue.change(7, snap("a", "c"));
    t.server.holdNext();
    await t.clock.advance(800);
    // The patch is let through (and refused); the whole-set PUT after it is held when the next edit comes.
    const patchHold = t.server.hold;
    t.server.holdNext();
    patchHold?.release();
    await t.clock.advance(0);
    expect(t.server.calls.map((c) => c.kind)).toEqual(["patch", "put"]);
    t.queue.change(7, snap("a", "c", "more"));
    t.server.hold?.release();
    t.server.hold = null;
    await t.clock.advance(800);
    expect(t.server.calls.map((c) => [c.kind, sent(c)])).toEqual([
      ["patch", { upsert: ["c"], delete: ["b"] }],
      ["put", { put: ["a", "c"] }],
      ["patch", { upsert: ["more"], delete: [] }],
    ]);
    expect(t.status()).toEqual({ kind: "saved", revision: 4 });
  });
});

describe("save queue: failures", () => {
  it("retries with exponential backoff while offline, keeps the local copy, and saves when back", async () => {
    const { clock, storage, server, queue, status } = setup();
    await queue.open(1, server.set(7, 5));
    server.mode = "offline";
    queue.change(7, snap("a"));
    await clock.advance(800);
    expect(status()).toMatchObject({ kind: "offline", changes: 1, retryAt: 1800 });
    expect(describeStatus(status(), clock.now())).toBe("Offline — 1 change pending");
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = server.calls.length;
      while (server.calls.length === before) await clock.advance(100);
      times.push(clock.now());
    }
    // 1 s, 2 s, 4 s, 8 s, then capped at 8 s.
    expect(times.map((t, i) => t - (i === 0 ? 800 : (times[i - 1] ?? 0)))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
    expect(storage.entries.get(7)).toMatchObject({ changes: 1, baseRevision: 5 });
    expect(queue.hasUnsaved()).toBe(true);
    server.mode = "up";
    await clock.advance(8000);
    expect(status()).toEqual({ kind: "saved", revision: 6 });
    expect(storage.entries.size).toBe(0);
  });

  it("counts edits made offline and tries again soon after a new edit, but not in a tight loop", async () => {
    const { clock, server, queue, status } = setup({ backoffInitialMs: 30_000, backoffMaxMs: 60_000 });
    await queue.open(1, server.set(7, 0));
    server.mode = "offline";
    queue.change(7, snap("a"));
    await clock.advance(800);
    expect(server.calls).toHaveLength(1);
    queue.change(7, snap("a", "b"));
    queue.change(7, snap("a", "b", "c"));
    expect(describeStatus(status(), clock.now())).toBe("Offline — 3 changes pending");
    await clock.advance(1999);
    expect(server.calls).toHaveLength(1);
    server.mode = "up";
    await clock.advance(1);
    expect(server.calls).toHaveLength(2);
    expect(sent(server.calls[1])).toEqual({ upsert: ["a", "b", "c"], delete: [] });
    expect(status()).toEqual({ kind: "saved", revision: 1 });
  });

  it("retries server errors and reports them differently from being offline", async () => {
    const { clock, server, queue, status } = setup();
    await queue.open(1, server.set(7, 0));
    server.mode = "500";
    queue.change(7, snap("a"));
    await clock.advance(800);
    expect(status()).toMatchObject({ kind: "retrying", message: "server answered 500" });
    expect(describeStatus(status(), clock.now())).toBe("Save failed, retrying in 1 s — 1 change pending");
    server.mode = "up";
    await clock.advance(1000);
    expect(status()).toEqual({ kind: "saved", revision: 1 });
  });

  it("treats a transport that throws as a retryable failure", async () => {
    const { clock, server, queue, status } = setup();
    let fail = true;
    const q2 = createSaveQueue({
      transport: {
        put: server.put,
        patch: async (id, body) => {
          if (fail) throw new Error("boom");
          return server.patch(id, body);
        },
      },
      storage: new MemoryStorage(),
      clock,
    });
    await q2.open(1, server.set(8, 0));
    q2.change(8, snap("a"));
    await clock.advance(800);
    expect(q2.getState().images.get(8)?.status).toMatchObject({ kind: "retrying", message: "boom" });
    fail = false;
    await clock.advance(1000);
    expect(q2.getState().images.get(8)?.status).toEqual({ kind: "saved", revision: 1 });
    expect(status()).toBeUndefined();
    expect(queue.getState().totalChanges).toBe(0);
  });

  it("stops on a refused save (400) without losing the copy, and tries again on the next edit", async () => {
    const { clock, storage, server, queue, status } = setup();
    await queue.open(1, server.set(7, 0));
    server.mode = "400";
    queue.change(7, snap("a"));
    await clock.advance(800);
    expect(status()).toEqual({ kind: "error", changes: 1, message: "label 9 is not in the set" });
    await clock.advance(60_000);
    // A refused diff is tried once more as the whole set; a refused whole set is final.
    expect(server.calls.map((c) => c.kind)).toEqual(["patch", "put"]);
    expect(storage.entries.get(7)?.change).toEqual({
      kind: "diff",
      diff: { upsert: snap("a").annotations, delete: [], tags: null },
    });
    server.mode = "up";
    queue.change(7, snap("b"));
    await clock.advance(800);
    expect(status()).toEqual({ kind: "saved", revision: 1 });
  });

  it("stops on a save refused because someone else holds the image, naming the code, and keeps the edits", async () => {
    const { clock, storage, server, queue, status } = setup();
    await queue.open(1, server.set(7, 0));
    server.mode = "held";
    queue.change(7, snap("a"));
    await clock.advance(60_000);
    expect(status()).toEqual({
      kind: "error",
      changes: 1,
      message: "image 7 is held by another annotator",
      code: "WORKFLOW_CONFLICT",
    });
    // No whole-set retry: the refusal is about the image, not the body.
    expect(server.calls.map((c) => c.kind)).toEqual(["patch"]);
    expect(storage.entries.get(7)?.changes).toBe(1);
    server.mode = "up";
    queue.flushAll();
    await clock.advance(0);
    expect(status()).toEqual({ kind: "saved", revision: 1 });
  });

  it("takes a conflict that holds exactly our content as the acknowledgement of a save whose reply was lost", async () => {
    const { clock, server, queue, status } = setup();
    await queue.open(1, server.set(7, 0));
    server.loseReply = true;
    queue.change(7, snap("a"));
    await clock.advance(800);
    expect(status()).toMatchObject({ kind: "offline" });
    server.loseReply = false;
    await clock.advance(1000);
    expect(server.calls.map((c) => c.baseRevision)).toEqual([0, 0]);
    expect(status()).toEqual({ kind: "saved", revision: 1 });
  });

  it("reports a storage failure, keeps working and clears the report when storage works again", async () => {
    const { clock, storage, server, queue } = setup();
    await queue.open(1, server.set(7, 0));
    storage.failWrites = true;
    queue.change(7, snap("a"));
    await clock.advance(0);
    expect(queue.getState().storageError).toMatch(/quota exceeded/);
    storage.failWrites = false;
    queue.change(7, snap("a", "b"));
    await clock.advance(0);
    expect(queue.getState().storageError).toBeNull();
    await clock.advance(800);
    expect(server.sets.get(7)?.annotations).toHaveLength(2);
  });
});

describe("save queue: conflicts are three-way merges", () => {
  it("the reported case: they add a box, I move one of mine; merged on its own and saved as a PATCH on their revision", async () => {
    const t = setup();
    const merges: [number, string[]][] = [];
    t.queue.onMerged((id, merged) => merges.push([id, merged.annotations.map((a) => a.id)]));
    await t.queue.open(1, t.server.set(7, 2, snap("a", "b")));
    t.server.set(7, 3, snap("a", "b", "theirs"));
    t.queue.change(7, { annotations: [box("a"), box("b", 50)], tags: [] });
    await t.clock.advance(800);
    expect(t.server.calls.map((c) => [c.kind, c.baseRevision, sent(c)])).toEqual([
      ["patch", 2, { upsert: ["b"], delete: [] }],
      ["patch", 3, { upsert: ["b"], delete: [] }],
    ]);
    expect(snapshotOf(t.server.sets.get(7)!)).toEqual({
      annotations: [box("a"), box("b", 50), box("theirs")],
      tags: [],
    });
    expect(t.status()).toEqual({ kind: "saved", revision: 4 });
    // The editor was told to show their box too, before any further edit could drop it.
    expect(merges).toEqual([[7, ["a", "b", "theirs"]]]);
    t.queue.change(7, { annotations: [box("a", 9), box("b", 50), box("theirs")], tags: [] });
    await t.clock.advance(800);
    expect(sent(t.server.calls.at(-1))).toEqual({ upsert: ["a"], delete: [] });
    expect(t.server.sets.get(7)?.annotations.map((a) => a.id)).toEqual(["a", "b", "theirs"]);
  });

  /** base (rev 2): "shared" at x 1. Theirs (rev 3): "shared" moved to 5, "theirs" added. Mine: "shared" to 9, "mine" added. */
  const conflicted = async () => {
    const t = setup();
    await t.queue.open(1, t.server.set(7, 2, snap("shared")));
    t.server.set(7, 3, { annotations: [box("shared", 5), box("theirs")], tags: [] });
    t.queue.change(7, { annotations: [box("shared", 9), box("mine")], tags: [] });
    await t.clock.advance(800);
    return t;
  };

  it("stops autosaving when a shape changed on both sides, names exactly that shape and keeps recording edits", async () => {
    const { clock, server, queue, status, storage } = await conflicted();
    const st = status();
    expect(st).toMatchObject({ kind: "conflict", changes: 1 });
    if (st?.kind !== "conflict") throw new Error("no conflict");
    expect(st.merge.conflicts).toEqual([
      { id: "shared", base: box("shared"), mine: box("shared", 9), theirs: box("shared", 5) },
    ]);
    expect(st.merge.theirs).toEqual({ added: 1, changed: 0, deleted: 0 });
    expect(st.merge.mine).toEqual({ added: 1, changed: 0, deleted: 0 });
    queue.change(7, { annotations: [box("shared", 9), box("mine"), box("more")], tags: [] });
    await clock.advance(60_000);
    expect(server.calls).toHaveLength(1);
    expect(status()).toMatchObject({ kind: "conflict", changes: 2 });
    // Kept as a diff on its own base, with the base's version of what it touches: a reload merges the same way.
    expect(storage.entries.get(7)).toMatchObject({
      baseRevision: 2,
      change: { kind: "diff", diff: { upsert: [box("shared", 9), box("mine"), box("more")], delete: [] } },
      ancestors: { shapes: [box("shared")], tags: [] },
    });
    expect(server.sets.get(7)?.annotations.map((a) => a.id)).toEqual(["shared", "theirs"]);
  });

  it("keeping mine saves the merge (their new shape included) as a PATCH on their revision", async () => {
    const { clock, server, queue, status, storage } = await conflicted();
    const r = queue.resolveConflict(7, new Map());
    expect(r?.resolved.annotations.map((a) => a.id)).toEqual(["shared", "theirs", "mine"]);
    await clock.advance(0);
    expect(server.calls.map((c) => [c.kind, c.baseRevision, sent(c)])).toEqual([
      ["patch", 2, { upsert: ["shared", "mine"], delete: [] }],
      ["patch", 3, { upsert: ["shared", "mine"], delete: [] }],
    ]);
    expect(snapshotOf(server.sets.get(7)!)).toEqual({
      annotations: [box("shared", 9), box("theirs"), box("mine")],
      tags: [],
    });
    expect(status()).toEqual({ kind: "saved", revision: 4 });
    expect(storage.entries.size).toBe(0);
  });

  it("taking theirs for the shape keeps their version of it and still saves my other edits", async () => {
    const { clock, server, queue, status } = await conflicted();
    const r = queue.resolveConflict(7, new Map([["shared", "theirs"]]));
    expect(r?.merged.annotations.find((a) => a.id === "shared")).toEqual(box("shared", 9));
    expect(r?.resolved.annotations.find((a) => a.id === "shared")).toEqual(box("shared", 5));
    await clock.advance(0);
    expect(snapshotOf(server.sets.get(7)!)).toEqual({
      annotations: [box("shared", 5), box("theirs"), box("mine")],
      tags: [],
    });
    expect(status()).toEqual({ kind: "saved", revision: 4 });
    queue.change(7, { annotations: [box("shared", 5), box("theirs"), box("mine"), box("new")], tags: [] });
    await clock.advance(800);
    expect(server.calls.at(-1)?.baseRevision).toBe(4);
    expect(status()).toEqual({ kind: "saved", revision: 5 });
  });

  it("ignores resolving an image that is not in conflict", async () => {
    const { server, queue } = setup();
    await queue.open(1, server.set(7, 0));
    expect(queue.resolveConflict(7, new Map())).toBeNull();
    expect(queue.resolveConflict(99, new Map())).toBeNull();
  });
});

describe("save queue: reload and recovery", () => {
  it("replays a stored diff on the server's set at its revision and saves it as a PATCH", async () => {
    const { clock, server, storage, queue, status } = setup();
    server.set(7, 4, snap("old", "gone"));
    storage.entries.set(7, entryOf(7, 4, diffOf(["new"], ["gone"]), 3));
    const opened = await queue.open(1, server.sets.get(7)!);
    expect(opened).toEqual({ kind: "local", snapshot: snap("old", "new"), revision: 4, changes: 3 });
    expect(status()).toMatchObject({ changes: 3 });
    await clock.advance(0);
    expect(server.calls.map((c) => [c.kind, sent(c)])).toEqual([
      ["patch", { upsert: ["new"], delete: ["gone"] }],
    ]);
    expect(server.sets.get(7)).toMatchObject({ revision: 5, annotations: [{ id: "old" }, { id: "new" }] });
    expect(status()).toEqual({ kind: "saved", revision: 5 });
    expect(storage.entries.size).toBe(0);
  });

  it("saves a whole snapshot stored by an older version with a PUT", async () => {
    const { clock, server, storage, queue, status } = setup();
    server.set(7, 4, snap("old"));
    storage.entries.set(7, entryOf(7, 4, { kind: "full", snapshot: snap("old", "new") }, 2));
    expect(await queue.open(1, server.sets.get(7)!)).toMatchObject({
      kind: "local",
      snapshot: snap("old", "new"),
    });
    await clock.advance(0);
    // The set is known now, so even this copy goes out as a diff.
    expect(server.calls.map((c) => [c.kind, sent(c)])).toEqual([["patch", { upsert: ["new"], delete: [] }]]);
    expect(status()).toEqual({ kind: "saved", revision: 5 });
  });

  it("merges a stored diff with a newer server set when they touch different shapes, and saves it", async () => {
    const { clock, server, storage, queue } = setup();
    server.set(7, 6, snap("someone-else"));
    storage.entries.set(7, entryOf(7, 4, diffOf(["mine"])));
    const opened = await queue.open(1, server.sets.get(7)!);
    expect(opened).toMatchObject({ kind: "local", snapshot: snap("someone-else", "mine"), revision: 6 });
    await clock.advance(0);
    expect(server.calls.map((c) => [c.kind, c.baseRevision])).toEqual([["patch", 6]]);
    expect(server.sets.get(7)).toMatchObject({
      revision: 7,
      annotations: [{ id: "someone-else" }, { id: "mine" }],
    });
  });

  it("after a reload, a shape both sides changed is a conflict (from the stored ancestors)", async () => {
    const { clock, server, storage, queue } = setup();
    server.set(7, 6, { annotations: [box("s", 5)], tags: [] });
    storage.entries.set(7, {
      ...entryOf(7, 4, { kind: "diff", diff: { upsert: [box("s", 9)], delete: [], tags: null } }),
      ancestors: { shapes: [box("s")], tags: [] },
    });
    const opened = await queue.open(1, server.sets.get(7)!);
    expect(opened).toMatchObject({ kind: "conflict", mine: { annotations: [box("s", 9)] } });
    await clock.advance(10_000);
    expect(server.calls).toHaveLength(0);
    queue.resolveConflict(7, new Map());
    await clock.advance(0);
    expect(server.sets.get(7)).toMatchObject({ revision: 7, annotations: [box("s", 9)] });
  });

  it("shows an older version's whole snapshot as mine in a conflict", async () => {
    const { server, storage, queue } = setup();
    server.set(7, 6, snap("someone-else"));
    storage.entries.set(7, entryOf(7, 4, { kind: "full", snapshot: snap("mine") }));
    expect(await queue.open(1, server.sets.get(7)!)).toMatchObject({ kind: "conflict", mine: snap("mine") });
  });

  it("drops a stored copy the server already holds", async () => {
    const { clock, server, storage, queue, status } = setup();
    server.set(7, 6, snap("same"));
    storage.entries.set(7, entryOf(7, 5, diffOf(["same"])));
    expect(await queue.open(1, server.sets.get(7)!)).toMatchObject({ kind: "server" });
    await clock.advance(0);
    expect(storage.entries.size).toBe(0);
    expect(status()).toEqual({ kind: "saved", revision: 6 });
  });

  it("resumes stored copies of images not opened yet and saves them in the background", async () => {
    const { clock, server, storage, queue } = setup();
    server.set(8, 2);
    server.set(9, 5, snap("other"));
    storage.entries.set(8, entryOf(8, 2, diffOf(["x"]), 2));
    storage.entries.set(9, entryOf(9, 4, diffOf(["y"])));
    await queue.resume();
    expect(queue.getState().totalChanges).toBe(3);
    await clock.advance(0);
    expect(queue.getState().images.get(8)?.status).toEqual({ kind: "saved", revision: 3 });
    // Image 9's server moved on, but not on the shape the copy adds: merged and saved on its revision.
    expect(queue.getState().images.get(9)?.status).toEqual({ kind: "saved", revision: 6 });
    expect(server.sets.get(9)?.annotations.map((a) => a.id)).toEqual(["other", "y"]);
    expect(storage.entries.size).toBe(0);
  });

  it("reopening an image during a save waits for it, then shows the local state without a false conflict", async () => {
    const { clock, server, queue } = setup();
    await queue.open(1, server.set(7, 0));
    queue.change(7, snap("a"));
    server.holdNext();
    await clock.advance(800);
    queue.change(7, snap("a", "b"));
    // The page fetched the set while our first save was landing: it already holds revision 1.
    const fetched = setOf(7, 1, snap("a"));
    const opening = queue.open(1, fetched);
    server.hold?.release();
    server.hold = null;
    expect(await opening).toEqual({ kind: "local", snapshot: snap("a", "b"), revision: 1, changes: 1 });
  });

  it("reopening an image someone else saved meanwhile shows the conflict instead of overwriting", async () => {
    const { clock, server, queue } = setup();
    await queue.open(1, server.set(7, 0, snap("a")));
    server.mode = "offline";
    queue.change(7, { annotations: [box("a", 5)], tags: [] });
    await clock.advance(800);
    const theirs = server.set(7, 1, { annotations: [box("a", 7)], tags: [] });
    const opened = await queue.open(1, theirs);
    expect(opened).toMatchObject({ kind: "conflict", mine: { annotations: [box("a", 5)] } });
    server.mode = "up";
    await clock.advance(60_000);
    expect(server.sets.get(7)?.annotations).toEqual([expect.objectContaining(box("a", 7))]);
  });

  it("settled() sends what is pending at once and resolves when the server has it", async () => {
    const { server, queue } = setup();
    await queue.open(1, server.set(7, 0));
    queue.change(7, snap("a"));
    expect(queue.pendingSnapshot(7)).toEqual(snap("a"));
    await queue.settled(7);
    expect(server.sets.get(7)?.revision).toBe(1);
    expect(queue.pendingSnapshot(7)).toBeNull();
  });

  it("flushAll() sends pending edits of every image without waiting for the debounce", async () => {
    const { clock, server, queue } = setup();
    await queue.open(1, server.set(7, 0));
    await queue.open(1, server.set(8, 0));
    queue.change(7, snap("a"));
    queue.change(8, snap("b"));
    queue.flushAll();
    await clock.advance(0);
    expect(server.calls.map((c) => c.imageId).sort()).toEqual([7, 8]);
  });

  it("discards an image's changes and local copy only when asked", async () => {
    const { clock, server, storage, queue } = setup();
    await queue.open(1, server.set(7, 0));
    server.mode = "400";
    queue.change(7, snap("a"));
    await clock.advance(800);
    expect(storage.entries.has(7)).toBe(true);
    queue.discard(7);
    await clock.advance(0);
    expect(storage.entries.has(7)).toBe(false);
    expect(queue.getState().images.has(7)).toBe(false);
    expect(queue.hasUnsaved()).toBe(false);
    expect(queue.pendingSnapshot(7)).toBeNull();
  });

  it("refuses an edit for an image that was never opened", () => {
    const { queue } = setup();
    expect(() => queue.change(3, snap("a"))).toThrow(/image 3 changed before it was opened/);
  });
});

describe("sameContent", () => {
  it("ignores order and duplicate tags but not geometry, label or ids", () => {
    const a = setOf(1, 1, { annotations: [box("a"), box("b")], tags: [2, 1] });
    expect(sameContent(a, { annotations: [box("b"), box("a")], tags: [1, 2, 2] })).toBe(true);
    expect(sameContent(a, { annotations: [box("b"), box("a", 2)], tags: [1, 2] })).toBe(false);
    expect(sameContent(a, { annotations: [box("b"), { ...box("a"), labelId: 3 }], tags: [1, 2] })).toBe(
      false,
    );
    expect(sameContent(a, { annotations: [box("b"), box("c")], tags: [1, 2] })).toBe(false);
    expect(sameContent(a, { annotations: [box("b"), box("a")], tags: [1] })).toBe(false);
  });
});
