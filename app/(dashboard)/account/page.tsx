import { ROLE_LABELS } from "@/lib/auth/roles";
import { ChangePasswordForm } from "@/components/team/change-password-form";
import { SignOutEverywhere } from "@/components/team/sign-out-everywhere";
import { requireSessionContext } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const session = await requireSessionContext();
  return (
    <div className="max-w-2xl space-y-8">
      <div>
        <h1 className="text-2xl font-bold">Account</h1>
        <p className="text-sm text-slate-600">
          {session.user.name ? `${session.user.name} · ` : ""}
          {session.user.email} · {ROLE_LABELS[session.role]} of {session.team.name}
        </p>
      </div>
      <section aria-labelledby="password-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div>
          <h2 id="password-heading" className="text-lg font-semibold">
            Change password
          </h2>
          <p className="text-sm text-slate-600">Enter your current password to confirm it is you. Every other session of yours ends.</p>
        </div>
        <ChangePasswordForm email={session.user.email} />
      </section>
      <section aria-labelledby="sessions-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div>
          <h2 id="sessions-heading" className="text-lg font-semibold">
            Sessions
          </h2>
          <p className="text-sm text-slate-600">Signed in on a computer you no longer use? End every session of this account, this one included.</p>
        </div>
        <SignOutEverywhere />
      </section>
    </div>
  );
}
