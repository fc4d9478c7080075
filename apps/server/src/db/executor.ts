import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** What a repo runs its queries on: the database, or a transaction begun on it. */
export type Executor = Kysely<Database> | Transaction<Database>;
