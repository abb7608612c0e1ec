import { pgEnum, pgTable, text, timestamp, uuid, jsonb, boolean, bigint, uniqueIndex, index } from "drizzle-orm/pg-core";
import { integrations } from "./integrations";

export const relationKindEnum = pgEnum("relation_kind", ["table", "view", "materialized_view", "partitioned_table"]);

export type TCatalogColumn = {
  name: string;
  /** The type as PostgreSQL writes it: numeric(12,2), character varying(10), integer[]. */
  type: string;
  /** The underlying base type (domains resolved, typmod dropped): "integer", "timestamp with time zone"; arrays end in []. */
  baseType?: string;
  nullable: boolean;
  primaryKey: boolean;
  supported: boolean;
  unsupportedReason?: string;
  readable: boolean;
};

/** One discovered relation of an integration; replaced by each discovery run. */
export const catalogTables = pgTable(
  "catalog_tables",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    integrationId: uuid("integration_id").notNull().references(() => integrations.id, { onDelete: "cascade" }),
    // "<database>.<schema>.<table>" with each part quoted, unique within the integration.
    tableKey: text("table_key").notNull(),
    database: text("database").notNull(),
    schema: text("schema").notNull(),
    name: text("name").notNull(),
    kind: relationKindEnum("kind").notNull(),
    rowEstimate: bigint("row_estimate", { mode: "number" }),
    accessible: boolean("accessible").notNull().default(true),
    columns: jsonb("columns").$type<TCatalogColumn[]>().notNull(),
    discoveredAt: timestamp("discovered_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("catalog_tables_integration_key_unique").on(t.integrationId, t.tableKey),
    index("catalog_tables_integration_name_idx").on(t.integrationId, t.name),
  ],
);

export type TCatalogTable = typeof catalogTables.$inferSelect;
