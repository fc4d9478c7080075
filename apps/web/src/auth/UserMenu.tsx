import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import { Icon } from "../ui/icons";
import { ROLE_LABEL } from "./permissions";
import { useMaybeMe, useSession } from "./session-store";
import "./accounts.css";

/** "Ada Lovelace" -> "AL"; an email's first letter when there is no name. */
export const initialsOf = (name: string, email: string): string => {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length >= 2 ? [words[0], words[words.length - 1]] : [words[0] ?? email];
  return letters
    .map((w) => (w ?? "").charAt(0))
    .join("")
    .toUpperCase();
};

export function Avatar({ name, email, large = false }: { name: string; email: string; large?: boolean }) {
  return (
    <span className={`avatar${large ? " avatar--large" : ""}`} aria-hidden="true">
      {initialsOf(name, email)}
    </span>
  );
}

/** The header's account menu: who is signed in, their settings, the users admin, sign-out. */
export function UserMenu() {
  const me = useMaybeMe();
  const signOut = useSession((s) => s.signOut);
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const { pathname } = useLocation();

  // Following a link in the menu closes it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the route change is the trigger
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  if (!me) return null;
  const { user } = me;
  return (
    <div className="user-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu__button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Account: ${user.name}`}
        onClick={() => setOpen((o) => !o)}
      >
        <Avatar name={user.name} email={user.email} />
        <span className="user-menu__name">{user.name}</span>
        <Icon name="chevronDown" size={16} />
      </button>
      {open && (
        <div id={menuId} className="popover user-menu__panel">
          <div className="user-menu__identity">
            <Avatar name={user.name} email={user.email} large />
            <div className="user-menu__who">
              <strong>{user.name}</strong>
              <span>{user.email}</span>
              <span>
                <span className={`role-badge role-badge--${user.role}`}>{ROLE_LABEL[user.role]}</span>
              </span>
            </div>
          </div>
          <nav aria-label="Account">
            <Link className="user-menu__item" to="/settings/tokens">
              <Icon name="key" size={16} /> API tokens
            </Link>
            <Link className="user-menu__item" to="/settings/password">
              <Icon name="lock" size={16} /> Password
            </Link>
            <Link className="user-menu__item" to="/settings/keys">
              <Icon name="keyboard" size={16} /> Keyboard shortcuts
            </Link>
            {user.role === "admin" && (
              <Link className="user-menu__item" to="/admin/users">
                <Icon name="users" size={16} /> Users
              </Link>
            )}
            <div className="user-menu__divider" />
            <button type="button" className="user-menu__item" onClick={() => void signOut()}>
              <Icon name="logout" size={16} /> Sign out
            </button>
          </nav>
        </div>
      )}
    </div>
  );
}
