import { call } from "../../api/client";
import type { IssueApi } from "./issue-session";

const STEP_ENDPOINT = { fix: "fixIssue", resolve: "resolveIssue", reopen: "reopenIssue" } as const;

/** The browser's issue endpoints, through the contract (packages/schema review-contract.ts). */
export const issueApi: IssueApi = {
  listIssues: (imageId) => call("listImageIssues", { params: { imageId } }).then((r) => r.items),
  work: (imageId) => call("getImageWork", { params: { imageId } }),
  diff: (imageId) => call("reviewDiff", { params: { imageId } }),
  create: (imageId, body) => call("createIssue", { params: { imageId }, body }),
  comment: (issueId, body) => call("commentIssue", { params: { issueId }, body: { body } }),
  transition: (issueId, step, comment) =>
    call(STEP_ENDPOINT[step], { params: { issueId }, body: { comment } }),
};
