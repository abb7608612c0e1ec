/** A source server of the matrix. */
export type TSourceServer = { label: string; major: number; url: string; wal2json: boolean };

/** A cell: identical, not identical (with the first differing key or the error), or not applicable. */
export type TCell = { kind: "same" } | { kind: "differs"; detail: string } | { kind: "na"; why: string };

export const SAME: TCell = { kind: "same" };

/** The log-based ways of reading a slot: each is its own integration (the choice is per read). */
export const PLUGIN_MODES = ["pgoutput text", "pgoutput binary", "wal2json"] as const;
export type TPluginMode = (typeof PLUGIN_MODES)[number];
export const LOG_STAGES = ["ins", "upd", "toast", "del"] as const;
export type TLogStage = (typeof LOG_STAGES)[number];

export type TColumn = "Full Table" | "Key-based" | `${TPluginMode} ${TLogStage}`;
export const COLUMNS: TColumn[] = ["Full Table", "Key-based", ...PLUGIN_MODES.flatMap((p) => LOG_STAGES.map((s) => `${p} ${s}` as const))];

/** One server's cells: group name → column → cell. */
export type TServerMatrix = { server: TSourceServer; groups: string[]; cells: Map<string, Map<TColumn, TCell>>; seconds: number };
