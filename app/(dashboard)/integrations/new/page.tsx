import Link from "next/link";
import { requireSessionContext } from "@/lib/server/session";

export const metadata = { title: "Add Integration" };

const TILES = [
  { href: "/integrations/new/postgres", label: "PostgreSQL", text: "Any PostgreSQL 9.3+ server: self-hosted, in a VM or a container." },
  { href: "/integrations/new/rds", label: "Amazon PostgreSQL RDS", text: "An Amazon RDS for PostgreSQL instance (parameter groups, rds_replication)." },
];

/** Add Integration: pick the kind of source. */
export default async function NewIntegrationPage() {
  await requireSessionContext();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Add Integration</h1>
        <p className="text-sm text-slate-600">Choose the kind of database to replicate from.</p>
      </div>
      <ul className="grid gap-4 sm:grid-cols-2">
        {TILES.map((t) => (
          <li key={t.href}>
            <Link href={t.href} className="block h-full rounded-xl border border-slate-200 bg-white p-6 shadow-sm hover:border-indigo-400 hover:shadow">
              <span className="flex items-center gap-3">
                <span aria-hidden className="flex h-10 w-12 items-center justify-center rounded-lg bg-indigo-600 text-sm font-bold text-white">
                  {t.label === "PostgreSQL" ? "PG" : "RDS"}
                </span>
                <span className="text-lg font-semibold">{t.label}</span>
              </span>
              <span className="mt-2 block text-sm text-slate-600">{t.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
