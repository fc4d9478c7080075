import type { Deps } from "../../deps.js";

/**
 * Deletes the stored files of images no row (and no upload in flight) references any more, the
 * tile pyramid in the background. Call it after the rows are gone; the rule is in stored-files.ts.
 */
export const removeImageFiles = (deps: Pick<Deps, "files">, shas: string[]) => deps.files.collect(shas);
