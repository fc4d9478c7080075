import type { Project } from "@labelbench/schema";
import { Link, NavLink } from "react-router";
import type { Action } from "../auth/permissions";
import { UserMenu } from "../auth/UserMenu";
import { useCan } from "../auth/useCan";
import { Icon, type IconName, Logo } from "../ui/icons";

/**
 * `needs`: links to pages the signed-in role cannot use are not shown (the server refuses anyway).
 * `unless`: shown only to roles that cannot do that (My work is the annotators' and reviewers' page;
 * managers distribute work from the library instead).
 */
const NAV: { to: string; label: string; icon: IconName; end?: boolean; needs?: Action; unless?: Action }[] = [
  { to: "", label: "Overview", icon: "chart", end: true },
  { to: "work", label: "My work", icon: "pencil", unless: "manageProject" },
  { to: "images", label: "Images", icon: "image" },
  { to: "review", label: "Review", icon: "check", needs: "review" },
  { to: "issues", label: "Issues", icon: "alert" },
  { to: "people", label: "People", icon: "users" },
  { to: "quality", label: "Quality", icon: "target", needs: "review" },
  { to: "quality", label: "My quality", icon: "target", unless: "review" },
  { to: "models", label: "Models", icon: "layers", needs: "review" },
  { to: "labels", label: "Labels", icon: "tag", needs: "manageProject" },
  { to: "predictions", label: "Predictions", icon: "layers", needs: "manageProject" },
  { to: "versions", label: "Versions", icon: "layers" },
  { to: "export", label: "Export", icon: "download", needs: "export" },
  { to: "members", label: "Members", icon: "users", needs: "manageProject" },
  { to: "model-servers", label: "Model servers", icon: "layers", needs: "manageProject" },
  { to: "settings", label: "Settings", icon: "key", needs: "manageProject" },
];

export function Header({
  project,
}: {
  project: Pick<Project, "id" | "name" | "annotatorsCanExport"> | null;
}) {
  const can = useCan();
  return (
    <header className="header">
      <div className="header__bar">
        <Link to="/" className="brand" aria-label="Labelbench: all projects">
          <Logo />
          <span className="brand__name">Labelbench</span>
        </Link>
        {project && (
          <>
            <span className="header__sep" aria-hidden="true">
              /
            </span>
            <Link to="/" className="header__crumb">
              Projects
            </Link>
            <span className="header__sep" aria-hidden="true">
              /
            </span>
            <span className="header__project" title={project.name}>
              {project.name}
            </span>
          </>
        )}
        <span className="header__spacer" />
        {project && (
          <nav className="project-nav" aria-label="Project">
            {NAV.filter(
              (n) => (!n.needs || can(n.needs, project)) && !(n.unless && can(n.unless, project)),
            ).map((n) => (
              <NavLink
                key={n.label}
                to={`/projects/${project.id}${n.to ? `/${n.to}` : ""}`}
                end={n.end ?? false}
                className={({ isActive }) => `project-nav__link${isActive ? " is-active" : ""}`}
              >
                <Icon name={n.icon} size={16} />
                {n.label}
              </NavLink>
            ))}
          </nav>
        )}
        <UserMenu />
      </div>
    </header>
  );
}
