import type { Project } from "@labelbench/schema";
import { Link } from "react-router";
import type { Action } from "../auth/permissions";
import { UserMenu } from "../auth/UserMenu";
import { useCan } from "../auth/useCan";
import { type IconName, Logo } from "../ui/icons";
import { NavItemLink, NavMenu } from "./NavMenu";

type NavGroup = "ml" | "project";

/**
 * `needs`: links to pages the signed-in role cannot use are not shown (the server refuses anyway).
 * `unless`: shown only to roles that cannot do that (My work is the annotators' and reviewers' page;
 * managers distribute work from the library instead).
 * `group`: the daily work (labelling, reviewing, checking quality) stays in the bar; the machine
 * learning pages and the project's setup each sit behind one menu, so the bar fits a 1,024 px screen
 * for managers, who see every page.
 */
const NAV: {
  to: string;
  label: string;
  icon: IconName;
  end?: boolean;
  needs?: Action;
  unless?: Action;
  group?: NavGroup;
}[] = [
  { to: "", label: "Overview", icon: "chart", end: true },
  { to: "work", label: "My work", icon: "pencil", unless: "manageProject" },
  { to: "images", label: "Images", icon: "image" },
  { to: "review", label: "Review", icon: "check", needs: "review" },
  { to: "issues", label: "Issues", icon: "alert" },
  { to: "quality", label: "Quality", icon: "target", needs: "review" },
  { to: "quality", label: "My quality", icon: "target", unless: "review" },
  { to: "predictions", label: "Predictions", icon: "layers", needs: "manageProject", group: "ml" },
  { to: "models", label: "Models", icon: "layers", needs: "review", group: "ml" },
  { to: "model-servers", label: "Model servers", icon: "layers", needs: "manageProject", group: "ml" },
  { to: "versions", label: "Versions", icon: "layers", group: "ml" },
  { to: "labels", label: "Labels", icon: "tag", needs: "manageProject", group: "project" },
  { to: "members", label: "Members", icon: "users", needs: "manageProject", group: "project" },
  { to: "people", label: "People", icon: "users", group: "project" },
  { to: "export", label: "Export", icon: "download", needs: "export", group: "project" },
  { to: "settings", label: "Settings", icon: "key", needs: "manageProject", group: "project" },
];

const GROUPS: { id: NavGroup; label: string; icon: IconName }[] = [
  { id: "ml", label: "ML", icon: "layers" },
  { id: "project", label: "Project", icon: "key" },
];

export function Header({
  project,
}: {
  project: Pick<Project, "id" | "name" | "annotatorsCanExport"> | null;
}) {
  const can = useCan();
  const visible = project
    ? NAV.filter((n) => (!n.needs || can(n.needs, project)) && !(n.unless && can(n.unless, project))).map(
        (n) => ({ ...n, to: `/projects/${project.id}${n.to ? `/${n.to}` : ""}` }),
      )
    : [];
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
            {visible
              .filter((n) => !n.group)
              .map((n) => (
                <NavItemLink key={n.label} item={n} />
              ))}
            {GROUPS.map((g) => {
              const items = visible.filter((n) => n.group === g.id);
              // A group of one is that one link: a menu to open for a single page is a detour.
              if (items.length === 0) return null;
              const [only] = items;
              return items.length === 1 && only ? (
                <NavItemLink key={g.id} item={only} />
              ) : (
                <NavMenu key={g.id} label={g.label} icon={g.icon} items={items} />
              );
            })}
          </nav>
        )}
        <UserMenu />
      </div>
    </header>
  );
}
