"use client";
import { useDebounce } from "use-debounce";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { previewScheduleAction } from "@/lib/schedule/actions";
import { ANCHOR_MIN_FREQUENCY_MINUTES, FREQUENCY_MINUTES, frequencyLabel } from "@/lib/schedule/options";

export type TScheduleValue = { scheduleType: "interval" | "cron"; frequencyMinutes: number; anchorTime: string; cronExpression: string };

export const DEFAULT_SCHEDULE: TScheduleValue = { scheduleType: "interval", frequencyMinutes: 60, anchorTime: "", cronExpression: "" };


export function formatUtc(iso: string): string {
  const d = new Date(iso);
  const wd = d.toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });
  return `${wd} ${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const ERR = "text-sm text-red-600";

/**
 * The Schedule fields (Replication Frequency, Anchor Time, Cron Expression) with the next five start
 * times previewed by the server, which also validates the cron expression. Usable inside any <form>:
 * the values are posted as scheduleType, frequencyMinutes, anchorTime and cronExpression (parse them
 * with ZScheduleInputSchema from lib/schedule/options).
 */
export function ScheduleFields({
  defaultValue = DEFAULT_SCHEDULE,
  integrationId,
  errors = {},
  disabled = false,
  onChange,
}: {
  defaultValue?: TScheduleValue;
  integrationId?: string;
  errors?: Record<string, string>;
  disabled?: boolean;
  onChange?: (v: TScheduleValue) => void;
}) {
  const [value, setValue] = useState<TScheduleValue>(defaultValue);
  const update = (patch: Partial<TScheduleValue>) => {
    const next = { ...value, ...patch };
    if (next.frequencyMinutes < ANCHOR_MIN_FREQUENCY_MINUTES) next.anchorTime = "";
    setValue(next);
    onChange?.(next);
  };
  const debounced = useDebounce(value, 300)[0];
  const preview = useQuery({
    queryKey: ["schedule-preview", integrationId ?? null, debounced],
    queryFn: () => previewScheduleAction({ ...debounced, integrationId: integrationId ?? "" }),
    staleTime: 30_000,
  });
  const result = preview.data;
  const previewErrors = result && !result.ok ? result.fieldErrors : {};
  const fieldError = (k: string) => errors[k] ?? previewErrors[k];
  const anchorAllowed = value.frequencyMinutes >= ANCHOR_MIN_FREQUENCY_MINUTES;

  return (
    <div className="space-y-4">
      <input type="hidden" name="scheduleType" value={value.scheduleType} />
      <input type="hidden" name="frequencyMinutes" value={value.frequencyMinutes} />
      <input type="hidden" name="anchorTime" value={value.scheduleType === "interval" ? value.anchorTime : ""} />
      <input type="hidden" name="cronExpression" value={value.scheduleType === "cron" ? value.cronExpression : ""} />

      <fieldset className="space-y-2" disabled={disabled}>
        <legend className="text-sm font-medium text-slate-700">Schedule type</legend>
        <div className="flex flex-wrap gap-4">
          {(
            [
              ["interval", "Run at an interval"],
              ["cron", "Run on a cron schedule"],
            ] as const
          ).map(([type, label]) => (
            <label key={type} className="flex items-center gap-2 text-sm">
              <input type="radio" name="scheduleTypeChoice" checked={value.scheduleType === type} onChange={() => update({ scheduleType: type })} className="h-4 w-4 text-indigo-600" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>

      {value.scheduleType === "interval" ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor="schedule-frequency" className="block text-sm font-medium text-slate-700">
              Replication Frequency
            </label>
            <select
              id="schedule-frequency"
              disabled={disabled}
              value={value.frequencyMinutes}
              onChange={(e) => update({ frequencyMinutes: Number(e.target.value) })}
              aria-invalid={fieldError("frequencyMinutes") ? true : undefined}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
            >
              {FREQUENCY_MINUTES.map((m) => (
                <option key={m} value={m}>
                  {frequencyLabel(m)}
                </option>
              ))}
            </select>
            <p className="text-xs text-slate-500">Measured from the start of the previous job.</p>
            {fieldError("frequencyMinutes") ? <p className={ERR} role="alert">{fieldError("frequencyMinutes")}</p> : null}
          </div>
          <div className="space-y-1">
            <label htmlFor="schedule-anchor" className="block text-sm font-medium text-slate-700">
              Anchor Time
            </label>
            <input
              id="schedule-anchor"
              type="time"
              disabled={disabled || !anchorAllowed}
              value={value.anchorTime}
              onChange={(e) => update({ anchorTime: e.target.value })}
              aria-invalid={fieldError("anchorTime") ? true : undefined}
              aria-describedby="schedule-anchor-hint"
              className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm disabled:bg-slate-100"
            />
            <p id="schedule-anchor-hint" className="text-xs text-slate-500">
              {anchorAllowed ? "Optional, UTC. Jobs start at this time plus whole multiples of the frequency." : "Needs a Replication Frequency of 1 hour or more."}
            </p>
            {fieldError("anchorTime") ? <p className={ERR} role="alert">{fieldError("anchorTime")}</p> : null}
          </div>
        </div>
      ) : (
        <div className="space-y-1">
          <label htmlFor="schedule-cron" className="block text-sm font-medium text-slate-700">
            Cron Expression
          </label>
          <input
            id="schedule-cron"
            type="text"
            disabled={disabled}
            value={value.cronExpression}
            onChange={(e) => update({ cronExpression: e.target.value })}
            placeholder="0 0 2 * * ?"
            spellCheck={false}
            aria-invalid={fieldError("cronExpression") ? true : undefined}
            aria-describedby="schedule-cron-hint"
            className={`block w-full rounded-md border px-3 py-2 font-mono text-sm shadow-sm ${fieldError("cronExpression") ? "border-red-500" : "border-slate-300"}`}
          />
          <p id="schedule-cron-hint" className="text-xs text-slate-500">
            Quartz format in UTC: second minute hour day-of-month month day-of-week [year]; use ? in one of the day fields. Example: <code>0 30 2 ? * MON-FRI</code>
          </p>
          {fieldError("cronExpression") ? (
            <p className={ERR} role="alert" id="schedule-cron-error">
              {fieldError("cronExpression")}
            </p>
          ) : null}
        </div>
      )}

      <div className="rounded-md border border-slate-200 bg-slate-50 p-3" aria-live="polite">
        <h3 className="text-sm font-semibold text-slate-700">Next five start times (UTC)</h3>
        {result?.ok ? (
          <>
            <p className="text-xs text-slate-500">{result.data.description}</p>
            <ol aria-label="Next start times" className="mt-1 list-decimal pl-5 font-mono text-xs text-slate-800">
              {result.data.starts.map((s) => (
                <li key={s}>{formatUtc(s)}</li>
              ))}
            </ol>
          </>
        ) : result && !result.ok ? (
          <p className="text-xs text-slate-500">Fix the schedule to see its start times.</p>
        ) : (
          <p className="text-xs text-slate-500">Computing…</p>
        )}
      </div>
    </div>
  );
}
