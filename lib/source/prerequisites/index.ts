import type pg from "pg";
import type { TSourceConnection } from "../connection";
import { replicationConnectionItem } from "./replication-connection";
import { canReplicate, connectItem, defaultPrivilegesItem, readRoleFacts, replicationPrivilegeItem, selectItem, toastItem, usageItem } from "./privileges";
import { outputPluginItem, primaryItem, readServerFacts, slotsAndSendersItem, standbySettingsItem, versionItem, walLevelItem } from "./server";
import { partitionsItem } from "./partitions";
import { peekItem, publicationItem, readSlotFacts, slotItem } from "./slot";
import { item, type TCheckItem, type TPrerequisiteReport } from "./types";

export * from "./types";

/**
 * The setup guide made live: every prerequisite of seed 001/004 checked on the connected database,
 * each with pass / warn / fail, why it matters and the fix filled in with the user's own names.
 */
export async function runPrerequisiteReport(
  client: pg.Client,
  opts: {
    flavour: "postgres" | "rds";
    database: string;
    /** Lets the report try a replication connection too. */
    connection?: TSourceConnection;
    /** A saved integration's destination schema: its own slot, if it has one, is the one checked. */
    integrationSchema?: string | null;
  },
): Promise<TPrerequisiteReport> {
  const rds = opts.flavour === "rds";
  const server = await readServerFacts(client);
  const role = await readRoleFacts(client);
  const slot = await readSlotFacts(client, opts.database, opts.integrationSchema ?? null);
  const walLogical = server.walLevel === "logical";
  const items: TCheckItem[] = [
    versionItem(server),
    await connectItem(client, role.user),
    await usageItem(client, role.user),
    await selectItem(client, role.user),
    await defaultPrivilegesItem(client, role),
    walLevelItem(server, { rds }),
    slotsAndSendersItem(server, { rds }, slot.exists),
    replicationPrivilegeItem(role, rds),
    await replicationConnectionItem(client, opts.connection ?? null, walLogical && canReplicate(role)),
    outputPluginItem(server, slot.exists ? slot.plugin : null),
    primaryItem(server),
    standbySettingsItem(server, { rds }),
    slotItem(slot, { database: opts.database, walLogical, canCreate: canReplicate(role) && !server.inRecovery }),
    publicationItem(slot, { canCreate: role.superuser }),
    await peekItem(client, slot, opts.database),
    await toastItem(client),
    await partitionsItem(client, server.versionNum, slot.exists ? slot.plugin : null),
    ...(rds ? [rdsBackupRetentionItem()] : []),
  ];
  return {
    checkedAt: new Date().toISOString(),
    flavour: opts.flavour,
    serverVersion: server.version,
    database: opts.database,
    user: role.user,
    slotName: slot.name,
    items,
    logBasedReady: !items.some((i) => i.logBasedOnly && i.status === "fail"),
  };
}

/** Not visible from SQL: the RDS console's backup retention (seed 004, step 4.2). */
function rdsBackupRetentionItem(): TCheckItem {
  return item({
    id: "rds_backup_retention",
    title: "Backup retention period (RDS)",
    status: "skip",
    logBasedOnly: true,
    summary: "Not visible from a database connection: check it in the RDS console.",
    why: "With a backup retention period over 1 day, changes can still be replicated after a job or the database was interrupted.",
    fix: { kind: "rds", text: "RDS console → Databases → this instance → Modify → Backup: set Backup retention period to more than 1 day, Apply Immediately." },
  });
}
