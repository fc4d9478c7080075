import {
  type AttributeDefinition,
  type AttributeValues,
  type Label,
  type LabelScope,
  labelNameKey,
  type ShapeType,
} from "@labelbench/schema";
import { type ExpressionBuilder, sql } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";

interface LabelRow {
  id: number;
  project_id: number;
  name: string;
  color: string;
  hotkey: string | null;
  position: number;
  shape_types: string;
  attributes: string;
  scope: string;
  annotation_count: number;
}

const toLabel = (r: LabelRow): Label => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  color: r.color,
  hotkey: r.hotkey,
  position: r.position,
  shapeTypes: r.shape_types.split(",") as ShapeType[],
  // Written only from checked definitions (LabelCreate, LabelPatch, an import).
  scope: r.scope as LabelScope,
  attributes: JSON.parse(r.attributes) as AttributeDefinition[],
  annotationCount: Number(r.annotation_count),
});

export interface NewLabel {
  name: string;
  color: string;
  hotkey: string | null;
  shapeTypes: ShapeType[];
  scope?: LabelScope;
  attributes?: AttributeDefinition[];
}

/** Shared with the web's label editor, so both see the same names collide. */
export const nameKey = labelNameKey;

const withCount = (ex: Executor) =>
  ex
    .selectFrom("labels as l")
    .select([
      "l.id",
      "l.project_id",
      "l.name",
      "l.color",
      "l.hotkey",
      "l.position",
      "l.shape_types",
      "l.attributes",
      "l.scope",
    ])
    .select((eb: ExpressionBuilder<Database & { l: Database["labels"] }, "l">) =>
      eb
        .selectFrom("annotations as a")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("a.label_id", "=", "l.id")
        .as("annotation_count"),
    );

const listOf = async (ex: Executor, projectId: number): Promise<Label[]> =>
  (
    (await withCount(ex)
      .where("l.project_id", "=", projectId)
      .orderBy("l.position")
      .orderBy("l.id")
      .execute()) as LabelRow[]
  ).map(toLabel);

const maxPosition = async (ex: Executor, projectId: number): Promise<number> =>
  (
    await ex
      .selectFrom("labels")
      .select((eb) => eb.fn.coalesce(eb.fn.max("position"), sql<number>`-1`).as("p"))
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow()
  ).p;

const renumberAs = async (ex: Executor, ids: readonly number[]) => {
  for (const [i, lid] of ids.entries())
    await ex
      .updateTable("labels")
      .set({ position: i })
      .where("id", "=", lid)
      .where("position", "!=", i)
      .execute();
};

export const labelRepo = {
  /**
   * The project's labels as a save checks shapes against them: `list` without the per-label
   * annotation counts, which read every shape of the label (a million rows on a large project:
   * on PostgreSQL ~0.3-0.9 s per save while an import rewrote them, 2 s save p99).
   */
  rulesOf: async (ex: Executor, projectId: number) =>
    (
      await ex
        .selectFrom("labels")
        .select(["id", "name", "shape_types", "scope", "attributes"])
        .where("project_id", "=", projectId)
        .execute()
    ).map((r) => ({
      id: r.id,
      name: r.name,
      shapeTypes: r.shape_types.split(",") as ShapeType[],
      scope: r.scope as LabelScope,
      attributes: JSON.parse(r.attributes) as AttributeDefinition[],
    })),
  /**
   * Serializes the label writes of one project across processes (PostgreSQL: the project row is
   * locked until the transaction ends), so the name and hotkey checks, the next position and the
   * renumbering see every other writer's result. SQLite transactions are serialized already.
   * FOR NO KEY UPDATE, not FOR UPDATE: rows that refer to the project (an image, a status count)
   * check it with KEY SHARE, which FOR UPDATE would block, so a save that counts its project's
   * first image in progress would wait for a label deletion that waits for the save's label.
   */
  lockProject: async (ex: Executor, dialect: Dialect, projectId: number) => {
    if (dialect === "postgres")
      await ex.selectFrom("projects").select("id").where("id", "=", projectId).forNoKeyUpdate().execute();
  },
  /**
   * The ones of `ids` still in the project, each held until the transaction ends (PostgreSQL: FOR
   * KEY SHARE), for a save about to write rows that refer to them: a deletion (which locks its
   * label first, `lockForDelete`) waits for this transaction, and this one for a deletion under
   * way, whose label it then finds gone. Renames and moves (FOR NO KEY UPDATE) wait for neither.
   * SQLite's transaction holds the write lock already.
   */
  holdForUse: async (
    ex: Executor,
    dialect: Dialect,
    projectId: number,
    ids: readonly number[],
  ): Promise<Set<number>> => {
    if (ids.length === 0) return new Set();
    const rows = await ex
      .selectFrom("labels")
      .select("id")
      .where("project_id", "=", projectId)
      .where("id", "in", [...new Set(ids)])
      .$if(dialect === "postgres", (q) => q.forKeyShare())
      .execute();
    return new Set(rows.map((r) => r.id));
  },
  /**
   * First in a label's deletion (PostgreSQL: the label's row FOR UPDATE), before it touches any
   * image: saves take their labels, then their image, so the two never wait on each other in a
   * circle; a save holding the label finishes first, and the deletion then sees its annotations.
   */
  lockForDelete: async (ex: Executor, dialect: Dialect, id: number) => {
    if (dialect === "postgres")
      await ex.selectFrom("labels").select("id").where("id", "=", id).forUpdate().execute();
  },
  get: async (ex: Executor, projectId: number, id: number): Promise<Label | null> => {
    const r = (await withCount(ex)
      .where("l.id", "=", id)
      .where("l.project_id", "=", projectId)
      .executeTakeFirst()) as LabelRow | undefined;
    return r ? toLabel(r) : null;
  },
  list: listOf,
  idByName: async (ex: Executor, projectId: number, name: string): Promise<number | null> =>
    (
      await ex
        .selectFrom("labels")
        .select("id")
        .where("project_id", "=", projectId)
        .where("name_key", "=", nameKey(name))
        .executeTakeFirst()
    )?.id ?? null,
  /** Labels whose hotkey is this one, the first key of this chord, or a chord this key starts. */
  clashingHotkeys: async (ex: Executor, projectId: number, hotkey: string) =>
    await ex
      .selectFrom("labels")
      .select(["id", "name", "hotkey"])
      .where("project_id", "=", projectId)
      // Hotkeys are lower-case letters and digits: no LIKE wildcards to escape.
      .where((eb) =>
        eb.or([
          eb("hotkey", "=", hotkey),
          eb("hotkey", "=", hotkey.slice(0, 1)),
          eb("hotkey", "like", `${hotkey}_`),
        ]),
      )
      .orderBy("position")
      .execute(),
  count: async (ex: Executor, projectId: number): Promise<number> => (await maxPosition(ex, projectId)) + 1,
  insert: async (ex: Executor, projectId: number, l: NewLabel): Promise<number> => {
    const position = (await maxPosition(ex, projectId)) + 1;
    const { id } = await ex
      .insertInto("labels")
      .values({
        project_id: projectId,
        name: l.name,
        name_key: nameKey(l.name),
        color: l.color,
        hotkey: l.hotkey,
        position,
        shape_types: l.shapeTypes.join(","),
        scope: l.scope ?? "both",
        attributes: JSON.stringify(l.attributes ?? []),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  },
  /** Sets only the columns the patch names. */
  update: async (ex: Executor, id: number, patch: Partial<NewLabel>) => {
    const set = {
      ...(patch.name === undefined ? {} : { name: patch.name, name_key: nameKey(patch.name) }),
      ...(patch.color === undefined ? {} : { color: patch.color }),
      ...(patch.hotkey === undefined ? {} : { hotkey: patch.hotkey }),
      ...(patch.shapeTypes === undefined ? {} : { shape_types: patch.shapeTypes.join(",") }),
      ...(patch.scope === undefined ? {} : { scope: patch.scope }),
      ...(patch.attributes === undefined ? {} : { attributes: JSON.stringify(patch.attributes) }),
    };
    if (Object.keys(set).length === 0) return;
    await ex.updateTable("labels").set(set).where("id", "=", id).execute();
  },
  /** Moves a label to `position` and renumbers the set 0..n-1 without gaps. */
  move: async (ex: Executor, projectId: number, id: number, position: number) => {
    const ids = (await listOf(ex, projectId)).map((l) => l.id).filter((x) => x !== id);
    ids.splice(Math.min(position, ids.length), 0, id);
    await renumberAs(ex, ids);
  },
  renumber: async (ex: Executor, projectId: number) =>
    renumberAs(
      ex,
      (
        await ex
          .selectFrom("labels")
          .select("id")
          .where("project_id", "=", projectId)
          .orderBy("position")
          .orderBy("id")
          .execute()
      ).map((r) => r.id),
    ),
  usage: async (ex: Executor, id: number): Promise<{ annotations: number; tags: number }> => {
    const count = async (table: "annotations" | "image_tags") =>
      Number(
        (
          await ex
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("label_id", "=", id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { annotations: await count("annotations"), tags: await count("image_tags") };
  },
  shapeTypesInUse: async (ex: Executor, dialect: Dialect, id: number): Promise<ShapeType[]> => {
    // The stored geometry is JSON text on both dialects (db/schema.ts); each reads its type its own way.
    const type =
      dialect === "sqlite"
        ? sql<ShapeType>`json_extract(geometry, '$.type')`
        : sql<ShapeType>`geometry::json ->> 'type'`;
    return (
      await ex.selectFrom("annotations").select(type.as("t")).distinct().where("label_id", "=", id).execute()
    ).map((r) => r.t);
  },
  /** The label's shapes that hold attribute values: what a change of its definitions revisits. */
  valuesOf: async (ex: Executor, id: number): Promise<{ id: number; attributes: AttributeValues }[]> =>
    (
      await ex
        .selectFrom("annotations")
        .select(["id", "attributes"])
        .where("label_id", "=", id)
        .where("attributes", "is not", null)
        .execute()
    ).map((r) => ({ id: r.id, attributes: JSON.parse(r.attributes as string) as AttributeValues })),
  /** How many of the label's shapes hold no values at all (a new required attribute would need one). */
  withoutValues: async (ex: Executor, id: number): Promise<number> =>
    Number(
      (
        await ex
          .selectFrom("annotations")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("label_id", "=", id)
          .where("attributes", "is", null)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  /** Rewrites shapes' values (null: none), by row id. */
  setValues: async (
    ex: Executor,
    rows: readonly { id: number; attributes: string | null }[],
    now: string,
  ) => {
    for (const r of rows)
      await ex
        .updateTable("annotations")
        .set({ attributes: r.attributes, updated_at: now })
        .where("id", "=", r.id)
        .execute();
  },
  /** Gives every shape of the label without values these (a new attribute's default). */
  fillEmpty: async (ex: Executor, id: number, attributes: string, now: string) => {
    await ex
      .updateTable("annotations")
      .set({ attributes, updated_at: now })
      .where("label_id", "=", id)
      .where("attributes", "is", null)
      .execute();
  },
  tagCount: async (ex: Executor, id: number): Promise<number> =>
    Number(
      (
        await ex
          .selectFrom("image_tags")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("label_id", "=", id)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  /** Moves the label's annotations and image tags to `targetId`. */
  reassign: async (ex: Executor, id: number, targetId: number, now: string) => {
    await ex
      .updateTable("annotations")
      .set({ label_id: targetId, updated_at: now })
      .where("label_id", "=", id)
      .execute();
    await ex
      .insertInto("image_tags")
      .columns(["image_id", "label_id"])
      .expression((eb) =>
        eb
          .selectFrom("image_tags")
          .select(["image_id", sql<number>`CAST(${targetId} AS bigint)`.as("label_id")])
          .where("label_id", "=", id),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  },
  /** Deletes the label's annotations (image-changes-repo's labelShapesDeleting keeps the counts right first). */
  deleteAnnotationsOf: async (ex: Executor, id: number) => {
    await ex.deleteFrom("annotations").where("label_id", "=", id).execute();
  },
  /** Deletes the label; its image tags go with it (ON DELETE CASCADE). */
  delete: async (ex: Executor, id: number) => {
    await ex.deleteFrom("labels").where("id", "=", id).execute();
  },
};
