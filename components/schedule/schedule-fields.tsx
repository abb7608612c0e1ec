"use client";
import { useDebounce } from "use-debounce";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { previewScheduleAction } from "@/lib/schedule/actions";
import { ANCHOR_MIN_FREQUENCY_MINUTES } from "@/lib/schedule/options";
import { CronInput, IntervalInputs } from "./schedule-inputs";
import { SchedulePreview } from "./schedule-preview";

export type TScheduleValue = { scheduleType: "interval" | "cron"; frequencyMinutes: number; anchorTime: string; cronExpression: string };

export const DEFAULT_SCHEDULE: TScheduleValue = { scheduleType: "interval", frequencyMinutes: 60, anchorTime: "", cronExpression: "" };

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
  const inputs = { value, update, fieldError, disabled };

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

      {value.scheduleType === "interval" ? <IntervalInputs {...inputs} /> : <CronInput {...inputs} />}

      <SchedulePreview result={result} />
    </div>
  );
}
