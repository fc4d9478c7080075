import type { Editor } from "@labelbench/editor";
import { useEffect, useState } from "react";
import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";
import { EdIcon } from "./icons";

export interface Notice {
  id: number;
  kind: "info" | "error";
  text: string;
}

export interface NoticeCenter {
  store: StoreApi<{ items: Notice[] }>;
  push(kind: Notice["kind"], text: string): void;
  dismiss(id: number): void;
}

const LIFETIME_MS = { info: 4000, error: 9000 };

const createNoticeCenter = (): NoticeCenter => {
  const store = createStore<{ items: Notice[] }>(() => ({ items: [] }));
  let next = 1;
  const dismiss = (id: number) => store.setState((s) => ({ items: s.items.filter((n) => n.id !== id) }));
  return {
    store,
    dismiss,
    push: (kind, text) => {
      const id = next++;
      store.setState((s) => ({ items: [...s.items, { id, kind, text }].slice(-3) }));
      window.setTimeout(() => dismiss(id), LIFETIME_MS[kind]);
    },
  };
};

/** The page's own notices (stable identity for the page's lifetime). */
export const useNotices = (): NoticeCenter => useState(createNoticeCenter)[0];

/** Feedback over the canvas: the editor's transient message and the page's notices. */
export function Notices({ editor, notices }: { editor: Editor; notices: NoticeCenter }) {
  const message = useStore(editor.store, (s) => s.message);
  const messageSeq = useStore(editor.store, (s) => s.messageSeq);
  const items = useStore(notices.store, (s) => s.items);
  // The same text said again (a second refused press) is shown for its full time again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: messageSeq restarts the timer.
  useEffect(() => {
    if (message === null) return;
    const t = window.setTimeout(() => editor.clearMessage(), 4000);
    return () => window.clearTimeout(t);
  }, [message, messageSeq, editor]);
  return (
    <div className="ed-notices" aria-live="polite">
      {message && (
        <div className="ed-notice" data-testid="editor-message">
          <EdIcon name="alert" size={14} />
          {message}
        </div>
      )}
      {items.map((n) => (
        <div key={n.id} className={`ed-notice ed-notice--${n.kind}`} data-testid="notice">
          <EdIcon name={n.kind === "error" ? "alert" : "check"} size={14} />
          <span>{n.text}</span>
          <button
            type="button"
            className="ed-notice__close"
            aria-label="Dismiss"
            onClick={() => notices.dismiss(n.id)}
          >
            <EdIcon name="close" size={12} />
          </button>
        </div>
      ))}
    </div>
  );
}
