/* Keeping the stored analysis current: recompute-on-read for reports, batches for the
 * drainer, and the parallel full recompute (one connection per job). */
#include "analysis.h"
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The code prefix of a jurisdiction ("3605" for a city), via the database's own rule. */
static core_code prefix_of(PGconn *c, const char *code, char *out, size_t size, core_err *err)
{
    out[0] = '\0';
    if (!code || !*code)
        return CORE_OK;
    const char *p[] = {code};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, "SELECT jurisdiction_prefix($1)", 1, p, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return CORE_OK;
}

static core_code run_int(PGconn *c, const char *sql, int n, const char *const *p, long *out,
                         core_err *err)
{
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, n, p, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    if (out)
        *out = PQntuples(r) > 0 ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return CORE_OK;
}

core_code ana_refresh(PGconn *c, const char *code, int *done, core_err *err)
{
    char prefix[16];
    core_code rc = prefix_of(c, code, prefix, sizeof prefix, err);
    if (rc)
        return rc;
    const char *p[] = {prefix};
    long n = 0;
    rc = run_int(c, "SELECT ana_refresh($1)", 1, p, &n, err);
    if (done)
        *done = (int)n;
    return rc;
}

core_code ana_drain(PGconn *c, int batch, int *done, core_err *err)
{
    char b[16];
    snprintf(b, sizeof b, "%d", batch > 0 ? batch : 100);
    const char *p[] = {b};
    long n = 0;
    core_code rc = run_int(c, "SELECT ana_refresh('', $1::int, true)", 1, p, &n, err);
    if (done)
        *done = (int)n;
    return rc;
}

typedef struct {
    const char *url;
    const char *prefix;
    atomic_long *done;
    long total;
    int jobs;
    core_code rc;
    core_err err;
} job;

/* Villages per batch of a full recompute: the statements are set-based over the batch, so a
 * larger one spreads each call's fixed cost (settings, tile notices, plan look-ups) thinner,
 * up to 500, which keeps a batch's scratch rows small. Towards the end batches shrink (to a
 * quarter of each job's share of what is left, at least 25): otherwise one job may still work
 * through a whole batch while the others have nothing left to do. */
#define ANA_BATCH_MAX 500
#define ANA_BATCH_MIN 25

static long batch_size(const job *j)
{
    long left = j->total - atomic_load(j->done);
    long n = left / (4L * j->jobs);
    return n > ANA_BATCH_MAX ? ANA_BATCH_MAX : n < ANA_BATCH_MIN ? ANA_BATCH_MIN : n;
}

/* One job: batches of villages no other job holds, without roll-ups (those run once at the
 * end, summed over everything). */
static void *job_run(void *arg)
{
    job *j = arg;
    PGconn *c = db_connect(j->url, &j->err);
    if (!c) {
        j->rc = j->err.code;
        return NULL;
    }
    /* Every village is recomputed: one tile notice for all at the end, not one per village. */
    if ((j->rc = db_run(c, "SET pingan.analysis_bulk = on", 0, NULL, &j->err))) {
        PQfinish(c);
        return NULL;
    }
    for (;;) {
        char limit[24];
        snprintf(limit, sizeof limit, "%ld", batch_size(j));
        const char *p[] = {j->prefix, limit};
        long n = 0;
        if ((j->rc = run_int(c, "SELECT ana_refresh($1, $2::int, true, false)", 2, p, &n, &j->err)))
            break;
        if (n == 0)
            break;
        atomic_fetch_add(j->done, n);
    }
    PQfinish(c);
    return NULL;
}

core_code ana_recompute_all(const char *url, const char *code, int jobs, ana_progress_fn progress,
                            void *ud, long *done, core_err *err)
{
    if (jobs < 1)
        jobs = 1;
    if (jobs > 16)
        jobs = 16;
    PGconn *c = db_connect(url, err);
    if (!c)
        return err ? err->code : CORE_EUNAVAIL;
    char prefix[16];
    long total = 0;
    core_code rc = prefix_of(c, code, prefix, sizeof prefix, err);
    const char *p[] = {prefix};
    if (!rc)
        rc = run_int(c, "SELECT ana_mark_all($1)", 1, p, NULL, err);
    if (!rc)
        rc = run_int(c, "SELECT count(*) FROM coverage_dirty WHERE village_code LIKE $1 || '%'", 1,
                     p, &total, err);
    if (rc) {
        PQfinish(c);
        return rc;
    }
    atomic_long count = 0;
    job js[16];
    pthread_t th[16];
    int started = 0;
    for (int i = 0; i < jobs; i++) {
        js[i] = (job){.url = url, .prefix = prefix, .done = &count, .total = total, .jobs = jobs};
        if (pthread_create(&th[i], NULL, job_run, &js[i]) != 0)
            break;
        started++;
    }
    if (started == 0)
        rc = core_fail(err, CORE_ENOMEM, "cannot start a recompute thread");
    /* Progress from this thread while the jobs work. */
    bool joined[16] = {false};
    for (int left = started; left > 0;) {
        for (int i = 0; i < started; i++) {
            if (joined[i])
                continue;
            if (progress ? pthread_tryjoin_np(th[i], NULL) == 0 : pthread_join(th[i], NULL) == 0) {
                joined[i] = true;
                left--;
            }
        }
        if (progress)
            progress(atomic_load(&count), total, ud);
        if (left > 0) {
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    for (int i = 0; i < started; i++) {
        if (js[i].rc && !rc) {
            rc = js[i].rc;
            if (err)
                *err = js[i].err;
        }
    }
    /* One village per township is enough: a roll-up re-sums the whole township of each village
     * it is given, and finding the townships of every village of the province one by one was
     * most of its time. */
    if (!rc)
        rc = run_int(c,
                     "SELECT ana_rollup(ARRAY(SELECT DISTINCT ON (township_code) village_code "
                     "FROM coverage_village WHERE village_code LIKE $1 || '%' "
                     "ORDER BY township_code, village_code))",
                     1, p, NULL, err);
    if (!rc)
        rc = run_int(c, "SELECT 1 FROM ana_tiles_notify_all()", 0, NULL, NULL, err);
    if (done)
        *done = atomic_load(&count);
    PQfinish(c);
    return rc;
}
