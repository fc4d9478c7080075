import { type IssueState, IssueState as IssueStateSchema } from "@labelbench/schema";

/** The project issues page's filters, kept in its URL: `?state=open,fixed&annotator=3&image=12`. */
export interface IssuesScope {
  /** Empty: every state. */
  states: IssueState[];
  annotatorId: number | undefined;
  imageId: number | undefined;
}

/** What the page shows first: the issues someone still has to act on. */
export const DEFAULT_ISSUES_SCOPE: IssuesScope = {
  states: ["open", "fixed"],
  annotatorId: undefined,
  imageId: undefined,
};

const positiveInt = (raw: string | null): number | undefined =>
  raw !== null && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined;

export const parseIssuesScope = (params: URLSearchParams): IssuesScope => {
  const raw = params.get("state");
  const states =
    raw === null
      ? DEFAULT_ISSUES_SCOPE.states
      : raw === "all"
        ? []
        : IssueStateSchema.options.filter((s) => raw.split(",").includes(s));
  return {
    states: raw !== null && raw !== "all" && states.length === 0 ? DEFAULT_ISSUES_SCOPE.states : states,
    annotatorId: positiveInt(params.get("annotator")),
    imageId: positiveInt(params.get("image")),
  };
};

export const issuesSearch = (s: IssuesScope): string => {
  const p = new URLSearchParams();
  const isDefault =
    s.states.length === DEFAULT_ISSUES_SCOPE.states.length &&
    DEFAULT_ISSUES_SCOPE.states.every((x) => s.states.includes(x));
  if (!isDefault)
    p.set(
      "state",
      s.states.length === 0 ? "all" : IssueStateSchema.options.filter((x) => s.states.includes(x)).join(","),
    );
  if (s.annotatorId !== undefined) p.set("annotator", String(s.annotatorId));
  if (s.imageId !== undefined) p.set("image", String(s.imageId));
  const qs = p.toString().replace(/%2C/g, ",");
  return qs ? `?${qs}` : "";
};

/** The `listProjectIssues` query for a scope (without cursor). */
export const issuesQuery = (s: IssuesScope) => ({
  state:
    s.states.length === 0
      ? undefined
      : IssueStateSchema.options.filter((x) => s.states.includes(x)).join(","),
  assigneeId: s.annotatorId,
  imageId: s.imageId,
});

/**
 * The editor at one issue: `issue=` asks it to select and centre the issue; reviewers open it in
 * review mode, where resolving and reopening are.
 */
export const issueHref = (projectId: number, imageId: number, issueId: number, review: boolean): string =>
  `/projects/${projectId}/images/${imageId}?${review ? "mode=review&" : ""}issue=${issueId}`;

/** The states after a click on one of them; [] (every state) stands for all three checked. */
export const toggledStates = (states: readonly IssueState[], s: IssueState): IssueState[] => {
  const all = IssueStateSchema.options;
  const current = states.length === 0 ? all : states;
  const next = current.includes(s) ? current.filter((x) => x !== s) : [...current, s];
  return next.length === 0 || next.length === all.length ? [] : all.filter((x) => next.includes(x));
};
