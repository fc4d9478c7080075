import type { Image } from "@labelbench/schema";
import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useLiveImage } from "./use-live-image";

const image = (state: Image["tiles"]["state"], progress: number, id = 5): Image => ({
  id,
  projectId: 1,
  fileName: "big.jpg",
  sha256: "x",
  width: 20_000,
  height: 20_000,
  format: "jpeg",
  byteSize: 1,
  status: "new",
  annotationCount: 0,
  tiles: {
    state,
    progress,
    tileSize: state === "ready" ? 512 : null,
    levels: state === "ready" ? 7 : null,
  },
  createdAt: "t",
  updatedAt: "t",
});

/** Lets the fake timer fire and the fetch's promise settle. */
const advance = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });

describe("useLiveImage", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads a pending image again until its tiles are ready, then stops", async () => {
    const replies = [image("pending", 0.4), image("pending", 0.9), image("ready", 1)];
    const fetchImage = vi.fn(async () => replies.shift() ?? image("ready", 1));
    const start = image("pending", 0.1);
    const { result } = renderHook(() => useLiveImage(start, 1000, fetchImage));
    expect(result.current).toBe(start);
    await advance(1000);
    expect(result.current.tiles.progress).toBe(0.4);
    await advance(1000);
    expect(result.current.tiles.progress).toBe(0.9);
    await advance(1000);
    expect(result.current.tiles.state).toBe("ready");
    // Other fields stay the caller's.
    expect(result.current.fileName).toBe("big.jpg");
    await advance(10_000);
    expect(fetchImage).toHaveBeenCalledTimes(3);
  });

  it("does not poll an untiled or ready image, and answers it unchanged", async () => {
    const fetchImage = vi.fn(async () => image("ready", 1));
    for (const img of [image("none", 0), image("ready", 1), image("failed", 0)]) {
      const { result, unmount } = renderHook(() => useLiveImage(img, 1000, fetchImage));
      await advance(5000);
      expect(result.current).toBe(img);
      unmount();
    }
    expect(fetchImage).not.toHaveBeenCalled();
  });

  it("keeps the caller's object while a poll brings nothing new (stable for effects)", async () => {
    const start = image("pending", 0.5);
    const fetchImage = vi.fn(async () => image("pending", 0.5));
    const { result } = renderHook(() => useLiveImage(start, 1000, fetchImage));
    await advance(3000);
    expect(fetchImage).toHaveBeenCalledTimes(3);
    expect(result.current).toBe(start);
  });

  it("backs off after failed polls and carries on", async () => {
    let fail = true;
    const fetchImage = vi.fn(async () => {
      if (fail) throw new Error("offline");
      return image("ready", 1);
    });
    const { result } = renderHook(() => useLiveImage(image("pending", 0.2), 1000, fetchImage));
    await advance(1000); // 1st attempt fails; next in 2 s
    await advance(1999);
    expect(fetchImage).toHaveBeenCalledTimes(1);
    await advance(1); // 2nd fails; next in 4 s
    expect(fetchImage).toHaveBeenCalledTimes(2);
    fail = false;
    await advance(4000);
    expect(fetchImage).toHaveBeenCalledTimes(3);
    expect(result.current.tiles.state).toBe("ready");
  });

  it("stops polling when unmounted or given another image", async () => {
    const fetchImage = vi.fn(async (id: number) => image("pending", 0.3, id));
    const { rerender, unmount } = renderHook(({ img }) => useLiveImage(img, 1000, fetchImage), {
      initialProps: { img: image("pending", 0.1, 5) },
    });
    await advance(1000);
    rerender({ img: image("none", 0, 6) });
    await advance(5000);
    expect(fetchImage.mock.calls.map((c) => c[0])).toEqual([5]);
    rerender({ img: image("pending", 0.1, 7) });
    await advance(1000);
    unmount();
    await advance(5000);
    expect(fetchImage.mock.calls.map((c) => c[0])).toEqual([5, 7]);
  });
});
