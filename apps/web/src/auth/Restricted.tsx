import type { ReactNode } from "react";
import { Link } from "react-router";
import { useProject } from "../project/project-context";
import { EmptyState } from "../ui/parts";
import type { Action } from "./permissions";
import { useCan } from "./useCan";

function NotAllowed({ title, children, back }: { title: string; children: ReactNode; back: string }) {
  return (
    <main id="main" className="page">
      <EmptyState
        icon="lock"
        title={title}
        action={
          <Link className="button button--primary" to={back}>
            Go back
          </Link>
        }
      >
        {children}
      </EmptyState>
    </main>
  );
}

const WHAT: Record<Exclude<Action, "manageUsers">, string> = {
  createProject: "Only managers and admins can create projects.",
  manageProject: "Only managers and admins can change a project's label set, images, members and settings.",
  export: "This project does not let annotators download exports. Ask a manager to turn it on.",
  review: "Only reviewers who are members of this project, managers and admins review its images.",
};

/** A route inside a project that the signed-in user's role does not reach (typed-in addresses). */
export function ProjectAllows({ action, children }: { action: keyof typeof WHAT; children: ReactNode }) {
  const { project } = useProject();
  const can = useCan();
  if (can(action, project)) return children;
  return (
    <NotAllowed title="Not available to your role" back={`/projects/${project.id}`}>
      {WHAT[action]}
    </NotAllowed>
  );
}

export function AdminOnly({ children }: { children: ReactNode }) {
  const can = useCan();
  if (can("manageUsers")) return children;
  return (
    <NotAllowed title="Admins only" back="/">
      Only admins can manage users. Ask one if you need an account created or changed.
    </NotAllowed>
  );
}
