import type pg from "pg";
import { z } from "zod";
import type { TPgCapabilities } from "./session";

const ZSettings = z.object({ version: z.string(), counts: z.string() });

/**
 * What the server offers the merges. Merges are counted with the statistics' per-transaction counters,
 * unless the server does not keep them. MERGE from PostgreSQL 15; counted by RETURNING merge_action()
 * where the statistics are off, which needs 17. Otherwise INSERT … ON CONFLICT.
 */
export async function readCapabilities(client: pg.Client): Promise<TPgCapabilities> {
  // Values arrive as text (the client parses no types).
  const res = await client.query(`SELECT current_setting('server_version_num') AS version, current_setting('track_counts') AS counts`);
  const settings = ZSettings.safeParse(res.rows[0]);
  const countByStats = settings.success && settings.data.counts === "on";
  const version = settings.success ? Number(settings.data.version) : 0;
  return { countByStats, useMerge: version >= 170000 || (version >= 150000 && countByStats) };
}
