import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** A connection or a transaction: a repo function taking one runs inside or outside a transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
