import type {
  Decision,
  ImageHistory,
  ImageWork,
  Member,
  RejectReason,
  ReviewEvent,
} from "@labelbench/schema";
import { ApiError, detailsOf } from "../../api/client";
import { describeStatus, type SaveStatus } from "../save/save-queue";
import type { WorkflowApi } from "./workflow-api";
import { describeDecisionRefusal, describeHolder, describeSubmitRefusal, type NameOf } from "./workflow-text";

/**
 * The image's place in the review workflow as the editor shows and changes it: its ImageWork, the
 * last rejection (for the author's rework), who holds it, and the two steps taken from the editor —
 * the author's submit and the reviewer's decision. Both wait for the image's pending saves and send
 * the revision those saves reached, so what is decided is what the server holds. A refusal keeps
 * the reviewer's draft (reasons, comment) and says who or what came first.
 *
 * React-free: the server, the save queue's wait and the clock are injected (workflow-session.test.ts).
 */

export interface Rejection {
  by: string;
  at: string;
  reasons: RejectReason[];
  comment: string;
  attempt: number;
}

export interface DecisionDraft {
  reasons: RejectReason[];
  comment: string;
}

export type DecisionPhase =
  | { kind: "idle" }
  /** The reason picker is open. */
  | { kind: "rejecting"; problem: string | null }
  | { kind: "sending"; decision: Decision }
  /** 409: someone or something came first; the page offers a reload. */
  | { kind: "refused"; text: string }
  /** Another failure (not saved yet, network): the draft is kept, trying again is safe. */
  | { kind: "failed"; text: string };

export interface WorkflowState {
  imageId: number | null;
  work: ImageWork | null;
  /** The last rejection of the image, shown to its author while reworking it. */
  rejection: Rejection | null;
  /** Fix mode: the reviewer edits before deciding; the decision then records `fixed` if they changed anything. */
  fixing: boolean;
  phase: DecisionPhase;
  draft: DecisionDraft;
  submitting: boolean;
  /** Names of the people the image's work mentions (members and history). */
  names: ReadonlyMap<number, string>;
}

export interface WorkflowDeps {
  api: WorkflowApi;
  meId: number;
  /** Waits until the image's pending saves went out; its save status then (null: nothing known). */
  settle(imageId: number): Promise<SaveStatus | null>;
  /** The editor's document version: an edit in fix mode moves it. */
  docVersion(): number;
}

export type SubmitOutcome =
  | { kind: "submitted"; work: ImageWork; nextId: number | null }
  | { kind: "refused"; text: string };

const EMPTY_DRAFT: DecisionDraft = { reasons: [], comment: "" };

const isReason = (v: unknown): v is RejectReason => typeof v === "string";

/** The newest rejection in an image's history. */
export const lastRejection = (events: readonly ReviewEvent[]): Rejection | null => {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.kind !== "rejected") continue;
    const reasons = Array.isArray(e.detail.reasons) ? e.detail.reasons.filter(isReason) : [];
    const comment = typeof e.detail.comment === "string" ? e.detail.comment : "";
    return { by: e.actorName ?? "a reviewer", at: e.createdAt, reasons, comment, attempt: e.attempt };
  }
  return null;
};

/** Who saved last, from the history (a stale decision names them). */
const lastSaver = (events: readonly ReviewEvent[]): string | null => {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.kind === "saved" && e.actorName) return e.actorName;
  }
  return null;
};

export interface WorkflowSession {
  getState(): WorkflowState;
  subscribe(listener: () => void): () => void;
  /** The page shows another image (or the same one again after a reload): its work is read afresh. */
  open(imageId: number, projectId: number): Promise<void>;
  nameOf: NameOf;
  fix(): void;
  startReject(): void;
  setDraft(draft: DecisionDraft): void;
  cancel(): void;
  /** Sends the decision; the new work when recorded, null when refused or failed (phase says why). */
  decide(decision: "accepted" | "rejected"): Promise<ImageWork | null>;
  submit(projectId: number): Promise<SubmitOutcome>;
  /** A save was refused because someone else holds the image: read who. */
  saveRefused(): void;
  /** Who holds the image, when a save was refused for it. */
  holderText(): string | null;
}

export const createWorkflowSession = (deps: WorkflowDeps): WorkflowSession => {
  const { api, meId } = deps;
  let state: WorkflowState = {
    imageId: null,
    work: null,
    rejection: null,
    fixing: false,
    phase: { kind: "idle" },
    draft: EMPTY_DRAFT,
    submitting: false,
    names: new Map(),
  };
  const listeners = new Set<() => void>();
  const set = (patch: Partial<WorkflowState>) => {
    state = { ...state, ...patch };
    for (const l of listeners) l();
  };
  /** Drafts per image: a reload or a refusal loses no typed comment. */
  const drafts = new Map<number, DecisionDraft>();
  const membersOf = new Map<number, Promise<Member[]>>();
  let projectId = 0;
  let fixedAt: number | null = null;
  let token = 0;
  let history: ImageHistory | null = null;

  const learnNames = (members: readonly Member[], h: ImageHistory | null) => {
    const names = new Map(state.names);
    for (const m of members) names.set(m.userId, m.name);
    for (const e of h?.events ?? []) if (e.actorId !== null && e.actorName) names.set(e.actorId, e.actorName);
    set({ names });
  };

  const nameOf: NameOf = (id) => {
    if (id === null) return "someone";
    if (id === meId) return "you";
    return state.names.get(id) ?? `user #${id}`;
  };

  const members = (pid: number) => {
    let p = membersOf.get(pid);
    if (!p) {
      p = api.members(pid).catch(() => []);
      membersOf.set(pid, p);
    }
    return p;
  };

  /** Reads the image's work, history and the names they mention. */
  const read = async (imageId: number) => {
    const t = token;
    const [h, m] = await Promise.all([api.history(imageId), members(projectId)]);
    if (t !== token || state.imageId !== imageId) return null;
    history = h;
    learnNames(m, h);
    set({ work: h.work, rejection: h.work.reviewState === "rejected" ? lastRejection(h.events) : null });
    return h;
  };

  const refusalOf = (
    err: unknown,
  ): { code: "STALE_REVISION" | "WORKFLOW_CONFLICT"; work: ImageWork | null } | null => {
    const stale = detailsOf(err, "STALE_REVISION");
    if (stale) return { code: "STALE_REVISION", work: stale };
    if (err instanceof ApiError && err.code === "WORKFLOW_CONFLICT")
      return { code: "WORKFLOW_CONFLICT", work: detailsOf(err, "WORKFLOW_CONFLICT") ?? null };
    return null;
  };

  /** The revision the server holds once the image's saves went out, or why there is none. */
  const savedRevision = async (imageId: number): Promise<number | string> => {
    const status = await deps.settle(imageId);
    if (status?.kind === "saved") return status.revision;
    if (status === null) return "the image is not open";
    return `your changes are not saved yet (${describeStatus(status, Date.now())})`;
  };

  return {
    getState: () => state,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    nameOf,

    open: async (imageId, pid) => {
      projectId = pid;
      if (state.imageId !== imageId) {
        token++;
        fixedAt = null;
        history = null;
        set({
          imageId,
          work: null,
          rejection: null,
          fixing: false,
          phase: { kind: "idle" },
          draft: drafts.get(imageId) ?? EMPTY_DRAFT,
          submitting: false,
        });
      } else if (state.phase.kind === "refused") set({ phase: { kind: "idle" } });
      try {
        await read(imageId);
      } catch {
        // The workflow's state is extra: the editor works without it (an older server, a hiccup).
      }
    },

    fix: () => {
      if (state.fixing) return;
      fixedAt = deps.docVersion();
      set({ fixing: true });
    },

    startReject: () => set({ phase: { kind: "rejecting", problem: null } }),

    setDraft: (draft) => {
      if (state.imageId !== null) drafts.set(state.imageId, draft);
      set({
        draft,
        phase: state.phase.kind === "rejecting" ? { kind: "rejecting", problem: null } : state.phase,
      });
    },

    cancel: () => {
      if (state.phase.kind !== "sending") set({ phase: { kind: "idle" } });
    },

    decide: async (asked) => {
      const imageId = state.imageId;
      if (imageId === null || state.phase.kind === "sending") return null;
      const { reasons, comment } = state.draft;
      if (asked === "rejected" && reasons.length === 0 && (state.work?.unresolvedIssues ?? 0) === 0) {
        set({
          phase: {
            kind: "rejecting",
            problem: "Pick at least one reason, or pin an issue on the image first.",
          },
        });
        return null;
      }
      const edited = fixedAt !== null && deps.docVersion() !== fixedAt;
      const decision: Decision = asked === "accepted" && edited ? "fixed" : asked;
      set({ phase: { kind: "sending", decision } });
      const revision = await savedRevision(imageId);
      if (state.imageId !== imageId) return null;
      if (typeof revision === "string") {
        set({ phase: { kind: "failed", text: `Not decided: ${revision}.` } });
        return null;
      }
      try {
        const body =
          decision === "rejected"
            ? { decision, revision, reasons, comment }
            : { decision, revision, comment };
        const work = await api.decide(imageId, body);
        drafts.delete(imageId);
        fixedAt = null;
        if (state.imageId === imageId)
          set({ work, phase: { kind: "idle" }, draft: EMPTY_DRAFT, fixing: false, rejection: null });
        return work;
      } catch (err) {
        if (state.imageId !== imageId) return null;
        const refusal = refusalOf(err);
        if (!refusal) {
          set({ phase: { kind: "failed", text: `Not decided: ${(err as Error).message}` } });
          return null;
        }
        // Read who came first (the decider's or the last saver's name) before saying it.
        const h = await read(imageId).catch(() => null);
        const events = h?.events ?? history?.events ?? [];
        const text = describeDecisionRefusal(
          refusal.code,
          refusal.work ?? h?.work ?? null,
          revision,
          nameOf,
          lastSaver(events),
        );
        if (refusal.work) set({ work: refusal.work });
        set({ phase: { kind: "refused", text } });
        return null;
      }
    },

    submit: async (pid) => {
      const imageId = state.imageId;
      if (imageId === null) return { kind: "refused", text: "No image is open." };
      if (state.submitting) return { kind: "refused", text: "Already submitting." };
      set({ submitting: true });
      try {
        const revision = await savedRevision(imageId);
        if (typeof revision === "string") return { kind: "refused", text: `Not submitted: ${revision}.` };
        let work: ImageWork;
        try {
          work = await api.submit(imageId, revision);
        } catch (err) {
          const refusal = refusalOf(err);
          if (!refusal) return { kind: "refused", text: `Not submitted: ${(err as Error).message}` };
          if (refusal.work) set({ work: refusal.work });
          await members(pid).then((m) => learnNames(m, null));
          return {
            kind: "refused",
            text: describeSubmitRefusal(
              refusal.code,
              refusal.work,
              revision,
              nameOf,
              meId,
              (err as Error).message,
            ),
          };
        }
        if (state.imageId === imageId) set({ work, rejection: null });
        const next = await api.nextWork(pid).catch(() => null);
        const nextId = next?.image && next.image.imageId !== imageId ? next.image.imageId : null;
        return { kind: "submitted", work, nextId };
      } finally {
        set({ submitting: false });
      }
    },

    saveRefused: () => {
      const imageId = state.imageId;
      if (imageId !== null) read(imageId).catch(() => {});
    },

    holderText: () => (state.work ? describeHolder(state.work, nameOf, meId) : null),
  };
};
