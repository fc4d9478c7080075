import type {
  DecisionRequest,
  ImageHistory,
  ImageWork,
  Member,
  MyWork,
  NextWork,
  ReviewQueuePage,
} from "@labelbench/schema";
import { call } from "../../api/client";
import { type ReviewFilters, reviewQueueQuery } from "./review-scope";

/** The review workflow's calls the editor makes, injected so the models are tested without a server. */
export interface WorkflowApi {
  history(imageId: number): Promise<ImageHistory>;
  members(projectId: number): Promise<Member[]>;
  decide(imageId: number, body: DecisionRequest): Promise<ImageWork>;
  submit(imageId: number, revision: number): Promise<ImageWork>;
  nextWork(projectId: number): Promise<NextWork>;
  /** The caller's to-do list (rework and assignments), a page at a time. */
  workList(projectId: number, cursor: string | undefined): Promise<MyWork>;
  queuePage(projectId: number, filters: ReviewFilters, cursor: string | undefined): Promise<ReviewQueuePage>;
  /** Focused seconds (1..300); `leaving`: the page may be going away, the request must outlive it. */
  activity(imageId: number, seconds: number, leaving: boolean): Promise<void>;
}

export const browserWorkflowApi: WorkflowApi = {
  history: (imageId) => call("imageHistory", { params: { imageId } }),
  members: (projectId) => call("listMembers", { params: { projectId } }).then((r) => r.items),
  decide: (imageId, body) => call("decideImage", { params: { imageId }, body }),
  submit: (imageId, revision) => call("submitImage", { params: { imageId }, body: { revision } }),
  nextWork: (projectId) => call("nextWork", { params: { projectId } }),
  workList: (projectId, cursor) =>
    call("myWork", { params: { projectId }, query: { state: "todo", cursor, limit: 200 } }),
  queuePage: (projectId, filters, cursor) =>
    call("reviewQueue", {
      params: { projectId },
      query: { ...reviewQueueQuery(filters), cursor, limit: 200 },
    }),
  activity: (imageId, seconds, leaving) =>
    call("reportActivity", { params: { imageId }, body: { seconds }, keepalive: leaving }),
};
