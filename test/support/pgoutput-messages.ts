/** Builders for pgoutput protocol-1 messages, as PostgreSQL's "Logical Replication Message Formats" lays them out. */
export const u8 = (n: number) => Buffer.from([n]);
export const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
export const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
export const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
export const str = (s: string) => Buffer.concat([Buffer.from(s, "utf8"), u8(0)]);
export const tag = (c: string) => Buffer.from(c, "ascii");

/** A tuple value: string = text value, Buffer = binary value, null = NULL, undefined = unchanged TOAST. */
export type TTupleValue = string | Buffer | null | undefined;

export const tuple = (values: TTupleValue[]) =>
  Buffer.concat([
    i16(values.length),
    ...values.map((v) => {
      if (v === null) return tag("n");
      if (v === undefined) return tag("u");
      if (Buffer.isBuffer(v)) return Buffer.concat([tag("b"), i32(v.length), v]);
      const bytes = Buffer.from(v, "utf8");
      return Buffer.concat([tag("t"), i32(bytes.length), bytes]);
    }),
  ]);

export const relation = (id: number, schema: string, name: string, identity: string, cols: { name: string; key?: boolean; oid?: number }[]) =>
  Buffer.concat([tag("R"), i32(id), str(schema), str(name), tag(identity), i16(cols.length), ...cols.map((c) => Buffer.concat([u8(c.key ? 1 : 0), str(c.name), i32(c.oid ?? 25), i32(-1)]))]);

export const insertMessage = (rel: number, values: (string | Buffer | null)[]) => Buffer.concat([tag("I"), i32(rel), tag("N"), tuple(values)]);
/** An update; `oldKey` (all columns, non-key ones null) when the key changed. */
export const updateMessage = (rel: number, values: TTupleValue[], oldKey?: (string | Buffer | null)[]) =>
  Buffer.concat([tag("U"), i32(rel), ...(oldKey ? [tag("K"), tuple(oldKey)] : []), tag("N"), tuple(values)]);
/** A delete by key: every column sent, the non-key ones as null. */
export const deleteMessage = (rel: number, oldKey: (string | Buffer | null)[]) => Buffer.concat([tag("D"), i32(rel), tag("K"), tuple(oldKey)]);
