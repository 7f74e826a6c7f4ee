-- The job is over: $2 succeeded or failed, $3 the report (JSON), $4 the error message.
UPDATE import_jobs SET status = $2, report = $3::jsonb, error = $4, finished_at = now()
 WHERE id = $1;
