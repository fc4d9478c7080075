import type { Editor } from "@labelbench/editor";
import { useEffect, useMemo, useRef, useState } from "react";
import { useMe } from "../../auth/session-store";
import type { NoticeCenter } from "../Notices";
import { hasBaseline } from "./diff-model";
import { issueApi } from "./issue-api";
import { registerIssueCommands } from "./issue-commands";
import { type IssueRights, isReworkAuthor, issueRights, submitBlockedBy } from "./issue-model";
import { createIssueSession, type IssueSession } from "./issue-session";
import { centreIssue } from "./issue-view";

/**
 * The editor page's issues: one session per page, following the image of the address, and the
 * review mode's `I` and `G` keys. `blocked` is read at each key (a dialog open); `changed` hears of
 * every issue the user pinned or moved on (the image's ImageWork counts them).
 */
export const useIssues = (
  editor: Editor,
  imageId: number,
  notices: NoticeCenter,
  blocked: () => boolean,
  changed: () => void = () => {},
  /** An issue the address names (`?issue=`, from the project's issues page): selected and centred once its image is on screen. */
  focusIssueId: number | null = null,
): { session: IssueSession; rights: IssueRights; submitBlocked: () => string | null } => {
  const me = useMe().user;
  const rights = useMemo(() => issueRights(me.role, me.id), [me.role, me.id]);
  const latest = useRef({ blocked, changed, rights });
  latest.current = { blocked, changed, rights };
  // The re-review overlay starts on for reviewers; the author reworking the image turns it on (G).
  const [session] = useState(() =>
    createIssueSession({
      api: issueApi,
      notify: notices.push,
      diffOnOpen: () => latest.current.rights.review,
      changed: () => latest.current.changed(),
    }),
  );
  useEffect(() => session.show(imageId), [session, imageId]);
  // Issues that could not be read (offline) are read again when the connection returns.
  useEffect(() => {
    const again = () => {
      if (session.store.getState().error !== null) void session.reload();
    };
    window.addEventListener("online", again);
    return () => window.removeEventListener("online", again);
  }, [session]);
  useEffect(
    () =>
      registerIssueCommands(editor, {
        canPin: () => latest.current.rights.review && !latest.current.blocked(),
        hasDiff: () => hasBaseline(session.store.getState().diff),
        toggleDiff: () => session.toggleDiff(),
      }),
    [editor, session],
  );
  useEffect(() => {
    if (focusIssueId === null) return;
    let done = false;
    let frame = 0;
    const attempt = () => {
      const found = session.store.getState().issues.find((n) => n.issue.id === focusIssueId);
      const s = editor.getState();
      if (done || !found || s.image?.id !== imageId || s.stageSize.width === 0) return;
      done = true;
      // After the frame that fits the freshly opened image, so the fit does not undo the centring.
      frame = requestAnimationFrame(() => {
        session.select(focusIssueId);
        centreIssue(editor, found.issue);
      });
    };
    const offIssues = session.store.subscribe(attempt);
    const offEditor = editor.store.subscribe(attempt);
    attempt();
    return () => {
      offIssues();
      offEditor();
      cancelAnimationFrame(frame);
    };
  }, [editor, session, imageId, focusIssueId]);
  // Without the right to pin, the issue tool has nothing to give: back to selecting.
  useEffect(() => {
    if (!rights.review && editor.getState().tool.id === "issue") editor.setTool("select");
  }, [editor, rights.review]);
  const submitBlocked = () => {
    const s = session.store.getState();
    return isReworkAuthor(s.work, latest.current.rights.userId)
      ? submitBlockedBy(s.issues.map((n) => n.issue))
      : null;
  };
  return { session, rights, submitBlocked };
};
