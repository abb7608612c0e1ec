import type pg from "pg";
import { item, type TCheckItem } from "./types";

export type TServerFacts = {
  versionNum: number;
  version: string;
  walLevel: string;
  maxReplicationSlots: number;
  usedReplicationSlots: number;
  maxWalSenders: number;
  usedWalSenders: number;
  /** null when the release has no such setting. */
  outputPluginLibraries: string | null;
  /** The setting exists but only superusers (or pg_read_all_settings) may read it. */
  outputPluginLibrariesHidden: boolean;
  inRecovery: boolean;
  maxStandbyStreamingDelayMs: number;
  maxStandbyArchiveDelayMs: number;
  hotStandbyFeedback: string;
};

/**
 * output_plugin_libraries is readable by superusers only: current_setting(…, true) returns null when
 * the release lacks the setting and raises "must be superuser…" when it exists but is hidden.
 */
async function readOutputPluginLibraries(client: pg.Client): Promise<{ value: string | null; hidden: boolean }> {
  try {
    const { rows } = await client.query<{ v: string | null }>("SELECT current_setting('output_plugin_libraries', true) AS v");
    return { value: rows[0]?.v ?? null, hidden: false };
  } catch (e) {
    if (/must be superuser|pg_read_all_settings/i.test((e as Error).message)) return { value: null, hidden: true };
    throw e;
  }
}

export async function readServerFacts(client: pg.Client): Promise<TServerFacts> {
  const { rows } = await client.query<Record<string, string | null>>(`
    SELECT current_setting('server_version_num') AS version_num,
           current_setting('server_version') AS version,
           current_setting('wal_level') AS wal_level,
           current_setting('max_replication_slots') AS max_slots,
           (SELECT count(*) FROM pg_replication_slots) AS used_slots,
           current_setting('max_wal_senders') AS max_senders,
           (SELECT count(*) FROM pg_stat_replication) AS used_senders,
           pg_is_in_recovery()::text AS in_recovery,
           current_setting('max_standby_streaming_delay', true) AS streaming_delay,
           current_setting('max_standby_archive_delay', true) AS archive_delay,
           current_setting('hot_standby_feedback', true) AS hot_standby_feedback,
           (SELECT setting FROM pg_settings WHERE name = 'max_standby_streaming_delay') AS streaming_delay_ms,
           (SELECT setting FROM pg_settings WHERE name = 'max_standby_archive_delay') AS archive_delay_ms`);
  const r = rows[0]!;
  const plugins = await readOutputPluginLibraries(client);
  return {
    versionNum: Number(r.version_num),
    version: r.version ?? "",
    walLevel: r.wal_level ?? "",
    maxReplicationSlots: Number(r.max_slots ?? 0),
    usedReplicationSlots: Number(r.used_slots ?? 0),
    maxWalSenders: Number(r.max_senders ?? 0),
    usedWalSenders: Number(r.used_senders ?? 0),
    outputPluginLibraries: plugins.value,
    outputPluginLibrariesHidden: plugins.hidden,
    inRecovery: r.in_recovery === "true",
    maxStandbyStreamingDelayMs: Number(r.streaming_delay_ms ?? 0),
    maxStandbyArchiveDelayMs: Number(r.archive_delay_ms ?? 0),
    hotStandbyFeedback: r.hot_standby_feedback ?? "off",
  };
}

type TCtx = { rds: boolean };

export function versionItem(f: TServerFacts): TCheckItem {
  const why = "PostgreSQL 9.3 is the oldest release supported; logical decoding (Log-based Replication) arrived in 9.4.";
  if (f.versionNum < 90300) return item({ id: "version", title: "Server version", status: "fail", summary: `PostgreSQL ${f.version} is older than 9.3.`, why, fix: { kind: "text", text: "Upgrade the server to PostgreSQL 9.4 or later." } });
  if (f.versionNum < 90400)
    return item({ id: "version", title: "Server version", status: "fail", logBasedOnly: true, summary: `PostgreSQL ${f.version}: fine for Full Table and Key-based, too old for Log-based (9.4+).`, why, fix: { kind: "text", text: "Upgrade the server to PostgreSQL 9.4 or later to use Log-based Replication." } });
  return item({ id: "version", title: "Server version", status: "pass", summary: `PostgreSQL ${f.version}.`, why });
}

export function walLevelItem(f: TServerFacts, ctx: TCtx): TCheckItem {
  const why = "Only wal_level = logical writes the row changes that Log-based Replication reads from the write-ahead log.";
  if (f.walLevel === "logical") return item({ id: "wal_level", title: "wal_level", status: "pass", logBasedOnly: true, summary: "wal_level is logical.", why });
  return item({
    id: "wal_level",
    title: "wal_level",
    status: "fail",
    logBasedOnly: true,
    summary: `wal_level is ${f.walLevel}, not logical.`,
    why,
    fix: ctx.rds
      ? { kind: "rds", text: "In the instance's DB parameter group set rds.logical_replication = 1, then reboot the instance." }
      : { kind: "postgresql.conf", text: "wal_level = logical\n# then restart PostgreSQL" },
  });
}

export function slotsAndSendersItem(f: TServerFacts, ctx: TCtx, slotExists: boolean): TCheckItem {
  const why = "Log-based Replication needs one replication slot per database and a WAL sender while a job streams changes.";
  const summary = `max_replication_slots = ${f.maxReplicationSlots} (${f.usedReplicationSlots} in use), max_wal_senders = ${f.maxWalSenders} (${f.usedWalSenders} in use).`;
  const slots = Math.max(5, f.usedReplicationSlots + 1);
  const senders = Math.max(5, f.usedWalSenders + 1);
  const fix = ctx.rds
    ? { kind: "rds" as const, text: `In the DB parameter group set max_replication_slots = ${slots} and max_wal_senders = ${senders}, then reboot the instance.` }
    : { kind: "postgresql.conf" as const, text: `max_replication_slots = ${slots}\nmax_wal_senders = ${senders}\n# then restart PostgreSQL` };
  const noFreeSlot = !slotExists && f.usedReplicationSlots >= f.maxReplicationSlots;
  if (f.maxReplicationSlots < 1 || f.maxWalSenders < 1 || noFreeSlot || f.usedWalSenders >= f.maxWalSenders)
    return item({ id: "slots_senders", title: "max_replication_slots and max_wal_senders", status: "fail", logBasedOnly: true, summary: `${summary} No room for this integration.`, why, fix });
  if (f.maxReplicationSlots < 5 || f.maxWalSenders < 5)
    return item({ id: "slots_senders", title: "max_replication_slots and max_wal_senders", status: "warn", logBasedOnly: true, summary: `${summary} Works now; 5 or more leaves room for replicas and more databases.`, why, fix });
  return item({ id: "slots_senders", title: "max_replication_slots and max_wal_senders", status: "pass", logBasedOnly: true, summary, why });
}

/** Newer minor releases only load output plugins named in output_plugin_libraries. */
export function outputPluginItem(f: TServerFacts, slotPlugin: string | null): TCheckItem {
  const why = "Newer PostgreSQL releases only load the logical decoding output plugins listed in output_plugin_libraries; wal2json is not in its default.";
  if (f.outputPluginLibrariesHidden)
    return item({
      id: "output_plugin_libraries",
      title: "output_plugin_libraries",
      status: slotPlugin === "pgoutput" ? "pass" : "warn",
      logBasedOnly: true,
      summary: `This release has output_plugin_libraries, but only a superuser can read it.${slotPlugin === "pgoutput" ? " pgoutput is in its default." : " Ask a superuser to check that it lists wal2json (SHOW output_plugin_libraries;), or use pgoutput."}`,
      why,
      fix: slotPlugin === "pgoutput" ? null : { kind: "postgresql.conf", text: "output_plugin_libraries = 'pgoutput, test_decoding, wal2json'\n# then reload: SELECT pg_reload_conf();" },
    });
  if (f.outputPluginLibraries === null)
    return item({ id: "output_plugin_libraries", title: "output_plugin_libraries", status: "skip", logBasedOnly: true, summary: `PostgreSQL ${f.version} has no output_plugin_libraries setting: every installed output plugin may be used.`, why });
  const listed = f.outputPluginLibraries.split(",").map((s) => s.trim()).filter(Boolean);
  const withWal2json = [...listed.filter((p) => p !== "wal2json"), "wal2json"].join(", ");
  const fix = { kind: "postgresql.conf" as const, text: `output_plugin_libraries = '${withWal2json}'\n# then reload: SELECT pg_reload_conf();` };
  if (slotPlugin && !listed.includes(slotPlugin))
    return item({ id: "output_plugin_libraries", title: "output_plugin_libraries", status: "fail", logBasedOnly: true, summary: `output_plugin_libraries = '${f.outputPluginLibraries}' does not list ${slotPlugin}, the slot's plugin.`, why, fix: slotPlugin === "wal2json" ? fix : { kind: "postgresql.conf", text: `output_plugin_libraries = '${[...listed, slotPlugin].join(", ")}'\n# then reload: SELECT pg_reload_conf();` } });
  if (!slotPlugin && !listed.includes("wal2json"))
    return item({ id: "output_plugin_libraries", title: "output_plugin_libraries", status: listed.includes("pgoutput") ? "warn" : "fail", logBasedOnly: true, summary: `output_plugin_libraries = '${f.outputPluginLibraries}': wal2json cannot be used${listed.includes("pgoutput") ? "; pgoutput (with a publication) can" : ""}.`, why, fix });
  return item({ id: "output_plugin_libraries", title: "output_plugin_libraries", status: "pass", logBasedOnly: true, summary: `output_plugin_libraries = '${f.outputPluginLibraries}'${slotPlugin ? ` lists ${slotPlugin}` : ""}.`, why });
}

const EIGHT_HOURS_MS = 8 * 3600 * 1000;

export function primaryItem(f: TServerFacts): TCheckItem {
  const why = "Logical decoding runs on the primary (before PostgreSQL 16 a read replica cannot serve Log-based Replication).";
  if (!f.inRecovery) return item({ id: "primary", title: "Primary or read replica", status: "pass", logBasedOnly: true, summary: "Connected to a primary server.", why });
  if (f.versionNum >= 160000)
    return item({ id: "primary", title: "Primary or read replica", status: "warn", logBasedOnly: true, summary: "Connected to a read replica (PostgreSQL 16+ can decode on a standby; the slot must be created there and the primary needs hot_standby_feedback).", why });
  return item({ id: "primary", title: "Primary or read replica", status: "fail", logBasedOnly: true, summary: "Connected to a read replica: use Key-based or Full Table here, or connect the primary for Log-based.", why, fix: { kind: "text", text: "Connect this integration to the primary server to use Log-based Replication." } });
}

export function standbySettingsItem(f: TServerFacts, ctx: TCtx): TCheckItem {
  const why = "On a replica, long extraction queries are cancelled by recovery conflicts unless the standby delays are long (8–12 hours for the first job) and hot_standby_feedback is on.";
  if (!f.inRecovery) return item({ id: "standby_settings", title: "Read replica settings", status: "skip", summary: "Not a read replica.", why });
  const okDelay = (ms: number) => ms === -1 || ms >= EIGHT_HOURS_MS;
  const problems: string[] = [];
  const lines: string[] = [];
  if (!okDelay(f.maxStandbyStreamingDelayMs)) {
    problems.push(`max_standby_streaming_delay is ${f.maxStandbyStreamingDelayMs} ms`);
    lines.push("max_standby_streaming_delay = 8h");
  }
  if (!okDelay(f.maxStandbyArchiveDelayMs)) {
    problems.push(`max_standby_archive_delay is ${f.maxStandbyArchiveDelayMs} ms`);
    lines.push("max_standby_archive_delay = 8h");
  }
  if (f.hotStandbyFeedback !== "on") {
    problems.push("hot_standby_feedback is off");
    lines.push("hot_standby_feedback = on");
  }
  if (problems.length === 0) return item({ id: "standby_settings", title: "Read replica settings", status: "pass", summary: "Standby delays are 8 hours or more and hot_standby_feedback is on.", why });
  return item({
    id: "standby_settings",
    title: "Read replica settings",
    status: "warn",
    summary: `${problems.join("; ")}.`,
    why,
    fix: ctx.rds
      ? { kind: "rds", text: `In the replica's DB parameter group set ${lines.map((l) => l.replace(" = 8h", " = 28800000").replace(" = on", " = 1")).join(", ")} (decrease the delays after the first job).` }
      : { kind: "postgresql.conf", text: `${lines.join("\n")}\n# then reload: SELECT pg_reload_conf(); (decrease the delays after the first job)` },
  });
}
