import { Link, Outlet, useParams } from "react-router";
import { ApiError, call } from "../api/client";
import { ProjectContext } from "../project/project-context";
import { EmptyState, ErrorState, Loading } from "../ui/parts";
import { messageOf } from "../ui/toast-store";
import { useAsync } from "../ui/useAsync";
import { Header } from "./Header";

/** Project ids in URLs are positive integers; anything else is a page that cannot exist. */
export const parseId = (raw: string | undefined): number | null => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : null;
};

export function ProjectLayout() {
  const projectId = parseId(useParams().projectId);
  const {
    data: project,
    error,
    reload,
  } = useAsync(
    (signal) =>
      projectId === null
        ? Promise.reject(new ApiError(404, "NOT_FOUND", "not a project address"))
        : call("getProject", { params: { projectId }, signal }),
    [projectId],
    "Could not load the project",
  );

  if (error && !project) {
    const notFound = error instanceof ApiError && error.code === "NOT_FOUND";
    return (
      <>
        <Header project={null} />
        <main id="main" className="page">
          {notFound ? (
            <EmptyState
              icon="folder"
              title="This project does not exist"
              action={
                <Link className="button button--primary" to="/">
                  Go to all projects
                </Link>
              }
            >
              It may have been deleted, or the address is mistyped.
            </EmptyState>
          ) : (
            <ErrorState title="Could not load the project" message={messageOf(error)} onRetry={reload} />
          )}
        </main>
      </>
    );
  }
  if (!project || project.id !== projectId) {
    return (
      <>
        <Header project={null} />
        <main id="main" className="page">
          <Loading what="project" />
        </main>
      </>
    );
  }
  return (
    <ProjectContext.Provider value={{ project, reloadProject: reload }}>
      <Header project={project} />
      <Outlet />
    </ProjectContext.Provider>
  );
}
