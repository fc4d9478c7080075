import { describe, expect, test } from "vitest";
import { ShapeMap } from "./shape-map.js";
import type { Shape } from "./types.js";

const box = (id: string, x = 0): Shape => ({
  id,
  labelId: 1,
  geometry: { type: "box", x, y: 0, width: 1, height: 1 },
});

/** A tiny deterministic PRNG so the randomized comparison is reproducible. */
const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed / 4294967296;
};

describe("ShapeMap", () => {
  test("keeps insertion order and is persistent: older versions do not change", () => {
    const v1 = ShapeMap.from([box("a"), box("b"), box("c")]);
    const v2 = v1.apply({ remove: ["b"], put: [{ shape: box("d"), rank: v1.maxRank + 1 }] });
    expect([...v1.keys()]).toEqual(["a", "b", "c"]);
    expect([...v2.keys()]).toEqual(["a", "c", "d"]);
    expect(v1.size).toBe(3);
    expect(v2.size).toBe(3);
    expect(v2.has("b")).toBe(false);
    expect(v1.get("b")).toEqual(box("b"));
  });

  test("re-adding a removed shape with its rank restores its position", () => {
    const v1 = ShapeMap.from([box("a"), box("b"), box("c")]);
    const b = v1.ranked("b");
    if (!b) throw new Error("missing b");
    const v2 = v1.apply({ remove: ["b"] });
    const v3 = v2.apply({ put: [b] });
    expect([...v3.keys()]).toEqual(["a", "b", "c"]);
  });

  test("updates keep the position; forEach and entries agree", () => {
    const v1 = ShapeMap.from([box("a"), box("b")]);
    const v2 = v1.apply({ put: [{ shape: box("a", 5), rank: v1.rankOf("a") ?? 0 }] });
    expect([...v2.values()].map((s) => s.id)).toEqual(["a", "b"]);
    expect(v2.get("a")?.geometry).toMatchObject({ x: 5 });
    const seen: string[] = [];
    v2.forEach((_, k) => {
      seen.push(k);
    });
    expect(seen).toEqual([...v2.keys()]);
    expect([...v2].map(([k]) => k)).toEqual(seen);
  });

  test("matches a plain Map under many random edits, across overlay folds", () => {
    const next = rng(42);
    let map = ShapeMap.from([]);
    // Reference: id -> rank, ordered by rank when compared.
    const ref = new Map<string, { shape: Shape; rank: number }>();
    const removed: { shape: Shape; rank: number }[] = [];
    let counter = 0;
    for (let step = 0; step < 3000; step++) {
      const r = next();
      const ids = [...ref.keys()];
      if (r < 0.45 || ids.length === 0) {
        const e = { shape: box(`s${counter++}`), rank: map.maxRank + 1 };
        map = map.apply({ put: [e] });
        ref.set(e.shape.id, e);
      } else if (r < 0.65) {
        const id = ids[Math.floor(next() * ids.length)] as string;
        const old = ref.get(id);
        if (!old) continue;
        const e = { shape: box(id, step), rank: old.rank };
        map = map.apply({ put: [e] });
        ref.set(id, e);
      } else if (r < 0.9) {
        const id = ids[Math.floor(next() * ids.length)] as string;
        const old = ref.get(id);
        if (old) removed.push(old);
        map = map.apply({ remove: [id] });
        ref.delete(id);
      } else if (removed.length > 0) {
        const e = removed.pop();
        if (e && !ref.has(e.shape.id)) {
          map = map.apply({ put: [e] });
          ref.set(e.shape.id, e);
        }
      }
      if (step % 97 === 0 || step === 2999) {
        const expected = [...ref.values()].sort((a, b) => a.rank - b.rank).map((e) => e.shape);
        expect([...map.values()]).toEqual(expected);
        expect(map.size).toBe(ref.size);
      }
    }
  });

  test("changedSince lists exactly the shapes that differ, or null across lineages and folds", () => {
    const next = rng(7);
    const v0 = ShapeMap.from(Array.from({ length: 400 }, (_, i) => box(`s${i}`)));
    let map = v0;
    const brute = (a: ShapeMap, b: ShapeMap) => {
      const ids = new Set([...a.keys(), ...b.keys()]);
      return [...ids].filter((id) => a.get(id) !== b.get(id)).sort();
    };
    let checked = 0;
    for (let step = 0; step < 200; step++) {
      const prev = map;
      const id = `s${Math.floor(next() * 420)}`;
      const r = next();
      map =
        r < 0.4
          ? map.apply({ remove: [id] })
          : map.apply({ put: [{ shape: box(id, step), rank: map.rankOf(id) ?? map.maxRank + 1 }] });
      const since = map.changedSince(prev);
      const sinceStart = map.changedSince(v0);
      if (since) expect([...since].sort()).toEqual(brute(prev, map));
      if (sinceStart) {
        expect([...sinceStart].sort()).toEqual(brute(v0, map));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(map.changedSince(ShapeMap.from([box("s1")]))).toBeNull();
    expect(map.changedSince(new Map())).toBeNull();
  });
});
