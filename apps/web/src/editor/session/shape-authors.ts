import type { AnnotationSet } from "@labelbench/schema";

/** Who made and last changed a shape, as the server recorded it (the editor core's shapes do not carry it). */
export interface ShapeAuthor {
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export type AuthorMap = ReadonlyMap<string, ShapeAuthor>;

export interface ShapeAuthors {
  /**
   * Takes the authors from a server reply (a GET, a save's reply, the server's side of a conflict).
   * A reply older than the newest one seen for that image is ignored.
   */
  record(set: AnnotationSet): void;
  /** The image's authors by shape id; the same object until the next `record` for that image. */
  of(imageId: number): AuthorMap;
  subscribe(listener: () => void): () => void;
}

const EMPTY: AuthorMap = new Map();

/** Keeps the authors of the last `capacity` images recorded (the current one, neighbours, a few visited). */
export const createShapeAuthors = (capacity = 16): ShapeAuthors => {
  const images = new Map<number, { revision: number; authors: AuthorMap }>();
  const listeners = new Set<() => void>();
  return {
    record: (set) => {
      const known = images.get(set.imageId);
      if (known && known.revision > set.revision) return;
      const authors = new Map<string, ShapeAuthor>();
      for (const a of set.annotations)
        authors.set(a.id, {
          createdBy: a.createdBy,
          updatedBy: a.updatedBy,
          createdAt: a.createdAt,
          updatedAt: a.updatedAt,
        });
      images.delete(set.imageId);
      images.set(set.imageId, { revision: set.revision, authors });
      while (images.size > capacity) {
        const oldest = images.keys().next();
        if (oldest.done) break;
        images.delete(oldest.value);
      }
      for (const l of listeners) l();
    },
    of: (imageId) => images.get(imageId)?.authors ?? EMPTY,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
};

/** The part of an account name a narrow list can show: the local part of an e-mail address. */
export const shortName = (name: string): string => {
  const at = name.indexOf("@");
  return at > 0 ? name.slice(0, at) : name;
};

/**
 * One short line for the narrow shape list: "by ann", or "by ann · ✎ bob" once bob edited ann's
 * shape (the row's tooltip spells it out); null when nothing is recorded.
 */
export const authorLine = (a: ShapeAuthor | undefined): string | null => {
  if (!a || (a.createdBy === null && a.updatedBy === null)) return null;
  const by = a.createdBy === null ? "unknown" : shortName(a.createdBy);
  if (a.updatedBy === null || a.updatedBy === a.createdBy) return `by ${by}`;
  return `by ${by} · ✎ ${shortName(a.updatedBy)}`;
};

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

/** The full record for a tooltip: whole account names and times. */
export const authorTitle = (a: ShapeAuthor | undefined): string | null => {
  if (!a) return null;
  const created = `Created by ${a.createdBy ?? "an unknown user"} on ${when(a.createdAt)}`;
  if (a.updatedAt === a.createdAt && a.updatedBy === a.createdBy) return created;
  return `${created}\nLast edited by ${a.updatedBy ?? "an unknown user"} on ${when(a.updatedAt)}`;
};
