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
