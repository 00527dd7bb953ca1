CREATE TYPE "public"."job_status" AS ENUM('CREATED', 'QUEUED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELED');--> statement-breakpoint
CREATE TABLE "job_outputs" (
	"job_id" uuid NOT NULL,
	"output_id" text NOT NULL,
	"format" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"bytes" bigint NOT NULL,
	"storage_key" text NOT NULL,
	CONSTRAINT "job_outputs_job_id_output_id_pk" PRIMARY KEY("job_id","output_id")
);
--> statement-breakpoint
CREATE TABLE "job_usage" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"pixels_processed" bigint NOT NULL,
	"bytes_in" bigint NOT NULL,
	"bytes_out" bigint NOT NULL,
	"compute_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner" text NOT NULL,
	"status" "job_status" DEFAULT 'CREATED' NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"outputs" jsonb NOT NULL,
	"webhook_url" text,
	"source_key" text NOT NULL,
	"local_source" text,
	"source_bytes" bigint,
	"source_format" text,
	"error_code" text,
	"error_message" text,
	"lease_expires_at" timestamp with time zone,
	"queued_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "job_outputs" ADD CONSTRAINT "job_outputs_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_usage" ADD CONSTRAINT "job_usage_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_owner_created_idx" ON "jobs" USING btree ("owner","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "jobs_active_idx" ON "jobs" USING btree ("status") WHERE "jobs"."status" in ('QUEUED', 'PROCESSING');