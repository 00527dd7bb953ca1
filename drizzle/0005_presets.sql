CREATE TABLE "presets" (
	"owner" text NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"outputs" jsonb NOT NULL,
	"placeholders" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "presets_owner_name_version_pk" PRIMARY KEY("owner","name","version")
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "preset" text;