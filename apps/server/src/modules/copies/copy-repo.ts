import type { CopyPurpose, CopyState } from "@labelbench/schema";
import type { Selectable } from "kysely";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";
import type { CopyShape } from "./copy-set.js";

/** The SQL of private copies (issue 16): one row per (image, person), the set as JSON. */

export type CopyRow = Omit<Selectable<Database["image_copies"]>, "purpose" | "state"> & {
  purpose: CopyPurpose;
  state: CopyState;
};

export const shapesOf = (row: Pick<CopyRow, "shapes">): CopyShape[] => JSON.parse(row.shapes) as CopyShape[];
export const tagsOf = (row: Pick<CopyRow, "tags">): number[] => JSON.parse(row.tags) as number[];

export const copyOf = async (ex: Executor, imageId: number, userId: number): Promise<CopyRow | undefined> =>
  (await ex
    .selectFrom("image_copies")
    .selectAll()
    .where("image_id", "=", imageId)
    .where("user_id", "=", userId)
    .executeTakeFirst()) as CopyRow | undefined;

/** The image's gold kind and project, or undefined when there is no such image. */
export const goldOf = async (ex: Executor, imageId: number) =>
  ex.selectFrom("images").select(["id", "project_id", "gold"]).where("id", "=", imageId).executeTakeFirst();

/** Creates the person's empty copy unless one exists (a racing creator's row wins; nothing is replaced). */
export const ensureCopy = async (
  ex: Executor,
  c: { imageId: number; userId: number; purpose: CopyPurpose; now: string },
): Promise<void> => {
  await ex
    .insertInto("image_copies")
    .values({
      image_id: c.imageId,
      user_id: c.userId,
      purpose: c.purpose,
      shapes: "[]",
      tags: "[]",
      created_at: c.now,
      updated_at: c.now,
    })
    .onConflict((oc) => oc.columns(["image_id", "user_id"]).doNothing())
    .execute();
};

/**
 * Moves an open copy from `baseRevision` to the next one, one conditional UPDATE (on PostgreSQL it
 * holds the row until the transaction ends): two saves of the same copy cannot both win. Undefined
 * when the copy is elsewhere or submitted.
 */
export const claimCopyRevision = async (
  ex: Executor,
  imageId: number,
  userId: number,
  baseRevision: number,
  now: string,
): Promise<number | undefined> =>
  (
    await ex
      .updateTable("image_copies")
      .set((eb) => ({ revision: eb("revision", "+", 1), updated_at: now }))
      .where("image_id", "=", imageId)
      .where("user_id", "=", userId)
      .where("revision", "=", baseRevision)
      .where("state", "=", "open")
      .returning("revision")
      .executeTakeFirst()
  )?.revision;

export const writeCopySet = async (
  ex: Executor,
  imageId: number,
  userId: number,
  shapes: readonly CopyShape[],
  tags: readonly number[],
): Promise<void> => {
  await ex
    .updateTable("image_copies")
    .set({ shapes: JSON.stringify(shapes), tags: JSON.stringify(tags) })
    .where("image_id", "=", imageId)
    .where("user_id", "=", userId)
    .execute();
};

/** Submits an open copy at `revision`; false when it moved or was submitted meanwhile. */
export const submitCopy = async (
  ex: Executor,
  imageId: number,
  userId: number,
  revision: number,
  now: string,
): Promise<boolean> =>
  (
    await ex
      .updateTable("image_copies")
      .set({ state: "submitted", submitted_at: now, updated_at: now })
      .where("image_id", "=", imageId)
      .where("user_id", "=", userId)
      .where("revision", "=", revision)
      .where("state", "=", "open")
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

/** Every copy of an image with its holder's name, oldest first. */
export const copiesOfImage = async (ex: Executor, imageId: number) =>
  (await ex
    .selectFrom("image_copies as c")
    .innerJoin("users as u", "u.id", "c.user_id")
    .selectAll("c")
    .select("u.name as user_name")
    .where("c.image_id", "=", imageId)
    .orderBy("c.created_at")
    .orderBy("c.id")
    .execute()) as (CopyRow & { user_name: string })[];

/** The person's copies among these images (for lists that show copies in place of the images). */
export const copiesAmong = async (
  ex: Executor,
  userId: number,
  imageIds: readonly number[],
): Promise<Map<number, CopyRow>> => {
  if (imageIds.length === 0) return new Map();
  const rows = (await ex
    .selectFrom("image_copies")
    .selectAll()
    .where("user_id", "=", userId)
    .where("image_id", "in", [...imageIds])
    .execute()) as CopyRow[];
  return new Map(rows.map((r) => [r.image_id, r]));
};

/** The ids of the project's labels that still exist among `ids`. */
export const existingLabels = async (ex: Executor, projectId: number, ids: readonly number[]) =>
  ids.length === 0
    ? new Set<number>()
    : new Set(
        (
          await ex
            .selectFrom("labels")
            .select("id")
            .where("project_id", "=", projectId)
            .where("id", "in", [...new Set(ids)])
            .execute()
        ).map((r) => r.id),
      );

/** The person's copies in the project: open ones (their to-do) and submitted ones. */
export const copyCounts = async (ex: Executor, projectId: number, userId: number) => {
  const rows = await ex
    .selectFrom("image_copies as c")
    .innerJoin("images as i", "i.id", "c.image_id")
    .select((eb) => ["c.state", eb.fn.countAll<number>().as("n")])
    .where("i.project_id", "=", projectId)
    .where("c.user_id", "=", userId)
    .groupBy("c.state")
    .execute();
  const n = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { open: n("open"), submitted: n("submitted") };
};
