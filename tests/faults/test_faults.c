/* Faults: `kill -9` of the server while writes stream in (every write answered 2xx is in the
 * database with its history row, none half-applied), and `kill -9` of `pingan import` while it
 * loads (the database exactly as before: checksum of the tables and the list of relations). */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static char planner[128];

static void setup(void)
{
    th_db_create("faults");
    th_db_exec_file(FIXTURE_SQL);
    th_token("planner", "360502", planner, sizeof planner);
}

static void teardown(void)
{
    th_db_drop();
}

static char *value(const char *sql)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, sql);
    PQfinish(c);
    return v;
}

/* ---- kill -9 during writes ---- */
#define MAX_ACKED 20000
static th_server srv;
static atomic_int nacked;
static long acked[MAX_ACKED];
static atomic_bool stop_writing;

static void *writer(void *arg)
{
    int w = *(const int *)arg;
    char auth[200], body[600];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", planner);
    const char *h[] = {auth, "Content-Type: application/geo+json", NULL};
    for (int i = 0; !atomic_load(&stop_writing); i++) {
        snprintf(body, sizeof body,
                 "{\"type\":\"Feature\",\"properties\":{\"name\":\"w%d-%d\",\"category\":"
                 "\"landslide\",\"risk_grade\":\"yellow\",\"village_code\":\"360502100200\"},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,27.805]}}",
                 w, i, 114.901 + (i % 500) * 0.00003);
        th_response r = th_http(&srv, "POST", "/collections/hazards/items", h, body);
        if (r.status == 201) {
            json_t *doc = json_loads(r.body, 0, NULL);
            int k = atomic_fetch_add(&nacked, 1);
            if (k < MAX_ACKED)
                acked[k] = (long)json_integer_value(json_object_get(doc, "id"));
            json_decref(doc);
        }
        th_response_free(&r);
        if (r.status == 0 || r.status >= 500)
            break; /* the server is gone */
    }
    return NULL;
}

START_TEST(test_kill9_during_writes_keeps_every_acknowledged_write)
{
    th_server_start(&srv, NULL);
    pthread_t t[3];
    static const int ids[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, writer, (void *)&ids[i]);
    /* a loaded machine answers a write in ~1 s: wait for a few acknowledgements, then kill
     * while more are in flight */
    for (int i = 0; i < 600 && atomic_load(&nacked) < 8; i++)
        usleep(100 * 1000);
    usleep(300 * 1000);
    int st = 0;
    pid_t gone = waitpid(srv.pid, &st, WNOHANG);
    ck_assert_msg(gone == 0, "the server died by itself before the kill (status %#x)", st);
    kill(srv.pid, SIGKILL);
    waitpid(srv.pid, &st, 0);
    atomic_store(&stop_writing, true);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    int n = atomic_load(&nacked);
    fprintf(stderr, "faults: %d writes acknowledged before kill -9\n", n);
    ck_assert_int_gt(n, 5);
    PGconn *c = th_db_connect();
    for (int i = 0; i < n && i < MAX_ACKED; i++) {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM hazards WHERE id = %ld)::text || '/' || "
                 "(SELECT count(*) FROM edit_history WHERE collection = 'hazards' AND "
                 "feature_id = %ld AND operation = 'insert' AND version = 1)",
                 acked[i], acked[i]);
        char *v = th_db_value(c, sql);
        ck_assert_msg(v && !strcmp(v, "1/1"), "acknowledged hazard %ld: %s", acked[i], v);
        free(v);
    }
    /* nothing half-applied: every row has its history, every history row its row, and every
     * row is whole (a name, a geometry, version 1) */
    char *v = th_db_value(c, "SELECT count(*) FILTER (WHERE e.id IS NULL) || '/' || "
                             "count(*) FILTER (WHERE h.geom IS NULL OR h.name IS NULL OR "
                             "h.version <> 1) FROM hazards h LEFT JOIN edit_history e ON "
                             "e.collection = 'hazards' AND e.feature_id = h.id");
    ck_assert_str_eq(v, "0/0");
    free(v);
    v = th_db_value(c, "SELECT count(*) FROM edit_history e WHERE collection = 'hazards' AND "
                       "NOT EXISTS (SELECT 1 FROM hazards h WHERE h.id = e.feature_id)");
    ck_assert_str_eq(v, "0");
    free(v);
    v = th_db_value(c, "SELECT count(*) FROM hazards");
    fprintf(stderr, "faults: %s rows in the database (>= acknowledged)\n", v);
    ck_assert_int_ge(strtol(v, NULL, 10), n);
    free(v);
    PQfinish(c);
}
END_TEST

/* ---- kill -9 during an import ---- */
static const char *STATE_SQL =
    "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM ("
    " SELECT 'h' || t::text AS x FROM hazards t UNION ALL"
    " SELECT 'g' || t::text FROM grids t UNION ALL"
    " SELECT 'e' || t::text FROM edit_history t UNION ALL"
    " SELECT 'r' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) s";

START_TEST(test_kill9_during_import_leaves_database_as_before)
{
    char path[] = "/tmp/pingan_faults_XXXXXX.csv";
    int fd = mkstemps(path, 4);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "name,category,risk_grade,village_code,lon,lat\n");
    for (int i = 0; i < 200000; i++)
        fprintf(f, "h%d,滑坡,yellow,360502100200,%.6f,%.6f\n", i, 114.9005 + (i % 190) * 0.0001,
                27.8005 + (i / 190 % 190) * 0.0001);
    fclose(f);
    char *before = value(STATE_SQL);
    int killed_at_ms[3] = {800, 2500, 5000};
    for (int k = 0; k < 3; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", 1);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execl(PINGAN_BIN, "pingan", "import", path, "--into", "hazards", (char *)NULL);
            _exit(127);
        }
        usleep((useconds_t)killed_at_ms[k] * 1000);
        int st = 0;
        pid_t done = waitpid(pid, &st, WNOHANG);
        if (done == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
        }
        fprintf(stderr, "faults: import %s at %d ms\n", done == 0 ? "killed" : "had ended",
                killed_at_ms[k]);
        ck_assert_msg(done == 0, "the import finished before the kill; make the file bigger");
        /* The killed client's backend runs its current statement to the end before it
         * notices; end it now (as a pooler or the operator would) — its transaction must
         * roll back either way. */
        free(value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                   "datname = current_database() AND pid <> pg_backend_pid()"));
        char *after = NULL;
        for (int tries = 0; tries < 50; tries++) {
            free(after);
            after = value(STATE_SQL);
            char *busy = value("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                               "current_database() AND pid <> pg_backend_pid()");
            bool idle = busy && !strcmp(busy, "0");
            free(busy);
            if (idle)
                break;
            usleep(100 * 1000);
        }
        ck_assert_str_eq(after, before);
        free(after);
    }
    free(before);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("kill");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_kill9_during_writes_keeps_every_acknowledged_write);
    tcase_add_test(tc, test_kill9_during_import_leaves_database_as_before);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
