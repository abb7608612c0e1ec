import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { hasRole } from "@/lib/auth/roles";
import { NewIntegrationForm } from "@/components/sources/new-integration-form";
import { requireSessionContext } from "@/lib/server/session";

const TITLES = { postgres: "PostgreSQL", rds: "Amazon PostgreSQL RDS" } as const;

/** The connection form for a new PostgreSQL or Amazon PostgreSQL RDS integration. */
export default async function NewIntegrationFormPage({ params }: { params: Promise<{ flavour: string }> }) {
  const session = await requireSessionContext();
  if (!hasRole(session.role, "member")) redirect("/");
  const { flavour } = await params;
  if (flavour !== "postgres" && flavour !== "rds") notFound();
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <Link href="/integrations/new" className="text-sm text-indigo-700 hover:underline">
          ← All integration types
        </Link>
        <h1 className="mt-2 text-2xl font-bold">Connect {TITLES[flavour]}</h1>
        <p className="text-sm text-slate-600">
          Check and Save tests the connection step by step, then checks the database against the setup guide
          {flavour === "rds" ? " (rds.logical_replication, the rds_replication role, hot_standby_feedback on replicas, backup retention)" : ""}.
        </p>
      </div>
      <NewIntegrationForm flavour={flavour} />
    </div>
  );
}
