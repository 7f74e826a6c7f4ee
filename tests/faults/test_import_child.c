/* Imports over HTTP run in a child process: a file that crashes GDAL (fuzz/known/) or a child
 * killed with SIGKILL fails only its job — named signal in the job's error and report, no row
 * added, no staging table left — and the server keeps answering and importing. */
#include "harness.h"

#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static th_server srv;
static char auth[200];

/* The database as the tests compare it: every hazard and history row and every relation. */
static const char *STATE_SQL =
    "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM ("
    " SELECT 'h' || t::text AS x FROM hazards t UNION ALL"
    " SELECT 'e' || t::text FROM edit_history t UNION ALL"
    " SELECT 'r' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) s";

static char *value(const char *sql)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, sql);
    PQfinish(c);
    return v;
}

static void setup(void)
{
    th_db_create("import_child");
    th_db_exec_file(FIXTURE_SQL);
    char *text = NULL;
    const char *args[] = {"token", "create", "--role", "importer", "--scope", "36", NULL};
    ck_assert_int_eq(th_pingan(&text, args), 0);
    text[strcspn(text, "\n")] = '\0';
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", text);
    free(text);
    th_server_start(&srv, NULL);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

/* POSTs content as a CSV into hazards; returns the job's path (/imports/ID). */
static void post_import(const char *filename, const char *content, char *path, size_t size)
{
    const char *head = "--XyZ\r\nContent-Disposition: form-data; name=\"into\"\r\n\r\nhazards\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"";
    size_t n = strlen(head) + strlen(filename) + strlen(content) + 64;
    char *body = malloc(n);
    snprintf(body, n, "%s%s\"\r\n\r\n%s\r\n--XyZ--\r\n", head, filename, content);
    const char *h[] = {auth, "Content-Type: multipart/form-data; boundary=XyZ", NULL};
    th_response r = th_http(&srv, "POST", "/imports", h, body);
    free(body);
    ck_assert_msg(r.status == 202, "status %ld: %s", r.status, r.body);
    json_error_t e;
    json_t *doc = json_loads(r.body, 0, &e);
    ck_assert_ptr_nonnull(doc);
    snprintf(path, size, "/imports/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    th_response_free(&r);
}

/* Polls the job until it reaches one of the states in want ("succeeded|failed"); returns the
 * job document (caller json_decref()s). */
static json_t *wait_job(const char *path, const char *want, int seconds)
{
    const char *h[] = {auth, NULL};
    json_t *job = NULL;
    for (int i = 0; i < seconds * 10; i++) {
        th_response r = th_http(&srv, "GET", path, h, NULL);
        ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
        json_decref(job);
        json_error_t e;
        job = json_loads(r.body, 0, &e);
        th_response_free(&r);
        const char *st = json_string_value(json_object_get(job, "status"));
        if (st && strstr(want, st))
            return job;
        usleep(100000);
    }
    ck_abort_msg("job %s never reached %s", path, want);
    return NULL;
}

static void assert_healthy(void)
{
    th_response r = th_http(&srv, "GET", "/health", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    th_response_free(&r);
    ck_assert_int_eq(kill(srv.pid, 0), 0);
}

START_TEST(test_import_crashing_gdal_fails_the_job_not_the_server)
{
    char *before = value(STATE_SQL);
    char *csv = read_all(PINGAN_SOURCE_TREE "/fuzz/known/gdal-csv-dup-coordinate-header.csv");
    char path[64];
    post_import("crash.csv", csv, path, sizeof path);
    free(csv);
    json_t *job = wait_job(path, "failed|succeeded", 60);
    ck_assert_str_eq(json_string_value(json_object_get(job, "status")), "failed");
    const char *error = json_string_value(json_object_get(job, "error"));
    json_t *report = json_object_get(job, "report");
    json_t *process = json_object_get(report, "process");
    fprintf(stderr, "import_child: crash job error: %s\n", error);
    ck_assert_str_eq(json_string_value(json_object_get(report, "status")), "failed");
    ck_assert_str_eq(json_string_value(json_object_get(report, "file")), "crash.csv");
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer catches the SEGV itself and exits 1 instead of dying by the signal. */
    ck_assert_ptr_nonnull(strstr(error, "the import process"));
    ck_assert(json_object_get(process, "signal") || json_object_get(process, "exit_status"));
#else
    ck_assert_ptr_nonnull(strstr(error, "SIGSEGV"));
    ck_assert_str_eq(json_string_value(json_object_get(process, "signal")), "SIGSEGV");
#endif
    json_decref(job);
    assert_healthy();
    char *after = value(STATE_SQL);
    ck_assert_str_eq(after, before);
    free(after);
    free(before);

    /* The same server still imports. */
    post_import("ok.csv",
                "name,category,risk_grade,village_code,lon,lat\r\n"
                "after-crash,滑坡,yellow,360502100200,114.9005,27.8005",
                path, sizeof path);
    job = wait_job(path, "failed|succeeded", 60);
    ck_assert_str_eq(json_string_value(json_object_get(job, "status")), "succeeded");
    json_decref(job);
    char *v = value("SELECT count(*) FROM hazards WHERE name = 'after-crash'");
    ck_assert_str_eq(v, "1");
    free(v);
}
END_TEST

/* The server's child process (pingan import --job), found among its children in /proc. */
static pid_t find_child(pid_t parent)
{
    DIR *d = opendir("/proc");
    ck_assert_ptr_nonnull(d);
    pid_t found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char p[300], stat[512];
        snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(p, "r");
        if (!f)
            continue;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        const char *rp = strrchr(stat, ')');
        int ppid = 0;
        char state = 0;
        /* "pid (comm) S ppid ...": the state, then the parent's pid */
        if (rp && rp[1] == ' ' && rp[2] && rp[3] == ' ') {
            state = rp[2];
            ppid = (int)strtol(rp + 4, NULL, 10);
        }
        if (state && ppid == parent)
            found = (pid_t)strtol(e->d_name, NULL, 10);
    }
    closedir(d);
    return found;
}

START_TEST(test_import_child_killed_fails_the_job_and_writes_nothing)
{
    char *before = value(STATE_SQL);
    size_t cap = 12u << 20, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv, cap, "name,category,risk_grade,village_code,lon,lat\r\n");
    for (int i = 0; i < 200000; i++)
        len +=
            (size_t)snprintf(csv + len, cap - len, "k%d,滑坡,yellow,360502100200,%.6f,%.6f\r\n", i,
                             114.9005 + (i % 190) * 0.0001, 27.8005 + (i / 190 % 190) * 0.0001);
    char path[64];
    post_import("big.csv", csv, path, sizeof path);
    free(csv);
    json_decref(wait_job(path, "running|failed|succeeded", 60));
    pid_t child = 0;
    for (int i = 0; i < 100 && !child; i++) {
        child = find_child(srv.pid);
        if (!child)
            usleep(20000);
    }
    ck_assert_msg(child > 0, "no child process of the server while the job runs");
    usleep(500000); /* let it get into the load */
    ck_assert_int_eq(kill(child, SIGKILL), 0);
    json_t *job = wait_job(path, "failed|succeeded", 60);
    const char *error = json_string_value(json_object_get(job, "error"));
    fprintf(stderr, "import_child: killed job error: %s\n", error);
    ck_assert_str_eq(json_string_value(json_object_get(job, "status")), "failed");
    ck_assert_ptr_nonnull(strstr(error, "SIGKILL"));
    json_decref(job);
    assert_healthy();
    /* The killed child's backend may still be ending its statement; its transaction rolls
     * back either way. */
    char *after = NULL;
    for (int i = 0; i < 100; i++) {
        free(after);
        after = value(STATE_SQL);
        if (!strcmp(after, before))
            break;
        usleep(100000);
    }
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import_child");
    TCase *tc = tcase_create("child");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_import_crashing_gdal_fails_the_job_not_the_server);
    tcase_add_test(tc, test_import_child_killed_fails_the_job_and_writes_nothing);
    suite_add_tcase(s, tc);
    return th_run(s);
}
