import type { Editor } from "@labelbench/editor";
import { useEffect, useMemo, useRef, useState } from "react";
import { useMe } from "../../auth/session-store";
import type { NoticeCenter } from "../Notices";
import { hasBaseline } from "./diff-model";
import { issueApi } from "./issue-api";
import { registerIssueCommands } from "./issue-commands";
import { type IssueRights, issueRights } from "./issue-model";
import { createIssueSession, type IssueSession } from "./issue-session";

/**
 * The editor page's issues: one session per page, following the image of the address; in review
 * mode (`?mode=review`) the `I` and `G` keys. `blocked` is read at each key (a dialog open).
 */
export const useIssues = (
  editor: Editor,
  imageId: number,
  notices: NoticeCenter,
  reviewMode: boolean,
  blocked: () => boolean,
): { session: IssueSession; rights: IssueRights } => {
  const me = useMe().user;
  const rights = useMemo(() => issueRights(me.role, me.id), [me.role, me.id]);
  const reviewer = useRef(rights.review);
  reviewer.current = rights.review;
  // The re-review overlay starts on for reviewers; the author reworking the image turns it on (G).
  const [session] = useState(() =>
    createIssueSession({ api: issueApi, notify: notices.push, diffOnOpen: () => reviewer.current }),
  );
  useEffect(() => session.show(imageId), [session, imageId]);
  const canPin = useRef<() => boolean>(() => false);
  canPin.current = () => rights.review && !blocked();
  useEffect(() => {
    if (!reviewMode) return;
    return registerIssueCommands(editor, {
      canPin: () => canPin.current(),
      hasDiff: () => hasBaseline(session.store.getState().diff),
      toggleDiff: () => session.toggleDiff(),
    });
  }, [editor, session, reviewMode]);
  // Without the right to pin, the issue tool has nothing to give: back to selecting.
  useEffect(() => {
    if (!rights.review && editor.getState().tool.id === "issue") editor.setTool("select");
  }, [editor, rights.review]);
  return { session, rights };
};
