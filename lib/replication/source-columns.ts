// The Log-based engine (lib/replication/log-based/, being reorganised separately) still imports these
// from here; everything else imports lib/connectors/postgres/source directly.
export { readSourceColumns, readSourcePrimaryKey, type TSourceColumn } from "@/lib/connectors/postgres/source/columns";
