import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getDb } from "@/db/client";
import { isFreshInstall } from "@/lib/auth/accounts";

export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const fresh = await isFreshInstall(getDb());
  const { invite } = await searchParams;
  const subtitle = fresh
    ? "The first account creates your team and becomes its Owner."
    : invite
      ? "You were invited to join a team. Create your account to accept."
      : "Joining a team needs an invitation link from one of its admins.";
  return (
    <AuthCard title={fresh ? "Create your team" : "Create your account"} subtitle={subtitle}>
      <SignUpForm invitationToken={invite} />
      <p className="text-sm text-slate-600">
        Already have an account? <Link className="font-semibold text-indigo-600" href="/sign-in">Sign in</Link>
      </p>
    </AuthCard>
  );
}
