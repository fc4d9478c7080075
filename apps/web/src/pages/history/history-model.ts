import type { ImageWork, ReviewEvent } from "@labelbench/schema";

export interface AttemptGroup {
  attempt: number;
  events: ReviewEvent[];
}

/**
 * The timeline in attempts, newest first, each attempt's events oldest first: reading down an
 * attempt tells its story (submitted, issues, rejected), and the latest attempt is on top.
 * Events before the first submission belong to attempt 0 ("before the first submission").
 */
export const groupByAttempt = (events: readonly ReviewEvent[]): AttemptGroup[] => {
  const by = new Map<number, ReviewEvent[]>();
  const ordered = [...events].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
  for (const e of ordered) {
    // A submission opens the attempt it creates: its events are filed under that attempt.
    const list = by.get(e.attempt) ?? [];
    list.push(e);
    by.set(e.attempt, list);
  }
  return [...by.entries()].sort((a, b) => b[0] - a[0]).map(([attempt, evs]) => ({ attempt, events: evs }));
};

export const attemptTitle = (attempt: number): string =>
  attempt === 0 ? "Before the first submission" : attempt === 1 ? "Attempt 1" : `Attempt ${attempt} (rework)`;

/** Where the image stands, in one line above the timeline. */
export const workSummary = (w: ImageWork, nameOf: (id: number | null) => string | null): string => {
  const parts: string[] = [];
  const who = (id: number | null) => nameOf(id) ?? (id === null ? null : `user ${id}`);
  if (w.assigneeId !== null)
    parts.push(
      w.assignedVia === "rework"
        ? `reworked by ${who(w.assigneeId)}`
        : w.assignedVia === "queue"
          ? `leased to ${who(w.assigneeId)}`
          : `assigned to ${who(w.assigneeId)}`,
    );
  else parts.push("not assigned");
  if (w.attempt > 0) parts.push(`${w.attempt === 1 ? "submitted once" : `submitted ${w.attempt} times`}`);
  if (w.decision !== null && w.decidedRevision !== null)
    parts.push(
      `decided at revision ${w.decidedRevision}${w.stale ? `, changed since (now ${w.revision})` : ""}`,
    );
  if (w.unresolvedIssues > 0)
    parts.push(`${w.unresolvedIssues} unresolved issue${w.unresolvedIssues === 1 ? "" : "s"}`);
  return parts.join(" · ");
};
