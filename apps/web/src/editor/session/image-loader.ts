import type { AnnotationSet, Image as ImageMeta } from "@labelbench/schema";
import { ApiError } from "../../api/client";
import { pictureSourceOf } from "../../tiles/image-tiles";

/** Everything the editor needs to show one image, fetched together so moving on can be instant. */
export interface ImageBundle {
  image: ImageMeta;
  set: AnnotationSet;
  /**
   * The picture to draw: the display copy of an untiled image, the preview of an image whose tiles are
   * being generated when there is one; null for a tiled image (its tiles are drawn instead).
   */
  element: ImageBitmap | null;
  /** When `set` was fetched (or acknowledged by a save). */
  setAt: number;
}

export interface ImageLoaderDeps {
  fetchImage(id: number): Promise<ImageMeta>;
  fetchSet(id: number): Promise<AnnotationSet>;
  /**
   * Loads and decodes the picture to draw, chosen from the image's metadata: a gigapixel image's
   * original must never be fetched (see pictureSourceOf). Null when there is none to load.
   */
  loadElement(image: ImageMeta): Promise<ImageBitmap | null>;
  now(): number;
}

export interface ImageLoader {
  /** The bundle, from the preload cache when there; a cached set older than `maxSetAgeMs` is refetched. */
  get(id: number, opts?: { maxSetAgeMs?: number }): Promise<ImageBundle>;
  /** Starts loading in the background; failures are kept quiet until someone `get`s the image. */
  prefetch(ids: readonly (number | null | undefined)[]): void;
  /** A newer set, e.g. the reply of a save, replaces the cached one so a revisit shows it. */
  updateSet(set: AnnotationSet): void;
  updateImage(image: ImageMeta): void;
  cached(id: number): ImageBundle | null;
}

/** Keeps the last `capacity` images (bytes decoded) around: the current one, its neighbours, a few visited. */
export const createImageLoader = (deps: ImageLoaderDeps, capacity = 8): ImageLoader => {
  const entries = new Map<number, Promise<ImageBundle>>();
  const settled = new Map<number, ImageBundle>();

  const touch = (id: number, p: Promise<ImageBundle>) => {
    entries.delete(id);
    entries.set(id, p);
    while (entries.size > capacity) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
      settled.delete(oldest);
    }
  };

  const load = (id: number): Promise<ImageBundle> => {
    const meta = deps.fetchImage(id);
    const p: Promise<ImageBundle> = Promise.all([
      meta,
      deps.fetchSet(id),
      meta.then((image) => deps.loadElement(image)),
    ]).then(([image, set, element]) => {
      const bundle: ImageBundle = { image, set, element, setAt: deps.now() };
      if (entries.get(id) === p) settled.set(id, bundle);
      return bundle;
    });
    // A failed load must not stay cached: the next attempt starts afresh.
    p.catch(() => {
      if (entries.get(id) === p) {
        entries.delete(id);
        settled.delete(id);
      }
    });
    touch(id, p);
    return p;
  };

  return {
    get: async (id, opts = {}) => {
      const pending = entries.get(id);
      if (!pending) return load(id);
      touch(id, pending);
      let bundle: ImageBundle;
      try {
        bundle = await pending;
      } catch {
        return load(id);
      }
      const maxAge = opts.maxSetAgeMs ?? Number.POSITIVE_INFINITY;
      if (deps.now() - bundle.setAt <= maxAge) return bundle;
      const set = await deps.fetchSet(id);
      const fresh = {
        ...bundle,
        set: set.revision >= bundle.set.revision ? set : bundle.set,
        setAt: deps.now(),
      };
      if (entries.has(id)) {
        settled.set(id, fresh);
        touch(id, Promise.resolve(fresh));
      }
      return fresh;
    },
    prefetch: (ids) => {
      for (const id of ids) if (id != null && !entries.has(id)) load(id).catch(() => {});
    },
    updateSet: (set) => {
      const b = settled.get(set.imageId);
      if (!b || b.set.revision > set.revision) return;
      const fresh = { ...b, set, setAt: deps.now() };
      settled.set(set.imageId, fresh);
      entries.set(set.imageId, Promise.resolve(fresh));
    },
    updateImage: (image) => {
      const b = settled.get(image.id);
      if (!b) return;
      const fresh = { ...b, image };
      settled.set(image.id, fresh);
      entries.set(image.id, Promise.resolve(fresh));
    },
    cached: (id) => settled.get(id) ?? null,
  };
};

/**
 * Loads a picture and decodes it into a bitmap. Decoding a Blob into an ImageBitmap runs off the main
 * thread, and drawing the bitmap later is a copy; an <img> would be decoded again on the main thread
 * by the first canvas draw (~40-80 ms for 12 MP, in the frame that first shows the image).
 */
export const loadPicture = async (url: string): Promise<ImageBitmap> => {
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch {
    // A network failure like any other call's, so the editor knows to try again once back online.
    throw new ApiError(0, "NETWORK", "cannot reach the server to load the image file; check your connection");
  }
  if (!res.ok) throw new Error(`the image file could not be loaded (HTTP ${res.status})`);
  const blob = await res.blob();
  try {
    return await createImageBitmap(blob, { imageOrientation: "from-image" });
  } catch {
    throw new Error("the browser could not display this image file (unsupported format or a damaged file)");
  }
};

/**
 * Loads the picture to draw, chosen from the image's metadata: a gigapixel image's original is never
 * fetched (see pictureSourceOf). Null for a tiled image (its tiles are drawn instead).
 */
export const loadPictureOf = (image: ImageMeta): Promise<ImageBitmap | null> => {
  const source = pictureSourceOf(image);
  if (source.kind === "display") return loadPicture(source.url);
  // A preview is a bonus while tiles are being built: without one the editor waits for the tiles.
  if (source.kind === "preview") return loadPicture(source.url).catch(() => null);
  return Promise.resolve(null);
};
