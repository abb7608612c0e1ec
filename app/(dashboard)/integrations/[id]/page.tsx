import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors";
import { hasRole } from "@/lib/auth/roles";
import { catalogTree } from "@/lib/selection/catalog-query";
import { selectionContextFor } from "@/lib/selection/store";
import { TablesToReplicate } from "@/components/selection/tables-to-replicate";
import { requireSessionContext } from "@/lib/server/session";

/** The `Tables to Replicate` tab: discovery's catalog and the team's table/column selections. */
export default async function TablesToReplicatePage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSessionContext();
  const { id } = await params;
  const db = getDb();
  const { integration, ctx } = await selectionContextFor(db, session.team.id, id).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "NOT_FOUND") notFound();
    throw e;
  });
  const tree = await catalogTree(db, { teamId: session.team.id, integrationId: integration.id });
  return (
    <TablesToReplicate
      integrationId={integration.id}
      defaultMethod={integration.defaultMethod}
      logBased={ctx.logBased}
      canEdit={hasRole(session.role, "member")}
      initialTree={tree}
      initialDatabase={integration.database}
    />
  );
}
