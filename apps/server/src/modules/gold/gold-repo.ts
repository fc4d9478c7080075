import type { GoldKind } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";

/** The SQL of gold images, honeypots and qualification (issue 16). Rules live in service.ts. */

/** The images among `ids` in the project, with what marking them gold must know. */
export const goldTargets = async (ex: Executor, projectId: number, ids: readonly number[]) => {
  const out = [];
  for (let i = 0; i < ids.length; i += 1000)
    out.push(
      ...(await ex
        .selectFrom("images")
        .select(["id", "gold", "assignee_id", "assigned_via", "lease_until", "review_state"])
        .where("project_id", "=", projectId)
        .where("id", "in", ids.slice(i, i + 1000))
        .execute()),
    );
  return out;
};

/** Images with a blind-overlap copy: their own set will be the consensus, so they cannot be gold. */
export const inOverlap = async (ex: Executor, ids: readonly number[]): Promise<Set<number>> => {
  const out = new Set<number>();
  for (let i = 0; i < ids.length; i += 1000)
    for (const r of await ex
      .selectFrom("image_copies")
      .select("image_id")
      .where("purpose", "=", "overlap")
      .where("image_id", "in", ids.slice(i, i + 1000))
      .execute())
      out.add(r.image_id);
  return out;
};

export const setGold = async (ex: Executor, ids: readonly number[], gold: GoldKind | null) => {
  for (let i = 0; i < ids.length; i += 1000)
    await ex
      .updateTable("images")
      .set({ gold })
      .where("id", "in", ids.slice(i, i + 1000))
      .execute();
};

/**
 * The first gold image of a kind the person holds no copy of, in name order (the same order for
 * everyone, so annotators' results on the same images compare). PostgreSQL: several people may
 * take the same one; each gets a copy of their own.
 */
export const nextGoldFor = async (ex: Executor, projectId: number, userId: number, gold: GoldKind) =>
  ex
    .selectFrom("images as i")
    .select("i.id")
    .where("i.project_id", "=", projectId)
    .where("i.gold", "=", gold)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("image_copies as c")
            .select("c.id")
            .whereRef("c.image_id", "=", "i.id")
            .where("c.user_id", "=", userId),
        ),
      ),
    )
    .orderBy("i.name_key")
    .orderBy("i.id")
    .limit(1)
    .executeTakeFirst();

/** The person's open copy of one purpose in the project, first in name order (to resume it). */
export const openCopyOf = async (
  ex: Executor,
  projectId: number,
  userId: number,
  purposes: readonly ("gold" | "qualification" | "overlap")[],
) =>
  ex
    .selectFrom("image_copies as c")
    .innerJoin("images as i", "i.id", "c.image_id")
    .select(["c.image_id", "c.purpose"])
    .where("i.project_id", "=", projectId)
    .where("c.user_id", "=", userId)
    .where("c.state", "=", "open")
    .where("c.purpose", "in", [...purposes])
    .orderBy("i.name_key")
    .orderBy("i.id")
    .limit(1)
    .executeTakeFirst();

/** How many gold images of a kind the project has. */
export const goldCount = async (ex: Executor, projectId: number, gold: GoldKind): Promise<number> =>
  Number(
    (
      await ex
        .selectFrom("images")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("project_id", "=", projectId)
        .where("gold", "=", gold)
        .executeTakeFirstOrThrow()
    ).n,
  );

/**
 * How many images the person has been handed in the project: queue leases (distinct images) and
 * honeypot copies. The queue's n-th hand-out decides warm-up and the honeypot draw by this count.
 */
export const handedOut = async (ex: Executor, projectId: number, userId: number): Promise<number> => {
  const leased = await ex
    .selectFrom("review_events")
    .select((eb) => eb.fn.count<number>("image_id").distinct().as("n"))
    .where("project_id", "=", projectId)
    .where("subject_id", "=", userId)
    .where("kind", "=", "leased")
    .executeTakeFirstOrThrow();
  const copies = await ex
    .selectFrom("image_copies as c")
    .innerJoin("images as i", "i.id", "c.image_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("i.project_id", "=", projectId)
    .where("c.user_id", "=", userId)
    .where("c.purpose", "=", "gold")
    .executeTakeFirstOrThrow();
  return Number(leased.n) + Number(copies.n);
};

/**
 * The person's qualification copies in the project and, summed over the submitted ones, their
 * gold results against the reference (quality_results, kind gold, reference_key 0).
 */
export const qualificationTotals = async (ex: Executor, projectId: number, userId: number) => {
  const copies = await ex
    .selectFrom("image_copies as c")
    .innerJoin("images as i", "i.id", "c.image_id")
    .select(["c.image_id", "c.state"])
    .where("i.project_id", "=", projectId)
    .where("c.user_id", "=", userId)
    .where("c.purpose", "=", "qualification")
    .execute();
  const submitted = copies.filter((c) => c.state === "submitted").map((c) => c.image_id);
  const results =
    submitted.length === 0
      ? []
      : await ex
          .selectFrom("quality_results")
          .select(["image_id", "tp", "fp", "fn", "mismatched"])
          .where("kind", "=", "gold")
          .where("checked_user_id", "=", userId)
          .where("reference_key", "=", 0)
          .where("image_id", "in", submitted)
          .execute();
  return { copies, submitted, results };
};

/** Forgets the person's qualification attempt in the project: their qualification copies and results. */
export const resetQualification = async (
  ex: Executor,
  projectId: number,
  userId: number,
): Promise<number> => {
  const ids = (
    await ex
      .selectFrom("image_copies as c")
      .innerJoin("images as i", "i.id", "c.image_id")
      .select("c.image_id")
      .where("i.project_id", "=", projectId)
      .where("c.user_id", "=", userId)
      .where("c.purpose", "=", "qualification")
      .execute()
  ).map((r) => r.image_id);
  if (ids.length === 0) return 0;
  await ex
    .deleteFrom("quality_results")
    .where("kind", "=", "gold")
    .where("checked_user_id", "=", userId)
    .where("image_id", "in", ids)
    .execute();
  await ex.deleteFrom("image_copies").where("user_id", "=", userId).where("image_id", "in", ids).execute();
  return ids.length;
};
