import {
  type GoldKind,
  type Image,
  type ImageFormat,
  type ImageStatus,
  naturalKeyRange,
  naturalSortKey,
  type ReviewState,
  type StatusCounts,
} from "@labelbench/schema";
import { type ExpressionBuilder, type Selectable, type SqlBool, sql } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";
import { type ImageOrder, type KeyColumn, type KeyValue, keyOf, orderSql, STATUS_RANK } from "./order.js";

/**
 * An image row as db/schema.ts declares it, its enumerated text columns narrowed to their values
 * (the CHECK constraints of migrations 0001 and 0012 allow no others).
 */
export type ImageRow = Omit<Selectable<Database["images"]>, "format" | "status" | "tile_state"> & {
  format: ImageFormat;
  status: ImageStatus;
  tile_state: "none" | "pending" | "ready" | "failed";
};
const asRow = (r: Selectable<Database["images"]>) => r as ImageRow;

export const toImage = (r: ImageRow): Image => ({
  id: r.id,
  projectId: r.project_id,
  fileName: r.file_name,
  sha256: r.sha256,
  width: r.width,
  height: r.height,
  format: r.format,
  byteSize: r.byte_size,
  status: r.status,
  annotationCount: r.annotation_count,
  tiles: { state: r.tile_state, progress: r.tile_progress, tileSize: r.tile_size, levels: r.tile_levels },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  assigneeId: holderOf(r, new Date().toISOString()),
  reviewState: r.review_state as ReviewState,
  gold: r.gold as GoldKind | null,
});

/** Who holds the image now: an expired queue lease is nobody's (every query treats it as free). */
export const holderOf = (
  r: Pick<ImageRow, "assignee_id" | "assigned_via" | "lease_until">,
  now: string,
): number | null =>
  r.assigned_via === "queue" && r.lease_until !== null && r.lease_until <= now ? null : r.assignee_id;

const toStatusCounts = (rows: { status: ImageStatus; n: number }[]): StatusCounts => {
  const counts: StatusCounts = { new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 };
  for (const r of rows) {
    counts[r.status] = r.n;
    counts.total += r.n;
  }
  return counts;
};

/** Which images a list or a walk covers: the library's filter. */
export interface ImageFilter {
  status?: ImageStatus | undefined;
  /** A substring of the file name (its path: a folder's name finds the folder's images). */
  q?: string | undefined;
  /** A folder and its sub-folders: the file name starts with it (`cam_a/`; "" or absent: all). */
  folder?: string | undefined;
  /** Only images holding a pending prediction of this run (issue 17): a run's work list. */
  predictionRun?: number | undefined;
}

type Images = ExpressionBuilder<Database, "images">;

/**
 * `file_name` contains `q`, literally (% and _ escaped), ignoring the case of ASCII letters.
 * SQLite's LIKE does so itself. PostgreSQL's is case-sensitive, so both sides are lowered there:
 * lower() under the column's "C" collation folds ASCII only, as the pattern's lowering here does
 * (ILIKE would fold by the database's locale). Not lowered on SQLite, where it would only cost
 * (a third more per row scanned).
 */
const nameContains = (eb: Images, q: string, dialect: Dialect) => {
  const folded = dialect === "postgres" ? q.replace(/[A-Z]/g, (c) => c.toLowerCase()) : q;
  const pattern = sql<string>`${`%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`;
  return dialect === "postgres"
    ? eb(eb.fn<string>("lower", ["file_name"]), "like", pattern)
    : eb("file_name", "like", pattern);
};

/**
 * The file name starts with `folder` (which ends with "/"), byte for byte on both dialects. The
 * natural key's range beside it lets the name indexes seek the folder instead of reading every
 * image of the project before it (a page deep in a late folder read them all).
 */
const inFolder = (eb: Images, folder: string) => {
  // substr counts characters (code points) on both dialects; a JS length counts UTF-16 units.
  const exact = eb(sql<string>`substr(file_name, 1, ${[...folder].length})`, "=", folder);
  const range = naturalKeyRange(folder);
  return range ? eb.and([eb("name_key", ">=", range.from), eb("name_key", "<", range.to), exact]) : exact;
};

/** The image holds a pending prediction of `runId`: a lookup in predictions' (image_id, run_id) index. */
const hasPendingPrediction = (eb: Images, runId: number) =>
  eb.exists(
    eb
      .selectFrom("predictions")
      .select(sql<number>`1`.as("one"))
      .whereRef("predictions.image_id", "=", "images.id")
      .where("predictions.run_id", "=", runId)
      .where("predictions.state", "=", "pending"),
  );

/**
 * The filter's terms other than the project: status, search, folder, prediction run. Shared by the list's walks
 * and by the bulk actions' selection by filter (modules/library), so both mean the same images.
 */
export const filterTerms = (eb: Images, f: ImageFilter, dialect: Dialect, byStatusColumn = true) => {
  const terms = [];
  if (f.status)
    terms.push(byStatusColumn ? eb("status", "=", f.status) : eb("status_rank", "=", STATUS_RANK[f.status]));
  if (f.q) terms.push(nameContains(eb, f.q, dialect));
  if (f.folder) terms.push(inFolder(eb, f.folder));
  if (f.predictionRun !== undefined) terms.push(hasPendingPrediction(eb, f.predictionRun));
  return terms;
};

/**
 * The WHERE terms and ORDER BY of a filter walked in an order from `key` (null: from the start),
 * chosen so that each pair is a range scan of one index (migration 0010) however deep the page.
 */
const walk = (
  dialect: Dialect,
  projectId: number,
  f: ImageFilter,
  order: ImageOrder,
  key: KeyValue[] | null,
) => {
  // Within one status the status order is the name order: seek the status+name index by name
  // (SQLite seeks a row value only on columns that follow the equalities).
  const oneStatus =
    f.status !== undefined && order.sort === "status" && (key === null || key[0] === STATUS_RANK[f.status]);
  const o = orderSql(oneStatus ? { sort: "name", order: order.order } : order);
  const from = key && oneStatus ? key.slice(1) : key;
  /** Row values of any length (the builder's refTuple takes a fixed number): `(a, b) > (?, ?)`. */
  const compare = (op: string, k: readonly KeyValue[]) =>
    sql<SqlBool>`(${sql.join(o.columns.map((c) => sql.ref(c)))}) ${sql.raw(op)} (${sql.join(k)})`;
  const where = (eb: Images) => {
    // Added order walks (project_id, status, id); every other order the generated rank's index.
    return [eb("project_id", "=", projectId), ...filterTerms(eb, f, dialect, order.sort === "added")];
  };
  return {
    where,
    key: from,
    /** Rows after the walk's key (forward) or before it. */
    beyond: (k: readonly KeyValue[], forward = true) => compare(o.beyond(forward), k),
    upTo: (k: readonly KeyValue[]) => compare(o.upTo(), k),
    /** ORDER BY the key columns walking forward (the list's order) or backward. */
    orderBy:
      (forward = true) =>
      <Q extends { orderBy(c: KeyColumn, d: "asc" | "desc"): Q }>(q: Q): Q =>
        o.columns.reduce((acc, c) => acc.orderBy(c, o.direction(forward)), q),
  };
};

export interface PageOptions extends ImageFilter {
  order: ImageOrder;
  /** The key of the last image of the previous page (from a cursor). */
  after: KeyValue[] | null;
  limit: number;
  offset?: number | undefined;
}

/** One page of a filter in an order (one row more than `limit`, to tell whether more follow). */
export const pageQuery = (db: Executor, dialect: Dialect, projectId: number, opts: PageOptions) => {
  const w = walk(dialect, projectId, opts, opts.order, opts.after);
  return db
    .selectFrom("images")
    .selectAll()
    .where((eb) => eb.and([...w.where(eb), ...(w.key ? [w.beyond(w.key)] : [])]))
    .$call(w.orderBy())
    .limit(opts.limit + 1)
    .offset(opts.offset ?? 0);
};

export interface NewImage {
  projectId: number;
  sha256: string;
  fileName: string;
  width: number;
  height: number;
  channels: number | null;
  format: ImageFormat;
  byteSize: number;
  tileState: ImageRow["tile_state"];
}

/** Image rows; `dialect` is the one `db` runs on (the name search differs). */
export const imageRepo = (db: Executor, dialect: Dialect) => {
  // Kept by triggers (migration 0005): O(1) however many images the project has.
  const statusCounts = async (projectId: number): Promise<StatusCounts> =>
    toStatusCounts(
      (await db
        .selectFrom("image_status_counts")
        .select(["status", "n"])
        .where("project_id", "=", projectId)
        .execute()) as { status: ImageStatus; n: number }[],
    );
  /**
   * Images per status under a folder or a run's pending predictions (the filter's status and search
   * left out, as the trigger-kept counts leave them): counted (a scan of the project's rows).
   */
  const filteredCounts = async (
    projectId: number,
    f: Pick<ImageFilter, "folder" | "predictionRun">,
  ): Promise<StatusCounts> =>
    toStatusCounts(
      (
        await db
          .selectFrom("images")
          .select((eb) => ["status", eb.fn.countAll<number>().as("n")])
          .where((eb) =>
            eb.and([
              eb("project_id", "=", projectId),
              ...filterTerms(eb, { folder: f.folder, predictionRun: f.predictionRun }, dialect),
            ]),
          )
          .groupBy("status")
          .execute()
      ).map((r) => ({ status: r.status as ImageStatus, n: Number(r.n) })),
    );
  return {
    row: async (id: number): Promise<ImageRow | null> => {
      const r = await db.selectFrom("images").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? asRow(r) : null;
    },
    /** The id of an image of the project with exactly this name, if any. */
    named: async (projectId: number, fileName: string): Promise<number | null> =>
      (
        await db
          .selectFrom("images")
          .select("id")
          .where("project_id", "=", projectId)
          .where("file_name", "=", fileName)
          .orderBy("id")
          .limit(1)
          .executeTakeFirst()
      )?.id ?? null,
    bySha: async (projectId: number, sha: string): Promise<ImageRow | null> => {
      const r = await db
        .selectFrom("images")
        .selectAll()
        .where("project_id", "=", projectId)
        .where("sha256", "=", sha)
        .executeTakeFirst();
      return r ? asRow(r) : null;
    },
    /**
     * The new image's id, or null when the project already holds these bytes: another process's
     * upload of the same file may commit between a caller's bySha and this insert (PostgreSQL; on
     * SQLite the IMMEDIATE transaction excludes it).
     */
    insert: async (img: NewImage, now: string): Promise<number | null> => {
      const r = await db
        .insertInto("images")
        .values({
          project_id: img.projectId,
          sha256: img.sha256,
          file_name: img.fileName,
          name_key: naturalSortKey(img.fileName),
          width: img.width,
          height: img.height,
          channels: img.channels,
          format: img.format,
          byte_size: img.byteSize,
          tile_state: img.tileState,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(["project_id", "sha256"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      return r?.id ?? null;
    },
    /** One page of the filter in `order`, after the key `after` (a cursor) or skipping `offset` images. */
    page: async (projectId: number, opts: PageOptions): Promise<ImageRow[]> =>
      (await pageQuery(db, dialect, projectId, opts).execute()).map(asRow),
    update: async (
      id: number,
      patch: { status?: ImageStatus | undefined; fileName?: string | undefined },
      now: string,
      actor: string | null = null,
    ): Promise<void> => {
      await db
        .updateTable("images")
        .set({
          updated_at: now,
          ...(patch.status === undefined ? {} : { status: patch.status, status_updated_by: actor }),
          ...(patch.fileName === undefined
            ? {}
            : { file_name: patch.fileName, name_key: naturalSortKey(patch.fileName) }),
        })
        .where("id", "=", id)
        .execute();
    },
    delete: async (id: number): Promise<void> => {
      await db.deleteFrom("images").where("id", "=", id).execute();
    },
    /** Images per status in the project, and their total. */
    statusCounts,
    filteredCounts,
    /** The whole-image tags of `ids`, by image (the list shows them on each tile). */
    tagsOf: async (ids: readonly number[]): Promise<Map<number, number[]>> => {
      const out = new Map<number, number[]>();
      if (ids.length === 0) return out;
      const rows = await db
        .selectFrom("image_tags")
        .select(["image_id", "label_id"])
        .where("image_id", "in", [...ids])
        .orderBy("image_id")
        .orderBy("label_id")
        .execute();
      for (const r of rows) {
        const list = out.get(r.image_id);
        if (list) list.push(r.label_id);
        else out.set(r.image_id, [r.label_id]);
      }
      return out;
    },
    /**
     * Navigation around an image in the library's order and filter: previous/next/position/total
     * walk the images the library shows, so the editor steps through them as the grid lists them.
     * The next still-new image (within the search, whatever the status filter) follows the same
     * order and wraps around to the start.
     */
    neighbours: async (row: ImageRow, filter: ImageFilter, order: ImageOrder) => {
      const rowKey = keyOf(order, row);
      const id = async (f: ImageFilter, forward: boolean, from: "key" | "start") => {
        const w = walk(dialect, row.project_id, f, order, from === "key" ? rowKey : null);
        const r = await db
          .selectFrom("images")
          .select("id")
          .where((eb) => eb.and([...w.where(eb), w.key ? w.beyond(w.key, forward) : eb("id", "!=", row.id)]))
          .$call(w.orderBy(forward))
          .limit(1)
          .executeTakeFirst();
        return r?.id ?? null;
      };
      const count = async (upToRow: boolean) => {
        const w = walk(dialect, row.project_id, filter, order, upToRow ? rowKey : null);
        const r = await db
          .selectFrom("images")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where((eb) => eb.and([...w.where(eb), ...(w.key ? [w.upTo(w.key)] : [])]))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      };
      const newOnes: ImageFilter = { ...filter, status: "new" };
      // Without a search the total is in the trigger-kept counts: one lookup instead of a count.
      const counts =
        filter.q || filter.folder || filter.predictionRun !== undefined
          ? null
          : await statusCounts(row.project_id);
      return {
        previousId: await id(filter, false, "key"),
        nextId: await id(filter, true, "key"),
        nextNewId: (await id(newOnes, true, "key")) ?? (await id(newOnes, true, "start")),
        position: await count(true),
        total: counts ? (filter.status ? counts[filter.status] : counts.total) : await count(false),
      };
    },
  };
};
export type ImageRepo = ReturnType<typeof imageRepo>;
