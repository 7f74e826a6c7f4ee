-- Import jobs (POST /imports, GET /imports/{id}).

-- @create
INSERT INTO import_jobs (actor, filename, target, options) VALUES ($1, $2, $3, $4::jsonb)
RETURNING id;

-- @start
UPDATE import_jobs SET status = 'running' WHERE id = $1;

-- @finish
UPDATE import_jobs SET status = $2, report = $3::jsonb, error = $4, finished_at = now()
 WHERE id = $1;

-- @get
SELECT id, status, actor, filename, target, options::text, report::text, error,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM import_jobs WHERE id = $1;
