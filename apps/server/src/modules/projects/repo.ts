import { ImageStatus, type Project, type StatusCounts } from "@labelbench/schema";
import type { ExpressionBuilder } from "kysely";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";

/** Images of the project (of one status, if given), from the trigger-kept counts (migration 0005). */
const countOf = (eb: ExpressionBuilder<Database & { p: Database["projects"] }, "p">, status?: string) =>
  eb
    .selectFrom("image_status_counts as c")
    .select((e) => e.fn.coalesce(e.fn.sum<number>("c.n"), e.lit(0)).as("n"))
    .whereRef("c.project_id", "=", "p.id")
    .$if(status !== undefined, (q) => q.where("c.status", "=", status ?? ""));

const projects = (db: Executor) =>
  db
    .selectFrom("projects as p")
    .selectAll("p")
    .select((eb) => [countOf(eb).as("image_count"), countOf(eb, "done").as("done_count")]);

type ProjectRow = Awaited<ReturnType<ReturnType<typeof projects>["executeTakeFirstOrThrow"]>>;

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  imageCount: Number(r.image_count ?? 0),
  doneCount: Number(r.done_count ?? 0),
  annotatorsCanExport: r.annotators_can_export === 1,
});

export interface LabelStatsRow {
  id: number;
  name: string;
  color: string;
  annotations: number;
  images: number;
  tagged: number;
}

export const projectRepo = (db: Executor) => ({
  get: async (id: number): Promise<Project | null> => {
    const r = await projects(db).where("p.id", "=", id).executeTakeFirst();
    return r ? toProject(r) : null;
  },
  list: async (): Promise<Project[]> => (await projects(db).orderBy("p.id").execute()).map(toProject),
  create: async (name: string, description: string, now: string): Promise<number> =>
    (
      await db
        .insertInto("projects")
        .values({ name, description, created_at: now, updated_at: now })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id,
  update: async (
    id: number,
    patch: {
      name?: string | undefined;
      description?: string | undefined;
      annotatorsCanExport?: boolean | undefined;
    },
    now: string,
  ): Promise<boolean> =>
    (
      await db
        .updateTable("projects")
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.annotatorsCanExport !== undefined
            ? { annotators_can_export: patch.annotatorsCanExport ? 1 : 0 }
            : {}),
          updated_at: now,
        })
        .where("id", "=", id)
        .executeTakeFirst()
    ).numUpdatedRows > 0n,
  /**
   * Deletes the project and everything in it; run it in a transaction. Images go first: their
   * annotations reference the project's labels with no ON DELETE action, and PostgreSQL checks that
   * reference as the cascade removes the labels, before the cascade through images has removed the
   * annotations (SQLite checks at the statement's end, so one DELETE sufficed there).
   */
  delete: async (id: number): Promise<boolean> => {
    await db.deleteFrom("images").where("project_id", "=", id).execute();
    return (await db.deleteFrom("projects").where("id", "=", id).executeTakeFirst()).numDeletedRows > 0n;
  },
  touch: async (id: number, now: string): Promise<void> => {
    await db.updateTable("projects").set({ updated_at: now }).where("id", "=", id).execute();
  },
  /** sha256 of images only this project references: their files can go with it. */
  exclusiveShas: async (id: number): Promise<string[]> =>
    (
      await db
        .selectFrom("images")
        .select("sha256")
        .distinct()
        .where("project_id", "=", id)
        .where("sha256", "not in", (eb) =>
          eb.selectFrom("images").select("sha256").where("project_id", "!=", id),
        )
        .execute()
    ).map((r) => r.sha256),
  /** Images per status and in all, from the trigger-kept counts. */
  statusCounts: async (id: number): Promise<StatusCounts> => {
    const counts: StatusCounts = { new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 };
    const rows = await db
      .selectFrom("image_status_counts")
      .select(["status", "n"])
      .where("project_id", "=", id)
      .execute();
    for (const r of rows) {
      counts[ImageStatus.parse(r.status)] = r.n;
      counts.total += r.n;
    }
    return counts;
  },
  /** Per label of the project, in label order: its shapes, the images holding them, its tags. */
  labelStats: async (id: number): Promise<LabelStatsRow[]> =>
    (
      await db
        .selectFrom("labels as l")
        .select(["l.id", "l.name", "l.color"])
        .select((eb) => [
          eb
            .selectFrom("annotations as a")
            .select((e) => e.fn.countAll<number>().as("n"))
            .whereRef("a.label_id", "=", "l.id")
            .as("annotations"),
          eb
            .selectFrom("annotations as a")
            .select((e) => e.fn.count<number>("a.image_id").distinct().as("n"))
            .whereRef("a.label_id", "=", "l.id")
            .as("images"),
          eb
            .selectFrom("image_tags as t")
            .select((e) => e.fn.countAll<number>().as("n"))
            .whereRef("t.label_id", "=", "l.id")
            .as("tagged"),
        ])
        .where("l.project_id", "=", id)
        .orderBy("l.position")
        .orderBy("l.id")
        .execute()
    ).map((r) => ({
      id: r.id,
      name: r.name,
      color: r.color,
      annotations: Number(r.annotations ?? 0),
      images: Number(r.images ?? 0),
      tagged: Number(r.tagged ?? 0),
    })),
});
export type ProjectRepo = ReturnType<typeof projectRepo>;
