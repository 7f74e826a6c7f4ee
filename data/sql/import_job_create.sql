-- A new import job (POST /imports): $1 actor, $2 file name, $3 target, $4 options as JSON.
INSERT INTO import_jobs (actor, filename, target, options) VALUES ($1, $2, $3, $4::jsonb)
RETURNING id;
