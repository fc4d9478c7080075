import type { DecisionRequest, ImageHistory, ImageWork, Member, ReviewEvent } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { ApiError } from "../../api/client";
import type { SaveStatus } from "../save/save-queue";
import type { WorkflowApi } from "./workflow-api";
import { createWorkflowSession } from "./workflow-session";

const ME = 1;
const ANA = 5; // the annotator
const RITA = 3; // another reviewer

const work = (over: Partial<ImageWork> = {}): ImageWork => ({
  imageId: 42,
  projectId: 7,
  assigneeId: ANA,
  assignedVia: null,
  leaseUntil: null,
  reviewState: "pending",
  attempt: 1,
  inSample: true,
  submittedBy: ANA,
  submittedAt: "2026-12-07T01:00:00.000Z",
  submittedRevision: 4,
  decision: null,
  decidedBy: null,
  decidedAt: null,
  decidedRevision: null,
  stale: false,
  revision: 4,
  unresolvedIssues: 0,
  ...over,
});

let eventId = 0;
const event = (
  kind: ReviewEvent["kind"],
  actorId: number,
  actorName: string,
  detail: Record<string, unknown> = {},
): ReviewEvent => ({
  id: ++eventId,
  imageId: 42,
  kind,
  actorId,
  actorName,
  subjectId: ANA,
  attempt: 1,
  revision: 4,
  issueId: null,
  detail,
  createdAt: "2026-12-07T01:05:00.000Z",
});

const member = (userId: number, name: string): Member => ({
  userId,
  name,
  email: `${name.toLowerCase()}@example.com`,
  role: "annotator",
  addedAt: "2026-12-01T00:00:00.000Z",
});

/** A server for one image; each call's answer can be replaced, and every call is recorded. */
const fakeServer = () => {
  const s = {
    history: { work: work(), events: [] as ReviewEvent[] } as ImageHistory,
    members: [member(ANA, "Ana"), member(RITA, "Rita"), member(9, "Bob")],
    decisions: [] as DecisionRequest[],
    submits: [] as number[],
    decideAnswer: (b: DecisionRequest): Promise<ImageWork> =>
      Promise.resolve(
        work({
          reviewState: b.decision === "rejected" ? "rejected" : "accepted",
          decision: b.decision,
          decidedBy: ME,
        }),
      ),
    submitAnswer: (revision: number): Promise<ImageWork> =>
      Promise.resolve(work({ reviewState: "pending", attempt: 2, submittedRevision: revision })),
    next: { image: work({ imageId: 43 }), source: "assigned" as const } as Awaited<
      ReturnType<WorkflowApi["nextWork"]>
    >,
  };
  const api: WorkflowApi = {
    history: async () => structuredClone(s.history),
    members: async () => s.members,
    decide: async (_id, body) => {
      s.decisions.push(body);
      return s.decideAnswer(body);
    },
    submit: async (_id, revision) => {
      s.submits.push(revision);
      return s.submitAnswer(revision);
    },
    nextWork: async () => s.next,
    queuePage: async () => ({ items: [], nextCursor: null, total: 0 }),
    workList: async () => ({
      counts: { assigned: 0, rework: 0, submitted: 0, accepted: 0, rejected: 0 },
      items: [],
      nextCursor: null,
    }),
    activity: async () => {},
  };
  return { s, api };
};

const refusal = (code: "STALE_REVISION" | "WORKFLOW_CONFLICT", details: ImageWork, message = "refused") =>
  new ApiError(409, code, message, details);

const setup = (opts: { status?: SaveStatus | null } = {}) => {
  const { s, api } = fakeServer();
  let version = 0;
  let status: SaveStatus | null = opts.status === undefined ? { kind: "saved", revision: 4 } : opts.status;
  let release: (() => void) | null = null;
  let held = false;
  const flow = createWorkflowSession({
    api,
    meId: ME,
    docVersion: () => version,
    settle: async () => {
      if (held) await new Promise<void>((r) => (release = r));
      return status;
    },
  });
  return {
    s,
    flow,
    edit: () => version++,
    setStatus: (st: SaveStatus | null) => {
      status = st;
    },
    holdSaves: () => {
      held = true;
    },
    releaseSaves: () => {
      held = false;
      release?.();
    },
  };
};

const tick = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe("deciding", () => {
  test("waits for the pending saves and sends the revision they reached", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.holdSaves();
    const decided = t.flow.decide("accepted");
    await tick();
    expect(t.s.decisions).toEqual([]);
    expect(t.flow.getState().phase).toEqual({ kind: "sending", decision: "accepted" });
    t.setStatus({ kind: "saved", revision: 6 });
    t.releaseSaves();
    const w = await decided;
    expect(t.s.decisions).toEqual([{ decision: "accepted", revision: 6, comment: "" }]);
    expect(w?.reviewState).toBe("accepted");
    expect(t.flow.getState().phase).toEqual({ kind: "idle" });
  });

  test("after a fix, accepting records `fixed` if something was edited, else `accepted`", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.flow.fix();
    expect(t.flow.getState().fixing).toBe(true);
    await t.flow.decide("accepted");
    expect(t.s.decisions.at(-1)?.decision).toBe("accepted");
    t.flow.fix();
    t.edit();
    await t.flow.decide("accepted");
    expect(t.s.decisions.at(-1)?.decision).toBe("fixed");
    expect(t.flow.getState().fixing).toBe(false);
  });

  test("a rejection needs a reason or an open issue: refused before sending, the draft kept", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.flow.startReject();
    t.flow.setDraft({ reasons: [], comment: "the cars" });
    expect(await t.flow.decide("rejected")).toBeNull();
    expect(t.s.decisions).toEqual([]);
    expect(t.flow.getState().phase).toMatchObject({
      kind: "rejecting",
      problem: expect.stringMatching(/at least one reason/),
    });
    t.flow.setDraft({ reasons: ["missing_objects", "wrong_labels"], comment: "the cars" });
    await t.flow.decide("rejected");
    expect(t.s.decisions).toEqual([
      {
        decision: "rejected",
        revision: 4,
        reasons: ["missing_objects", "wrong_labels"],
        comment: "the cars",
      },
    ]);
    // An image with an open issue may be rejected on the issue alone.
    const u = setup();
    u.s.history = { work: work({ unresolvedIssues: 1 }), events: [] };
    await u.flow.open(42, 7);
    await u.flow.decide("rejected");
    expect(u.s.decisions).toEqual([{ decision: "rejected", revision: 4, reasons: [], comment: "" }]);
  });

  test("changes not saved yet stop the decision; nothing is sent", async () => {
    const t = setup({ status: { kind: "error", changes: 2, message: "label 9 is not in the set" } });
    await t.flow.open(42, 7);
    expect(await t.flow.decide("accepted")).toBeNull();
    expect(t.s.decisions).toEqual([]);
    expect(t.flow.getState().phase).toEqual({
      kind: "failed",
      text: "Not decided: your changes are not saved yet (Not saved: label 9 is not in the set).",
    });
  });

  test("another reviewer deciding first is named, with when; the draft survives for a retry", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    const theirs = work({
      reviewState: "accepted",
      decision: "accepted",
      decidedBy: RITA,
      decidedAt: "2026-12-07T01:10:00.000Z",
      decidedRevision: 4,
    });
    t.s.decideAnswer = () => Promise.reject(refusal("WORKFLOW_CONFLICT", theirs));
    t.flow.setDraft({ reasons: ["other"], comment: "see the sign" });
    await t.flow.decide("rejected");
    const phase = t.flow.getState().phase;
    expect(phase.kind).toBe("refused");
    expect(phase.kind === "refused" && phase.text).toMatch(
      /^Rita already accepted this image at .+\. Your decision was not recorded\.$/,
    );
    expect(t.flow.getState().work).toEqual(theirs);
    expect(t.flow.getState().draft).toEqual({ reasons: ["other"], comment: "see the sign" });
    // Reopening the image (the reload) keeps the draft too.
    await t.flow.open(42, 7);
    expect(t.flow.getState().draft).toEqual({ reasons: ["other"], comment: "see the sign" });
    expect(t.flow.getState().phase).toEqual({ kind: "idle" });
  });

  test("a stale revision says which revisions and who saved last", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.s.history = { work: work({ revision: 9 }), events: [event("saved", ANA, "Ana")] };
    t.s.decideAnswer = () => Promise.reject(refusal("STALE_REVISION", work({ revision: 9 })));
    await t.flow.decide("accepted");
    expect(t.flow.getState().phase).toEqual({
      kind: "refused",
      text: "The annotations changed while you reviewed: you looked at revision 4, the image is now at revision 9, last saved by Ana. Your decision was not recorded; reload to see the changes.",
    });
  });

  test("another failure (the network) keeps everything and may be tried again", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.s.decideAnswer = () =>
      Promise.reject(new ApiError(0, "NETWORK", "cannot reach the server; check your connection"));
    await t.flow.decide("accepted");
    expect(t.flow.getState().phase).toEqual({
      kind: "failed",
      text: "Not decided: cannot reach the server; check your connection",
    });
    t.s.decideAnswer = () => Promise.resolve(work({ reviewState: "accepted" }));
    expect(await t.flow.decide("accepted")).not.toBeNull();
  });
});

describe("the author's side", () => {
  test("a rejected image shows its reviewer's reasons and comment", async () => {
    const t = setup();
    t.s.history = {
      work: work({ reviewState: "rejected", decision: "rejected", decidedBy: RITA }),
      events: [
        event("submitted", ANA, "Ana"),
        event("rejected", RITA, "Rita", {
          reasons: ["missing_objects", "imprecise_shapes"],
          comment: "two cars missing",
        }),
      ],
    };
    await t.flow.open(42, 7);
    expect(t.flow.getState().rejection).toMatchObject({
      by: "Rita",
      reasons: ["missing_objects", "imprecise_shapes"],
      comment: "two cars missing",
      attempt: 1,
    });
  });

  test("submit waits for the saves, sends their revision, then asks for the next work item", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.holdSaves();
    const out = t.flow.submit(7);
    await tick();
    expect(t.s.submits).toEqual([]);
    expect(t.flow.getState().submitting).toBe(true);
    t.setStatus({ kind: "saved", revision: 5 });
    t.releaseSaves();
    expect(await out).toMatchObject({ kind: "submitted", nextId: 43 });
    expect(t.s.submits).toEqual([5]);
    expect(t.flow.getState()).toMatchObject({
      submitting: false,
      work: { reviewState: "pending", attempt: 2 },
    });
    // Nothing else waiting (or the same image handed back): no next work item.
    t.s.next = { image: null, source: null };
    t.s.history = { work: work({ reviewState: "none" }), events: [] };
    expect(await t.flow.submit(7)).toMatchObject({ kind: "submitted", nextId: null });
  });

  test("a submit refused because someone else holds the image says who", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    t.s.submitAnswer = () =>
      Promise.reject(
        refusal(
          "WORKFLOW_CONFLICT",
          work({ reviewState: "none", assigneeId: 9, assignedVia: "queue", leaseUntil: null }),
        ),
      );
    expect(await t.flow.submit(7)).toEqual({
      kind: "refused",
      text: "Not submitted: Bob holds this image from the work queue.",
    });
  });

  test("a save refused because the image is held: the holder is read and named", async () => {
    const t = setup();
    await t.flow.open(42, 7);
    expect(t.flow.holderText()).toBe("This image is assigned to Ana");
    t.s.history = {
      work: work({ reviewState: "rejected", assigneeId: 9, assignedVia: "rework" }),
      events: [],
    };
    t.flow.saveRefused();
    await tick();
    expect(t.flow.holderText()).toBe("Bob is reworking this image after a rejection");
  });
});
