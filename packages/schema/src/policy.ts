import type { Role } from "./auth.js";
import type { EndpointName } from "./contract.js";

/**
 * Who may call what. Every contract endpoint needs a row: `POLICY` satisfies a record over every
 * endpoint name, so a new endpoint without one does not compile. The server enforces it
 * (modules/auth/policy.ts, pinned by its authorization matrix test); the web reads it to keep
 * controls out of sight that the server would refuse (auth/permissions.ts).
 * - public: anyone, even before sign-in
 * - signedIn: any active user or token
 * - admin / manager: by global role (admins pass every manager check)
 * - project: a project resource; managers and admins reach every project, reviewers and annotators
 *   only the projects they are members of (others answer 404, so their existence is not revealed):
 *   read and annotate for members, review for reviewer members, manage never, export when the
 *   project allows it.
 */
export type ProjectNeed = "read" | "annotate" | "review" | "manage" | "export";
export type Rule =
  | { kind: "public" }
  | { kind: "signedIn" }
  | { kind: "admin" }
  | { kind: "manager" }
  | { kind: "project"; need: ProjectNeed };

const project = <N extends ProjectNeed>(need: N) => ({ kind: "project", need }) as const;

export const POLICY = {
  health: { kind: "public" },
  setupStatus: { kind: "public" },
  setup: { kind: "public" },
  login: { kind: "public" },
  logout: { kind: "signedIn" },
  me: { kind: "signedIn" },
  changePassword: { kind: "signedIn" },
  // Each user's own keys: the route reads and writes only the caller's row.
  getKeymap: { kind: "signedIn" },
  putKeymap: { kind: "signedIn" },
  // Managers pick project members from this list (addMember); editing users stays admin-only.
  listUsers: { kind: "manager" },
  createUser: { kind: "admin" },
  updateUser: { kind: "admin" },
  listMembers: project("read"),
  addMember: project("manage"),
  removeMember: project("manage"),
  listTokens: { kind: "signedIn" },
  createToken: { kind: "signedIn" },
  deleteToken: { kind: "signedIn" },
  listProjects: { kind: "signedIn" },
  createProject: { kind: "manager" },
  getProject: project("read"),
  updateProject: project("manage"),
  deleteProject: project("manage"),
  projectStats: project("read"),
  listLabels: project("read"),
  createLabel: project("manage"),
  bulkCreateLabels: project("manage"),
  updateLabel: project("manage"),
  deleteLabel: project("manage"),
  uploadImages: project("manage"),
  listImages: project("read"),
  getImage: project("read"),
  updateImage: project("annotate"),
  deleteImage: project("manage"),
  imageFile: project("read"),
  imageThumbnail: project("read"),
  imageDisplay: project("read"),
  imageTile: project("read"),
  imagePreview: project("read"),
  imageNeighbours: project("read"),
  getAnnotations: project("read"),
  putAnnotations: project("annotate"),
  patchAnnotations: project("annotate"),
  exportDataset: project("export"),
  importDataset: project("manage"),
  getReviewSettings: project("read"),
  updateReviewSettings: project("manage"),
  assignImages: project("manage"),
  nextWork: project("annotate"),
  myWork: project("read"),
  getImageWork: project("read"),
  releaseImage: project("annotate"),
  submitImage: project("annotate"),
  decideImage: project("review"),
  reviewQueue: project("review"),
  reviewDiff: project("read"),
  listImageIssues: project("read"),
  createIssue: project("review"),
  listProjectIssues: project("read"),
  // The annotator answers an issue; closing or reopening it is the reviewer's.
  fixIssue: project("annotate"),
  resolveIssue: project("review"),
  reopenIssue: project("review"),
  commentIssue: project("annotate"),
  imageHistory: project("read"),
  reportActivity: project("annotate"),
  annotatorStats: project("read"),
  // Reviewers are measured too (issue 16): audits are reviewers' work.
  listAudits: project("review"),
  auditImage: project("review"),
  reviewerPrecision: project("review"),
  // Issue 16: copies are read by those who measure (managers, reviewers), never by other annotators.
  listImageCopies: project("review"),
  getImageCopy: project("review"),
  getQualitySettings: project("manage"),
  putQualitySettings: project("manage"),
  markGold: project("manage"),
  // Issue 18: changing images in bulk is a manager's; every member may browse the folders.
  bulkImages: project("manage"),
  imageFolders: project("read"),
  listQualification: project("review"),
  resetQualification: project("manage"),
  // Reviewers and managers read the project's numbers; an annotator only their own (the service).
  qualityReport: project("read"),
  qualityImages: project("read"),
  qualityComparison: project("read"),
  rescoreQuality: project("manage"),
  // Issue 17: ML engineers (managers) bring predictions in; annotators decide on them while labeling.
  listPredictionRuns: project("read"),
  getPredictionRun: project("read"),
  updatePredictionRun: project("manage"),
  deletePredictionRun: project("manage"),
  importPredictions: project("manage"),
  imagePredictions: project("read"),
  decidePredictions: project("annotate"),
  acceptPredictionRun: project("manage"),
  predictionCalibration: project("read"),
  // Issue 17: a model version's numbers are for those who measure (reviewers, managers); the
  // queue's order is a project setting.
  modelEvaluation: project("review"),
  getActiveLearning: project("manage"),
  putActiveLearning: project("manage"),
  // Issue 17: managers connect model servers and run them; members see them (secrets masked).
  listModelBackends: project("read"),
  createModelBackend: project("manage"),
  getModelBackend: project("read"),
  updateModelBackend: project("manage"),
  deleteModelBackend: project("manage"),
  testModelBackend: project("manage"),
  startModelBackendJob: project("manage"),
  listModelBackendJobs: project("read"),
  getModelBackendJob: project("read"),
  cancelModelBackendJob: project("manage"),
  trainModelBackend: project("manage"),
  listModelBackendWebhooks: project("read"),
  // Issue 17: everybody in the project reads versions and their diffs; managers freeze and delete
  // them. A version's export is `exportDataset` (`?version=N`) and follows the export rule.
  listVersions: project("read"),
  getVersion: project("read"),
  diffVersions: project("read"),
  createVersion: project("manage"),
  updateVersion: project("manage"),
  deleteVersion: project("manage"),
} as const satisfies Record<EndpointName, Rule>;

/** Admins and managers reach every project; reviewers and annotators only their own. */
export const reachesEveryProject = (role: Role): boolean => role === "admin" || role === "manager";

/** What a signed-in user's role meets in one project: membership and the project's export switch. */
export interface ProjectAccess {
  member: boolean;
  annotatorsCanExport: boolean;
}

/**
 * Whether a signed-in user of `role` passes `rule` (read-only tokens aside: they pass only GETs).
 * The server answers a refusal with 403, or 404 where a non-member must not learn a project exists.
 */
export const roleMayCall = (rule: Rule, role: Role, access: ProjectAccess): boolean => {
  switch (rule.kind) {
    case "public":
    case "signedIn":
      return true;
    case "admin":
      return role === "admin";
    case "manager":
      return reachesEveryProject(role);
    case "project":
      if (reachesEveryProject(role)) return true;
      if (!access.member) return false;
      switch (rule.need) {
        case "read":
        case "annotate":
          return true;
        case "review":
          return role === "reviewer";
        case "manage":
          return false;
        case "export":
          return access.annotatorsCanExport;
      }
  }
};
