/** Rows of `jwt_sessions` one purge statement covers: each DELETE touches at most this many rows, so none holds locks for long. */
export const PURGE_BATCH_ROWS = 5000;

/** The two statements of a batched purge, over any client. */
export interface PurgeStatements {
  /** The id `rows` rows after `after` in primary-key order (from the start when undefined); undefined when fewer remain. */
  upperBound(after: string | undefined, rows: number): Promise<string | undefined>;
  /** Deletes the sessions with `after` < id <= `upTo` (open ends when undefined) that ended before `endedBefore`; returns how many. */
  deleteEnded(after: string | undefined, upTo: string | undefined, endedBefore: number): Promise<number>;
}

/**
 * Deletes ended sessions range by range along the primary key: an index-only read finds where the
 * next `rows` rows end, one DELETE removes the ended ones among them. Linear in the table, needs no
 * index on the expiry columns, and every statement is short: traffic keeps its row locks and the
 * database its undo log small however many sessions ended.
 */
export async function purgeInBatches(statements: PurgeStatements, endedBefore: number, rows = PURGE_BATCH_ROWS): Promise<number> {
  let purged = 0;
  let after: string | undefined;
  for (;;) {
    const upTo = await statements.upperBound(after, rows);
    purged += await statements.deleteEnded(after, upTo, endedBefore);
    if (upTo === undefined) return purged;
    after = upTo;
  }
}
