import { useQuery } from "@tanstack/react-query";
import type { TDashboardIntegration } from "@/lib/reports/dashboard";

/** The integration's Sync Status, latest failure and running job, polled; one query shared by the header's parts. */
export function useIntegrationState(integrationId: string) {
  return useQuery({
    queryKey: ["integration-state", integrationId],
    queryFn: async (): Promise<TDashboardIntegration> => {
      const res = await fetch(`/api/integrations/${integrationId}/state`, { cache: "no-store" });
      if (!res.ok) throw new Error(`state ${res.status}`);
      return (await res.json()) as TDashboardIntegration;
    },
    refetchInterval: 2000,
  });
}
