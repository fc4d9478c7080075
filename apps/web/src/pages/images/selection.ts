import type { AssignRequest, BulkAction, BulkRequest, ImageStatus } from "@labelbench/schema";

/**
 * The library's selection, for distributing work. Either some images by id (clicked, or a
 * shift-click range of the grid's indexes), or every image matching the current filter, which may
 * be far more than are loaded: that one is sent to the server as the filter itself.
 */
export type Selection =
  | { kind: "ids"; ids: ReadonlySet<number>; anchor: number | null }
  | { kind: "all"; count: number };

export const EMPTY_SELECTION: Selection = { kind: "ids", ids: new Set(), anchor: null };

export const selectedCount = (s: Selection): number => (s.kind === "all" ? s.count : s.ids.size);

export const isSelected = (s: Selection, id: number): boolean => s.kind === "all" || s.ids.has(id);

/** A click on one image's checkbox: flips it and makes it the anchor of a later shift-click. */
export const toggle = (s: Selection, index: number, id: number): Selection => {
  if (s.kind === "all") return s;
  const ids = new Set(s.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { kind: "ids", ids, anchor: index };
};

/**
 * A shift-click: selects every loaded image from the anchor to `index` (both included), as file
 * managers do; without an anchor it is a plain toggle. `idAt` answers undefined for images not
 * loaded, which are skipped.
 */
export const extend = (
  s: Selection,
  index: number,
  id: number,
  idAt: (i: number) => number | undefined,
): Selection => {
  if (s.kind === "all") return s;
  if (s.anchor === null) return toggle(s, index, id);
  const ids = new Set(s.ids);
  const [from, to] = s.anchor <= index ? [s.anchor, index] : [index, s.anchor];
  for (let i = from; i <= to; i++) {
    const at = idAt(i);
    if (at !== undefined) ids.add(at);
  }
  return { kind: "ids", ids, anchor: s.anchor };
};

/**
 * Shift+arrow: the focus moved from `from` to `to`; every loaded image between the anchor (set to
 * `from` when there is none) and `to` becomes selected, as in file managers.
 */
export const extendTo = (
  s: Selection,
  from: number,
  to: number,
  idAt: (i: number) => number | undefined,
): Selection => {
  if (s.kind === "all") return s;
  const anchor = s.anchor ?? from;
  const ids = new Set(s.ids);
  const [lo, hi] = anchor <= to ? [anchor, to] : [to, anchor];
  for (let i = lo; i <= hi; i++) {
    const at = idAt(i);
    if (at !== undefined) ids.add(at);
  }
  return { kind: "ids", ids, anchor };
};

/** The library's filter as the assignment and bulk endpoints' filter (the same meaning on all). */
export interface LibraryFilter {
  status: ImageStatus | undefined;
  q: string;
  /** "" for every image, else a folder ending with "/". */
  folder?: string;
}

/** One bulk request for the selection: its ids, or for "all matching" the filter itself. */
export const bulkRequest = (
  s: Selection,
  filter: LibraryFilter,
  action: BulkAction,
  dryRun = false,
): BulkRequest =>
  s.kind === "ids"
    ? { imageIds: [...s.ids].sort((a, b) => a - b), action, dryRun }
    : {
        filter: { status: filter.status, q: filter.q || undefined, folder: filter.folder || undefined },
        action,
        dryRun,
      };

/** The most images one assignment request may name (AssignRequest's limit). */
export const MAX_ASSIGN = 10_000;

/**
 * The request for assigning (or, with null, unassigning) the selection: its ids, or for "all
 * matching" the filter with every image in it (not only unassigned ones: the manager chose them all).
 */
export const assignRequest = (
  s: Selection,
  filter: LibraryFilter,
  assigneeId: number | null,
): AssignRequest =>
  s.kind === "ids"
    ? { assigneeId, imageIds: [...s.ids].sort((a, b) => a - b) }
    : {
        assigneeId,
        filter: {
          status: filter.status,
          q: filter.q || undefined,
          folder: filter.folder || undefined,
          unassignedOnly: false,
        },
        count: Math.min(s.count, MAX_ASSIGN),
      };

/** A batch: the first `count` images of a folder (and the library's filter) that nobody holds yet. */
export const batchRequest = (
  assigneeId: number,
  count: number,
  folder: string,
  filter: LibraryFilter,
): AssignRequest => {
  const f = folder.trim().replace(/^\/+/, "");
  return {
    assigneeId,
    filter: {
      folder: f === "" ? undefined : f.endsWith("/") ? f : `${f}/`,
      status: filter.status,
      q: filter.q || undefined,
      unassignedOnly: true,
    },
    count,
  };
};

/** The folders among file names, for the batch dialog's suggestions: "cam_a/", "cam_a/day1/", … */
export const foldersOf = (fileNames: Iterable<string>): string[] => {
  const out = new Set<string>();
  for (const name of fileNames) {
    let cut = name.indexOf("/");
    while (cut > 0) {
      out.add(name.slice(0, cut + 1));
      cut = name.indexOf("/", cut + 1);
    }
  }
  return [...out].sort();
};

/** "3 assigned to Ana · 1 refused: image 12 is accepted". */
export const resultSummary = (
  r: { assigned: number; results: { imageId: number; status: string; reason?: string | undefined }[] },
  who: string | null,
): { text: string; refused: number } => {
  const refused = r.results.filter((x) => x.status === "refused");
  const unassigned = r.results.filter((x) => x.status === "unassigned").length;
  const parts: string[] = [];
  if (who !== null) parts.push(`${r.assigned} assigned to ${who}`);
  if (unassigned > 0 || who === null) parts.push(`${unassigned} unassigned`);
  if (refused.length > 0) {
    const first = refused[0];
    parts.push(
      `${refused.length} refused${first?.reason ? `: ${first.reason}${refused.length > 1 ? ", …" : ""}` : ""}`,
    );
  }
  return { text: parts.join(" · "), refused: refused.length };
};
