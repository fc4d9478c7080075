import type { Image } from "@labelbench/schema";
import { useEffect, useMemo, useRef, useState } from "react";
import { call } from "../api/client";
import { fresherImage } from "./image-tiles";

export type FetchImage = (imageId: number) => Promise<Image>;

const fetchImageFromApi: FetchImage = (imageId) => call("getImage", { params: { imageId } });

/** Longest wait between polls after failures (the server may be restarting). */
const MAX_BACKOFF_MS = 15_000;

/**
 * The image as the server has it now: while its tile pyramid is being generated, the image is read
 * again every `intervalMs` until the tiles are ready or failed. Returns `image` itself otherwise, so
 * a caller can pass the same object it rendered before. Failed polls back off (up to 15 s) and go on.
 */
export function useLiveImage<T extends Image | null>(
  image: T,
  intervalMs: number,
  fetchImage: FetchImage = fetchImageFromApi,
): T {
  const [polled, setPolled] = useState<Image | null>(null);
  const fetchRef = useRef(fetchImage);
  fetchRef.current = fetchImage;

  const id = image?.id ?? null;
  const pending = image?.tiles.state === "pending";
  useEffect(() => {
    if (id === null || !pending) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wait = intervalMs;
    const tick = async () => {
      try {
        const next = await fetchRef.current(id);
        if (!alive) return;
        setPolled(next);
        wait = intervalMs;
        if (next.tiles.state !== "pending") return;
      } catch {
        if (!alive) return;
        wait = Math.min(MAX_BACKOFF_MS, wait * 2);
      }
      timer = setTimeout(tick, wait);
    };
    timer = setTimeout(tick, intervalMs);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [id, pending, intervalMs]);

  // Only the tile state is taken from a poll: the caller's other fields (a status it just set) stay.
  // Memoised, so the result keeps its identity between renders and can be an effect's dependency.
  return useMemo(() => {
    if (image === null || polled === null || polled.id !== image.id) return image;
    return (fresherImage(image, polled) === image ? image : { ...image, tiles: polled.tiles }) as T;
  }, [image, polled]);
}
