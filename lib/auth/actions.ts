"use server";
import { z } from "zod";
import { signUp } from "@/lib/auth/accounts";
import { ZEmailSchema, ZNewPasswordSchema } from "@/lib/auth/password";
import { configureDefaultDestination } from "@/lib/destination/default-destination";
import { publicAction } from "@/lib/server/authed-action";

const ZSignUpSchema = z.object({
  name: z.string().trim().max(100).optional(),
  email: ZEmailSchema,
  password: ZNewPasswordSchema,
  invitationToken: z.string().trim().max(200).optional(),
  setupToken: z.string().trim().max(200).optional(),
});

export const signUpAction = publicAction(ZSignUpSchema, async (input, { db, ipAddress }) => {
  const result = await signUp(
    db,
    { email: input.email, password: input.password, name: input.name || undefined, invitationToken: input.invitationToken || undefined, setupToken: input.setupToken || undefined, ipAddress },
    (tx, teamId) => configureDefaultDestination(tx, teamId, process.env.DEFAULT_DESTINATION_URL),
  );
  return { email: input.email, createdTeam: result.createdTeam };
});
