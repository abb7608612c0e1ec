-- The destination offers libpq's SSL modes as the source does; existing rows keep their behaviour:
-- SSL with a CA verified the chain (verify-ca), SSL without one only encrypted (require).
ALTER TABLE "destinations" ADD COLUMN "ssl_mode" "public"."ssl_mode" DEFAULT 'disable' NOT NULL;--> statement-breakpoint
UPDATE "destinations" SET "ssl_mode" = CASE WHEN NOT "ssl" THEN 'disable' WHEN coalesce(btrim("ssl_ca"), '') <> '' THEN 'verify-ca' ELSE 'require' END::"public"."ssl_mode";
