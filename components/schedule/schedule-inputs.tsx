import { ANCHOR_MIN_FREQUENCY_MINUTES, FREQUENCY_MINUTES, frequencyLabel } from "@/lib/schedule/options";
import type { TScheduleValue } from "./schedule-fields";

const ERR = "text-sm text-red-600";

type TInputsProps = {
  value: TScheduleValue;
  update: (patch: Partial<TScheduleValue>) => void;
  fieldError: (k: string) => string | undefined;
  disabled: boolean;
};

/** Replication Frequency and Anchor Time (an anchor only for frequencies of an hour or more). */
export function IntervalInputs({ value, update, fieldError, disabled }: TInputsProps) {
  const anchorAllowed = value.frequencyMinutes >= ANCHOR_MIN_FREQUENCY_MINUTES;
  return (
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
  );
}

/** The Quartz Cron Expression, checked by the server's preview. */
export function CronInput({ value, update, fieldError, disabled }: TInputsProps) {
  return (
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
  );
}
