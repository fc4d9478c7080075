import {
  DEFAULT_SORT_ORDER,
  ImageSort,
  type ImageStatus,
  ImageStatus as ImageStatusSchema,
  SortOrder,
} from "@labelbench/schema";

/**
 * What the library shows and in what order, as kept in its URL (`?status=&q=&sort=&order=`). The
 * grid's links to the editor carry the same parameters, so the editor's previous/next walk the
 * images in the order and filter the grid showed them.
 */
export interface LibraryScope {
  status: ImageStatus | undefined;
  q: string;
  /** A folder and its sub-folders (`cam_a/`), "" for every image (issue 18's folder tree). */
  folder: string;
  /**
   * Only images with pending predictions of this run (issue 17): a run's "Open in the editor" walks
   * the images it still has work on.
   */
  predictionRun: number | undefined;
  sort: ImageSort;
  order: SortOrder;
}

export const SORT_LABEL: Record<ImageSort, string> = {
  name: "Name",
  added: "Date added",
  status: "Status",
  annotations: "Annotations",
  edited: "Last edited",
};

const SCOPE_KEYS = ["status", "q", "folder", "predictionRun", "sort", "order"] as const;

/** A run id as the URL holds it: decimal digits only, anything else is no filter. */
const runOf = (raw: string | null): number | undefined =>
  raw !== null && /^[1-9][0-9]{0,14}$/.test(raw) ? Number(raw) : undefined;

/** A folder as the server names it: no leading "/", a trailing one ("" stays ""). */
export const folderOf = (raw: string | null): string => {
  const f = (raw ?? "").trim().replace(/^\/+/, "");
  return f === "" || f.endsWith("/") ? f : `${f}/`;
};

/** Reads the scope from URL parameters; anything unknown falls back to the default rather than failing. */
export const parseScope = (params: URLSearchParams): LibraryScope => {
  const status = ImageStatusSchema.safeParse(params.get("status"));
  const sort = ImageSort.safeParse(params.get("sort"));
  const s = sort.success ? sort.data : "name";
  const order = SortOrder.safeParse(params.get("order"));
  return {
    status: status.success ? status.data : undefined,
    q: params.get("q")?.trim() ?? "",
    folder: folderOf(params.get("folder")),
    predictionRun: runOf(params.get("predictionRun")),
    sort: s,
    order: order.success ? order.data : DEFAULT_SORT_ORDER[s],
  };
};

/** The scope as API query parameters (listImages, imageNeighbours); defaults are left out. */
export const scopeQuery = (s: LibraryScope) => ({
  status: s.status,
  q: s.q || undefined,
  folder: s.folder || undefined,
  predictionRun: s.predictionRun,
  sort: s.sort,
  order: s.order,
});

/** `?…` holding only the scope's parameters that differ from the defaults ("" when none do). */
export const scopeSearch = (s: LibraryScope): string => {
  const p = new URLSearchParams();
  if (s.status) p.set("status", s.status);
  if (s.q) p.set("q", s.q);
  if (s.folder) p.set("folder", s.folder);
  if (s.predictionRun !== undefined) p.set("predictionRun", String(s.predictionRun));
  if (s.sort !== "name") p.set("sort", s.sort);
  if (s.order !== DEFAULT_SORT_ORDER[s.sort]) p.set("order", s.order);
  const qs = p.toString();
  return qs ? `?${qs}` : "";
};

/** `params` with the scope's keys replaced by `s` (other parameters kept). */
export const withScope = (params: URLSearchParams, s: LibraryScope): URLSearchParams => {
  const p = new URLSearchParams(params);
  for (const k of SCOPE_KEYS) p.delete(k);
  for (const [k, v] of new URLSearchParams(scopeSearch(s))) p.set(k, v);
  return p;
};
