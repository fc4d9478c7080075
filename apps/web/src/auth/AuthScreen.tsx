import type { ReactNode } from "react";
import { Icon, Logo } from "../ui/icons";
import { Loading } from "../ui/parts";
import "./accounts.css";

/** The frame of the pages shown before anyone is signed in: the product mark over one card. */
export function AuthScreen({
  title,
  lead,
  children,
  foot,
  wide = false,
}: {
  title: string;
  lead: ReactNode;
  children: ReactNode;
  foot?: ReactNode;
  wide?: boolean;
}) {
  return (
    <main id="main" className="auth-screen">
      <div className={`auth-card${wide ? " auth-card--wide" : ""}`}>
        <div className="auth-card__brand">
          <Logo />
          <span>Labelbench</span>
        </div>
        <h1 className="auth-card__title">{title}</h1>
        <p className="auth-card__lead">{lead}</p>
        {children}
        {foot && <div className="auth-card__foot">{foot}</div>}
      </div>
    </main>
  );
}

/** A form-level message: the server's words, announced to screen readers. */
export function FormAlert({
  tone = "error",
  children,
}: {
  tone?: "error" | "info" | "warning";
  children: ReactNode;
}) {
  return (
    <div
      className={`form-alert${tone === "error" ? "" : ` form-alert--${tone}`}`}
      role={tone === "error" ? "alert" : "status"}
    >
      <Icon name={tone === "info" ? "info" : "alert"} size={16} />
      <span>{children}</span>
    </div>
  );
}

export function FullScreenLoading({ what }: { what: string }) {
  return (
    <main id="main" className="full-screen-state">
      <Loading what={what} />
    </main>
  );
}

/** The server did not answer the "who is here" question: without it no page can be shown safely. */
export function Unreachable({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <AuthScreen
      title="Cannot reach the Labelbench server"
      lead="The app needs the server to know who you are. Check that it is running, then try again."
    >
      <div className="form-stack">
        <FormAlert>{message}</FormAlert>
        <button type="button" className="button button--primary auth-card__submit" onClick={onRetry}>
          <Icon name="refresh" size={16} /> Try again
        </button>
      </div>
    </AuthScreen>
  );
}
