"use client";
import { useState, useTransition } from "react";
import { saveScheduleAction } from "@/lib/schedule/actions";
import { ScheduleFields, type TScheduleValue } from "./schedule-fields";
import { formatUtc } from "./schedule-preview";

/**
 * The Schedule section of the Settings tab: the schedule fields with their preview and a save button.
 * Self-contained (its own form and server action), so any page can render it.
 */
export function ScheduleSection({ integrationId, initial, canEdit }: { integrationId: string; initial: TScheduleValue; canEdit: boolean }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [pending, startTransition] = useTransition();

  const submit = (form: FormData) => {
    startTransition(async () => {
      form.set("integrationId", integrationId);
      const res = await saveScheduleAction(form);
      if (res.ok) {
        setErrors({});
        setMessage({ kind: "ok", text: `Schedule saved. Next start: ${formatUtc(res.data.nextRunAt)}` });
      } else {
        setErrors(res.fieldErrors);
        setMessage({ kind: "error", text: res.error });
      }
    });
  };

  return (
    <section aria-labelledby="schedule-heading" className="space-y-3">
      <h2 id="schedule-heading" className="text-lg font-semibold">
        Schedule
      </h2>
      <form action={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <ScheduleFields integrationId={integrationId} defaultValue={initial} errors={errors} disabled={!canEdit} onChange={() => {
            // A changed value is checked again by the preview; the last save's errors no longer apply.
            setMessage(null);
            setErrors({});
          }} />
        {message ? (
          <p role={message.kind === "error" ? "alert" : "status"} className={`text-sm ${message.kind === "error" ? "text-red-700" : "text-green-700"}`}>
            {message.text}
          </p>
        ) : null}
        {canEdit ? (
          <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:bg-indigo-300">
            {pending ? "Saving…" : "Save Schedule"}
          </button>
        ) : null}
      </form>
    </section>
  );
}
