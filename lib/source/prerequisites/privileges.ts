import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";
import { item, type TCheckItem } from "./types";

const USER_SCHEMAS = `n.nspname NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

export type TRoleFacts = { user: string; superuser: boolean; replication: boolean; rdsReplication: boolean; rdsRoleExists: boolean };

export async function readRoleFacts(client: pg.Client): Promise<TRoleFacts> {
  const { rows } = await client.query<{ user: string; rolsuper: string; rolreplication: string; rds_exists: string; rds_member: string }>(`
    SELECT current_user AS user, r.rolsuper::text, r.rolreplication::text,
           (to_regrole('rds_replication') IS NOT NULL)::text AS rds_exists,
           (to_regrole('rds_replication') IS NOT NULL AND pg_has_role(current_user, 'rds_replication', 'MEMBER'))::text AS rds_member
    FROM pg_roles r WHERE r.rolname = current_user`);
  const r = rows[0]!;
  return { user: r.user, superuser: r.rolsuper === "true", replication: r.rolreplication === "true", rdsRoleExists: r.rds_exists === "true", rdsReplication: r.rds_member === "true" };
}

export function canReplicate(role: TRoleFacts): boolean {
  return role.superuser || role.replication || role.rdsReplication;
}

export function replicationPrivilegeItem(role: TRoleFacts, rds: boolean): TCheckItem {
  const why = rds
    ? "On Amazon RDS the rds_replication role lets the user create and read logical replication slots."
    : "The REPLICATION attribute lets the user create and read logical replication slots.";
  const title = rds ? "rds_replication role" : "REPLICATION privilege";
  if (canReplicate(role)) {
    const how = role.superuser ? "is a superuser" : role.rdsReplication ? "is a member of rds_replication" : "has the REPLICATION attribute";
    return item({ id: "replication_privilege", title, status: "pass", logBasedOnly: true, summary: `${role.user} ${how}.`, why });
  }
  return item({
    id: "replication_privilege",
    title,
    status: "fail",
    logBasedOnly: true,
    summary: `${role.user} cannot use replication slots.`,
    why,
    fix: { kind: "sql", text: rds || role.rdsRoleExists ? `GRANT rds_replication TO ${quoteIdent(role.user)};` : `ALTER ROLE ${quoteIdent(role.user)} WITH REPLICATION;` },
  });
}

export async function connectItem(client: pg.Client, user: string): Promise<TCheckItem> {
  const { rows } = await client.query<{ datname: string; ok: string }>(
    "SELECT datname, has_database_privilege(datname, 'CONNECT')::text AS ok FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
  );
  const can = rows.filter((r) => r.ok === "true").map((r) => r.datname);
  const cannot = rows.filter((r) => r.ok !== "true").map((r) => r.datname);
  const why = "CONNECT lets the user open each database; discovery lists every database the user can connect to.";
  const summary = `Can connect to ${can.length} database(s): ${can.join(", ") || "none"}.${cannot.length ? ` Not to: ${cannot.join(", ")}.` : ""}`;
  return item({
    id: "connect",
    title: "CONNECT on databases",
    status: "pass",
    summary,
    why,
    fix: cannot.length ? { kind: "sql", text: cannot.map((d) => `GRANT CONNECT ON DATABASE ${quoteIdent(d)} TO ${quoteIdent(user)};`).join("\n") } : null,
  });
}

export async function usageItem(client: pg.Client, user: string): Promise<TCheckItem> {
  const { rows } = await client.query<{ nspname: string; ok: string }>(
    `SELECT n.nspname, has_schema_privilege(n.oid, 'USAGE')::text AS ok FROM pg_namespace n WHERE ${USER_SCHEMAS} ORDER BY n.nspname`,
  );
  const missing = rows.filter((r) => r.ok !== "true").map((r) => r.nspname);
  const why = "USAGE on a schema is needed to see and read the tables in it.";
  if (missing.length === 0) return item({ id: "usage", title: "USAGE on schemas", status: "pass", summary: `USAGE on all ${rows.length} schema(s).`, why });
  return item({
    id: "usage",
    title: "USAGE on schemas",
    status: missing.length === rows.length ? "fail" : "warn",
    summary: `No USAGE on: ${missing.join(", ")}.`,
    why,
    fix: { kind: "sql", text: missing.map((s) => `GRANT USAGE ON SCHEMA ${quoteIdent(s)} TO ${quoteIdent(user)};`).join("\n") },
  });
}

export async function selectItem(client: pg.Client, user: string): Promise<TCheckItem> {
  const { rows } = await client.query<{ nspname: string; total: string; readable: string }>(`
    SELECT n.nspname, count(*)::text AS total, count(*) FILTER (WHERE has_table_privilege(c.oid, 'SELECT'))::text AS readable
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ${USER_SCHEMAS}
    GROUP BY n.nspname ORDER BY n.nspname`);
  const why = "SELECT on a table is needed to copy its rows.";
  const total = rows.reduce((s, r) => s + Number(r.total), 0);
  const readable = rows.reduce((s, r) => s + Number(r.readable), 0);
  const short = rows.filter((r) => r.readable !== r.total);
  if (total === 0) return item({ id: "select", title: "SELECT on tables", status: "warn", summary: "This database has no tables or views yet.", why });
  if (short.length === 0) return item({ id: "select", title: "SELECT on tables", status: "pass", summary: `SELECT on all ${total} table(s) and view(s).`, why });
  return item({
    id: "select",
    title: "SELECT on tables",
    status: readable === 0 ? "fail" : "warn",
    summary: `SELECT on ${readable} of ${total} table(s) and view(s); missing in ${short.map((r) => `${r.nspname} (${Number(r.total) - Number(r.readable)})`).join(", ")}.`,
    why,
    fix: { kind: "sql", text: short.map((r) => `GRANT SELECT ON ALL TABLES IN SCHEMA ${quoteIdent(r.nspname)} TO ${quoteIdent(user)};`).join("\n") },
  });
}

export async function defaultPrivilegesItem(client: pg.Client, role: TRoleFacts): Promise<TCheckItem> {
  const why = "Default privileges make tables created later readable by this user too, so new tables can be replicated without new grants.";
  if (role.superuser) return item({ id: "default_privileges", title: "Default privileges", status: "skip", summary: `${role.user} is a superuser and can read every new table.`, why });
  // Default privileges apply to objects a given role creates: check each role that owns tables in the
  // schema (or the schema's owner; pg_database_owner stands for the database's owner).
  const { rows } = await client.query<{ nspname: string; owner: string; ok: string }>(`
    WITH schemas AS (
      SELECT n.oid, n.nspname, n.nspowner FROM pg_namespace n WHERE ${USER_SCHEMAS}
    ), owners AS (
      SELECT DISTINCT s.oid, s.nspname, c.relowner AS owner
      FROM schemas s JOIN pg_class c ON c.relnamespace = s.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      UNION
      SELECT s.oid, s.nspname,
             CASE WHEN s.nspowner = to_regrole('pg_database_owner') THEN (SELECT datdba FROM pg_database WHERE datname = current_database()) ELSE s.nspowner END
      FROM schemas s WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = s.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
    )
    SELECT o.nspname, pg_get_userbyid(o.owner) AS owner,
      EXISTS (
        SELECT 1 FROM pg_default_acl d, aclexplode(d.defaclacl) a
        WHERE d.defaclobjtype = 'r' AND d.defaclrole = o.owner AND (d.defaclnamespace = o.oid OR d.defaclnamespace = 0)
          AND a.privilege_type = 'SELECT'
          AND (a.grantee = 0 OR pg_has_role(current_user, a.grantee, 'MEMBER'))
      )::text AS ok
    FROM owners o
    WHERE o.owner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
    ORDER BY o.nspname, 2`);
  const missing = rows.filter((r) => r.ok !== "true");
  if (missing.length === 0) return item({ id: "default_privileges", title: "Default privileges", status: "pass", summary: `New tables in ${[...new Set(rows.map((r) => r.nspname))].join(", ") || "no schema"} will be readable.`, why });
  return item({
    id: "default_privileges",
    title: "Default privileges",
    status: "warn",
    summary: `Tables created later in ${[...new Set(missing.map((r) => r.nspname))].join(", ")} (by ${[...new Set(missing.map((r) => r.owner))].join(", ")}) will not be readable by ${role.user}.`,
    why,
    fix: {
      kind: "sql",
      text: missing.map((r) => `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(r.owner)} IN SCHEMA ${quoteIdent(r.nspname)} GRANT SELECT ON TABLES TO ${quoteIdent(role.user)};`).join("\n"),
    },
  });
}

export async function toastItem(client: pg.Client): Promise<TCheckItem> {
  const { rows } = await client.query<{ nspname: string; relname: string; relreplident: string; cols: string }>(`
    SELECT n.nspname, c.relname, c.relreplident::text AS relreplident, string_agg(a.attname, ', ' ORDER BY a.attnum) AS cols
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    WHERE c.relkind = 'r' AND t.typstorage <> 'p' AND ${USER_SCHEMAS} AND has_table_privilege(c.oid, 'SELECT')
    GROUP BY n.nspname, c.relname, c.relreplident
    ORDER BY n.nspname, c.relname`);
  const why = "Unchanged TOASTed values (long text, json, arrays) are left out of logged updates unless REPLICA IDENTITY FULL; replication then keeps the destination's last value for them.";
  const notFull = rows.filter((r) => r.relreplident !== "f");
  if (rows.length === 0) return item({ id: "toast", title: "TOASTable columns and REPLICA IDENTITY", status: "pass", logBasedOnly: true, summary: "No readable table has TOASTable columns.", why });
  if (notFull.length === 0) return item({ id: "toast", title: "TOASTable columns and REPLICA IDENTITY", status: "pass", logBasedOnly: true, summary: `All ${rows.length} table(s) with TOASTable columns use REPLICA IDENTITY FULL.`, why });
  const ident: Record<string, string> = { d: "DEFAULT", i: "USING INDEX", n: "NOTHING" };
  const listed = notFull.slice(0, 25);
  const more = notFull.length - listed.length;
  return item({
    id: "toast",
    title: "TOASTable columns and REPLICA IDENTITY",
    status: "warn",
    logBasedOnly: true,
    summary: `${notFull.length} table(s) with TOASTable columns have REPLICA IDENTITY other than FULL: ${listed.map((r) => `${r.nspname}.${r.relname} (${ident[r.relreplident] ?? r.relreplident}; ${r.cols})`).join("; ")}${more > 0 ? `; and ${more} more` : ""}.`,
    why,
    fix: { kind: "sql", text: notFull.map((r) => `ALTER TABLE ${quoteIdent(r.nspname)}.${quoteIdent(r.relname)} REPLICA IDENTITY FULL;`).join("\n") },
  });
}
