ALTER TABLE "jobs" ADD COLUMN "placeholders" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "placeholder" jsonb;