import type { Editor } from "@labelbench/editor";
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { SaveQueueState } from "../save/save-queue";
import type { EditorSession } from "../session/editor-session";
import { createQueueNavigator } from "./queue-navigator";
import { registerReviewCommands } from "./review-commands";
import { type ReviewFilters, reviewEditorPath, workEditorPath } from "./review-scope";
import { createWorkNavigator } from "./work-navigator";
import type { WorkflowApi } from "./workflow-api";
import { createWorkflowSession } from "./workflow-session";

export interface ReviewWorkflowOptions {
  editor: Editor;
  session: EditorSession;
  api: WorkflowApi;
  meId: number;
  imageId: number;
  projectId: number;
  /** `?mode=review` and the account may review. */
  review: boolean;
  /** `?mode=work` (from My work), not in review mode: previous and next walk the caller's to-do list. */
  work: boolean;
  filters: ReviewFilters;
  saves: SaveQueueState;
  notify(kind: "info" | "error", text: string): void;
  /** Opens another image by its address (the page flushes saves first). */
  open(path: string): void;
  /** The library's next image, where an annotator goes when no work item is waiting. */
  libraryNext(): number | null;
  /** Opens an image of the library scope. */
  go(imageId: number): void;
  /** False while a dialog of the page holds the keyboard. */
  enabled(): boolean;
}

/**
 * The editor's part of the review workflow, for EditorPage: the workflow session of the image shown,
 * review mode (read-only until a fix, the review keys), the queue's previous and next, the decision
 * then the queue's next image, the annotator's submit then the next work item, and who holds an
 * image whose save was refused.
 */
export const useReviewWorkflow = (o: ReviewWorkflowOptions) => {
  const { editor, session, api, meId, imageId, projectId, review, filters } = o;
  const working = o.work && !review;
  const workflow = useMemo(
    () =>
      createWorkflowSession({
        api,
        meId,
        docVersion: () => editor.getState().docVersion,
        settle: async (id) => {
          const q = session.queue();
          if (!q) return null;
          await q.settled(id);
          return q.getState().images.get(id)?.status ?? null;
        },
      }),
    [api, meId, editor, session],
  );
  const state = useSyncExternalStore(workflow.subscribe, workflow.getState);

  useEffect(() => {
    if (Number.isInteger(imageId) && imageId > 0 && Number.isInteger(projectId))
      void workflow.open(imageId, projectId);
  }, [workflow, imageId, projectId]);

  useEffect(() => {
    editor.setMode(review ? "review" : "annotate");
  }, [editor, review]);
  useEffect(() => {
    editor.setReadOnly(review && !state.fixing);
  }, [editor, review, state.fixing]);

  const filtersKey = JSON.stringify(filters);
  // biome-ignore lint/correctness/useExhaustiveDependencies: filtersKey stands for filters (a new object per render)
  const navigator = useMemo(
    () => (review ? createQueueNavigator({ api, projectId, filters, now: () => Date.now() }) : null),
    [review, api, projectId, filtersKey],
  );
  const [queueNav, setQueueNav] = useState<{
    imageId: number;
    previousId: number | null;
    nextId: number | null;
  } | null>(null);
  const work = state.work?.imageId === imageId ? state.work : null;
  const submittedAt = work?.submittedAt ?? null;
  const known = work !== null;
  useEffect(() => {
    if (!navigator || !known) return;
    let live = true;
    const key = { imageId, submittedAt };
    Promise.all([navigator.neighbour(key, 1), navigator.neighbour(key, -1)]).then(
      ([nextId, previousId]) => {
        if (live) setQueueNav({ imageId, nextId, previousId });
      },
      (err: unknown) => o.notify("error", `Could not read the review queue: ${(err as Error).message}`),
    );
    return () => {
      live = false;
    };
    // o.notify is stable (the page's notices)
  }, [navigator, known, imageId, submittedAt, o.notify]);

  const workNavigator = useMemo(
    () => (working ? createWorkNavigator({ api, projectId, now: () => Date.now() }) : null),
    [working, api, projectId],
  );
  const [workNav, setWorkNav] = useState<{
    imageId: number;
    previousId: number | null;
    nextId: number | null;
    position: number;
    total: number;
  } | null>(null);
  const reviewState = work?.reviewState;
  useEffect(() => {
    if (!workNavigator) return;
    let live = true;
    // A submission changes the list: read it again when this image's state moves.
    if (reviewState !== undefined) workNavigator.invalidate();
    Promise.all([
      workNavigator.neighbour(imageId, 1),
      workNavigator.neighbour(imageId, -1),
      workNavigator.place(imageId),
    ]).then(
      ([nextId, previousId, place]) => {
        if (live) setWorkNav({ imageId, nextId, previousId, ...place });
      },
      (err: unknown) => o.notify("error", `Could not read your work list: ${(err as Error).message}`),
    );
    return () => {
      live = false;
    };
    // o.notify is stable (the page's notices)
  }, [workNavigator, imageId, reviewState, o.notify]);

  // A save refused because someone else holds the image: read who, to say it.
  const status = o.saves.images.get(imageId)?.status;
  const refusal = status?.kind === "error" && status.code === "WORKFLOW_CONFLICT" ? status.message : null;
  const held = refusal !== null;
  useEffect(() => {
    if (held) workflow.saveRefused();
  }, [held, workflow]);

  const latest = useRef(o);
  latest.current = o;
  const nav = useRef(queueNav);
  nav.current = queueNav;
  const ownNav = useRef(workNav);
  ownNav.current = workNav;

  const actions = useMemo(() => {
    /** After a decision, the queue's next image (wrapping to ones stepped over). */
    const afterDecision = async (decidedAt: { imageId: number; submittedAt: string | null }) => {
      const { projectId: pid, filters: f, notify } = latest.current;
      if (!navigator) return;
      navigator.invalidate();
      const next = await navigator.neighbour(decidedAt, 1, { wrap: true }).catch(() => null);
      if (next) latest.current.open(reviewEditorPath(pid, next, f));
      else notify("info", "Decided. Nothing else is waiting in this review queue.");
    };
    const decide = async (d: "accepted" | "rejected") => {
      const w = await workflow.decide(d);
      if (w) await afterDecision({ imageId: w.imageId, submittedAt: w.submittedAt });
    };
    return {
      accept: () => void decide("accepted"),
      reject: () => workflow.startReject(),
      confirmReject: () => void decide("rejected"),
      fix: () => workflow.fix(),
      cancel: () => workflow.cancel(),
      reload: () => {
        session.reload();
        void workflow.open(latest.current.imageId, latest.current.projectId);
      },
      previous: () => {
        const { projectId: pid, filters: f, imageId: current } = latest.current;
        if (workNavigator) {
          const id = ownNav.current?.imageId === current ? ownNav.current.previousId : null;
          if (id) latest.current.open(workEditorPath(pid, id));
          return;
        }
        const id = nav.current?.previousId;
        if (id) latest.current.open(reviewEditorPath(pid, id, f));
      },
      next: () => {
        const { projectId: pid, filters: f, imageId: current, notify } = latest.current;
        if (workNavigator) {
          workNavigator.takeNext(current).then(
            (id) => {
              if (id) latest.current.open(workEditorPath(pid, id));
              else notify("info", "Nothing else is waiting for you here.");
            },
            (err: unknown) => notify("error", `Could not get your next image: ${(err as Error).message}`),
          );
          return;
        }
        const id = nav.current?.nextId;
        if (id) latest.current.open(reviewEditorPath(pid, id, f));
      },
      /** The annotator's submit (Ctrl+Enter): then their next work item, else the library's next image. */
      submit: async () => {
        const { projectId: pid, notify } = latest.current;
        const r = await workflow.submit(pid);
        if (r.kind === "refused") {
          notify("error", r.text);
          return;
        }
        workNavigator?.invalidate();
        // From My work the next image is the next work item only; elsewhere the library's next.
        const next = r.nextId ?? (workNavigator ? null : latest.current.libraryNext());
        if (next) latest.current.go(next);
        else notify("info", "Submitted. Nothing else is waiting for you here.");
      },
    };
  }, [workflow, session, navigator, workNavigator]);

  useEffect(
    () =>
      registerReviewCommands(editor, {
        enabled: () => latest.current.enabled() && workflow.getState().phase.kind !== "sending",
        accept: () => actions.accept(),
        reject: () => actions.reject(),
        fix: () => actions.fix(),
      }),
    [editor, workflow, actions],
  );

  const dialogOpen =
    state.phase.kind === "rejecting" ||
    (state.phase.kind === "sending" && state.phase.decision === "rejected");
  return {
    workflow,
    state,
    actions,
    /** The review queue's previous and next of the image shown (review mode). */
    queueNav: queueNav?.imageId === imageId ? queueNav : null,
    /** The caller's to-do list around the image shown (work mode). */
    workNav: workNav?.imageId === imageId ? workNav : null,
    /** Who holds the image, when a save was refused because of it. */
    holder: refusal === null ? null : (workflow.holderText() ?? refusal),
    /** The reason picker holds the keyboard. */
    dialogOpen,
  };
};
