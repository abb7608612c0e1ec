import Link from "next/link";
import { AuthCard } from "@/components/auth/auth-card";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getDb } from "@/db/client";
import { checkInvitationToken, isFreshInstall } from "@/lib/auth/accounts";
import { isSetupTokenValid, SETUP_LINK_INVALID, SETUP_LINK_NEEDED } from "@/lib/auth/setup-token";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { FormError } from "@/components/ui/field";

export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string; setup?: string }> }) {
  const fresh = await isFreshInstall(getDb());
  const { invite, setup } = await searchParams;
  // A fresh install's first account needs the one-time link `npm start` printed (not just network reach).
  const setupProblem = fresh && !(await isSetupTokenValid(getDb(), setup)) ? (setup ? SETUP_LINK_INVALID : SETUP_LINK_NEEDED) : null;
  const invitation = !fresh && invite ? await checkInvitationToken(getDb(), invite) : null;
  const subtitle = fresh
    ? "The first account creates your team and becomes its Owner."
    : invitation?.ok
      ? `You were invited to join a team as ${ROLE_LABELS[invitation.role]}. Create your account to accept.`
      : invitation
        ? null
        : "Joining a team needs an invitation link from one of its admins.";
  return (
    <AuthCard title={fresh ? "Create your team" : "Create your account"} subtitle={subtitle}>
      {setupProblem ? (
        <FormError message={setupProblem} />
      ) : invitation && !invitation.ok ? (
        <FormError message={invitation.message} />
      ) : (
        <SignUpForm invitationToken={invite} setupToken={fresh ? setup : undefined} />
      )}
      <p className="text-sm text-slate-600">
        Already have an account? <Link className="font-semibold text-indigo-600" href="/sign-in">Sign in</Link>
      </p>
    </AuthCard>
  );
}
