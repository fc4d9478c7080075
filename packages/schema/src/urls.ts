import type { z } from "zod";
import { type Api, api, type EndpointName } from "./contract.js";

/** Where the API is mounted: the server mounts its router here; clients and scripts start here. */
export const API_BASE = "/api/v1";

/** The values for an endpoint's `:name` path segments. */
export type PathParams<N extends EndpointName> = {
  readonly [K in keyof z.input<Api[N]["params"]>]: string | number;
};

/**
 * The path of one endpoint with its parameters filled in (each URL-encoded), from its contract
 * path: `apiPath("exportDataset", { projectId: 3 })` is `/api/v1/projects/3/export`.
 */
export const apiPath = <N extends EndpointName>(name: N, params?: PathParams<N>): string =>
  API_BASE +
  api[name].path.replace(/:(\w+)/g, (_, k: string) =>
    encodeURIComponent(String((params as Record<string, unknown> | undefined)?.[k] ?? "")),
  );

/** Headers of ours on the wire (names as sent; HTTP compares them case-insensitively). */
export const HEADERS = {
  /** On an export: the server's estimate of the zip's size in bytes (it streams, so no Content-Length). */
  exportEstimatedBytes: "X-Labelbench-Estimated-Bytes",
  /** On an export: how many images the zip holds. */
  exportImages: "X-Labelbench-Images",
} as const;
