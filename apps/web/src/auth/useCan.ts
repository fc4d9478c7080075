import type { Project } from "@labelbench/schema";
import { type Action, can } from "./permissions";
import { useMaybeMe } from "./session-store";

/** `useCan()("manageProject")`: whether the signed-in user may see a control; false when nobody is. */
export const useCan = () => {
  const me = useMaybeMe();
  return (action: Action, project?: Pick<Project, "annotatorsCanExport"> | null) =>
    me !== null && can(me.user.role, action, project);
};
