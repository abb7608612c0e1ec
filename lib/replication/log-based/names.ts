/**
 * Slot and publication names, as the setup guide and the prerequisite report use them: one slot per
 * source database per integration, `stitch_<database>` (or a `stitch` slot in that database), and for
 * pgoutput a publication named like the slot. A slot is never shared by two consumers (both lose data).
 */
// One rule for slot names, shared with the prerequisite report (which looks slots up by the same names).
export { slotNameCandidates as slotCandidates, preferredSlotName, ownSlotName, publicationForSlot } from "@/lib/source/slot-names";
