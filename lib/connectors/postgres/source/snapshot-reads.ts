import type pg from "pg";
import type { TRow } from "../../types";
import { quoteLiteral } from "@/lib/naming/identifiers";
import { copyTextRows } from "./copy-text-rows";
import { copyOut } from "./session";

async function begin(client: pg.Client, snapshot?: string): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
}

/** Runs `fn` in one read-only REPEATABLE READ transaction of the client: every read it makes sees one snapshot. */
export async function inSnapshot<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await begin(client);
  try {
    const out = await fn();
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/**
 * A COPY statement's rows in batches; with `snapshot` (one exported by another session), read in it: the
 * transaction that imports it is held open while the consumer takes the batches.
 */
export async function* readRows(client: pg.Client, sql: string, batchRows: number, snapshot?: string): AsyncGenerator<TRow[]> {
  if (!snapshot) {
    yield* copyTextRows(copyOut(client, sql), batchRows);
    return;
  }
  await begin(client, snapshot);
  let ok = false;
  try {
    yield* copyTextRows(copyOut(client, sql), batchRows);
    ok = true;
  } finally {
    await client.query(ok ? "COMMIT" : "ROLLBACK").catch(() => undefined);
  }
}
