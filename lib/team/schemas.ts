import { z } from "zod";
import { ZEmailSchema, ZNewPasswordSchema } from "@/lib/auth/password";

export const ZRoleSchema = z.enum(["owner", "admin", "member", "viewer"], { message: "Choose a role" });

export const ZInviteMemberSchema = z.object({
  role: ZRoleSchema,
  // Optional: an invitation bound to one address; empty means anyone with the link.
  email: z.union([z.literal(""), ZEmailSchema]).optional(),
});
export type TInviteMemberInput = z.infer<typeof ZInviteMemberSchema>;

export const ZUuidSchema = z.string().uuid("Not a valid id");

export const ZChangeRoleSchema = z.object({ userId: ZUuidSchema, role: ZRoleSchema });
export const ZRemoveMemberSchema = z.object({ userId: ZUuidSchema });
export const ZRevokeInvitationSchema = z.object({ invitationId: ZUuidSchema });

export const ZChangePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(200),
    newPassword: ZNewPasswordSchema,
    confirmPassword: z.string().max(200),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The two new passwords differ" })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password different from the current one" });
export type TChangePasswordInput = z.infer<typeof ZChangePasswordSchema>;
