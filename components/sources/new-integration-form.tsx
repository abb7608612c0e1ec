"use client";
import { ConnectionForm } from "./connection-form";
import { ScheduleFields } from "@/components/schedule/schedule-fields";

/** Add Integration: the connection form with the schedule (Replication Frequency, Anchor Time, Cron Expression). */
export function NewIntegrationForm({ flavour }: { flavour: "postgres" | "rds" }) {
  return <ConnectionForm mode="create" flavour={flavour} extraFields={(errors) => <ScheduleFields errors={errors} />} />;
}
