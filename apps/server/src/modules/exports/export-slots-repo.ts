import { sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema.js";

/**
 * Export slots shared by every process on one PostgreSQL database: slot `n` is the transaction
 * advisory lock (hashtext('labelbench export slots'), n). A process holds it in a transaction that
 * stays open while its export runs; the lock goes with the transaction, so a process that dies
 * (its connection closes) or stops answering (the transaction idles past its timeout, and the
 * server ends the session) frees its slot without anyone cleaning up.
 */
const SLOT_SPACE = "labelbench export slots";

/** Takes slot `slot` if no transaction holds it; false when one does. */
export const tryLockExportSlot = async (trx: Transaction<Database>, slot: number): Promise<boolean> => {
  const r = await sql<{
    locked: boolean;
  }>`SELECT pg_try_advisory_xact_lock(hashtext(${SLOT_SPACE}), ${slot}::int) AS locked`.execute(trx);
  return r.rows[0]?.locked === true;
};

/** The lease: the server ends this transaction's session once it idles `ms` without a heartbeat. */
export const setExportLease = async (trx: Transaction<Database>, ms: number): Promise<void> => {
  await sql`SELECT set_config('idle_in_transaction_session_timeout', ${String(Math.ceil(ms))}, true)`.execute(
    trx,
  );
};

/** Renews the lease (any statement resets the idle clock). */
export const renewExportLease = async (trx: Transaction<Database>): Promise<void> => {
  await sql`SELECT 1`.execute(trx);
};
