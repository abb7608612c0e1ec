import { getDb } from "@/db/client";
import { hasRole } from "@/lib/auth/roles";
import { destinationView, getTeamDestination } from "@/lib/destination/settings";
import { DestinationForm } from "@/components/destination/destination-form";
import { requireSessionContext } from "@/lib/server/session";

export default async function DestinationPage() {
  const session = await requireSessionContext();
  const view = destinationView(await getTeamDestination(getDb(), session.team.id));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Destination</h1>
        <p className="mt-1 text-sm text-slate-600">
          PostgreSQL settings for where every integration&apos;s data is loaded. Each integration writes into its own schema of this database.
        </p>
      </div>
      <DestinationForm initial={view} canEdit={hasRole(session.role, "admin")} />
    </div>
  );
}
