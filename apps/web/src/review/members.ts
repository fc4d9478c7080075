import type { Member } from "@labelbench/schema";
import { useMemo } from "react";
import { call } from "../api/client";
import { useAsync } from "../ui/useAsync";

/** Names for the user ids the review replies carry (assignee, submitted by, decided by). */
export interface People {
  members: Member[];
  nameOf: (userId: number | null) => string | null;
}

export const peopleOf = (members: readonly Member[]): People => {
  const byId = new Map(members.map((m) => [m.userId, m]));
  return {
    members: [...members].sort((a, b) => a.name.localeCompare(b.name, "en", { sensitivity: "base" })),
    nameOf: (id) => (id === null ? null : (byId.get(id)?.name ?? null)),
  };
};

/** The project's members (any member may list them), loaded once per project. */
export const useProjectPeople = (projectId: number): People => {
  const { data } = useAsync(
    (signal) => call("listMembers", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the project's members",
  );
  return useMemo(() => peopleOf(data ?? []), [data]);
};
