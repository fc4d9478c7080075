import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { matchPath, NavLink, useLocation } from "react-router";
import { Icon, type IconName } from "../ui/icons";

export type NavItem = { to: string; label: string; icon: IconName; end?: boolean };

/** Whether `pathname` is the page of `item` (or below it, unless `end`), as NavLink decides. */
const isCurrent = (item: NavItem, pathname: string): boolean =>
  matchPath({ path: item.to, end: item.end ?? false }, pathname) !== null;

/** A link of the project navigation: in the bar (`project-nav__link`) or in a menu. */
export function NavItemLink({
  item,
  className = "project-nav__link",
}: {
  item: NavItem;
  className?: string;
}) {
  return (
    <NavLink
      to={item.to}
      end={item.end ?? false}
      className={({ isActive }) => `${className}${isActive ? " is-active" : ""}`}
    >
      <Icon name={item.icon} size={16} />
      {item.label}
    </NavLink>
  );
}

/**
 * A group of the project navigation behind a disclosure button (the WAI-ARIA disclosure pattern:
 * the items stay links, so they open in a new tab and screen readers list them as such). The
 * button carries the current-page mark when one of its items is the page shown, so the header
 * still says where one is while the group is closed. Keys: ArrowDown/ArrowUp on the button open
 * it on the first/last item, then move between items (wrapping), Home/End jump, Escape closes and
 * gives the focus back to the button; Tab leaving the group closes it.
 */
export function NavMenu({ label, icon, items }: { label: string; icon: IconName; items: NavItem[] }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const { pathname } = useLocation();
  const current = items.some((item) => isCurrent(item, pathname));
  // Which item to focus once the list is rendered (the list exists only while open).
  const pendingFocus = useRef<"first" | "last" | null>(null);

  // Following one of the links closes the group.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the route change is the trigger
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const links = itemLinks();
    if (pendingFocus.current === "first") links[0]?.focus();
    if (pendingFocus.current === "last") links[links.length - 1]?.focus();
    pendingFocus.current = null;
    const onPointer = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  });

  const itemLinks = (): HTMLAnchorElement[] =>
    Array.from(rootRef.current?.querySelectorAll<HTMLAnchorElement>(`[id="${listId}"] a`) ?? []);

  const openOn = (which: "first" | "last") => {
    pendingFocus.current = which;
    setOpen(true);
  };

  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (open) {
        const links = itemLinks();
        (e.key === "ArrowDown" ? links[0] : links[links.length - 1])?.focus();
      } else openOn(e.key === "ArrowDown" ? "first" : "last");
    }
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape" && open) {
      e.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
      return;
    }
    const links = itemLinks();
    // The event's own target, not the focus: the button's handler may have just moved the focus.
    const at = links.indexOf(e.target as HTMLAnchorElement);
    if (at < 0) return;
    const move: Record<string, number> = {
      ArrowDown: (at + 1) % links.length,
      ArrowUp: (at - 1 + links.length) % links.length,
      Home: 0,
      End: links.length - 1,
    };
    const to = move[e.key];
    if (to === undefined) return;
    e.preventDefault();
    links[to]?.focus();
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the keys bubble from the button and the links
    <div
      className="nav-menu"
      ref={rootRef}
      onKeyDown={onKey}
      onBlur={(e) => {
        if (open && !rootRef.current?.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={`project-nav__link nav-menu__button${current ? " is-active" : ""}`}
        aria-expanded={open}
        aria-controls={listId}
        aria-current={current ? "page" : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKey}
      >
        <Icon name={icon} size={16} />
        {label}
        <Icon name="chevronDown" size={14} className="nav-menu__chevron" />
      </button>
      {open && (
        <ul id={listId} className="popover nav-menu__list" aria-label={label}>
          {items.map((item) => (
            <li key={item.label}>
              <NavItemLink item={item} className="nav-menu__item" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
