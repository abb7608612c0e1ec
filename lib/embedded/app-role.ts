import type pg from "pg";
import { quoteIdent } from "@/lib/naming/identifiers";

/** The embedded default's own login for the product: owns the `app` database and nothing else. */
export const APP_USER = "pgreplicate_app";

/**
 * Hands every object of the current database that the connected superuser owns (schemas, tables,
 * views, sequences, types, functions: an install from before APP_USER, migrated and queued as the
 * superuser) to `owner`. Sequences and types that belong to a table follow it. Idempotent: on later
 * starts nothing is left to hand over.
 */
export function reassignToOwnerSql(owner: string): string {
  const to = quoteIdent(owner).replace(/'/g, "''");
  return `DO $$
DECLARE
  r record;
  me oid := (SELECT oid FROM pg_roles WHERE rolname = current_user);
BEGIN
  FOR r IN SELECT n.nspname FROM pg_namespace n
           WHERE n.nspowner = me AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO ${to}', r.nspname);
  END LOOP;
  FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relowner = me AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
             AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
             AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP
    EXECUTE format('ALTER %s %I.%I OWNER TO ${to}',
      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      r.nspname, r.relname);
  END LOOP;
  FOR r IN SELECT n.nspname, t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typowner = me AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
             AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')) LOOP
    EXECUTE format('ALTER %s %I.%I OWNER TO ${to}', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.nspname, r.typname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS routine FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proowner = me AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO ${to}', r.routine);
  END LOOP;
END $$`;
}

/**
 * Makes the `app` database belong to APP_USER: a fresh install creates it so; an older one (owned,
 * with its tables, by the superuser) is handed over on this start.
 */
export async function handAppDatabaseToAppUser(superuserOnApp: pg.Client): Promise<void> {
  await superuserOnApp.query(`ALTER DATABASE app OWNER TO ${quoteIdent(APP_USER)}`);
  await superuserOnApp.query(reassignToOwnerSql(APP_USER));
}
