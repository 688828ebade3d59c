-- Durable jobs, a transactional outbox (src/jobs/README.md). A job is written
-- in the transaction of the change that causes it; the dispatchers of all
-- server processes run it under a lease. Instants are epoch seconds.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL UNIQUE,   -- one per logical job: a second enqueue is a no-op
    payload       TEXT NOT NULL,          -- JSON
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at        BIGINT NOT NULL,        -- due from then on
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
    lease_owner   TEXT,                   -- process/worker running it
    lease_until   BIGINT,                 -- after this another process may take it over
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_dead ON jobs (updated_at) WHERE state = 'dead';
CREATE INDEX jobs_done ON jobs (updated_at) WHERE state = 'done';

-- Every attempt: who ran it, when, under which lease, how it ended.
-- outcome: running, done, retry (queued again at retry_at), later (not due
-- yet, queued again at retry_at, the attempt not counted), dead, lease_lost
-- (finished after its lease lapsed), abandoned (its lease lapsed and another
-- worker took the job over).
CREATE TABLE job_runs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id       BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    worker       TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    lease_until  BIGINT NOT NULL,
    finished_at  BIGINT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('running', 'done', 'retry', 'later', 'dead', 'lease_lost', 'abandoned')),
    error        TEXT,
    retry_at     BIGINT
);
CREATE INDEX job_runs_by_job ON job_runs (job_id);
CREATE INDEX job_runs_by_finish ON job_runs (finished_at);

-- Requests waiting today get the expiry job new ones get with their insert.
INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
SELECT 'booking.expire', 'booking.expire:' || id, '{"booking_id":"' || id || '"}', 'queued', expires_at, 0, 10,
       CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
FROM bookings WHERE status IN ('HELD', 'PENDING') AND expires_at IS NOT NULL;
