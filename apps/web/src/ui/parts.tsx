import type { ImageStatus, StatusCounts } from "@labelbench/schema";
import type { ReactNode } from "react";
import { formatCount, percent, STATUS_LABEL } from "./format";
import { Icon, type IconName } from "./icons";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

/** A whole-area loading state: a spinner with words, so a slow server never looks like an empty project. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="loading-state">
      <Spinner label={`Loading ${what}`} />
      <span>Loading {what}…</span>
    </div>
  );
}

/** Says what is missing and what to do next, with the action right there. */
export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <div className="empty-state__icon">
        <Icon name={icon} size={28} />
      </div>
      <h2 className="empty-state__title">{title}</h2>
      {children && <p className="empty-state__text">{children}</p>}
      {action && <div className="empty-state__action">{action}</div>}
    </div>
  );
}

export function ErrorState({
  title,
  message,
  onRetry,
}: {
  title: string;
  message: string;
  onRetry?: () => void;
}) {
  return (
    <EmptyState
      icon="alert"
      title={title}
      action={
        onRetry && (
          <button type="button" className="button" onClick={onRetry}>
            <Icon name="refresh" size={16} /> Try again
          </button>
        )
      }
    >
      {message}
    </EmptyState>
  );
}

export function StatusBadge({ status }: { status: ImageStatus }) {
  return (
    <span className={`status-badge status-badge--${status}`}>
      <span className="status-badge__dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}

const ORDER: ImageStatus[] = ["done", "in_progress", "skipped", "new"];

/** One bar split by status; done first so the bar reads as progress from the left. */
export function StatusBar({
  counts,
  height = 8,
  label,
}: {
  counts: StatusCounts;
  height?: number;
  label: string;
}) {
  const total = counts.total;
  return (
    <div
      className="status-bar"
      style={{ height }}
      role="img"
      aria-label={`${label}: ${ORDER.map((s) => `${formatCount(counts[s])} ${STATUS_LABEL[s].toLowerCase()}`).join(", ")}`}
    >
      {total > 0 &&
        ORDER.map((s) =>
          counts[s] > 0 ? (
            <span
              key={s}
              className={`status-bar__part status-bar__part--${s}`}
              style={{ width: `${(counts[s] / total) * 100}%` }}
            />
          ) : null,
        )}
    </div>
  );
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent(value, max)}
    >
      <span
        className="progress__fill"
        style={{ width: `${max > 0 ? Math.min(100, (value / max) * 100) : 0}%` }}
      />
    </div>
  );
}
