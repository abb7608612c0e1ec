import type { ReactNode } from "react";
import { Nav } from "@/components/layout/nav";
import { requireSessionContext } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await requireSessionContext();
  return (
    <div className="min-h-screen">
      <Nav session={session} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
