import { repairTables, verificationTargets, verifyTables, type TRepairOptions, type TTableRepair, type TTableVerification, type TVerifyOptions } from "@/lib/verify";
import type { TEngineWorld } from "./engine-harness";

type TExtra = Partial<Omit<TVerifyOptions, "source" | "destination" | "schema" | "integrationId">>;

/** Verify of the world's integration, tables found as a job finds them; `lines` collects the log. */
export async function verifyWorld(world: TEngineWorld, extra: TExtra = {}): Promise<{ results: TTableVerification[]; byTable: (name: string) => TTableVerification; lines: string[] }> {
  const targets = await verificationTargets(world.app.db, world.integration);
  const lines: string[] = [];
  const results = await verifyTables({ ...targets, log: (level, m) => lines.push(`${level}: ${m}`), ...extra });
  return { results, byTable: (name) => pick(results, name), lines };
}

/** Repair of the world's integration. */
export async function repairWorld(world: TEngineWorld, extra: TExtra & Pick<TRepairOptions, "batchRows"> = {}): Promise<{ repairs: TTableRepair[]; byTable: (name: string) => TTableRepair; lines: string[] }> {
  const targets = await verificationTargets(world.app.db, world.integration);
  const lines: string[] = [];
  const repairs = await repairTables({ ...targets, log: (level, m) => lines.push(`${level}: ${m}`), ...extra });
  return { repairs, byTable: (name) => pick(repairs, name), lines };
}

function pick<T extends { tableKey: string }>(list: T[], name: string): T {
  const quoted = `."${name.replace(/"/g, '""')}"`;
  const found = list.find((r) => r.tableKey.endsWith(quoted));
  if (!found) throw new Error(`No result for ${name} among ${list.map((r) => r.tableKey).join(", ")}`);
  return found;
}
