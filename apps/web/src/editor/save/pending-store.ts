import type { PendingChange, PendingEntry, PendingStorage, Snapshot } from "./save-queue";

/**
 * Durable homes for unacknowledged edits. IndexedDB first (no 5 MB cap, structured clone instead of
 * JSON for dense scenes); localStorage when IndexedDB is missing or refuses to open (some private modes).
 *
 * Each account has its own: edits belong to the person who made them, so whoever signs in next on this
 * browser neither sees nor sends them, and their author gets them back at their next sign-in.
 */

const dbName = (ownerId: number) => `labelbench-pending-user-${ownerId}`;
const STORE = "pending-saves";
const lsPrefix = (ownerId: number) => `labelbench.pending.user-${ownerId}.`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isSnapshot = (v: unknown): v is Snapshot =>
  isObject(v) && Array.isArray(v.annotations) && Array.isArray(v.tags);
const isChange = (v: unknown): v is PendingChange => {
  if (!isObject(v)) return false;
  if (v.kind === "full") return isSnapshot(v.snapshot);
  const d = v.diff;
  return (
    v.kind === "diff" &&
    isObject(d) &&
    Array.isArray(d.upsert) &&
    Array.isArray(d.delete) &&
    (d.tags === null || Array.isArray(d.tags))
  );
};

/**
 * A stored entry, or null for anything else. Entries written before saves were diffs hold the whole
 * snapshot: they are read as a whole-set change, so nothing kept by an older version is lost.
 */
const toEntry = (v: unknown): PendingEntry | null => {
  if (
    !isObject(v) ||
    typeof v.imageId !== "number" ||
    typeof v.projectId !== "number" ||
    typeof v.baseRevision !== "number" ||
    typeof v.changes !== "number"
  )
    return null;
  const change: PendingChange | null = isChange(v.change)
    ? v.change
    : isSnapshot(v.snapshot)
      ? { kind: "full", snapshot: v.snapshot }
      : null;
  if (!change) return null;
  const entry: PendingEntry = {
    imageId: v.imageId,
    projectId: v.projectId,
    baseRevision: v.baseRevision,
    change,
    changes: v.changes,
    updatedAt: typeof v.updatedAt === "number" ? v.updatedAt : 0,
  };
  const a = v.ancestors;
  if (isObject(a) && Array.isArray(a.shapes) && Array.isArray(a.tags))
    entry.ancestors = { shapes: a.shapes, tags: a.tags };
  return entry;
};

const request = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });

export const openIndexedDbStorage = async (factory: IDBFactory, ownerId: number): Promise<PendingStorage> => {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(dbName(ownerId), 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE))
        req.result.createObjectStore(STORE, { keyPath: "imageId" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("cannot open IndexedDB"));
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
  /** Resolves when the transaction commits, not merely when the request succeeds: durability is the point. */
  const write = (fn: (s: IDBObjectStore) => void) =>
    new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB write failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB write aborted"));
    });
  const read = () => db.transaction(STORE, "readonly").objectStore(STORE);
  return {
    load: async (imageId) => {
      const v: unknown = await request(read().get(imageId));
      return toEntry(v);
    },
    list: async () => {
      const all: unknown[] = await request(read().getAll());
      return all.flatMap((v) => toEntry(v) ?? []);
    },
    // An entry is normally a small diff; a whole snapshot ("keep mine", 12,000 shapes) takes ~100 ms
    // to clone: let the frame that shows the edit out first. The queue chains writes, so order is kept.
    save: (entry) => afterPaint().then(() => write((s) => s.put(entry))),
    remove: (imageId) => write((s) => s.delete(imageId)),
  };
};

/** Resolves once the next frame has been painted, or after 100 ms (a hidden tab paints no frames). */
const afterPaint = () =>
  new Promise<void>((resolve) => {
    const fallback = setTimeout(resolve, 100);
    if (typeof requestAnimationFrame === "function")
      requestAnimationFrame(() =>
        setTimeout(() => {
          clearTimeout(fallback);
          resolve();
        }, 0),
      );
  });

export const localStorageStorage = (ls: Storage, ownerId: number): PendingStorage => {
  const prefix = lsPrefix(ownerId);
  const parse = (raw: string | null): PendingEntry | null => {
    if (raw === null) return null;
    try {
      return toEntry(JSON.parse(raw));
    } catch {
      return null;
    }
  };
  return {
    load: async (imageId) => parse(ls.getItem(prefix + imageId)),
    list: async () => {
      const out: PendingEntry[] = [];
      for (let i = 0; i < ls.length; i++) {
        const key = ls.key(i);
        if (key?.startsWith(prefix)) {
          const e = parse(ls.getItem(key));
          if (e) out.push(e);
        }
      }
      return out;
    },
    save: async (entry) => ls.setItem(prefix + entry.imageId, JSON.stringify(entry)),
    remove: async (imageId) => ls.removeItem(prefix + imageId),
  };
};

/**
 * The account's IndexedDB when it opens, else its localStorage. Copies left in localStorage by an
 * earlier fallback stay readable: `list`/`load` merge both, and `remove` clears both, so nothing
 * stranded there is forgotten.
 */
export const openPendingStorage = async (
  env: { indexedDB?: IDBFactory | undefined; localStorage?: Storage | undefined },
  ownerId: number,
): Promise<PendingStorage> => {
  const ls = env.localStorage ? localStorageStorage(env.localStorage, ownerId) : null;
  let idb: PendingStorage | null = null;
  if (env.indexedDB) {
    try {
      idb = await openIndexedDbStorage(env.indexedDB, ownerId);
    } catch {
      idb = null;
    }
  }
  if (!idb && !ls) throw new Error("this browser offers neither IndexedDB nor localStorage");
  if (!idb) return ls!;
  if (!ls) return idb;
  const primary = idb;
  const legacy = ls;
  const newer = (a: PendingEntry | null, b: PendingEntry | null) => {
    if (!a) return b;
    if (!b) return a;
    return b.updatedAt > a.updatedAt ? b : a;
  };
  return {
    load: async (imageId) => newer(await primary.load(imageId), await legacy.load(imageId)),
    list: async () => {
      const byId = new Map<number, PendingEntry>();
      for (const e of [...(await primary.list()), ...(await legacy.list())]) {
        const kept = newer(byId.get(e.imageId) ?? null, e);
        if (kept) byId.set(e.imageId, kept);
      }
      return [...byId.values()];
    },
    save: async (entry) => {
      try {
        await primary.save(entry);
      } catch {
        // A full or broken IndexedDB must not cost the edit: keep it where we still can.
        await legacy.save(entry);
      }
    },
    remove: async (imageId) => {
      await primary.remove(imageId);
      await legacy.remove(imageId);
    },
  };
};
