import { binaryStagingTail } from "@/lib/connectors/postgres/destination/change-staging";
import type { TChangeMeta, TEntry } from "./entry";

/** binaryStagingTail of the last transaction seen, per kind (a transaction's changes share it). */
export class TransactionTails {
  private meta: TChangeMeta | null = null;
  private upsert: Buffer = Buffer.alloc(0);
  private delete: Buffer = Buffer.alloc(0);
  of(kind: TEntry["kind"], meta: TChangeMeta): Buffer {
    if (meta !== this.meta) {
      this.meta = meta;
      this.upsert = binaryStagingTail("upsert", meta.sequence, null);
      this.delete = binaryStagingTail("delete", meta.sequence, meta.at);
    }
    return kind === "delete" ? this.delete : this.upsert;
  }
}
