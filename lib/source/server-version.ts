import type pg from "pg";

/** The server's version as a number (server_version_num: 150004 for 15.4). */
export async function serverVersionNum(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Number(r.rows[0]?.v ?? 0);
}
