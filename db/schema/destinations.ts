import { pgTable, text, timestamp, uuid, integer, boolean, jsonb, uniqueIndex } from "drizzle-orm/pg-core";
import { teams } from "./auth";
import { sslModeEnum } from "./integrations";

/** One PostgreSQL destination per team (seed 003). */
export const destinations = pgTable(
  "destinations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: uuid("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
    host: text("host").notNull(),
    port: integer("port").notNull().default(5432),
    username: text("username").notNull(),
    passwordEnc: text("password_enc").notNull(),
    database: text("database").notNull(),
    /** Kept equal to ssl_mode <> 'disable' for readers that predate ssl_mode (migration 0004). */
    ssl: boolean("ssl").notNull().default(false),
    sslMode: sslModeEnum("ssl_mode").notNull().default("disable"),
    sslCa: text("ssl_ca"),
    /** The connector (lib/connectors/destination-kinds.ts validates kind and config together; migration 0005). */
    kind: text("kind").notNull().default("postgres"),
    /** The kind's own settings beyond the columns above (PostgreSQL: none). */
    config: jsonb("config").$type<unknown>().notNull().default({}),
    lastCheck: jsonb("last_check").$type<unknown>(),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("destinations_team_unique").on(t.teamId)],
);

export type TDestination = typeof destinations.$inferSelect;
