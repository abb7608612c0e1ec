import type pg from "pg";
import { classifyConnectError } from "@/lib/source/connect-errors";
import { quoteIdent } from "@/lib/naming/identifiers";
import { destinationSslMode, openDestinationClient, type TDestinationConnection } from "./connection";

export type TCheckStatus = "pass" | "warn" | "fail";

export type TDestinationCheckItem = {
  id: "connection" | "version" | "create" | "information_schema" | "pg_catalog" | "ssl";
  label: string;
  status: TCheckStatus;
  detail: string;
  /** Why the loader needs it. */
  why?: string;
  /** The exact SQL that fixes it, with the user's names filled in (run as an owner or superuser). */
  fixSql?: string;
};

export type TDestinationCheck = { ok: boolean; items: TDestinationCheckItem[]; checkedAt: string };

const SSL_VERIFIED = {
  require: "server certificate not verified (SSL mode require)",
  "verify-ca": "server certificate verified against the CA (host name not checked: verify-ca)",
  "verify-full": "server certificate verified and issued for this host name (verify-full)",
} as const;

const truthy = (v: unknown) => v === true || v === "t" || v === "true";

/**
 * Tests the destination the way the loader uses it: connect (with SSL as configured), then the privileges
 * it needs — CREATE on the database (CREATE SCHEMA IF NOT EXISTS) and reading information_schema and
 * pg_catalog (to verify schemas and tables before loading). Nothing is written.
 */
export async function checkDestination(conn: TDestinationConnection): Promise<TDestinationCheck> {
  const items: TDestinationCheckItem[] = [];
  const done = (): TDestinationCheck => ({ ok: items.every((i) => i.status !== "fail"), items, checkedAt: new Date().toISOString() });
  const sslMode = destinationSslMode(conn);
  let client: pg.Client;
  try {
    client = await openDestinationClient({ ...conn, connectTimeoutMs: conn.connectTimeoutMs ?? 10_000 }, "pgreplicate-destination-check");
  } catch (err) {
    const classified = classifyConnectError(err, { host: conn.host, port: conn.port, user: conn.user, database: conn.database, sslMode, timeoutMs: conn.connectTimeoutMs ?? 10_000 });
    items.push({ id: "connection", label: "Connection", status: "fail", detail: classified.message });
    return done();
  }
  try {
    items.push({ id: "connection", label: "Connection", status: "pass", detail: `Connected to ${conn.host}:${conn.port} as ${conn.user}, database ${conn.database}.` });
    const user = quoteIdent(conn.user);
    const db = quoteIdent(conn.database);

    const [info] = (await client.query(`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`)).rows as { num: string; version: string }[];
    const num = Number(info?.num ?? 0);
    items.push({
      id: "version",
      label: "Server version",
      status: num >= 90300 ? "pass" : "warn",
      detail: `PostgreSQL ${info?.version ?? "unknown"}${num >= 90300 ? "" : ": 9.3 or later is recommended"}.`,
    });

    const [priv] = (await client.query(`SELECT has_database_privilege(current_user, current_database(), 'CREATE') AS can_create`)).rows as { can_create: string }[];
    items.push({
      id: "create",
      label: "CREATE on the database",
      status: truthy(priv?.can_create) ? "pass" : "fail",
      detail: truthy(priv?.can_create) ? `${conn.user} can create schemas in ${conn.database}.` : `${conn.user} cannot create schemas in ${conn.database}.`,
      why: "Each integration's data goes into its own schema, made with CREATE SCHEMA IF NOT EXISTS. CREATE on a schema is not enough: it does not allow creating the schema itself.",
      ...(truthy(priv?.can_create) ? {} : { fixSql: `GRANT CREATE ON DATABASE ${db} TO ${user};` }),
    });

    const readable = async (sql: string): Promise<string | null> => {
      try {
        await client.query(sql);
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    };
    const infoErr = await readable(`SELECT table_schema, table_name FROM information_schema.tables LIMIT 1; SELECT column_name FROM information_schema.columns LIMIT 1`);
    items.push({
      id: "information_schema",
      label: "SELECT on information_schema",
      status: infoErr ? "fail" : "pass",
      detail: infoErr ? `Reading information_schema failed: ${infoErr}` : "information_schema is readable.",
      why: "Before loading, the loader checks which schemas, tables and columns exist. It only ever reads system tables.",
      ...(infoErr ? { fixSql: `GRANT SELECT ON ALL TABLES IN SCHEMA information_schema TO ${user};` } : {}),
    });
    const catErr = await readable(`SELECT c.relname, a.attname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid LIMIT 1`);
    items.push({
      id: "pg_catalog",
      label: "SELECT on pg_catalog",
      status: catErr ? "fail" : "pass",
      detail: catErr ? `Reading pg_catalog failed: ${catErr}` : "pg_catalog is readable.",
      why: "Column types and primary keys of destination tables are read from pg_catalog before loading.",
      ...(catErr ? { fixSql: `GRANT SELECT ON ALL TABLES IN SCHEMA pg_catalog TO ${user};` } : {}),
    });

    if (sslMode !== "disable") {
      const [s] = (await client.query(`SELECT ssl::text AS ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).catch(() => ({ rows: [] }))).rows as { ssl: string; version: string | null }[];
      items.push({
        id: "ssl",
        label: "SSL",
        status: "pass",
        detail: s && truthy(s.ssl) ? `Encrypted (${s.version ?? "TLS"}), ${SSL_VERIFIED[sslMode]}.` : "Encrypted connection established.",
      });
    }
    return done();
  } finally {
    await client.end().catch(() => undefined);
  }
}
