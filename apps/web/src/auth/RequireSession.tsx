import { useEffect } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { FullScreenLoading, Unreachable } from "./AuthScreen";
import { guardDecision } from "./guard";
import { useSession } from "./session-store";

/**
 * Layout route around every page that needs a signed-in user. Whenever the session ends (a 401 from
 * any API call), the store changes and this sends the user to `/login?next=<where they were>`.
 */
export function RequireSession() {
  const session = useSession((s) => s.session);
  const ensureLoaded = useSession((s) => s.ensureLoaded);
  const reload = useSession((s) => s.reload);
  const { pathname, search, hash } = useLocation();
  useEffect(() => ensureLoaded(), [ensureLoaded]);

  const d = guardDecision(session, `${pathname}${search}${hash}`);
  switch (d.kind) {
    case "wait":
      return <FullScreenLoading what="your session" />;
    case "unreachable":
      return <Unreachable message={d.message} onRetry={() => void reload()} />;
    case "redirect":
      return <Navigate to={d.to} replace />;
    case "render":
      return <Outlet />;
  }
}
