import { Icon } from "./icons";
import { useToasts } from "./toast-store";

const ICON = { error: "alert", success: "check", info: "info" } as const;

/** Toasts announce themselves to screen readers: errors assertively, the rest politely. */
export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <section className="toaster" aria-label="Notifications">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast--${t.kind}`}
          role={t.kind === "error" ? "alert" : "status"}
          aria-live={t.kind === "error" ? "assertive" : "polite"}
        >
          <span className="toast__icon">
            <Icon name={ICON[t.kind]} />
          </span>
          <div className="toast__text">
            <strong className="toast__title">{t.title}</strong>
            {t.message && <span className="toast__message">{t.message}</span>}
          </div>
          <button
            type="button"
            className="icon-button icon-button--small"
            aria-label="Dismiss"
            onClick={() => dismiss(t.id)}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </section>
  );
}
