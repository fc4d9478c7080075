import type { Project } from "@labelbench/schema";
import { Link, NavLink } from "react-router";
import type { Action } from "../auth/permissions";
import { UserMenu } from "../auth/UserMenu";
import { useCan } from "../auth/useCan";
import { Icon, type IconName, Logo } from "../ui/icons";

/** `needs`: links to pages the signed-in role cannot use are not shown (the server refuses anyway). */
const NAV: { to: string; label: string; icon: IconName; end?: boolean; needs?: Action }[] = [
  { to: "", label: "Overview", icon: "chart", end: true },
  { to: "images", label: "Images", icon: "image" },
  { to: "labels", label: "Labels", icon: "tag", needs: "manageProject" },
  { to: "export", label: "Export", icon: "download", needs: "export" },
  { to: "members", label: "Members", icon: "users", needs: "manageProject" },
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
            {NAV.filter((n) => !n.needs || can(n.needs, project)).map((n) => (
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
