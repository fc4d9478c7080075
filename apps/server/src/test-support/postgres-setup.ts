import { afterAll } from "vitest";
import { dropMigratedTemplate } from "./postgres.js";

/** Vitest setup file (server project): the migrated template a test file made is dropped after it. */
afterAll(dropMigratedTemplate);
