/**
 * What the rest of the server may ask of the model-backend worker. Its own file, importing nothing,
 * so `deps.ts` can carry it without importing the worker (which imports `deps.ts`).
 */
export interface BackendJobs {
  /** Something was queued (a job, a webhook): look now rather than at the next poll. */
  wake(): void;
}
