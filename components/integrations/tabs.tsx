"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** The integration's tabs; each is its own route so it can be linked and reloaded. */
export function IntegrationTabs({ id }: { id: string }) {
  const pathname = usePathname();
  const tabs = [
    { href: `/integrations/${id}`, label: "Tables to Replicate" },
    { href: `/integrations/${id}/logs`, label: "Extraction Logs" },
    { href: `/integrations/${id}/reports`, label: "Loading Reports" },
    { href: `/integrations/${id}/settings`, label: "Settings" },
  ];
  return (
    <nav aria-label="Integration" className="flex gap-1 border-b border-slate-200">
      {tabs.map((t) => {
        const active = t.href === pathname || (t.href !== `/integrations/${id}` && pathname.startsWith(t.href));
        return (
          <Link
            key={t.href}
            href={t.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium ${active ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
