import type { Role } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";
import { AppError } from "../../http/errors.js";
import { inOverlap } from "../overlap/overlap-repo.js";
import { holderOf, leaseEnd, toImageWork } from "./work.js";
import { renewLease, settingsOf, userName, workRow } from "./work-repo.js";

/** Who saves: their user id and role (reviewers, managers and admins may always save). */
export interface SaveCaller {
  userId: number;
  role: Role;
}

const HELD_AS = { manager: "assigned by a manager", queue: "under a queue lease", rework: "reworking it" };

/**
 * Inside a save's transaction, after its revision claim (so on PostgreSQL the image row is locked):
 * an annotator may not save an image someone else holds (a manager's assignment, a live lease, the
 * rework of another annotator): 409 WORKFLOW_CONFLICT with the image's work, and the transaction
 * (revision step included) rolls back, so the editor keeps the edits and can say who holds it. A
 * save by the lease holder renews the lease; on an expired lease nobody took since, it takes it again.
 */
export const guardSave = async (
  ex: Executor,
  imageId: number,
  caller: SaveCaller | undefined,
  now: string,
): Promise<void> => {
  if (caller?.role !== "annotator") return;
  const row = await workRow(ex, imageId);
  if (!row) return;
  // An image in blind overlap (issue 16) is labelled on its annotators' copies until it is merged;
  // an annotator without a copy would write what the merge replaces.
  if (row.review_state === "none" && (await inOverlap(ex, imageId))) {
    const settings = await settingsOf(ex, row.project_id);
    throw new AppError(
      "WORKFLOW_CONFLICT",
      `image ${imageId} is being labelled by other annotators: your changes were not saved; take your next image from the queue`,
      settings && toImageWork(row, settings, now),
    );
  }
  const holder = holderOf(row, now);
  if (holder !== null && holder !== caller.userId) {
    const settings = await settingsOf(ex, row.project_id);
    const name = (await userName(ex, holder)) ?? `user ${holder}`;
    throw new AppError(
      "WORKFLOW_CONFLICT",
      `image ${imageId} is held by ${name} (${HELD_AS[row.assigned_via as keyof typeof HELD_AS] ?? "assigned"}): your changes were not saved`,
      settings && toImageWork(row, settings, now),
    );
  }
  if (row.assigned_via === "queue" && row.assignee_id === caller.userId && row.review_state === "none") {
    const settings = await settingsOf(ex, row.project_id);
    if (settings) await renewLease(ex, imageId, caller.userId, leaseEnd(now, settings.leaseMinutes));
  }
};
