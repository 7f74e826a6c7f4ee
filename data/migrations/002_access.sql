-- Access: bearer tokens for the HTTP API. A token is "<id>.<secret>"; only the secret's
-- SHA-256 is kept, so a copy of the database does not hand out working tokens.

CREATE TABLE tokens (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{6,24}$'),
    secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
    role        text NOT NULL CHECK (role IN ('admin', 'planner', 'importer', 'viewer')),
    -- the jurisdiction prefix the token may act in: 2 (province), 4 (city), 6 (county),
    -- 9 (township) or 12 (village) digits
    scope       text NOT NULL CHECK (scope ~ '^[1-9][0-9]([0-9]{2}|[0-9]{4}|[0-9]{7}|[0-9]{10})?$'),
    note        text CHECK (length(note) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    CHECK (expires_at IS NULL OR expires_at > created_at)
);
