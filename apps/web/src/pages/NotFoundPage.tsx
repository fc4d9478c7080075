import { Link } from "react-router";
import { EmptyState } from "../ui/parts";
import { useTitle } from "../ui/useTitle";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <main id="main" className="page">
      <EmptyState
        icon="info"
        title="There is no page at this address"
        action={
          <Link className="button button--primary" to="/">
            Go to all projects
          </Link>
        }
      >
        Check the link, or start from the list of projects.
      </EmptyState>
    </main>
  );
}
