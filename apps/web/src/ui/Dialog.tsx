import { type ReactNode, useEffect, useId, useRef } from "react";
import { Icon } from "./icons";
import { Spinner } from "./parts";

interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  /** One sentence under the title. */
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned at the bottom. */
  footer?: ReactNode;
  size?: "sm" | "md" | "lg";
  tone?: "default" | "danger";
  /** Wraps body and footer in a form so Enter submits. */
  onSubmit?: () => void;
}

/**
 * A modal on the native <dialog>: the browser traps focus, restores it on close and closes on Escape,
 * which hand-rolled modals routinely get wrong.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  size = "md",
  tone = "default",
  onSubmit,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    else if (!open && d.open) d.close();
  }, [open]);

  const body = (
    <>
      <header className="dialog__header">
        <div>
          <h2 id={titleId} className={`dialog__title ${tone === "danger" ? "dialog__title--danger" : ""}`}>
            {tone === "danger" && <Icon name="alert" size={20} />}
            {title}
          </h2>
          {description && (
            <p id={descId} className="dialog__description">
              {description}
            </p>
          )}
        </div>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {children && <div className="dialog__content">{children}</div>}
      {footer && <footer className="dialog__footer">{footer}</footer>}
    </>
  );

  return (
    <dialog
      ref={ref}
      className={`dialog dialog--${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside its panel) dismisses.
        if (e.target === ref.current) onClose();
      }}
    >
      {open &&
        (onSubmit ? (
          <form
            className="dialog__panel"
            onSubmit={(e) => {
              e.preventDefault();
              onSubmit();
            }}
          >
            {body}
          </form>
        ) : (
          <div className="dialog__panel">{body}</div>
        ))}
    </dialog>
  );
}

/**
 * A form dialog's usual footer: Cancel, then the submit button, which shows a spinner named
 * `busyLabel` and stays disabled while the request runs.
 */
export function SubmitFooter({
  onCancel,
  busy,
  busyLabel,
  disabled = false,
  tone = "primary",
  children,
}: {
  onCancel: () => void;
  busy: boolean;
  busyLabel: string;
  disabled?: boolean;
  tone?: "primary" | "danger";
  children: ReactNode;
}) {
  return (
    <>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className={`button button--${tone}`} disabled={busy || disabled}>
        {busy && <Spinner label={busyLabel} />} {children}
      </button>
    </>
  );
}
