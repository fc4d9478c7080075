import { beforeEach, describe, expect, it } from "vitest";
import { localStorageStorage, openPendingStorage } from "./pending-store";
import type { PendingEntry } from "./save-queue";

const entry = (imageId: number, updatedAt = 1): PendingEntry => ({
  imageId,
  projectId: 2,
  baseRevision: 3,
  changes: 4,
  updatedAt,
  change: {
    kind: "diff",
    diff: {
      upsert: [{ id: "a", labelId: 1, geometry: { type: "box", x: 1, y: 2, width: 3, height: 4 } }],
      delete: ["b"],
      tags: null,
    },
  },
});

/** An IDBFactory whose open() fails, like Firefox private windows used to. */
const brokenIdb = {
  open: () => {
    const req: Record<string, unknown> = { error: new Error("denied") };
    queueMicrotask(() => (req.onerror as (() => void) | undefined)?.());
    return req;
  },
} as unknown as IDBFactory;

describe("pending storage", () => {
  beforeEach(() => localStorage.clear());

  it("keeps entries in localStorage per image, ignores foreign and corrupt keys", async () => {
    const s = localStorageStorage(localStorage, 1);
    await s.save(entry(7));
    await s.save(entry(8));
    localStorage.setItem("labelbench.pending.user-1.9", "{not json");
    localStorage.setItem("labelbench.pending.user-1.10", JSON.stringify({ imageId: 10 }));
    localStorage.setItem("other", "x");
    expect(await s.load(7)).toEqual(entry(7));
    expect((await s.list()).map((e) => e.imageId).sort()).toEqual([7, 8]);
    await s.remove(7);
    expect(await s.load(7)).toBeNull();
    expect(await s.load(9)).toBeNull();
  });

  it("reads a whole snapshot stored by an older version as a whole-set change", async () => {
    const snapshot = { annotations: [], tags: [5] };
    localStorage.setItem(
      "labelbench.pending.user-1.3",
      JSON.stringify({ imageId: 3, projectId: 2, baseRevision: 1, changes: 2, updatedAt: 9, snapshot }),
    );
    expect(await localStorageStorage(localStorage, 1).load(3)).toEqual({
      imageId: 3,
      projectId: 2,
      baseRevision: 1,
      changes: 2,
      updatedAt: 9,
      change: { kind: "full", snapshot },
    });
    localStorage.setItem(
      "labelbench.pending.user-1.4",
      JSON.stringify({ ...entry(4), change: { kind: "diff", diff: { upsert: "x" } } }),
    );
    expect(await localStorageStorage(localStorage, 1).load(4)).toBeNull();
  });

  it("falls back to localStorage when IndexedDB is missing or will not open", async () => {
    for (const indexedDB of [undefined, brokenIdb]) {
      localStorage.clear();
      const s = await openPendingStorage({ indexedDB, localStorage }, 1);
      await s.save(entry(7));
      expect(JSON.parse(localStorage.getItem("labelbench.pending.user-1.7") ?? "null")).toEqual(entry(7));
    }
  });

  it("refuses to start without any durable storage, rather than pretend", async () => {
    await expect(openPendingStorage({}, 1)).rejects.toThrow(/neither IndexedDB nor localStorage/);
  });

  it("keeps each account's copies apart: another account neither lists nor loads them", async () => {
    const a = await openPendingStorage({ localStorage }, 1);
    const manager = await openPendingStorage({ localStorage }, 2);
    await a.save(entry(7));
    expect(await manager.list()).toEqual([]);
    expect(await manager.load(7)).toBeNull();
    // The manager's own edit of the same image does not overwrite the annotator's.
    await manager.save({ ...entry(7), changes: 1 });
    await manager.remove(7);
    expect(await a.load(7)).toEqual(entry(7));
    expect(await (await openPendingStorage({ localStorage }, 1)).list()).toEqual([entry(7)]);
  });

  it("opens one IndexedDB database per account", async () => {
    const names: string[] = [];
    const recording = {
      open: (name: string) => {
        names.push(name);
        return brokenIdb.open(name);
      },
    } as unknown as IDBFactory;
    await openPendingStorage({ indexedDB: recording, localStorage }, 1);
    await openPendingStorage({ indexedDB: recording, localStorage }, 2);
    expect(names).toEqual(["labelbench-pending-user-1", "labelbench-pending-user-2"]);
  });
});
