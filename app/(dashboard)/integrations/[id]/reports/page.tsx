import Link from "next/link";
import { getDb } from "@/db/client";
import { allTablesReport, parseRange, REPORT_RANGES, rowsLoadedOverTime, tableLoadsReport } from "@/lib/reports/loading";
import { AllTablesTable, RangePicker, TableLoadsTable } from "@/components/reports/loading-reports";
import { RowsChart } from "@/components/reports/rows-chart";
import { TableVerificationsTable } from "@/components/reports/verification";
import { tableVerificationCells } from "@/lib/reports/verification";
import { tableLabel } from "@/components/reports/format";
import { bookmarksForRole } from "@/lib/replication/state-log";
import { requireSessionContext } from "@/lib/server/session";

/** Loading Reports tab: all tables (?range=24h|7d|30d) or one table (?table=<key>), with rows loaded over time and Verify's verdicts. */
export default async function LoadingReportsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ range?: string; table?: string }> }) {
  const session = await requireSessionContext();
  const { id } = await params;
  const sp = await searchParams;
  const range = parseRange(sp.range);
  const table = sp.table || undefined;
  const db = getDb();
  const base = `/integrations/${id}/reports`;
  const chart = await rowsLoadedOverTime(db, session.team.id, id, range, table);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          {table ? (
            <>
              <Link href={`${base}?range=${range}`} className="text-sm text-indigo-700 hover:underline">
                ← All tables
              </Link>
              <h2 className="font-mono text-lg font-semibold" title={table}>{tableLabel(table)}</h2>
            </>
          ) : (
            <h2 className="text-lg font-semibold">All tables</h2>
          )}
        </div>
        <RangePicker base={base} range={range} table={table} />
      </div>
      <RowsChart data={chart} hourly={range === "24h"} title={`Rows loaded over the last ${REPORT_RANGES[range].label}`} />
      {table ? (
        <>
          <TableLoadsTable rows={bookmarksForRole(await tableLoadsReport(db, session.team.id, id, table, range), session.role)} />
          <TableVerificationsTable rows={await tableVerificationCells(db, session.team.id, id, table)} />
        </>
      ) : (
        <AllTablesTable base={base} range={range} rows={bookmarksForRole(await allTablesReport(db, session.team.id, id, range), session.role)} />
      )}
    </div>
  );
}
