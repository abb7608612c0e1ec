import { eq } from "drizzle-orm";
import type { TDbOrTx } from "@/db/client";
import { destinations, type TIntegration } from "@/db/schema";
import { destinationConnectionFromRow } from "@/lib/destination/connection";
import { destinationTableName } from "@/lib/destination/naming";
import { getSelectedTables } from "@/lib/replication/selected-tables";
import { loadSourceConnection } from "@/lib/source/integration-connection";
import type { TVerifyOptions, TVerifyTarget } from "./types";

/** What verifyTables / repairTables need for an integration, found the way an extraction job finds it. */
export type TVerificationTargets = Pick<TVerifyOptions, "source" | "destination" | "schema" | "integrationId" | "tables"> & {
  /** Tracked tables whose catalog entry is gone (not verified). */
  missing: string[];
};

/**
 * The integration's tracked tables (finalized selections), their destination names, the source connection
 * and the team's destination: the same sources of truth as the extract job. Throws when the team has no
 * destination. The integration must already be loaded for its team (the caller's authorization).
 */
export async function verificationTargets(db: TDbOrTx, integration: TIntegration): Promise<TVerificationTargets> {
  const [destRow] = await db.select().from(destinations).where(eq(destinations.teamId, integration.teamId)).limit(1);
  if (!destRow) throw new Error("No destination is configured: set one on the Destination page");
  const { tables, missing } = await getSelectedTables(db, integration.id);
  const targets: TVerifyTarget[] = tables.map((t) => ({
    tableKey: t.tableKey,
    database: t.database,
    sourceSchema: t.schema,
    sourceTable: t.name,
    destinationTable: destinationTableName(t, integration.includeSchemaNames),
    columns: t.selection.columns,
    primaryKey: t.catalogPrimaryKey,
    method: t.selection.method,
    kind: t.kind,
  }));
  return {
    source: await loadSourceConnection(db, integration),
    destination: destinationConnectionFromRow(destRow),
    schema: integration.schemaName,
    integrationId: integration.id,
    tables: targets,
    missing,
  };
}
