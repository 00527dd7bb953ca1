-- Every status change of a job, and every new attempt, is recorded in
-- job_events by the database itself. The unique index on terminal events then
-- makes a second terminal transition fail, whatever the application does.
CREATE FUNCTION record_job_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO job_events (job_id, from_status, to_status, attempt, replica, reason)
    VALUES (NEW.id, NULL, NEW.status, NEW.attempt, NEW.transition_replica, NEW.transition_reason);
  ELSIF NEW.status IS DISTINCT FROM OLD.status OR NEW.attempt IS DISTINCT FROM OLD.attempt THEN
    INSERT INTO job_events (job_id, from_status, to_status, attempt, replica, reason)
    VALUES (NEW.id, OLD.status, NEW.status, NEW.attempt, NEW.transition_replica, NEW.transition_reason);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER jobs_record_transition
AFTER INSERT OR UPDATE OF status, attempt ON jobs
FOR EACH ROW EXECUTE FUNCTION record_job_transition();
