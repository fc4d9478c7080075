import type { AnnotationSet, Image } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { createImageLoader } from "./image-loader";

/** Images with ids from 100 on have a ready tile pyramid. */
const meta = (id: number): Image => ({
  id,
  projectId: 1,
  fileName: `img-${id}.png`,
  sha256: "x",
  width: 10,
  height: 10,
  format: "png",
  byteSize: 1,
  status: "new",
  annotationCount: 0,
  tiles:
    id >= 100
      ? { state: "ready", progress: 1, tileSize: 512, levels: 7 }
      : { state: "none", progress: 0, tileSize: null, levels: null },
  createdAt: "t",
  updatedAt: "t",
});
const set = (imageId: number, revision: number): AnnotationSet => ({
  imageId,
  revision,
  annotations: [],
  tags: [],
});

const setup = () => {
  let now = 0;
  const calls = { image: [] as number[], set: [] as number[], element: [] as number[] };
  let revision = 1;
  let failElement = false;
  const loader = createImageLoader(
    {
      fetchImage: async (id) => {
        calls.image.push(id);
        return meta(id);
      },
      fetchSet: async (id) => {
        calls.set.push(id);
        return set(id, revision);
      },
      loadElement: async (image) => {
        calls.element.push(image.id);
        if (failElement) throw new Error("decode failed");
        // Like the app's loader: a tiled image has no single picture to load.
        if (image.tiles.state === "ready") return null;
        return { id: image.id } as unknown as ImageBitmap;
      },
      now: () => now,
    },
    3,
  );
  return {
    loader,
    calls,
    tick: (ms: number) => {
      now += ms;
    },
    setRevision: (r: number) => {
      revision = r;
    },
    setFail: (f: boolean) => {
      failElement = f;
    },
  };
};

describe("image loader", () => {
  it("serves a prefetched image without fetching again", async () => {
    const t = setup();
    t.loader.prefetch([2, null, undefined]);
    const b = await t.loader.get(2);
    expect(b.image.id).toBe(2);
    expect(t.calls.element).toEqual([2]);
    expect(t.loader.cached(2)?.set.revision).toBe(1);
  });

  it("refetches only the annotations when the cached ones are older than asked", async () => {
    const t = setup();
    await t.loader.get(2);
    t.tick(20_000);
    t.setRevision(4);
    const b = await t.loader.get(2, { maxSetAgeMs: 10_000 });
    expect(b.set.revision).toBe(4);
    expect(t.calls.element).toEqual([2]);
    expect(t.calls.set).toEqual([2, 2]);
  });

  it("keeps the newest acknowledged set and ignores older ones", async () => {
    const t = setup();
    await t.loader.get(2);
    t.loader.updateSet(set(2, 7));
    t.loader.updateSet(set(2, 5));
    expect((await t.loader.get(2)).set.revision).toBe(7);
  });

  it("evicts the least recently used image beyond its capacity", async () => {
    const t = setup();
    for (const id of [1, 2, 3]) await t.loader.get(id);
    await t.loader.get(1);
    await t.loader.get(4);
    expect(t.loader.cached(2)).toBeNull();
    expect(t.loader.cached(1)).not.toBeNull();
  });

  it("chooses the picture from the image's metadata, so a tiled image loads none", async () => {
    const t = setup();
    const b = await t.loader.get(100);
    expect(b.element).toBeNull();
    expect(b.image.tiles.state).toBe("ready");
    expect(t.calls.element).toEqual([100]);
  });

  it("does not cache a failed load", async () => {
    const t = setup();
    t.setFail(true);
    await expect(t.loader.get(2)).rejects.toThrow("decode failed");
    t.setFail(false);
    expect((await t.loader.get(2)).image.id).toBe(2);
    expect(t.calls.element).toEqual([2, 2]);
  });
});
