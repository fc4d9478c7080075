import { z } from "zod";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import {
  BackendJobCreate,
  ConnectionTest,
  ConnectionTestRequest,
  ModelBackend,
  ModelBackendCreate,
  ModelBackendJob,
  ModelBackendPatch,
  TrainResult,
  WebhookDelivery,
} from "./model-backends.js";

/** Model servers (issue 17): Label Studio ML backends connected to a project. */
const ProjectParams = z.object({ projectId: IdParam });
const BackendParams = z.object({ backendId: IdParam });
const JobParams = z.object({ jobId: IdParam });

export const modelBackendsApi = {
  listModelBackends: endpoint({
    method: "GET",
    path: "/projects/:projectId/model-backends",
    summary: "The project's model servers (secrets masked)",
    params: ProjectParams,
    response: z.object({ items: z.array(ModelBackend) }),
  }),
  createModelBackend: endpoint({
    method: "POST",
    path: "/projects/:projectId/model-backends",
    summary: "Connect a Label Studio ML backend to the project",
    params: ProjectParams,
    body: ModelBackendCreate,
    response: ModelBackend,
    status: 201,
  }),
  getModelBackend: endpoint({
    method: "GET",
    path: "/model-backends/:backendId",
    summary: "One model server (secret masked)",
    params: BackendParams,
    response: ModelBackend,
  }),
  updateModelBackend: endpoint({
    method: "PATCH",
    path: "/model-backends/:backendId",
    summary: "Change a model server's URL, authentication or limits (secret absent: kept; null: removed)",
    params: BackendParams,
    body: ModelBackendPatch,
    response: ModelBackend,
  }),
  deleteModelBackend: endpoint({
    method: "DELETE",
    path: "/model-backends/:backendId",
    summary:
      "Disconnect a model server: its jobs stop, its keys and pending webhooks go (prediction runs stay)",
    params: BackendParams,
    status: 204,
  }),
  testModelBackend: endpoint({
    method: "POST",
    path: "/model-backends/:backendId/test",
    summary:
      "Test connection: GET /health, POST /setup and one POST /predict; every exact request and response (secrets masked) and the first mismatch converting the reply",
    params: BackendParams,
    body: ConnectionTestRequest,
    response: ConnectionTest,
  }),
  startModelBackendJob: endpoint({
    method: "POST",
    path: "/model-backends/:backendId/jobs",
    summary:
      "Predict images (all, unannotated, or listed) in the background; the job writes one prediction run",
    params: BackendParams,
    body: BackendJobCreate,
    response: ModelBackendJob,
    status: 201,
  }),
  listModelBackendJobs: endpoint({
    method: "GET",
    path: "/model-backends/:backendId/jobs",
    summary: "The model server's jobs, newest first, with progress",
    params: BackendParams,
    response: z.object({ items: z.array(ModelBackendJob) }),
  }),
  getModelBackendJob: endpoint({
    method: "GET",
    path: "/model-backend-jobs/:jobId",
    summary: "One job's progress (done / total / failed) and problems",
    params: JobParams,
    response: ModelBackendJob,
  }),
  cancelModelBackendJob: endpoint({
    method: "POST",
    path: "/model-backend-jobs/:jobId/cancel",
    summary: "Stop a queued or running job; it writes no prediction run",
    params: JobParams,
    response: ModelBackendJob,
  }),
  trainModelBackend: endpoint({
    method: "POST",
    path: "/model-backends/:backendId/train",
    summary: "Send START_TRAINING to the backend's /webhook; the exact request and response",
    params: BackendParams,
    response: TrainResult,
  }),
  listModelBackendWebhooks: endpoint({
    method: "GET",
    path: "/model-backends/:backendId/webhooks",
    summary: "The latest training webhooks sent (or waiting) to the backend, with their delivery state",
    params: BackendParams,
    response: z.object({ items: z.array(WebhookDelivery) }),
  }),
} as const;
