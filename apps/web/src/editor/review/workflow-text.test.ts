import type { ImageWork } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import {
  describeDecisionRefusal,
  describeHolder,
  describeSubmitRefusal,
  describeWork,
} from "./workflow-text";

const names = new Map([
  [3, "Rita"],
  [5, "Ana"],
]);
const nameOf = (id: number | null) => (id === null ? "someone" : (names.get(id) ?? `user #${id}`));

const work = (over: Partial<ImageWork> = {}): ImageWork => ({
  imageId: 42,
  projectId: 7,
  assigneeId: 5,
  assignedVia: "manager",
  leaseUntil: null,
  reviewState: "pending",
  attempt: 1,
  inSample: true,
  submittedBy: 5,
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

describe("workflow sentences", () => {
  test("the status line: state, attempt, who decided, stale", () => {
    expect(describeWork(work(), nameOf)).toBe("Waiting for review · attempt 1");
    expect(
      describeWork(
        work({ reviewState: "accepted", decision: "fixed", decidedBy: 3, attempt: 2, stale: true }),
        nameOf,
      ),
    ).toBe("Fixed and accepted by Rita · attempt 2 · changed since the decision");
    expect(describeWork(work({ reviewState: "none", attempt: 0 }), nameOf)).toBe("Not submitted");
    expect(describeWork(work({ reviewState: "rejected", decision: "rejected", decidedBy: 3 }), nameOf)).toBe(
      "Rejected by Rita · attempt 1",
    );
  });

  test("who holds the image, by how they hold it; nobody when it is mine", () => {
    expect(describeHolder(work(), nameOf, 1)).toBe("This image is assigned to Ana");
    expect(describeHolder(work(), nameOf, 5)).toBeNull();
    expect(describeHolder(work({ assignedVia: "rework" }), nameOf, 1)).toBe(
      "Ana is reworking this image after a rejection",
    );
    expect(
      describeHolder(work({ assignedVia: "queue", leaseUntil: "2026-12-07T02:00:00.000Z" }), nameOf, 1),
    ).toMatch(/^Ana holds this image from the work queue \(until .+ unless they keep working\)$/);
    expect(describeHolder(work({ assigneeId: null }), nameOf, 1)).toBeNull();
  });

  test("refused decisions: who came first, or what state the image is in", () => {
    const rejected = work({ reviewState: "rejected", decision: "rejected", decidedBy: 3, decidedAt: null });
    expect(describeDecisionRefusal("WORKFLOW_CONFLICT", rejected, 4, nameOf, null)).toBe(
      "Rita already rejected this image; it is back with its author. Your decision was not recorded.",
    );
    expect(describeDecisionRefusal("WORKFLOW_CONFLICT", work({ reviewState: "none" }), 4, nameOf, null)).toBe(
      "This image is not submitted: there is nothing to decide until its author submits it.",
    );
    expect(describeDecisionRefusal("STALE_REVISION", work({ revision: 6 }), 4, nameOf, null)).toBe(
      "The annotations changed while you reviewed: you looked at revision 4, the image is now at revision 6. Your decision was not recorded; reload to see the changes.",
    );
  });

  test("refused submissions", () => {
    expect(describeSubmitRefusal("WORKFLOW_CONFLICT", work(), 4, nameOf, 5, "x")).toBe(
      "Already submitted: it is waiting for review.",
    );
    expect(
      describeSubmitRefusal("WORKFLOW_CONFLICT", work({ reviewState: "accepted" }), 4, nameOf, 5, "x"),
    ).toBe("Already accepted: nothing changed since.");
    expect(
      describeSubmitRefusal(
        "WORKFLOW_CONFLICT",
        work({ reviewState: "rejected", assignedVia: "rework" }),
        4,
        nameOf,
        5,
        "image 42 has 2 open issues",
      ),
    ).toBe("Not submitted: image 42 has 2 open issues");
    expect(describeSubmitRefusal("STALE_REVISION", work({ revision: 8 }), 4, nameOf, 5, "x")).toBe(
      "Not submitted: the annotations changed on the server (you saved revision 4, it is now 8). Reload, check them, and submit again.",
    );
  });
});
