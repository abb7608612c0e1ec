import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { authenticate } from "@/lib/auth/accounts";
import { endSession, hashSessionId, startSession } from "@/lib/auth/sessions";
import { parseEnv } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-address";

declare module "next-auth" {
  interface Session {
    uid?: string;
    sv?: number;
    /** sha256 of the session id: what the server looks up; the id itself stays in the cookie. */
    sh?: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    sv?: number;
    sid?: string;
  }
}

let idleMinutes: number | undefined;
/** SESSION_IDLE_MINUTES, validated once (the start script validated it already). */
export function sessionIdleMinutes(): number {
  idleMinutes ??= parseEnv().SESSION_IDLE_MINUTES;
  return idleMinutes;
}

type TSignedInUser = { id: string; sv: number; sid: string };
const isSignedInUser = (u: unknown): u is TSignedInUser => typeof u === "object" && u !== null && "sid" in u && typeof u.sid === "string";

/**
 * Credentials sign-in. The JWT carries the user id, the session version and a random session id whose
 * row in `sessions` must exist on every request (lib/auth/sessions.ts): sign-out and the idle timeout
 * end a session on the server, not only in the browser.
 */
export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        // Set by our web server from the connection (lib/http/client-address.ts), never by the client.
        const address: unknown = req.headers?.[CLIENT_ADDRESS_HEADER];
        const clientAddress = typeof address === "string" && address ? address : null;
        const result = await authenticate(getDb(), credentials?.email ?? "", credentials?.password ?? "", { clientAddress });
        // The message reaches the form as signIn()'s error; it names the field to show it next to.
        if (!result.ok) throw new Error(JSON.stringify({ field: result.field, message: result.message }));
        const sid = await startSession(getDb(), result.userId, sessionIdleMinutes());
        const user: TSignedInUser = { id: result.userId, sv: result.sessionVersion, sid };
        return user;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (isSignedInUser(user)) {
        token.uid = user.id;
        token.sv = user.sv;
        token.sid = user.sid;
      }
      return token;
    },
    session({ session, token }) {
      session.uid = token.uid;
      session.sv = token.sv;
      session.sh = token.sid ? hashSessionId(token.sid) : undefined;
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (token?.sid) await endSession(getDb(), hashSessionId(token.sid));
    },
  },
};
