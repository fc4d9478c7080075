import { isRouteErrorResponse, Link, useRouteError } from "react-router";

/** Last resort for a crash while rendering: say so plainly and offer a way out, never a blank page. */
export function RouteError() {
  const err = useRouteError();
  const message = isRouteErrorResponse(err)
    ? `${err.status} ${err.statusText}`
    : err instanceof Error
      ? err.message
      : "Unknown error";
  return (
    <main id="main" className="page page--narrow">
      <div className="empty-state">
        <h1 className="empty-state__title">Something went wrong on this page</h1>
        <p className="empty-state__text">{message}</p>
        <div className="empty-state__action">
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>
          <Link className="button button--primary" to="/">
            All projects
          </Link>
        </div>
      </div>
    </main>
  );
}
