import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableLogBasedReplication } from "@/lib/replication/log-based";
import { MATRIX_DDL, MATRIX_ROWS } from "../support/type-matrix";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

enableLogBasedReplication();

describe.each([
  { plugin: "wal2json", source: "pg15" as const },
  { plugin: "pgoutput", source: "embedded" as const },
])("type matrix through the $plugin change stream: every value identical", ({ plugin, source }) => {
  let w: TEngineWorld;
  let columns: string[];

  beforeAll(async () => {
    w = await createEngineWorld({ source, name: `Types ${plugin}` });
    await sqlOn(w.sourceUrl, MATRIX_DDL);
    const cols = await sqlOn<{ attname: string }>(w.sourceUrl, `SELECT attname FROM pg_attribute WHERE attrelid = 'matrix'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
    columns = cols.map((c) => c.attname);
    await selectTable(w, { name: "matrix" }, { method: "log_based" });
  });
  afterAll(async () => {
    await w?.close();
  });

  async function expectIdentical() {
    const list = columns.map((c) => `"${c}"::text AS "${c}"`).join(", ");
    const src = await sqlOn(w.sourceUrl, `SELECT ${list} FROM matrix ORDER BY id`);
    const dst = await sqlOn(w.destUrl, `SELECT ${list} FROM "${w.schema}".matrix WHERE _sdc_deleted_at IS NULL ORDER BY id`);
    expect(dst).toHaveLength(src.length);
    for (let i = 0; i < src.length; i++) {
      for (const c of columns) expect({ row: i + 1, column: c, value: dst[i]![c] }).toEqual({ row: i + 1, column: c, value: src[i]![c] });
    }
  }

  it("inserts carry every type exactly", async () => {
    expect((await runJob(w)).error).toBeNull();
    await sqlOn(w.sourceUrl, MATRIX_ROWS);
    expect((await runJob(w)).error).toBeNull();
    await expectIdentical();
  });

  it("updates (TOASTed columns untouched) and a key change keep every value exactly", async () => {
    await sqlOn(w.sourceUrl, `UPDATE matrix SET i2 = coalesce(i2, 0) + 0, flag = NOT coalesce(flag, false); UPDATE matrix SET id = 40 WHERE id = 4`);
    expect((await runJob(w)).error).toBeNull();
    await expectIdentical();
  });
});
