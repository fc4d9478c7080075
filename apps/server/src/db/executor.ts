import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** What a repo runs on: the database, or a transaction on it, so one function serves both. */
export type Executor = Kysely<Database> | Transaction<Database>;
