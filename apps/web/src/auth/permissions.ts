import { type EndpointName, POLICY, type Project, type Role, roleMayCall } from "@labelbench/schema";

/**
 * What the web app shows to whom, read from the server's own table (`POLICY` in packages/schema):
 * a control shows when the server would allow every call it makes. The server refuses anyway;
 * this only keeps controls that would fail out of sight.
 */
export type Action =
  /** Create projects. */
  | "createProject"
  /** A project's setup: label set, upload, delete and import images, members, settings, rename, delete. */
  | "manageProject"
  /** Download exports of a project (annotators only where the project allows it). */
  | "export"
  /** The users admin page. */
  | "manageUsers"
  /** Review submitted images: the review queue, decisions, raising, resolving and reopening issues. */
  | "review";

/** The endpoints behind each kind of control. */
export const ACTION_ENDPOINTS = {
  createProject: ["createProject"],
  manageProject: [
    "updateProject",
    "deleteProject",
    "createLabel",
    "bulkCreateLabels",
    "updateLabel",
    "deleteLabel",
    "uploadImages",
    "deleteImage",
    "importDataset",
    "listUsers",
    "addMember",
    "removeMember",
    "updateReviewSettings",
    "assignImages",
    // Issue 16: quality settings, gold images, the qualification's reset.
    "getQualitySettings",
    "putQualitySettings",
    "markGold",
    "resetQualification",
    // qc-report's rescore (managers), merged here: without a row the permissions test fails.
    "rescoreQuality",
    // Issue 17: bringing predictions in and managing their runs (ML engineers: managers).
    "importPredictions",
    "updatePredictionRun",
    "deletePredictionRun",
    "acceptPredictionRun",
    // Issue 17: the work queue's active-learning order (project settings).
    "getActiveLearning",
    "putActiveLearning",
    // Issue 17: model servers (Label Studio ML backends) are connected and run by managers.
    "createModelBackend",
    "updateModelBackend",
    "deleteModelBackend",
    "testModelBackend",
    "startModelBackendJob",
    "cancelModelBackendJob",
    "trainModelBackend",
    // Issue 17: dataset versions are frozen, renamed and deleted by managers.
    "createVersion",
    "updateVersion",
    "deleteVersion",
    // Issue 18: the library's action bar (delete, status, assign, tags, move) and grid classification.
    "bulkImages",
  ],
  export: ["exportDataset"],
  manageUsers: ["createUser", "updateUser"],
  review: [
    "reviewQueue",
    "decideImage",
    "createIssue",
    "resolveIssue",
    "reopenIssue",
    "listImageCopies",
    "getImageCopy",
    "listQualification",
    "listAudits",
    "auditImage",
    "reviewerPrecision",
    // Issue 17: the Models page (a model version's numbers).
    "modelEvaluation",
  ],
} as const satisfies Record<Action, readonly EndpointName[]>;

/** Project pages are only reached by members, so membership is taken as given. */
export const can = (
  role: Role,
  action: Action,
  project?: Pick<Project, "annotatorsCanExport"> | null,
): boolean => {
  const access = { member: true, annotatorsCanExport: project?.annotatorsCanExport === true };
  return ACTION_ENDPOINTS[action].every((name) => roleMayCall(POLICY[name], role, access));
};

export const ROLE_LABEL: Record<Role, string> = {
  admin: "Admin",
  manager: "Manager",
  reviewer: "Reviewer",
  annotator: "Annotator",
};

/** The roles an admin can give, from the least to the most powerful. */
export const ROLE_CHOICES: readonly Role[] = ["annotator", "reviewer", "manager", "admin"];

export const ROLE_HINT: Record<Role, string> = {
  admin: "Everything, including users",
  manager: "Creates projects, edits label sets, uploads, imports, exports, adds members",
  reviewer: "Reviews (accepts, fixes, rejects) and annotates in the projects they are a member of",
  annotator: "Annotates in the projects they are a member of",
};
