import { z } from "zod";
import { connectionFieldsShape, normalizeConnection, refineConnection, ZCheckboxSchema, ZIntegrationNameSchema } from "@/lib/source/connection-input";

/** The connection form of a new integration (Add Integration → PostgreSQL / Amazon PostgreSQL RDS). */
export const ZCreateIntegrationSchema = z
  .object({
    flavour: z.enum(["postgres", "rds"]),
    name: ZIntegrationNameSchema,
    password: z.string().min(1, "Enter the password").max(1000, "Use at most 1000 characters"),
    includeSchemaNames: ZCheckboxSchema.default(false),
    logBased: ZCheckboxSchema.default(false),
    ...connectionFieldsShape,
  })
  .superRefine(refineConnection)
  .transform((v) => ({
    flavour: v.flavour,
    name: v.name,
    password: v.password,
    includeSchemaNames: v.includeSchemaNames,
    logBased: v.logBased,
    ...normalizeConnection(v),
  }));

export type TCreateIntegrationInput = z.output<typeof ZCreateIntegrationSchema>;
