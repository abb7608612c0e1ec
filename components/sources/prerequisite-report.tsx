"use client";
import { useState } from "react";
import type { TCheckItem, TCheckStatus, TPrerequisiteReport } from "@/lib/source/prerequisites/types";
import { CopyButton } from "./copy-button";

const BADGE: Record<TCheckStatus, string> = {
  pass: "bg-green-100 text-green-800",
  warn: "bg-amber-100 text-amber-800",
  fail: "bg-red-100 text-red-800",
  skip: "bg-slate-100 text-slate-600",
};
const WORD: Record<TCheckStatus, string> = { pass: "Pass", warn: "Warn", fail: "Fail", skip: "Skip" };
const FIX_LABEL: Record<string, string> = { sql: "SQL", "postgresql.conf": "postgresql.conf", "pg_hba.conf": "pg_hba.conf", rds: "RDS parameter group", text: "Fix" };

export type TReportActions = {
  onCreateSlot?: (plugin: "wal2json" | "pgoutput") => Promise<void>;
  onCreatePublication?: () => Promise<void>;
};

function ItemRow({ item, actions, busy, run }: { item: TCheckItem; actions: TReportActions; busy: boolean; run: (fn: () => Promise<void>) => void }) {
  return (
    <li className="border-t border-slate-100 py-3 first:border-t-0" data-check={item.id} data-status={item.status}>
      <div className="flex items-start gap-3">
        <span className={`mt-0.5 inline-flex w-12 justify-center rounded-full px-2 py-0.5 text-xs font-semibold ${BADGE[item.status]}`}>{WORD[item.status]}</span>
        <div className="min-w-0 flex-1 space-y-1">
          <h4 className="text-sm font-semibold">
            {item.title}
            {item.logBasedOnly ? <span className="ml-2 text-xs font-normal text-slate-500">Log-based only</span> : null}
          </h4>
          <p className="text-sm text-slate-800">{item.summary}</p>
          <p className="text-xs text-slate-500">{item.why}</p>
          {item.fix && item.status !== "pass" ? (
            <div className="mt-2 rounded-md border border-slate-200 bg-slate-50">
              <div className="flex items-center justify-between border-b border-slate-200 px-3 py-1">
                <span className="text-xs font-medium text-slate-600">{FIX_LABEL[item.fix.kind] ?? "Fix"}</span>
                <CopyButton text={item.fix.text} label={`Copy fix for ${item.title}`} />
              </div>
              <pre className="overflow-x-auto px-3 py-2 font-mono text-xs whitespace-pre-wrap text-slate-800">{item.fix.text}</pre>
            </div>
          ) : null}
          {item.action === "create_slot" && actions.onCreateSlot ? (
            <div className="flex flex-wrap gap-2 pt-1">
              <button type="button" disabled={busy} onClick={() => run(() => actions.onCreateSlot!("wal2json"))} className="rounded-md bg-indigo-600 px-3 py-1 text-xs font-semibold text-white hover:bg-indigo-500 disabled:bg-indigo-300">
                Create slot with wal2json
              </button>
              <button type="button" disabled={busy} onClick={() => run(() => actions.onCreateSlot!("pgoutput"))} className="rounded-md border border-slate-300 bg-white px-3 py-1 text-xs font-semibold text-slate-700 hover:bg-slate-50">
                Create slot with pgoutput
              </button>
            </div>
          ) : null}
          {item.action === "create_publication" && actions.onCreatePublication ? (
            <button type="button" disabled={busy} onClick={() => run(actions.onCreatePublication!)} className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-1 text-xs font-semibold text-slate-700 hover:bg-slate-50">
              Create publication
            </button>
          ) : null}
        </div>
      </div>
    </li>
  );
}

/** The live prerequisite report: each item's status, why it matters and the fix with the user's names. */
export function PrerequisiteReport({ report, actions = {} }: { report: TPrerequisiteReport; actions?: TReportActions }) {
  const [busy, setBusy] = useState(false);
  const run = (fn: () => Promise<void>) => {
    setBusy(true);
    void fn().finally(() => setBusy(false));
  };
  const fails = report.items.filter((i) => i.status === "fail");
  const logBlocking = fails.filter((i) => i.logBasedOnly).length;
  return (
    <section aria-label="Prerequisite report" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-base font-semibold">Prerequisite report</h3>
        <p className="text-xs text-slate-500">
          PostgreSQL {report.serverVersion} · database <code>{report.database}</code> · user <code>{report.user}</code> · checked {report.checkedAt.replace("T", " ").slice(0, 19)} UTC
        </p>
      </div>
      <p className={`mt-2 text-sm font-medium ${report.logBasedReady ? "text-green-700" : "text-amber-700"}`}>
        {report.logBasedReady
          ? "Log-based Replication is ready."
          : `Log-based Replication is blocked by ${logBlocking} item${logBlocking === 1 ? "" : "s"}; Key-based and Full Table replication can still run.`}
      </p>
      {busy ? <p className="mt-1 text-xs text-slate-500">Working…</p> : null}
      <ul className="mt-3">
        {report.items.map((i) => (
          <ItemRow key={i.id} item={i} actions={actions} busy={busy} run={run} />
        ))}
      </ul>
    </section>
  );
}
