/**
 * Slot and publication names, as the setup guide and the prerequisite report use them: one slot per
 * source database per integration, `stitch_<database>` (or a `stitch` slot in that database), and for
 * pgoutput a publication named like the slot. A slot is never shared by two consumers (both lose data).
 */
// One rule for slot names, shared with the prerequisite report (which looks slots up by the same names).
export { slotNameCandidates as slotCandidates, preferredSlotName } from "@/lib/source/slot-names";
import { preferredSlotName } from "@/lib/source/slot-names";

/**
 * The slot of a second integration on the same database: `stitch_<db>` already has a reader (another
 * integration), and a slot must have exactly one, so this integration gets `stitch_<db>_<schema>`.
 */
export function ownSlotName(database: string, integrationSchema: string): string {
  const schema = integrationSchema.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const base = preferredSlotName(database);
  return `${base.slice(0, Math.max(8, 62 - schema.length))}_${schema}`.slice(0, 63);
}
