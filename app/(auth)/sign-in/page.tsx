import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getDb } from "@/db/client";
import { isFreshInstall } from "@/lib/auth/accounts";
import { safeCallbackPath } from "@/lib/http/safe-redirect";
import { getSessionContext } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await getSessionContext()) redirect("/");
  const fresh = await isFreshInstall(getDb());
  const { callbackUrl } = await searchParams;
  // Only this app's own pages, never an open redirect.
  const target = safeCallbackPath(callbackUrl, (await headers()).get("host"));
  return (
    <AuthCard
      title="Sign in"
      subtitle={
        fresh ? (
          <>
            This is a fresh install. Create the first account with the setup link that <code>npm start</code> printed in its terminal.
          </>
        ) : (
          "Sign in to your team's replication dashboard."
        )
      }
    >
      <SignInForm callbackUrl={target} />
    </AuthCard>
  );
}
