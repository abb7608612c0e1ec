import type { TRole } from "@/db/schema";
import type { TAuditActor } from "@/lib/audit/record";

/** Who is acting: the audit actor (team, user, address) and their role in that team. */
export type TTeamActor = { actor: TAuditActor & { userId: string }; role: TRole };
