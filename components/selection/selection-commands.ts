"use client";
import { cancelAction, finalizeAction, resetKeysAction, setColumnAction, trackAllAction, updateSettingsAction } from "@/lib/selection/actions";
import type { TCatalogListRow } from "@/lib/selection/catalog-query";
import { ActionError, unwrap } from "./api";
import type { TSettingsInput } from "./table-settings-dialog";

export type TRunChange = (fn: () => Promise<unknown>, message?: string) => void;

type TDeps = {
  integrationId: string;
  /** Runs one change at a time (the list greys out its buttons meanwhile), then reloads the catalog. */
  run: TRunChange;
  setNotice: (notice: string) => void;
  closeSettings: () => void;
  invalidate: () => Promise<unknown>;
};

/** The selection's changes, each with the notice the user reads after it. */
export function selectionCommands({ integrationId, run, setNotice, closeSettings, invalidate }: TDeps) {
  return {
    setColumn: (row: TCatalogListRow, column: string, selected: boolean) =>
      run(() => unwrap(setColumnAction({ integrationId, tableKey: row.tableKey, column, selected }))),
    trackAll: () =>
      run(async () => {
        // The label promises every table of the integration, whatever the current filter shows.
        const r = await unwrap(trackAllAction({ integrationId }));
        setNotice(`${r.tracked} tables tracked with all their fields. Finalize Your Selections to apply, or Cancel.`);
      }),
    resetKeys: (row: TCatalogListRow) =>
      run(() => unwrap(resetKeysAction({ integrationId, tableKey: row.tableKey })), `Keys of ${row.schema}.${row.name} will be reset by the next job once you finalize.`),
    cancel: () => run(() => unwrap(cancelAction({ integrationId })), "Pending changes discarded; the last finalized selections are back."),
    finalize: () =>
      run(async () => {
        const r = await unwrap(finalizeAction({ integrationId }));
        setNotice(`Selections finalized (${r.changed} table${r.changed === 1 ? "" : "s"}). They apply from the next job${r.resets.length ? `; ${r.resets.length} table(s) will be reset` : ""}.`);
      }),
    /** The settings dialog shows a failure next to its fields, so it comes back as a value. */
    saveSettings: async (row: TCatalogListRow, s: TSettingsInput) => {
      try {
        await unwrap(updateSettingsAction({ integrationId, tableKey: row.tableKey, ...s }));
        closeSettings();
        setNotice(`Settings of ${row.schema}.${row.name} updated. Finalize Your Selections to apply them.`);
        await invalidate();
      } catch (e) {
        if (e instanceof ActionError) return { error: e.message, fieldErrors: e.fieldErrors };
        return { error: e instanceof Error ? e.message : String(e) };
      }
    },
  };
}
