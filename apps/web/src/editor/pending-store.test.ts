import { beforeEach, describe, expect, it } from "vitest";
import { localStorageStorage, openPendingStorage } from "./pending-store";
import type { PendingEntry } from "./save-queue";

const entry = (imageId: number, updatedAt = 1): PendingEntry => ({
  imageId,
  projectId: 2,
  baseRevision: 3,
  changes: 4,
  updatedAt,
  snapshot: {
    annotations: [{ id: "a", labelId: 1, geometry: { type: "box", x: 1, y: 2, width: 3, height: 4 } }],
    tags: [5],
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
    const s = localStorageStorage(localStorage);
    await s.save(entry(7));
    await s.save(entry(8));
    localStorage.setItem("labelbench.pending.9", "{not json");
    localStorage.setItem("labelbench.pending.10", JSON.stringify({ imageId: 10 }));
    localStorage.setItem("other", "x");
    expect(await s.load(7)).toEqual(entry(7));
    expect((await s.list()).map((e) => e.imageId).sort()).toEqual([7, 8]);
    await s.remove(7);
    expect(await s.load(7)).toBeNull();
    expect(await s.load(9)).toBeNull();
  });

  it("falls back to localStorage when IndexedDB is missing or will not open", async () => {
    for (const indexedDB of [undefined, brokenIdb]) {
      localStorage.clear();
      const s = await openPendingStorage({ indexedDB, localStorage });
      await s.save(entry(7));
      expect(JSON.parse(localStorage.getItem("labelbench.pending.7") ?? "null")).toEqual(entry(7));
    }
  });

  it("refuses to start without any durable storage, rather than pretend", async () => {
    await expect(openPendingStorage({})).rejects.toThrow(/neither IndexedDB nor localStorage/);
  });
});
