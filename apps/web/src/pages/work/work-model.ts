import type { MyWork } from "@labelbench/schema";

/** The lists of the "My work" page: what the server's `state` filter returns, and what each is called. */
export type WorkList = "todo" | "rework" | "submitted" | "accepted";

export const WORK_LISTS: readonly WorkList[] = ["todo", "rework", "submitted", "accepted"];

export const WORK_LIST_LABEL: Record<WorkList, string> = {
  todo: "To do",
  rework: "Rework",
  submitted: "Submitted",
  accepted: "Accepted",
};

/** The `myWork` query's state for a list: rework is what reviewers rejected and sent back. */
export const workQueryState = (list: WorkList): "todo" | "rejected" | "submitted" | "accepted" =>
  list === "rework" ? "rejected" : list;

export const parseWorkList = (raw: string | null): WorkList =>
  (WORK_LISTS as readonly string[]).includes(raw ?? "") ? (raw as WorkList) : "todo";

/** How many images a list holds: to do is the assignments and the rework (the server lists both). */
export const countOf = (counts: MyWork["counts"], list: WorkList): number =>
  list === "todo" ? counts.assigned + counts.rework : counts[list];

/**
 * Progress over the caller's own images: submitted (waiting or not sampled) and accepted ones are
 * done, assignments and rework are still to do. The server's counts are disjoint sets of images.
 */
export const progressOf = (counts: MyWork["counts"]): { done: number; total: number } => {
  const done = counts.submitted + counts.accepted;
  return { done, total: done + counts.assigned + counts.rework };
};

/** What the Start button says: rework comes first (the server hands it out first). */
export const startLabel = (counts: MyWork["counts"], started: boolean): string =>
  counts.rework > 0 ? "Start rework" : started ? "Next image" : "Start annotating";
