import type { Editor } from "@labelbench/editor";
import { IssueCategory, IssueSeverity } from "@labelbench/schema";
import { useEffect, useRef, useState } from "react";
import { useStore } from "zustand";
import { CATEGORY_LABEL, defaultCategory, SEVERITY_LABEL } from "./issue-model";
import type { IssueSession } from "./issue-session";

const ANCHOR_TEXT = { point: "a point", region: "a region", shape: "a shape" } as const;

/**
 * The form the issue tool's press opens (EditorState.issueDraft): category, severity and a comment,
 * then `POST /images/:id/issues`. Enter saves (Shift+Enter: a new line), Escape drops the pin. A new
 * press while it is open moves the pin and keeps what was typed.
 */
export function IssueForm({ editor, session }: { editor: Editor; session: IssueSession }) {
  const draft = useStore(editor.store, (s) => s.issueDraft);
  const busy = useStore(session.store, (s) => s.busy === "new");
  const kind = draft?.anchor.kind ?? null;
  const [category, setCategory] = useState<IssueCategory>("missing");
  const [severity, setSeverity] = useState<IssueSeverity>("major");
  const [comment, setComment] = useState("");
  const text = useRef<HTMLTextAreaElement>(null);
  const open = draft !== null;

  // A new pin (not a moved one) starts from the anchor's usual category and an empty comment.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open && !wasOpen.current && draft) {
      setCategory(defaultCategory(draft.anchor));
      setSeverity("major");
      setComment("");
    }
    wasOpen.current = open;
    if (open) text.current?.focus();
  }, [open, draft]);

  if (!draft || kind === null) return null;
  const cancel = () => editor.clearIssueDraft();
  const save = async () => {
    if (busy) return;
    const issue = await session.create({ anchor: draft.anchor, category, severity, comment });
    if (issue && editor.getState().issueDraft?.seq === draft.seq) editor.clearIssueDraft();
  };

  return (
    <form
      className="is-form"
      aria-label="New issue"
      data-testid="issue-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        // The form holds the keyboard: the editor's keys (tools, navigation) wait until it closes.
        e.stopPropagation();
        if (e.key === "Escape") {
          e.preventDefault();
          cancel();
        } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
          e.preventDefault();
          void save();
        }
      }}
    >
      <h3 className="is-form__title">New issue on {ANCHOR_TEXT[kind]}</h3>
      <label className="is-form__field">
        <span>Category</span>
        <select value={category} onChange={(e) => setCategory(e.target.value as IssueCategory)}>
          {IssueCategory.options.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABEL[c]}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="is-form__severity">
        <legend>Severity</legend>
        {IssueSeverity.options.map((s) => (
          <label key={s} className={severity === s ? "is-on" : undefined}>
            <input
              type="radio"
              name="severity"
              value={s}
              checked={severity === s}
              onChange={() => setSeverity(s)}
            />
            {SEVERITY_LABEL[s]}
          </label>
        ))}
      </fieldset>
      <label className="is-form__field">
        <span>Comment</span>
        <textarea
          ref={text}
          rows={3}
          maxLength={4000}
          value={comment}
          placeholder="What is wrong here?"
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      <div className="is-form__actions">
        <button type="button" className="ed-btn ed-btn--small" onClick={cancel}>
          Cancel <kbd className="ed-kbd">Esc</kbd>
        </button>
        <button type="submit" className="ed-btn ed-btn--small ed-btn--primary" disabled={busy}>
          {busy ? "Saving…" : "Pin issue"} <kbd className="ed-kbd">Enter</kbd>
        </button>
      </div>
    </form>
  );
}
