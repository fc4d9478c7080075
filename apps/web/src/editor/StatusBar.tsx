import type { Editor } from "@labelbench/editor";
import type { ImageStatus } from "@labelbench/schema";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { EdIcon } from "./icons";
import { describeStatus, type SaveStatus } from "./save/save-queue";
import { useReadout } from "./use-readout";

const STATUS_TEXT: Record<ImageStatus, string> = {
  new: "New",
  in_progress: "In progress",
  done: "Done",
  skipped: "Skipped",
};

/** Re-renders every second while a retry countdown is shown. */
const useNow = (active: boolean) => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
};

function Cursor({ editor }: { editor: Editor }) {
  const cursor = useReadout(editor.store, (s) => s.cursor);
  return (
    <span
      className="ed-status__item ed-status__cursor"
      title="Cursor position in image pixels"
      data-testid="status-cursor"
    >
      {cursor ? `${Math.floor(cursor.x)}, ${Math.floor(cursor.y)} px` : "—"}
    </span>
  );
}

function Zoom({ editor }: { editor: Editor }) {
  const scale = useReadout(editor.store, (s) => s.viewport.scale);
  return (
    <span className="ed-status__item ed-status__zoom" title="Zoom" data-testid="status-zoom">
      {scale < 0.1 ? (scale * 100).toFixed(1) : Math.round(scale * 100)}%
    </span>
  );
}

export function SaveIndicator({
  status,
  otherChanges,
  storageError,
}: {
  status: SaveStatus | undefined;
  otherChanges: number;
  storageError: string | null;
}) {
  const counting = status?.kind === "retrying" || status?.kind === "offline";
  const now = useNow(counting);
  const kind = status?.kind ?? "saved";
  const text = status ? describeStatus(status, now) : "Loading…";
  const icon =
    kind === "offline"
      ? "cloudOff"
      : kind === "saved"
        ? "check"
        : kind === "conflict" || kind === "error"
          ? "alert"
          : "save";
  return (
    <span
      className={`ed-save ed-save--${kind}`}
      data-testid="save-state"
      data-kind={kind}
      role="status"
      aria-live="polite"
    >
      <EdIcon name={icon} size={14} />
      {text}
      {otherChanges > 0 && <span className="ed-save__other"> · {otherChanges} on other images</span>}
      {storageError && (
        <span className="ed-save__warn" title={storageError}>
          {" "}
          · no local backup
        </span>
      )}
    </span>
  );
}

export function StatusBar({
  editor,
  fileName,
  position,
  imageStatus,
  size,
  work,
  historyHref,
  save,
}: {
  editor: Editor;
  fileName: string;
  position: { position: number; total: number; title?: string } | null;
  imageStatus: ImageStatus | null;
  size: { width: number; height: number } | null;
  /** The image's place in the review workflow. */
  work?: React.ReactNode;
  /** The image's history page (who annotated, submitted, decided and commented). */
  historyHref?: string;
  save: React.ReactNode;
}) {
  return (
    <footer className="ed-status">
      <span className="ed-status__item ed-status__file" title={fileName} data-testid="status-file">
        {fileName}
      </span>
      {position && (
        <span
          className="ed-status__item"
          data-testid="status-position"
          title={position.title ?? "Position in the project"}
        >
          {position.position} / {position.total}
        </span>
      )}
      {imageStatus && <span className={`ed-pill ed-pill--${imageStatus}`}>{STATUS_TEXT[imageStatus]}</span>}
      {size && (
        <span className="ed-status__item ed-status__dim" title="Image size">
          {size.width} × {size.height}
        </span>
      )}
      {work}
      {historyHref && (
        <Link className="ed-status__item ed-status__link" to={historyHref} data-testid="status-history">
          History
        </Link>
      )}
      <span className="ed-spacer" />
      <Cursor editor={editor} />
      <Zoom editor={editor} />
      {save}
    </footer>
  );
}
