import { NO_VALUES, type TRelationInfo, type TStreamEvent, type TValue } from "./events";
import { readTuple, type TRawRelation, type TRawTuple } from "./raw-tuples";
import { streamKey } from "./stream-key";

/** A relation as the stream last described it. */
type TRelation = TRawRelation & { schema: string; table: string; relKey: string; columns: string[] };

/** Microseconds since 2000-01-01 (PostgreSQL's epoch) → ISO 8601 with microseconds. */
function pgMicrosToIso(us: bigint): string {
  const unixUs = us + 946_684_800_000_000n;
  const iso = new Date(Number(unixUs / 1000n)).toISOString(); // 2026-01-01T00:00:00.123Z
  const micros = (((unixUs % 1_000_000n) + 1_000_000n) % 1_000_000n).toString().padStart(6, "0");
  return `${iso.slice(0, 19)}.${micros}Z`;
}

/**
 * Decodes pgoutput (protocol version 1, text or binary values) straight from the wire into stream events whose
 * values are arrays aligned with the relation's columns. pg-logical-replication's parser does the same job
 * but builds an object per tuple and runs type parsers; at a few hundred thousand changes a job that was
 * most of the reader's CPU, so the hot path is ours. Message layouts: PostgreSQL's "Logical Replication
 * Message Formats".
 */
export class PgoutputDecoder {
  private readonly relations = new Map<number, TRelation>();
  private pos = 0;

  /** `readAs`: type OIDs (domains, enums) → the type their binary values are read as. */
  constructor(private readonly readAs: ReadonlyMap<number, number> = new Map()) {}

  /** Decodes the message starting at byte `at` of `buf` (the stream hands over its CopyData as it is). */
  decode(buf: Buffer, at = 0): TStreamEvent {
    this.pos = at + 1;
    switch (buf[at]) {
      case 0x42: // B: final LSN, commit time, xid
        return { kind: "begin", commitLsn: buf.readBigUInt64BE(at + 1), commitTime: pgMicrosToIso(buf.readBigInt64BE(at + 9)) };
      case 0x43: // C: flags, commit LSN, end LSN, commit time
        return { kind: "commit", endLsn: buf.readBigUInt64BE(at + 10), commitTime: pgMicrosToIso(buf.readBigInt64BE(at + 18)) };
      case 0x52:
        return this.relation(buf);
      case 0x49: {
        // I: relation, 'N', new tuple
        const rel = this.relationOf(buf);
        this.expect(buf, 0x4e);
        return { kind: "change", op: "insert", schema: rel.schema, table: rel.table, relKey: rel.relKey, columns: rel.columns, values: NO_VALUES, types: null, identity: null, raw: this.raw(buf, rel, false) };
      }
      case 0x55: {
        // U: relation, optional 'K' (key changed) or 'O' (REPLICA IDENTITY FULL) old tuple, 'N', new tuple
        const rel = this.relationOf(buf);
        let identity: TValue[] | null = null;
        const tag = buf[this.pos];
        if (tag === 0x4e) {
          // The new row alone (the key did not change): left in the message until the buffer stores it.
          this.pos++;
          return { kind: "change", op: "update", schema: rel.schema, table: rel.table, relKey: rel.relKey, columns: rel.columns, values: NO_VALUES, types: null, identity: null, raw: this.raw(buf, rel, false) };
        }
        if (tag === 0x4b || tag === 0x4f) {
          this.pos++;
          identity = this.tuple(buf, rel, tag === 0x4b);
        }
        this.expect(buf, 0x4e);
        const values = this.tuple(buf, rel);
        if (identity && tag === 0x4f) {
          // The old row is whole: an unchanged TOAST value of the new row is the old one.
          for (let i = 0; i < values.length; i++) if (values[i] === undefined) values[i] = identity[i];
        }
        return { kind: "change", op: "update", schema: rel.schema, table: rel.table, relKey: rel.relKey, columns: rel.columns, values, types: null, identity, raw: null };
      }
      case 0x44: {
        // D: relation, 'K' or 'O', old tuple
        const rel = this.relationOf(buf);
        const tag = buf[this.pos++];
        if (tag !== 0x4b && tag !== 0x4f) throw new Error(`pgoutput: a delete on ${rel.schema}.${rel.table} without its old key`);
        if (tag === 0x4b) return { kind: "change", op: "delete", schema: rel.schema, table: rel.table, relKey: rel.relKey, columns: rel.columns, values: [], types: null, identity: NO_VALUES, raw: this.raw(buf, rel, true) };
        const identity = this.tuple(buf, rel, false);
        return { kind: "change", op: "delete", schema: rel.schema, table: rel.table, relKey: rel.relKey, columns: rel.columns, values: [], types: null, identity, raw: null };
      }
      case 0x54: {
        // T: relation count, options, relation ids
        const n = buf.readInt32BE(at + 1);
        const tables: { schema: string; table: string }[] = [];
        for (let i = 0; i < n; i++) {
          const rel = this.relations.get(buf.readUInt32BE(at + 6 + 4 * i));
          if (rel) tables.push({ schema: rel.schema, table: rel.table });
        }
        return { kind: "truncate", tables };
      }
      default:
        // Y (type), O (origin), M (logical message): nothing to apply.
        return { kind: "other" };
    }
  }

  private expect(buf: Buffer, tag: number): void {
    if (buf[this.pos] !== tag) throw new Error(`pgoutput: expected '${String.fromCharCode(tag)}', got ${buf[this.pos]}`);
    this.pos++;
  }

  private cstring(buf: Buffer): string {
    const end = buf.indexOf(0, this.pos);
    if (end < 0) throw new Error("pgoutput: unterminated string");
    const s = buf.toString("utf8", this.pos, end);
    this.pos = end + 1;
    return s;
  }

  private relationOf(buf: Buffer): TRelation {
    const id = buf.readUInt32BE(this.pos);
    this.pos += 4;
    const rel = this.relations.get(id);
    if (!rel) throw new Error(`pgoutput: a change for relation ${id} arrived before its description`);
    return rel;
  }

  private relation(buf: Buffer): TStreamEvent {
    const id = buf.readUInt32BE(this.pos);
    this.pos += 4;
    const schema = this.cstring(buf) || "pg_catalog";
    const table = this.cstring(buf);
    const replicaIdentity = String.fromCharCode(buf[this.pos++]!);
    const n = buf.readInt16BE(this.pos);
    this.pos += 2;
    const columns: TRelationInfo["columns"] = [];
    for (let i = 0; i < n; i++) {
      const flags = buf[this.pos++]!;
      const name = this.cstring(buf);
      const typeOid = buf.readUInt32BE(this.pos);
      const typeMod = buf.readInt32BE(this.pos + 4);
      this.pos += 8;
      columns.push({ name, typeOid, typeMod, key: (flags & 1) === 1 });
    }
    // A new description (schema change) replaces the old one; changes after it use the new columns.
    this.relations.set(id, { schema, table, relKey: streamKey(schema, table), columns: columns.map((c) => c.name), isKey: columns.map((c) => c.key), typeOids: Int32Array.from(columns, (c) => this.readAs.get(c.typeOid) ?? c.typeOid) });
    return { kind: "relation", relation: { schema, table, columns, replicaIdentity } };
  }

  private raw(buf: Buffer, rel: TRelation, keyOnly: boolean): TRawTuple {
    return { buf, pos: this.pos, keyOnly, rel };
  }

  /** TupleData → values aligned with the relation's columns ('u' unchanged TOAST → undefined). */
  private tuple(buf: Buffer, rel: TRelation, keyOnly = false): TValue[] {
    const { values, end } = readTuple(buf, this.pos, rel, keyOnly);
    this.pos = end;
    return values;
  }
}
