import type { ImageWork, Issue, IssueCreate, ReviewDiff } from "@labelbench/schema";
import { createStore, type StoreApi } from "zustand/vanilla";
import { hasBaseline } from "./diff-model";
import { type NumberedIssue, numberIssues } from "./issue-model";
import { ReviewMarks } from "./review-marks";

/** The issue and diff endpoints, injected (the browser's in issue-api.ts, a fake in tests). */
export interface IssueApi {
  listIssues(imageId: number): Promise<Issue[]>;
  work(imageId: number): Promise<ImageWork>;
  diff(imageId: number): Promise<ReviewDiff>;
  create(imageId: number, body: IssueCreate): Promise<Issue>;
  comment(issueId: number, body: string): Promise<Issue>;
  transition(issueId: number, step: IssueStep, comment: string): Promise<Issue>;
}

export type IssueStep = "fix" | "resolve" | "reopen";

export interface IssueSessionState {
  imageId: number | null;
  /** In the order they were raised, numbered 1, 2, … (the numbers on the canvas). */
  issues: NumberedIssue[];
  work: ImageWork | null;
  diff: ReviewDiff | null;
  /** The re-review overlay (`G`): on by default when the image was decided before. */
  showDiff: boolean;
  selectedId: number | null;
  loading: boolean;
  /** Why the issues could not be read (shown in the panel); actions that fail are announced instead. */
  error: string | null;
  /** An action on its way to the server: an issue's id, or "new" for the one being pinned. */
  busy: number | "new" | null;
}

export interface IssueSession {
  readonly store: StoreApi<IssueSessionState>;
  /** The marks the canvas's overlay draws (issues and the diff), kept in step with the store. */
  readonly marks: ReviewMarks;
  show(imageId: number): void;
  reload(): Promise<void>;
  create(body: IssueCreate): Promise<Issue | null>;
  comment(issueId: number, body: string): Promise<boolean>;
  step(issueId: number, step: IssueStep, comment?: string): Promise<boolean>;
  select(issueId: number | null): void;
  toggleDiff(): void;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const STEP_DONE: Record<IssueStep, string> = { fix: "marked fixed", resolve: "resolved", reopen: "reopened" };

/**
 * The issues of the image the editor shows, its review state and its re-review diff: React-free, with
 * the server injected. Replies replace the issue they concern in place; a refusal is announced
 * (`notify`) and the list read again, since it means the issue moved on elsewhere.
 */
export const createIssueSession = (deps: {
  api: IssueApi;
  notify: (kind: "info" | "error", text: string) => void;
  /** Whether the diff overlay starts on for an image decided before (for reviewers: re-review). */
  diffOnOpen?: () => boolean;
  /** An issue was pinned or changed state: what counts the image's issues may read again. */
  changed?: () => void;
}): IssueSession => {
  const { api, notify } = deps;
  const diffOnOpen = deps.diffOnOpen ?? (() => true);
  const changed = deps.changed ?? (() => {});
  const store = createStore<IssueSessionState>(() => ({
    imageId: null,
    issues: [],
    work: null,
    diff: null,
    showDiff: false,
    selectedId: null,
    loading: false,
    error: null,
    busy: null,
  }));
  const marks = new ReviewMarks();
  store.subscribe((s) =>
    marks.set({ issues: s.issues, selectedIssue: s.selectedId, diff: s.diff, showDiff: s.showDiff }),
  );
  /** Replies for an image the editor no longer shows are dropped. */
  const current = (imageId: number) => store.getState().imageId === imageId;

  const replace = (issue: Issue) => {
    const s = store.getState();
    if (!current(issue.imageId)) return;
    const others = s.issues.map((n) => n.issue).filter((i) => i.id !== issue.id);
    store.setState({ issues: numberIssues([...others, issue]) });
  };

  /**
   * Reads the image's issues, its work and (when asked) its diff, each shown as it comes: the diff,
   * compared over every shape of the image by the server, answers last, and the issues (the list
   * and their pins) used to wait for it (bench review-open).
   */
  const load = async (imageId: number, opts: { diff: boolean }) => {
    store.setState({ loading: true, error: null });
    const shown = <T>(read: Promise<T>, apply: (value: T) => Partial<IssueSessionState>) =>
      read.then((value) => {
        if (current(imageId)) store.setState(apply(value));
      });
    await Promise.allSettled([
      shown(api.listIssues(imageId), (issues) => ({ issues: numberIssues(issues), loading: false })).catch(
        (err: unknown) => {
          if (current(imageId))
            store.setState({ loading: false, error: `Issues could not be read: ${messageOf(err)}` });
        },
      ),
      shown(api.work(imageId), (work) => ({ work })),
      opts.diff
        ? shown(api.diff(imageId), (diff) => ({ diff, showDiff: hasBaseline(diff) && diffOnOpen() }))
        : null,
    ]);
  };

  const session: IssueSession = {
    store,
    marks,
    show(imageId) {
      if (store.getState().imageId === imageId) return;
      store.setState({
        imageId,
        issues: [],
        work: null,
        diff: null,
        showDiff: false,
        selectedId: null,
        error: null,
        busy: null,
      });
      void load(imageId, { diff: true });
    },
    async reload() {
      const { imageId: id, diff } = store.getState();
      // A first read that failed read no diff either.
      if (id !== null) await load(id, { diff: diff === null });
    },
    async create(body) {
      const imageId = store.getState().imageId;
      if (imageId === null) return null;
      store.setState({ busy: "new" });
      try {
        const issue = await api.create(imageId, body);
        replace(issue);
        changed();
        if (current(imageId)) store.setState({ selectedId: issue.id });
        return issue;
      } catch (err) {
        notify("error", `The issue was not saved: ${messageOf(err)}`);
        return null;
      } finally {
        if (current(imageId)) store.setState({ busy: null });
      }
    },
    async comment(issueId, body) {
      store.setState({ busy: issueId });
      try {
        replace(await api.comment(issueId, body));
        return true;
      } catch (err) {
        notify("error", `The comment was not saved: ${messageOf(err)}`);
        return false;
      } finally {
        store.setState({ busy: null });
      }
    },
    async step(issueId, step, comment = "") {
      store.setState({ busy: issueId });
      try {
        const issue = await api.transition(issueId, step, comment);
        replace(issue);
        changed();
        const n = store.getState().issues.find((x) => x.issue.id === issueId)?.n;
        notify("info", `Issue ${n === undefined ? "" : `#${n} `}${STEP_DONE[step]}`);
        // The image's counts (and a rework's checklist) follow the issue's state.
        const imageId = store.getState().imageId;
        if (imageId !== null)
          void api.work(imageId).then(
            (work) => current(imageId) && store.setState({ work }),
            () => {},
          );
        return true;
      } catch (err) {
        notify("error", `The issue was not ${STEP_DONE[step]}: ${messageOf(err)}`);
        await session.reload();
        return false;
      } finally {
        store.setState({ busy: null });
      }
    },
    select(issueId) {
      if (store.getState().selectedId !== issueId) store.setState({ selectedId: issueId });
    },
    toggleDiff() {
      store.setState((s) => ({ showDiff: !s.showDiff }));
    },
  };
  return session;
};
