ALTER TABLE "job_outputs" ADD COLUMN "frames" integer;--> statement-breakpoint
ALTER TABLE "job_outputs" ADD COLUMN "loop_count" integer;--> statement-breakpoint
ALTER TABLE "job_outputs" ADD COLUMN "duration_ms" integer;