import { z } from "zod";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import {
  DatasetVersion,
  DiffSideParam,
  VersionCreate,
  VersionDiff,
  VersionDiffQuery,
  VersionNumberParam,
  VersionPatch,
} from "./versions.js";

/** Dataset versions (issue 17). Exports of a version: `exportDataset` with `?version=N`. */
const ProjectParams = z.object({ projectId: IdParam });
const VersionParams = z.object({ projectId: IdParam, version: VersionNumberParam });
const DiffParams = z.object({ projectId: IdParam, a: VersionNumberParam, b: DiffSideParam });

export const versionsApi = {
  listVersions: endpoint({
    method: "GET",
    path: "/projects/:projectId/versions",
    summary: "The project's dataset versions, newest first, with their counts",
    params: ProjectParams,
    response: z.object({ items: z.array(DatasetVersion) }),
  }),
  createVersion: endpoint({
    method: "POST",
    path: "/projects/:projectId/versions",
    summary:
      "Freeze the current annotations (and optionally a split) into the next numbered, immutable version",
    params: ProjectParams,
    body: VersionCreate,
    response: DatasetVersion,
    status: 201,
  }),
  getVersion: endpoint({
    method: "GET",
    path: "/projects/:projectId/versions/:version",
    summary: "One dataset version with its counts",
    params: VersionParams,
    response: DatasetVersion,
  }),
  updateVersion: endpoint({
    method: "PATCH",
    path: "/projects/:projectId/versions/:version",
    summary: "Change a version's note (nothing else of a version changes)",
    params: VersionParams,
    body: VersionPatch,
    response: DatasetVersion,
  }),
  deleteVersion: endpoint({
    method: "DELETE",
    path: "/projects/:projectId/versions/:version",
    summary: "Delete a version (its number is never given again)",
    params: VersionParams,
    status: 204,
  }),
  diffVersions: endpoint({
    method: "GET",
    path: "/projects/:projectId/versions/:a/diff/:b",
    summary:
      "Compare version a with version b (or `live`): images and shapes added, removed, changed, per label, and a page of the changed images",
    params: DiffParams,
    query: VersionDiffQuery,
    response: VersionDiff,
  }),
};
