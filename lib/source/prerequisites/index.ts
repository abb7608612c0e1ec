import type pg from "pg";
import { canReplicate, connectItem, defaultPrivilegesItem, readRoleFacts, replicationPrivilegeItem, selectItem, toastItem, usageItem } from "./privileges";
import { outputPluginItem, primaryItem, readServerFacts, slotsAndSendersItem, standbySettingsItem, versionItem, walLevelItem } from "./server";
import { peekItem, publicationItem, readSlotFacts, slotItem } from "./slot";
import type { TCheckItem, TPrerequisiteReport } from "./types";

export * from "./types";

/**
 * The setup guide made live: every prerequisite of seed 001/004 checked on the connected database,
 * each with pass / warn / fail, why it matters and the fix filled in with the user's own names.
 */
export async function runPrerequisiteReport(client: pg.Client, opts: { flavour: "postgres" | "rds"; database: string }): Promise<TPrerequisiteReport> {
  const rds = opts.flavour === "rds";
  const server = await readServerFacts(client);
  const role = await readRoleFacts(client);
  const slot = await readSlotFacts(client, opts.database);
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
    outputPluginItem(server, slot.exists ? slot.plugin : null),
    primaryItem(server),
    standbySettingsItem(server, { rds }),
    slotItem(slot, { database: opts.database, walLogical, canCreate: canReplicate(role) && !server.inRecovery }),
    publicationItem(slot, { canCreate: role.superuser }),
    await peekItem(client, slot, opts.database),
    await toastItem(client),
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
