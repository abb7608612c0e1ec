import { z } from "zod";
import { DESTINATION_KINDS, type TDestinationKind } from "./contracts";

/**
 * A stored destination's kind with its own settings (destinations.kind and .config, migration 0005),
 * one member per kind. PostgreSQL keeps its connection settings in the row's columns: its config is
 * empty. A second kind adds a member here, a folder under lib/connectors/, and rows: no migration.
 */
export const ZDestinationKindConfig = z.discriminatedUnion("kind", [z.object({ kind: z.literal("postgres"), config: z.object({}).strict() })]);
export type TDestinationKindConfig = z.infer<typeof ZDestinationKindConfig>;

const isKnownKind = (kind: string): kind is TDestinationKind => DESTINATION_KINDS.some((k) => k === kind);

/** A stored row's kind and config, validated: an unknown kind or bad config is an error that names it. */
export function destinationKindOf(row: { kind: string; config: unknown }): TDestinationKindConfig {
  if (!isKnownKind(row.kind)) throw new Error(`This version cannot write to a destination of kind "${row.kind}" (it knows ${DESTINATION_KINDS.join(", ")})`);
  const parsed = ZDestinationKindConfig.safeParse({ kind: row.kind, config: row.config });
  if (!parsed.success) throw new Error(`The ${row.kind} destination's settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
