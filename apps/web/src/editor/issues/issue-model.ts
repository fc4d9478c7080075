import { geometryBounds, type Shape } from "@labelbench/editor";
import type { Bounds } from "@labelbench/geometry";
import {
  type Geometry,
  type ImageWork,
  type Issue,
  type IssueAnchor,
  type IssueCategory,
  type IssueSeverity,
  type IssueState,
  POLICY,
  type Role,
  roleMayCall,
} from "@labelbench/schema";

/**
 * The issues' colours by state, on the canvas and in the panel alike: none of the diff overlay's
 * green, orange and red (marks-draw.ts), so an issue never reads as a change; resolved ones recede.
 */
export const ISSUE_COLOUR: Record<IssueState, string> = {
  open: "#ec4899",
  fixed: "#0ea5e9",
  resolved: "#6b7280",
};

export const CATEGORY_LABEL: Record<IssueCategory, string> = {
  missing: "Missing object",
  extra: "Extra object",
  wrong_label: "Wrong label",
  loose: "Box too loose",
  tight: "Box too tight",
  wrong_tag: "Wrong tag",
  other: "Other",
};

export const SEVERITY_LABEL: Record<IssueSeverity, string> = {
  minor: "Minor",
  major: "Major",
  critical: "Critical",
};

export const STATE_LABEL: Record<IssueState, string> = { open: "Open", fixed: "Fixed", resolved: "Resolved" };

/** An issue with its number on this image: 1, 2, … in the order they were raised, whatever their state. */
export interface NumberedIssue {
  issue: Issue;
  n: number;
}

export const numberIssues = (issues: readonly Issue[]): NumberedIssue[] =>
  [...issues].sort((a, b) => a.id - b.id).map((issue, i) => ({ issue, n: i + 1 }));

/**
 * Where an issue shows on the canvas now, in image pixels. A shape anchor follows the shape as the
 * editor holds it (edits, a drag under way); where the shape is gone, the bounds the server stored
 * when it was pinned stand in, dashed.
 */
export type IssueMark =
  | { kind: "point"; x: number; y: number }
  | { kind: "region"; bounds: Bounds }
  | { kind: "shape"; geometry: Geometry; bounds: Bounds }
  | { kind: "gone"; bounds: Bounds }
  | null;

export const issueMark = (
  issue: Pick<Issue, "anchor">,
  shapeOf: (id: string) => Shape | undefined,
): IssueMark => {
  const a = issue.anchor;
  switch (a.kind) {
    case "point":
      return { kind: "point", x: a.x, y: a.y };
    case "region":
      return { kind: "region", bounds: { minX: a.x, minY: a.y, maxX: a.x + a.width, maxY: a.y + a.height } };
    case "shape": {
      const shape = shapeOf(a.annotationId);
      if (shape) return { kind: "shape", geometry: shape.geometry, bounds: geometryBounds(shape.geometry) };
      if (!a.box) return null;
      return {
        kind: "gone",
        bounds: { minX: a.box.x, minY: a.box.y, maxX: a.box.x + a.box.width, maxY: a.box.y + a.box.height },
      };
    }
  }
};

/** The image point an issue is centred on when picked in the panel (null: nothing to show). */
export const issueCentre = (mark: IssueMark): { x: number; y: number } | null => {
  if (!mark) return null;
  if (mark.kind === "point") return { x: mark.x, y: mark.y };
  return { x: (mark.bounds.minX + mark.bounds.maxX) / 2, y: (mark.bounds.minY + mark.bounds.maxY) / 2 };
};

/** What the signed-in user may do with issues in a project they are a member of (POLICY decides). */
export interface IssueRights {
  /** Pin issues and resolve or reopen them: reviewers, managers, admins. */
  review: boolean;
  /** Comment (any member). */
  comment: boolean;
  userId: number;
}

export const issueRights = (role: Role, userId: number): IssueRights => {
  const access = { member: true, annotatorsCanExport: false };
  return {
    review: roleMayCall(POLICY.createIssue, role, access) && roleMayCall(POLICY.resolveIssue, role, access),
    comment: roleMayCall(POLICY.commentIssue, role, access),
    userId,
  };
};

/** What the buttons of one issue offer: the server's rules (fix from open, by its assignee or a reviewer). */
export const issueActions = (issue: Issue, rights: IssueRights) => ({
  fix: issue.state === "open" && (issue.assigneeId === rights.userId || rights.review),
  resolve: rights.review && issue.state !== "resolved",
  reopen: rights.review && issue.state !== "open",
});

/**
 * The rework checklist: the image came back rejected to this user, who must mark each open issue
 * fixed (answering it if they like) before submitting again — the server refuses a submit meanwhile.
 */
export const isReworkAuthor = (work: ImageWork | null, userId: number): boolean =>
  work !== null && work.reviewState === "rejected" && work.assigneeId === userId;

export const openIssues = (issues: readonly Issue[]): Issue[] => issues.filter((i) => i.state === "open");

/** Why a submit cannot go out yet, or null. */
export const submitBlockedBy = (issues: readonly Issue[]): string | null => {
  const open = openIssues(issues).length;
  if (open === 0) return null;
  return `${open} open issue${open === 1 ? "" : "s"}: mark ${open === 1 ? "it" : "each"} fixed before submitting`;
};

/** "Issue 3 · Box too loose · major" and the like, for titles and announcements. */
export const issueTitle = (n: number, issue: Issue): string =>
  `#${n} ${CATEGORY_LABEL[issue.category]} · ${SEVERITY_LABEL[issue.severity].toLowerCase()}`;

/** Where an anchor points, in words, for the panel. */
export const anchorText = (issue: Issue): string => {
  const a = issue.anchor;
  switch (a.kind) {
    case "point":
      return `point ${Math.round(a.x)}, ${Math.round(a.y)}`;
    case "region":
      return `region ${Math.round(a.width)} × ${Math.round(a.height)}`;
    case "shape":
      return issue.shapeGone ? "shape (deleted since)" : "shape";
  }
};

/** What the form suggests first: a point or a region is usually something missing, a shape a loose box. */
export const defaultCategory = (anchor: IssueAnchor): IssueCategory =>
  anchor.kind === "shape" ? "loose" : "missing";
