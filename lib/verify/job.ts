import { and, eq } from "drizzle-orm";
import { integrations, type TIntegration } from "@/db/schema";
import type { TJobContext, TJobHandler, TJobOutcome } from "@/lib/jobs/worker";
import { tableLabel } from "@/lib/reports/table-label";
import { repairTables, type TTableRepair } from "./repair";
import { verifyTables } from "./run";
import { recordVerification, verificationLabel } from "./store";
import { verificationTargets, type TVerificationTargets } from "./targets";
import { VerifyStopped, type TTableVerification, type TVerifyLogLevel } from "./types";

/** job_runs.kind of the Verify and Repair jobs (they run in the extract queue: see lib/jobs/queue.ts). */
export const VERIFY_JOB_KIND = "verify";
export const REPAIR_JOB_KIND = "repair";

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function integrationOf(ctx: TJobContext): Promise<TIntegration> {
  const { db, run } = ctx;
  if (!run.integrationId) throw new Error("A Verify job needs an integration");
  const [row] = await db.select().from(integrations).where(and(eq(integrations.id, run.integrationId), eq(integrations.teamId, run.teamId))).limit(1);
  if (!row) throw new Error("The integration no longer exists");
  return row;
}

/** Every verdict line goes to the job's Extraction Log. */
function logTo(ctx: TJobContext): (level: TVerifyLogLevel, m: string) => void {
  return (level, m) => (level === "error" ? ctx.log.error("main", m) : level === "warn" ? ctx.log.warn("main", m) : ctx.log.info("main", m));
}

/**
 * The engine's catch-up: an extraction inside this job (same run, log and stop flag), so changes in
 * flight reach the destination before differences are looked at again. A failed catch-up is said in
 * the log and Verify goes on (its verdict then notes a destination behind the source).
 */
function catchUpWith(ctx: TJobContext, extract: TJobHandler, rows: { loaded: number }): (tableKeys: string[]) => Promise<void> {
  return async (tableKeys) => {
    ctx.log.info("main", "Verify: catch-up extraction, so changes in flight are not counted as differences");
    try {
      const outcome = await extract({ ...ctx, onlyTables: new Set(tableKeys) });
      rows.loaded += outcome.rowsLoaded ?? 0;
      if (outcome.outcome !== "succeeded") ctx.log.warn("main", `Verify: the catch-up extraction ended ${outcome.outcome}${outcome.message ? ` (${outcome.message})` : ""}`);
    } catch (err) {
      ctx.log.warn("main", `Verify: the catch-up extraction failed (${message(err)}); comparing with the destination as it is`);
    }
  };
}

async function targetsOf(ctx: TJobContext, integration: TIntegration): Promise<TVerificationTargets> {
  const t = await verificationTargets(ctx.db, integration);
  for (const key of t.missing) ctx.log.warn("main", `Verify ${key}: not verified: the table is selected but was not found by the last discovery`);
  ctx.log.info("main", `Verify: comparing ${t.tables.length} table(s) at the source with schema ${integration.schemaName} at the destination`);
  return t;
}

type TVerdictCounts = { identical: number; differs: number; errors: TTableVerification[]; skipped: number };

function countVerdicts(results: TTableVerification[]): TVerdictCounts {
  return {
    identical: results.filter((r) => r.status === "identical").length,
    differs: results.filter((r) => r.status === "differs").length,
    errors: results.filter((r) => r.status === "error"),
    skipped: results.filter((r) => r.status === "skipped").length,
  };
}

/** "2 identical, 1 differs (public.items: 3 rows differ)": the job's one-line account. */
function summarize(results: TTableVerification[]): string {
  const c = countVerdicts(results);
  const differing = results.filter((r) => r.status === "differs").map((r) => `${tableLabel(r.tableKey)}: ${verificationLabel(r)}`);
  const parts = [`${c.identical} identical`, `${c.differs} with differences${differing.length ? ` (${differing.slice(0, 3).join("; ")}${differing.length > 3 ? "; …" : ""})` : ""}`];
  if (c.skipped) parts.push(`${c.skipped} not verified`);
  if (c.errors.length) parts.push(`${c.errors.length} failed`);
  return parts.join(", ");
}

/** A table Verify could not compare is a failure of the job; differences are findings, not failures. */
function outcomeOf(results: TTableVerification[], rowsLoaded: number, what: string): TJobOutcome {
  const { errors } = countVerdicts(results);
  const summary = `${what}: ${summarize(results)}`;
  if (errors.length === 0) return { outcome: "succeeded", rowsLoaded, message: summary };
  const names = errors.slice(0, 3).map((r) => `${tableLabel(r.tableKey)} (${(r.error ?? "unknown error").split("\n")[0]})`).join("; ");
  if (errors.length === results.length) throw new Error(`${what} failed for every table: ${names}`);
  return { outcome: "partial", rowsLoaded, message: `${errors.length} of ${results.length} table(s) could not be verified: ${names}. ${summary}` };
}

/** Compares every tracked table, storing each verdict under this run as soon as it is known. */
async function verifyIntegration(ctx: TJobContext, integration: TIntegration, extract: TJobHandler): Promise<{ results: TTableVerification[]; rowsLoaded: number }> {
  const rows = { loaded: 0 };
  const targets = await targetsOf(ctx, integration);
  const results = await verifyTables({
    ...targets,
    log: logTo(ctx),
    catchUp: catchUpWith(ctx, extract, rows),
    shouldStop: () => ctx.shouldStop(),
    onTable: async (result) => {
      await recordVerification(ctx.db, { teamId: integration.teamId, integrationId: integration.id, jobRunId: ctx.run.id, result });
      if (ctx.shouldStop()) throw new VerifyStopped();
    },
  });
  return { results, rowsLoaded: rows.loaded };
}

/** The `verify` job: Verify of every tracked table of the run's integration. */
export async function runVerifyJob(ctx: TJobContext, extract: TJobHandler): Promise<TJobOutcome> {
  const integration = await integrationOf(ctx);
  try {
    const { results, rowsLoaded } = await verifyIntegration(ctx, integration, extract);
    return outcomeOf(results, rowsLoaded, "Verify");
  } catch (err) {
    if (err instanceof VerifyStopped) return { outcome: "stopped", rowsLoaded: 0, message: "Verify stopped before every table was compared" };
    throw err;
  }
}

/** Stores what Repair did to each table: Verify's verdict after it, with the rows it wrote. */
async function recordRepairs(ctx: TJobContext, integration: TIntegration, repairs: TTableRepair[]): Promise<void> {
  for (const r of repairs) {
    const result = r.error ? { ...r.after, error: `Repair failed: ${r.error}` } : r.after;
    await recordVerification(ctx.db, { teamId: integration.teamId, integrationId: integration.id, jobRunId: ctx.run.id, result, repairedRows: r.repairedRows });
    if (r.before.status === "differs" && r.before.compared === "whole_table") {
      ctx.log.warn("main", `Repair ${r.tableKey}: not repaired: a table without a usable key is compared as a whole; Reset Keys copies it again`);
    }
  }
}

/** The `repair` job: Verify, re-copy only the differing rows, Verify again; the rows written are counted. */
export async function runRepairJob(ctx: TJobContext, extract: TJobHandler): Promise<TJobOutcome> {
  const integration = await integrationOf(ctx);
  const rows = { loaded: 0 };
  const targets = await targetsOf(ctx, integration);
  let repairs: TTableRepair[];
  try {
    repairs = await repairTables({ ...targets, log: logTo(ctx), catchUp: catchUpWith(ctx, extract, rows), shouldStop: () => ctx.shouldStop() });
  } catch (err) {
    // Each batch re-copied before the stop is committed and stands; the next Verify shows what is left.
    if (err instanceof VerifyStopped) return { outcome: "stopped", rowsLoaded: rows.loaded, message: "Repair stopped before every differing row was re-copied" };
    throw err;
  }
  await recordRepairs(ctx, integration, repairs);
  const written = repairs.reduce((n, r) => n + r.repairedRows, 0);
  ctx.log.info("main", `Repair: ${written} row(s) written in ${repairs.filter((r) => r.repairedRows > 0).length} table(s)`);
  const outcome = outcomeOf(
    repairs.map((r) => (r.error ? { ...r.after, status: "error" as const, error: r.error } : r.after)),
    rows.loaded + written,
    "Repair",
  );
  return { ...outcome, message: `${written} row(s) repaired. ${outcome.message ?? ""}`.trim() };
}

/**
 * "Verify after each job": a successful extraction is followed by a Verify in the same job (verdicts
 * stored under its run). Verify's own trouble is logged; the extraction's outcome stands.
 */
export async function verifyAfterExtraction(ctx: TJobContext, outcome: TJobOutcome, extract: TJobHandler): Promise<TJobOutcome> {
  if (outcome.outcome !== "succeeded" || ctx.shouldStop()) return outcome;
  const integration = await integrationOf(ctx);
  if (!integration.verifyAfterJob) return outcome;
  ctx.log.info("main", "Verify after each job is on: verifying every table");
  try {
    const { results, rowsLoaded } = await verifyIntegration(ctx, integration, extract);
    const summary = `Verify: ${summarize(results)}`;
    ctx.log.info("main", summary);
    return { ...outcome, rowsLoaded: (outcome.rowsLoaded ?? 0) + rowsLoaded, message: [outcome.message, summary].filter(Boolean).join("; ") };
  } catch (err) {
    ctx.log.error("main", err instanceof VerifyStopped ? "Verify after the job stopped on request" : `Verify after the job failed: ${message(err)}`);
    return outcome;
  }
}

/**
 * The extract queue's handler: a run of kind `verify` or `repair` is Verify or Repair, anything else an
 * extraction (followed by Verify when the integration asks for it). `extract` also serves as the catch-up.
 */
export function withVerifyJobs(extract: TJobHandler): TJobHandler {
  return async (ctx) => {
    if (ctx.run.kind === VERIFY_JOB_KIND) return runVerifyJob(ctx, extract);
    if (ctx.run.kind === REPAIR_JOB_KIND) return runRepairJob(ctx, extract);
    return verifyAfterExtraction(ctx, await extract(ctx), extract);
  };
}
