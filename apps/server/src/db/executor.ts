import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/**
 * What a repository function runs its queries on: the database itself or an open transaction, so
 * the same function serves both (a service opens the transaction, the repos run inside it).
 */
export type Executor = Kysely<Database> | Transaction<Database>;
