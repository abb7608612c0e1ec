/**
 * Verify & Repair: proves a destination table is an exact copy of its source table, shows where it is
 * not, and re-copies only that.
 *
 *   const t = await verificationTargets(db, integration);          // tracked tables, connections
 *   const results = await verifyTables({ ...t, log, catchUp, onTable });
 *   const repairs = await repairTables({ ...t, log });             // verify → re-copy differing rows → verify
 *   await recordVerification(db, { teamId, integrationId, jobRunId, result });
 */
export { verifyTables, describeVerification } from "./run";
export { repairTables, type TRepairOptions, type TTableRepair } from "./repair";
export { verificationTargets, type TVerificationTargets } from "./targets";
export { withVerifyJobs, runVerifyJob, runRepairJob, verifyAfterExtraction, VERIFY_JOB_KIND, REPAIR_JOB_KIND } from "./job";
export { recordVerification, verificationsOfRun, latestVerifications, tableVerificationHistory, verificationLabel, type TStoredVerification } from "./store";
export {
  newVerifyStats,
  VerifyStopped,
  ZDifferingKey,
  ZFirstKeys,
  FIRST_KEYS_MAX,
  type TDifferingKey,
  type TDifferenceKind,
  type TTableVerification,
  type TVerifyLogLevel,
  type TVerifyMethod,
  type TVerifyOptions,
  type TVerifyStats,
  type TVerifyStatus,
  type TVerifyTarget,
} from "./types";
