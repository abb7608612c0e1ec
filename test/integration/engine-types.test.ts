import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MATRIX_DDL, MATRIX_ROWS } from "../support/type-matrix";
import { createEngineWorld, runJob, selectTable, sqlOn, type TEngineWorld } from "../support/engine-harness";

describe("type matrix: every value identical at the destination (PostgreSQL 15 → 17)", () => {
  let w: TEngineWorld;
  let columns: string[];

  beforeAll(async () => {
    w = await createEngineWorld({ source: "pg15", name: "Type Matrix" });
    await sqlOn(w.sourceUrl, MATRIX_DDL + MATRIX_ROWS);
    const cols = await sqlOn<{ attname: string }>(w.sourceUrl, `SELECT attname FROM pg_attribute WHERE attrelid = 'matrix'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
    columns = cols.map((c) => c.attname);
  });
  afterAll(async () => {
    await w?.close();
  });

  async function expectIdentical(destTable: string) {
    const list = columns.map((c) => `"${c}"::text AS "${c}"`).join(", ");
    const src = await sqlOn(w.sourceUrl, `SELECT ${list} FROM matrix ORDER BY id`);
    const dst = await sqlOn(w.destUrl, `SELECT ${list} FROM "type_matrix"."${destTable}" ORDER BY id`);
    expect(dst).toHaveLength(4);
    for (let i = 0; i < src.length; i++) {
      for (const c of columns) expect({ row: i + 1, column: c, value: dst[i]![c] }).toEqual({ row: i + 1, column: c, value: src[i]![c] });
    }
  }

  it("Full Table keeps every value (enums, domains and extension types land as base type or text)", async () => {
    await selectTable(w, { name: "matrix" }, { method: "full_table" });
    const job = await runJob(w);
    expect(job.error).toBeNull();
    await expectIdentical("matrix");
    const types = await sqlOn(w.destUrl, `SELECT attname, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '"type_matrix".matrix'::regclass AND attname IN ('m', 'm_arr', 'code', 'pos', 'codes', 'hs', 'ci', 'pr', 'num_p', 'arr_2d', 'tr') ORDER BY attnum`);
    expect(Object.fromEntries(types.map((r) => [r.attname, r.t]))).toEqual({
      num_p: "numeric(10,3)", arr_2d: "integer[]", m: "text", m_arr: "text[]", code: "character varying(5)", pos: "integer", codes: "character varying(5)[]", tr: "tstzrange", hs: "text", ci: "text", pr: "text",
    });
  });

  it("Key-based (staging + merge) keeps every value too", async () => {
    await sqlOn(w.sourceUrl, `CREATE VIEW matrix_v AS SELECT * FROM matrix`);
    await selectTable(w, { name: "matrix_v" }, { method: "key_based", replicationKey: ["id"], viewKeyColumns: ["id"] });
    const job = await runJob(w, { batchRows: 2 });
    expect(job.error).toBeNull();
    await expectIdentical("matrix_v");
  });
});
