/**
 * Replication slot names for a database, in the order they are looked for: `stitch_<database>`, then
 * `stitch` (seed 001). Slot names may only hold a-z, 0-9 and `_` (63 bytes), so other characters of a
 * database name become `_`. The pgoutput publication has the same name as the slot.
 */
export function slotNameCandidates(database: string): [string, string] {
  const cleaned = database
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  return [`stitch_${cleaned}`.slice(0, 63), "stitch"];
}

/** The slot name to create when none exists yet. */
export function preferredSlotName(database: string): string {
  return slotNameCandidates(database)[0];
}

/**
 * The slot of a second integration on the same database: `stitch_<db>` already has a reader (another
 * integration), and a slot must have exactly one, so this integration gets `stitch_<db>_<schema>`. It
 * reads through the database's publication, named like `stitch_<db>` (publicationForSlot).
 */
export function ownSlotName(database: string, integrationSchema: string): string {
  const schema = integrationSchema.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const base = preferredSlotName(database);
  return `${base.slice(0, Math.max(8, 62 - schema.length))}_${schema}`.slice(0, 63);
}

/** The pgoutput publication a slot reads through: its own name, except for an integration's own slot. */
export function publicationForSlot(slot: string, database: string, integrationSchema: string | null): string {
  return integrationSchema !== null && slot === ownSlotName(database, integrationSchema) ? preferredSlotName(database) : slot;
}
