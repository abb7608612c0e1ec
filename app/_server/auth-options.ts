import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { authenticate } from "@/lib/auth/accounts";

declare module "next-auth" {
  interface Session {
    uid?: string;
    sv?: number;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    sv?: number;
  }
}

/** Credentials sign-in; the JWT carries the user id and session version, checked against the database on every request. */
export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const result = await authenticate(getDb(), credentials?.email ?? "", credentials?.password ?? "");
        // The message reaches the form as signIn()'s error; it names the field to show it next to.
        if (!result.ok) throw new Error(JSON.stringify({ field: result.field, message: result.message }));
        return { id: result.userId, sv: result.sessionVersion } as { id: string; sv: number };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = (user as { sv?: number }).sv ?? 1;
      }
      return token;
    },
    session({ session, token }) {
      session.uid = token.uid;
      session.sv = token.sv;
      return session;
    },
  },
};
