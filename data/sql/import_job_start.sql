-- The job's thread has started.
UPDATE import_jobs SET status = 'running' WHERE id = $1;
