// The Log-based engine (lib/replication/log-based/, being reorganised separately) still imports these
// from here; everything else imports lib/connectors/postgres/source directly.
export { copyOut, openSourceReader, relationSql } from "@/lib/connectors/postgres/source/session";
