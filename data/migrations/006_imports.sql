-- Import jobs started over HTTP (POST /imports): who sent which file, where it stands and the
-- validation report, so that GET /imports/{id} answers from any server copy and after a
-- restart. A job still 'running' when its server died is reported as such, never half-loaded:
-- the load itself is one transaction.
CREATE TABLE import_jobs (
    id          bigserial PRIMARY KEY,
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    actor       text NOT NULL,
    filename    text NOT NULL,
    target      text NOT NULL,
    options     jsonb NOT NULL DEFAULT '{}',
    report      jsonb,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
