import { z } from "zod";
import { connectionFieldsShape, normalizeConnection, refineConnection, ZCheckboxSchema } from "@/lib/source/connection-input";

/** The Settings tab's connection form; an empty password keeps the stored one. */
export const ZUpdateIntegrationSchema = z
  .object({
    id: z.uuid("No such integration"),
    password: z.string().max(1000, "Use at most 1000 characters").optional().default(""),
    logBased: ZCheckboxSchema.default(false),
    ...connectionFieldsShape,
  })
  .superRefine(refineConnection)
  .transform((v) => ({ id: v.id, password: v.password, logBased: v.logBased, ...normalizeConnection(v) }));

export type TUpdateIntegrationInput = z.output<typeof ZUpdateIntegrationSchema>;
