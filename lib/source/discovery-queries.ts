/**
 * The catalog queries discovery runs: one for the databases, then two per database (relations, columns),
 * whatever the number of tables. Chosen by server version (9.3 has no partitioned tables).
 */

export const DATABASES_SQL = `
SELECT d.datname AS name
FROM pg_catalog.pg_database d
WHERE NOT d.datistemplate
  AND d.datallowconn
  AND d.datname <> 'rdsadmin'
  AND pg_catalog.has_database_privilege(d.oid, 'CONNECT')
ORDER BY d.datname`;

/** Which relations discovery lists: tables, views, materialized views, partitioned parents (not partitions). */
function relationFilter(versionNum: number): string {
  const kinds = versionNum >= 100000 ? "('r','v','m','p')" : versionNum >= 90300 ? "('r','v','m')" : "('r','v')";
  const notPartition = versionNum >= 100000 ? "AND NOT c.relispartition" : "";
  return `c.relkind IN ${kinds} ${notPartition}
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%'
  AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
}

/** A partitioned parent's estimate is the sum of its leaf partitions' (it holds no rows itself). */
function partitionEstimate(versionNum: number): string {
  if (versionNum >= 120000) {
    return `(SELECT CASE WHEN bool_and(p.reltuples < 0) THEN NULL ELSE sum(greatest(p.reltuples, 0)) END
             FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class p ON p.oid = t.relid WHERE t.isleaf)`;
  }
  return `(SELECT sum(greatest(p.reltuples, 0)) FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid)`;
}

export function relationsSql(versionNum: number): string {
  const estimate = versionNum >= 100000 ? `WHEN 'p' THEN ${partitionEstimate(versionNum)}` : "";
  return `
SELECT c.oid::text AS oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS kind,
       (CASE c.relkind
          WHEN 'r' THEN CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples END
          WHEN 'm' THEN CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples END
          ${estimate}
          ELSE NULL END)::bigint::text AS row_estimate,
       (pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_any_column_privilege(c.oid, 'SELECT')) AS accessible
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${relationFilter(versionNum)}
ORDER BY n.nspname, c.relname`;
}

/**
 * Every column of every listed relation, in order: the type as PostgreSQL writes it (format_type keeps
 * typmods, arrays and schema-qualifies types outside the search path), its base type with domains
 * resolved (two levels), nullability, primary-key membership and whether this user may read it.
 */
export function columnsSql(versionNum: number): string {
  return `
SELECT a.attrelid::text AS oid,
       a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       pg_catalog.format_type(
         CASE WHEN t.typtype = 'd' THEN CASE WHEN bt.typtype = 'd' THEN bt.typbasetype ELSE bt.oid END ELSE t.oid END,
         NULL) AS base_type,
       NOT a.attnotnull AS nullable,
       COALESCE(a.attnum = ANY (pk.conkey), false) AS primary_key,
       pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS readable
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype AND t.typtype = 'd'
LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
WHERE a.attnum > 0
  AND NOT a.attisdropped
  AND ${relationFilter(versionNum)}
ORDER BY a.attrelid, a.attnum`;
}
