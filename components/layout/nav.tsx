import Link from "next/link";
import { ROLE_LABELS } from "@/lib/auth/roles";
import type { TSessionContext } from "@/lib/auth/accounts";
import { SignOutButton } from "./sign-out-button";

const LINKS = [
  { href: "/", label: "Integrations" },
  { href: "/destination", label: "Destination" },
  { href: "/team", label: "Team" },
  { href: "/audit-log", label: "Audit Log" },
  { href: "/account", label: "Account" },
];

export function Nav({ session }: { session: TSessionContext }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3">
        <Link href="/" className="font-bold text-indigo-600">
          pgreplicate
        </Link>
        <ul className="flex gap-4 text-sm font-medium text-slate-700">
          {LINKS.map((l) => (
            <li key={l.href}>
              <Link href={l.href} className="hover:text-indigo-600">
                {l.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="ml-auto flex items-center gap-4 text-sm text-slate-600">
          <span>
            {session.user.email} · {ROLE_LABELS[session.role]}
          </span>
          <SignOutButton />
        </div>
      </nav>
    </header>
  );
}
