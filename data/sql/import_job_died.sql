-- The job's child process ended without recording a result (crashed, killed or failed to
-- start): $2 the report (JSON), $3 the error. Guarded: a result already recorded stays.
UPDATE import_jobs SET status = 'failed', report = $2::jsonb, error = $3, finished_at = now()
 WHERE id = $1 AND status IN ('queued', 'running')
RETURNING id;
