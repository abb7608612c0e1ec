import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, appendFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { openSourceClient, type TSourceConnection } from "@/lib/source/connection";
import { runPrerequisiteReport, type TCheckItem, type TPrerequisiteReport } from "@/lib/source/prerequisites";
import { createIntegration } from "@/lib/integrations/create-integration";
import { createPublication, createReplicationSlot } from "@/lib/integrations/update-prerequisites";
import { replicationConnectionItem } from "@/lib/source/prerequisites/replication-connection";
import { partitionsItem } from "@/lib/source/prerequisites/partitions";
import { createAppDatabase, createEmptyDatabase, withDatabase, type TTestAppDb } from "../support/databases";
import { withEnv } from "../support/env";
import { createTeamWithUser } from "../support/fixtures";
import { freePort } from "../support/ports";

const USER = `stitch "o'brien" ü`;
const QUSER = `"stitch ""o'brien"" ü"`;
const PW = "prereq-pw-1";

async function sql(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function report(conn: TSourceConnection, flavour: "postgres" | "rds" = "postgres"): Promise<TPrerequisiteReport> {
  const s = await openSourceClient(conn);
  try {
    return await runPrerequisiteReport(s.client, { flavour, database: conn.database });
  } finally {
    await s.close();
  }
}

const byId = (r: TPrerequisiteReport, id: string): TCheckItem => {
  const found = r.items.find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
};

describe("prerequisite report on PostgreSQL 15 (wal2json, SSL)", () => {
  const pg15 = inject("pg15");
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let app: TTestAppDb;
  let conn: TSourceConnection;

  beforeAll(async () => {
    app = await createAppDatabase();
    db = await createEmptyDatabase("pg15", "Pre Req");
    await sql(pg15.superuserUrl, `DROP ROLE IF EXISTS ${QUSER}; CREATE ROLE ${QUSER} LOGIN PASSWORD '${PW}'`);
    await sql(
      db.url,
      `CREATE SCHEMA "Sales ""EU"""; CREATE TABLE "Sales ""EU"""."Big ""Notes""" (id int PRIMARY KEY, body text, doc jsonb);
       CREATE TABLE "Sales ""EU""".plain (id int PRIMARY KEY, n int); CREATE TABLE public.pub_t (id int PRIMARY KEY, note text)`,
    );
    conn = { host: pg15.host, port: pg15.port, user: USER, password: PW, database: db.name, sslMode: "require" };
  });
  afterAll(async () => {
    await db.drop();
    await sql(pg15.superuserUrl, `DROP ROLE IF EXISTS ${QUSER}`);
    await app.close();
  });

  it("a user without privileges: schema usage, select and replication fail, with fix SQL quoting the hostile names", async () => {
    const r = await report(conn);
    expect(r.user).toBe(USER);
    expect(byId(r, "version")).toMatchObject({ status: "pass", summary: expect.stringContaining("PostgreSQL 15") });
    const usage = byId(r, "usage");
    expect(usage.status).toBe("warn"); // public is usable, "Sales "EU"" is not
    expect(usage.fix?.text).toBe(`GRANT USAGE ON SCHEMA "Sales ""EU""" TO ${QUSER};`);
    const select = byId(r, "select");
    expect(select.status).toBe("fail");
    expect(select.fix?.text).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "Sales ""EU""" TO ${QUSER};`);
    expect(select.fix?.text).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO ${QUSER};`);
    const repl = byId(r, "replication_privilege");
    expect(repl).toMatchObject({ status: "fail", logBasedOnly: true, fix: { kind: "sql", text: `ALTER ROLE ${QUSER} WITH REPLICATION;` } });
    const slot = byId(r, "slot");
    expect(slot.status).toBe("fail");
    expect(slot.action).toBeNull(); // this user may not create slots: no button, only the SQL
    expect(slot.fix?.text).toContain(`pg_create_logical_replication_slot('${r.slotName}', 'wal2json')`);
    expect(r.slotName).toBe(`stitch_${db.name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`);
    expect(byId(r, "default_privileges")).toMatchObject({ status: "warn", fix: { text: expect.stringContaining(`ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "Sales ""EU""" GRANT SELECT ON TABLES TO ${QUSER};`) } });
    expect(byId(r, "wal_level").status).toBe("pass");
    expect(byId(r, "primary").status).toBe("pass");
    expect(byId(r, "standby_settings").status).toBe("skip");
    expect(r.logBasedReady).toBe(false);
  });

  it("the fix SQL works as written: after running it, the items pass", async () => {
    const before = await report(conn);
    const fixes = ["usage", "select", "default_privileges", "replication_privilege"].map((id) => byId(before, id).fix!.text).join("\n");
    await sql(db.url, fixes);
    const r = await report(conn);
    for (const id of ["usage", "select", "default_privileges", "replication_privilege"]) expect(byId(r, id).status, id).toBe("pass");
    // Now the user may create the slot: the report offers the button.
    expect(byId(r, "slot")).toMatchObject({ status: "fail", action: "create_slot" });
  });

  it("output_plugin_libraries: checked on releases that have it, skipped on older ones", async () => {
    const r = await report(conn);
    const setting = (await sql(pg15.superuserUrl, "SELECT current_setting('output_plugin_libraries', true) AS v")).rows[0].v as string | null;
    const item = byId(r, "output_plugin_libraries");
    // This user is not a superuser: on releases with the setting it cannot read it and is told so.
    if (setting === null) expect(item.status).toBe("skip");
    else expect(item).toMatchObject({ status: "warn", summary: expect.stringContaining("only a superuser can read it") });
    // A superuser reads it and sees wal2json listed (the test cluster adds it).
    const su = new URL(pg15.superuserUrl);
    const asSuper = await report({ ...conn, user: "postgres", password: decodeURIComponent(su.password) });
    const superItem = byId(asSuper, "output_plugin_libraries");
    if (setting === null) expect(superItem.status).toBe("skip");
    else expect(superItem).toMatchObject({ status: "pass", summary: expect.stringContaining("wal2json") });
  });

  it("a TOAST table with default replica identity is reported with the ALTER TABLE fix", async () => {
    const r = await report(conn);
    const toast = byId(r, "toast");
    expect(toast.status).toBe("warn");
    expect(toast.summary).toContain(`Sales "EU".Big "Notes" (DEFAULT; body, doc)`);
    expect(toast.fix?.text).toContain(`ALTER TABLE "Sales ""EU"""."Big ""Notes""" REPLICA IDENTITY FULL;`);
    expect(toast.fix?.text).not.toContain("plain");
    await sql(db.url, toast.fix!.text);
    expect(byId(await report(conn), "toast").status).toBe("pass");
  });

  it("partitioned tables: named, with how Log-based reads them; before 13 pgoutput is said not to", async () => {
    expect(byId(await report(conn), "partitions")).toMatchObject({ status: "pass", summary: "No readable partitioned table." });
    await sql(db.url, `CREATE TABLE "Sales ""EU""".readings (id int, at date) PARTITION BY RANGE (at); CREATE TABLE "Sales ""EU""".readings_2026 PARTITION OF "Sales ""EU""".readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); GRANT SELECT ON ALL TABLES IN SCHEMA "Sales ""EU""" TO ${QUSER}`);
    const item = byId(await report(conn), "partitions");
    expect(item.status).toBe("pass");
    expect(item.summary).toContain(`"Sales ""EU""".readings: replicated as one table each under Log-based`);
    expect(item.summary).not.toContain("readings_2026");
    // PostgreSQL 10–12 cannot be started here: the same query, judged as a 12 server reading pgoutput would be.
    const s = await openSourceClient(conn);
    try {
      const old = await partitionsItem(s.client, 120_015, "pgoutput");
      expect(old).toMatchObject({ status: "warn", summary: expect.stringContaining("PostgreSQL 12 cannot publish a partitioned table through pgoutput") });
      expect(old.fix?.text).toContain("wal2json");
      expect((await partitionsItem(s.client, 120_015, "wal2json")).status).toBe("pass");
    } finally {
      await s.close();
    }
  });

  it("a slot with the wrong plugin fails with the drop-and-recreate fix", async () => {
    const name = (await report(conn)).slotName;
    await sql(db.url, `SELECT pg_create_logical_replication_slot('${name}', 'test_decoding')`);
    try {
      const r = await report(conn);
      expect(byId(r, "slot")).toMatchObject({ status: "fail", summary: expect.stringContaining("test_decoding") });
      expect(byId(r, "slot").fix?.text).toContain(`SELECT pg_drop_replication_slot('${name}');`);
      expect(byId(r, "peek").status).toBe("skip");
    } finally {
      await sql(db.url, `SELECT pg_drop_replication_slot('${name}')`);
    }
  });

  it("the offered button creates the wal2json slot; the user can then peek it and log-based is ready", async () => {
    const { team, user } = await createTeamWithUser(app.db);
    const actor = { teamId: team.id, userId: user.id, email: user.email };
    const created = await createIntegration(app.db, actor, {
      flavour: "postgres", name: "PG15 source", password: PW, includeSchemaNames: false, logBased: true,
      host: pg15.host, port: pg15.port, username: USER, database: db.name,
      sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "verify-full", sslCa: pg15.caPem,
    });
    expect(created.saved).toBe(true);
    if (!created.saved) return;
    const run = await createReplicationSlot(app.db, actor, created.id, "wal2json");
    const r = run.report!;
    expect(byId(r, "slot")).toMatchObject({ status: "pass", summary: expect.stringContaining("wal2json") });
    expect(byId(r, "publication").status).toBe("skip");
    expect(byId(r, "peek").status).toBe("pass");
    expect(byId(r, "replication_connection")).toMatchObject({ status: "pass", summary: expect.stringContaining("can open a replication connection") });
    expect(r.logBasedReady).toBe(true);
    await expect(createReplicationSlot(app.db, actor, created.id, "wal2json")).rejects.toThrow(/already exists/);

    // A slot nobody reads keeps WAL on the source: the report says how much, and warns past the threshold.
    expect(byId(await report(conn), "slot").summary).toMatch(/retains \d+\.\d MB of WAL\.$/);
    await sql(db.url, "CREATE TABLE wal_filler AS SELECT g, md5(g::text) AS m FROM generate_series(1, 20000) g");
    const slot = byId(await withEnv("RETAINED_WAL_WARN_MB", "0.5", () => report(conn)), "slot");
    expect(slot).toMatchObject({ status: "warn", summary: expect.stringMatching(/^Replication slot \S+ retains \d+\.\d MB of WAL on the source \(threshold 0\.5 MB\)/) });
    expect(slot.fix?.text).toMatch(/SELECT pg_drop_replication_slot\('stitch_\w+'\);$/);
    await sql(db.url, "DROP TABLE wal_filler");
  });

  it("a refused replication connection fails the item with the server's reason", async () => {
    await sql(pg15.superuserUrl, `ALTER ROLE ${QUSER} NOREPLICATION`);
    try {
      const s = await openSourceClient(conn);
      try {
        const r = await runPrerequisiteReport(s.client, { flavour: "postgres", database: conn.database, connection: conn });
        // Without REPLICATION the item waits for the privilege item's fix…
        expect(byId(r, "replication_connection").status).toBe("skip");
        // …and tried anyway, the server refuses the WAL sender.
        const tried = await replicationConnectionItem(s.client, conn, true);
        expect(tried).toMatchObject({ status: "fail", logBasedOnly: true, summary: expect.stringMatching(/replication connection was refused: .*(replication role|REPLICATION)/) });
      } finally {
        await s.close();
      }
    } finally {
      await sql(pg15.superuserUrl, `ALTER ROLE ${QUSER} REPLICATION`);
    }
  });

  it("the RDS flavour words its fixes for RDS (rds_replication, parameter group)", async () => {
    await sql(pg15.superuserUrl, `ALTER ROLE ${QUSER} NOREPLICATION`);
    const r = await report(conn, "rds");
    expect(byId(r, "replication_privilege")).toMatchObject({ title: "rds_replication role", status: "fail", fix: { text: `GRANT rds_replication TO ${QUSER};` } });
    await sql(pg15.superuserUrl, `ALTER ROLE ${QUSER} REPLICATION`);
  });
});

describe("prerequisite report on the embedded server (pgoutput)", () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let app: TTestAppDb;
  beforeAll(async () => {
    app = await createAppDatabase();
    db = await createEmptyDatabase("embedded", "pgout");
    await sql(db.url, "CREATE TABLE t (id int PRIMARY KEY, v text)");
  });
  afterAll(async () => {
    await db.drop();
    await app.close();
  });

  it("a superuser gets both buttons; pgoutput slot plus publication pass and the slot can be peeked", async () => {
    const u = new URL(inject("embeddedUrl"));
    const { team, user } = await createTeamWithUser(app.db);
    const actor = { teamId: team.id, userId: user.id, email: user.email };
    const created = await createIntegration(app.db, actor, {
      flavour: "postgres", name: "Embedded", password: decodeURIComponent(u.password), includeSchemaNames: false, logBased: true,
      host: u.hostname, port: Number(u.port), username: "postgres", database: db.name,
      sshEnabled: false, sshHost: null, sshPort: 22, sshUser: null, sslMode: "disable", sslCa: null,
    });
    if (!created.saved) throw new Error(created.diagnosis.failure?.message);
    expect(byId(created.report!, "slot").action).toBe("create_slot");
    expect(byId(created.report!, "publication")).toMatchObject({ status: "warn", action: "create_publication" });
    const afterSlot = await createReplicationSlot(app.db, actor, created.id, "pgoutput");
    const r = afterSlot.report!;
    expect(byId(r, "slot")).toMatchObject({ status: "pass", summary: expect.stringContaining("pgoutput") });
    expect(byId(r, "publication")).toMatchObject({ status: "pass", summary: expect.stringContaining("all tables") });
    expect(byId(r, "peek").status).toBe("pass");
    expect(r.logBasedReady).toBe(true);
    // Publication alone, again, is idempotent.
    expect((await createPublication(app.db, actor, created.id)).report?.logBasedReady).toBe(true);
  });
});

describe("prerequisite report on a read-only standby with wal_level = replica (pg_basebackup of PostgreSQL 15)", () => {
  const pg15 = inject("pg15");
  const BIN = "/usr/lib/postgresql/15/bin";
  let base: string;
  let port: number;
  const asPg = (cmd: string, args: string[], env: Record<string, string> = {}) => {
    const root = userInfo().uid === 0;
    const res = root
      ? spawnSync("runuser", ["-u", "postgres", "--", "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), cmd, ...args], { encoding: "utf8" })
      : spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr}`);
  };

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "pgr-standby-"));
    if (userInfo().uid === 0) chownSync(base, 101, 104);
    port = await freePort();
    const pw = new URL(pg15.superuserUrl).password;
    asPg(`${BIN}/pg_basebackup`, ["-h", pg15.host, "-p", String(pg15.port), "-U", "postgres", "-D", join(base, "data"), "-R", "-X", "stream", "-c", "fast"], { PGPASSWORD: pw });
    appendFileSync(join(base, "data", "postgresql.conf"), `\nport = ${port}\nwal_level = replica\nhot_standby = on\nhot_standby_feedback = off\nmax_standby_streaming_delay = 30s\nunix_socket_directories = '${base}'\n`);
    writeFileSync(join(base, "pw"), "");
    asPg(`${BIN}/pg_ctl`, ["-D", join(base, "data"), "-l", join(base, "log"), "-w", "-t", "60", "start"]);
  });
  afterAll(() => {
    try {
      asPg(`${BIN}/pg_ctl`, ["-D", join(base, "data"), "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("reports a replica: wal_level not logical, log-based blocked, standby delay and feedback advice with config lines", async () => {
    const pw = new URL(pg15.superuserUrl).password;
    const url = withDatabase(`postgres://postgres:${pw}@127.0.0.1:${port}/postgres`, "postgres");
    expect((await sql(url, "SELECT pg_is_in_recovery() AS r")).rows[0].r).toBe(true);
    const r = await report({ host: "127.0.0.1", port, user: "postgres", password: pw, database: "postgres", sslMode: "disable" });
    expect(byId(r, "wal_level")).toMatchObject({ status: "fail", fix: { kind: "postgresql.conf", text: expect.stringContaining("wal_level = logical") } });
    expect(byId(r, "primary")).toMatchObject({ status: "fail", summary: expect.stringContaining("read replica") });
    const standby = byId(r, "standby_settings");
    expect(standby.status).toBe("warn");
    expect(standby.fix?.text).toContain("max_standby_streaming_delay = 8h");
    expect(standby.fix?.text).toContain("hot_standby_feedback = on");
    expect(standby.fix?.text).toContain("max_standby_archive_delay = 8h");
    expect(byId(r, "slot").action).toBeNull();
    expect(r.logBasedReady).toBe(false);
    // Non-log-based items still pass: Key-based and Full Table can use the replica.
    expect(byId(r, "version").status).toBe("pass");
    const rds = await report({ host: "127.0.0.1", port, user: "postgres", password: pw, database: "postgres", sslMode: "disable" }, "rds");
    expect(byId(rds, "wal_level").fix).toEqual({ kind: "rds", text: expect.stringContaining("rds.logical_replication = 1") });
  });
});
