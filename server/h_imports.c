/* POST /imports and GET /imports/{id}: a bureau file uploaded as multipart/form-data becomes an
 * import job run by a child `pingan import --job` process (a crash inside GDAL then kills only
 * the child); the job's status and report live in the import_jobs table. Importer or admin
 * role only. The import itself is importers/' imp_run, in the child. */
#include "importers.h"
#include "srv_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_PARTS 48
#define FIELD_MAX 4096

typedef struct {
    char url[1024];
    char id[32];
    char dir[512];
    char path[800];
    char actor[320];
    char display[256];               /* the uploaded file's own name, for the report */
    char log[600];                   /* the child's stdout and stderr */
    char *owned[2 * MAX_PARTS + 16]; /* option strings, then the child's arguments */
    int nowned;
    imp_options o;
} import_job;

static bool may_import(const srv_req *r)
{
    return strcmp(r->role, "importer") == 0 || strcmp(r->role, "admin") == 0;
}

static int refuse(srv_req *r)
{
    if (strcmp(r->role, "anonymous") == 0)
        return srv_problem_ex(r, 401, "unauthorized", "imports need a token of the importer role",
                              NULL, "WWW-Authenticate: Bearer\r\n");
    return srv_problem(r, 403, "forbidden", "imports need the importer or admin role", NULL);
}

static void job_free(import_job *j)
{
    if (j->path[0])
        unlink(j->path);
    if (j->log[0])
        unlink(j->log);
    if (j->dir[0])
        rmdir(j->dir);
    for (int i = 0; i < j->nowned; i++)
        free(j->owned[i]);
    free(j);
}

static const char *mode_name(imp_mode m)
{
    return m == IMP_MODE_INSERT ? "insert" : m == IMP_MODE_UPSERT ? "upsert" : "replace-scope";
}

/* "--name=value" in a string owned by j (freed with it); NULL when out of memory. */
static char *own_arg(import_job *j, const char *name, const char *value)
{
    if (j->nowned == (int)(sizeof j->owned / sizeof j->owned[0]))
        return NULL;
    size_t n = strlen(name) + strlen(value) + 2;
    char *a = malloc(n);
    if (a) {
        snprintf(a, n, "%s=%s", name, value);
        j->owned[j->nowned++] = a;
    }
    return a;
}

/* The child's argv: `pingan import --job ID … -- FILE`; the "--name=value" form keeps a value
 * that starts with '-' a value. Returns the count, or -1 when out of memory. */
static int child_argv(import_job *j, char **argv, int max)
{
    int n = 0;
    argv[n++] = "pingan";
    argv[n++] = "import";
    argv[n++] = "--quiet";
    argv[n++] = own_arg(j, "--job", j->id);
    argv[n++] = own_arg(j, "--actor", j->actor);
    argv[n++] = own_arg(j, "--display-name", j->display);
    argv[n++] = own_arg(j, "--mode", mode_name(j->o.mode));
    const struct {
        const char *name, *value;
    } opt[] = {{"--into", j->o.into},   {"--preset", j->o.preset},   {"--layer", j->o.layer},
               {"--s-srs", j->o.s_srs}, {"--towgs84", j->o.towgs84}, {"--encoding", j->o.encoding},
               {"--scope", j->o.scope}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (opt[i].value)
            argv[n++] = own_arg(j, opt[i].name, opt[i].value);
    for (int i = 0; i < j->o.nmaps && n < max - 4; i++)
        argv[n++] = own_arg(j, "--map", j->o.maps[i]);
    if (j->o.dry_run)
        argv[n++] = "--dry-run";
    argv[n++] = "--";
    argv[n++] = j->path;
    argv[n] = NULL;
    for (int i = 0; i < n; i++)
        if (!argv[i])
            return -1;
    return n;
}

/* The environment with PINGAN_DATABASE_URL set to the server's database (a new array whose
 * strings but the added one belong to environ; caller frees the array and *added). */
static char **child_env(const char *url, char **added)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    size_t len = strlen(url) + sizeof "PINGAN_DATABASE_URL=";
    *added = malloc(len);
    if (!env || !*added) {
        free(env);
        free(*added);
        *added = NULL;
        return NULL;
    }
    snprintf(*added, len, "PINGAN_DATABASE_URL=%s", url);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PINGAN_DATABASE_URL=", 20) != 0)
            env[k++] = environ[i];
    env[k++] = *added;
    env[k] = NULL;
    return env;
}

/* The last non-empty line the child wrote, into out (may be ""). */
static void log_tail(const char *path, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(out, size, "%s", line);
    }
    fclose(f);
}

/* Starts the child: stdin from /dev/null, stdout and stderr to j->log, no other descriptor
 * (the listening socket and pool connections stay with the server). /proc/self/exe is this
 * very binary even when the file was replaced since. */
static pid_t spawn_child(import_job *j, char *detail, size_t size)
{
    char *argv[24 + IMP_MAX_MAPS];
    if (child_argv(j, argv, (int)(sizeof argv / sizeof argv[0])) < 0) {
        snprintf(detail, size, "out of memory");
        return -1;
    }
    snprintf(j->log, sizeof j->log, "%s/import.log", j->dir);
    char *added = NULL;
    char **env = child_env(j->url, &added);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, j->log, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    pid_t pid = -1;
    int e = env ? posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env) : ENOMEM;
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    free(added);
    if (e) {
        snprintf(detail, size, "the import process could not be started: %s", strerror(e));
        return -1;
    }
    return pid;
}

/* How the child ended, for the job: NULL when it exited 0 (it recorded its own result). */
static const char *child_end(int status, const import_job *j, char *detail, size_t size,
                             json_t *crash)
{
    char tail[400];
    log_tail(j->log, tail, sizeof tail);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        char name[32];
        snprintf(name, sizeof name, "SIG%s", abbrev ? abbrev : "?");
        snprintf(detail, size,
                 "the import process was killed by signal %d (%s, %s) before it finished; "
                 "nothing was committed",
                 sig, name, strsignal(sig));
        json_object_set_new(crash, "signal", json_string(name));
        json_object_set_new(crash, "signal_number", json_integer(sig));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(detail, size,
                 "the import process exited with status %d before it finished%s%s; nothing was "
                 "committed",
                 WEXITSTATUS(status), tail[0] ? ": " : "", tail);
        json_object_set_new(crash, "exit_status", json_integer(WEXITSTATUS(status)));
    } else {
        snprintf(detail, size, "the import process ended without recording a result");
    }
    if (tail[0])
        json_object_set_new(crash, "last_output", json_string(tail));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? NULL : detail;
}

/* The child records start, report and result itself, exactly as an in-process job did; this
 * thread only waits, and fails the job when the child died without recording anything (the
 * update is guarded, so a result the child did record is never overwritten). */
static void *job_main(void *arg)
{
    import_job *j = arg;
    char detail[700];
    int status = 0;
    pid_t pid = spawn_child(j, detail, sizeof detail);
    json_t *crash = json_object();
    if (pid > 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!child_end(status, j, detail, sizeof detail, crash))
            snprintf(detail, sizeof detail, "the import process ended without recording a result");
    }
    json_t *report =
        json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:o}", "file", j->display, "into",
                  j->o.into ? j->o.into : j->o.preset, "mode", mode_name(j->o.mode), "dry_run",
                  j->o.dry_run, "status", "failed", "error", detail, "process", crash);
    char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
    json_decref(report);
    core_err err = {0};
    PGconn *c = db_connect(j->url, &err);
    char *sql = c ? db_sql("import_job_died", &err) : NULL;
    const char *p[] = {j->id, text, detail};
    PGresult *res = sql ? db_exec(c, PGRES_TUPLES_OK, sql, 3, p, &err) : NULL;
    bool died = res && PQntuples(res) > 0;
    if (!res)
        core_log(CORE_LOG_ERROR, "import_job_sql", "\"sql\":\"import_job_died\"");
    PQclear(res);
    free(sql);
    free(text);
    if (c)
        PQfinish(c);
    if (died) {
        core_buf b = {0};
        core_buf_json_str(&b, detail);
        core_log(CORE_LOG_WARN, "import_job", "\"id\":%s,\"status\":\"failed\",\"error\":%s", j->id,
                 b.data ? b.data : "\"\"");
        core_buf_free(&b);
    } else {
        core_log(CORE_LOG_INFO, "import_job", "\"id\":%s,\"child_exit\":%d", j->id,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    job_free(j);
    return NULL;
}

/* The file name without any directory, only safe characters kept (UTF-8 bytes pass). */
static void safe_name(const char *in, char *out, size_t size)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    const char *bs = strrchr(base, '\\');
    base = bs ? bs + 1 : base;
    size_t n = 0;
    for (const char *p = base; *p && n + 1 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        out[n++] =
            (ch >= 0x80 || isalnum(ch) || ch == '.' || ch == '-' || ch == '_') ? (char)ch : '_';
    }
    out[n] = '\0';
    if (n == 0 || out[0] == '.')
        snprintf(out, size, "upload.bin");
}

/* Takes the form fields into j->o; NULL or the problem's detail. */
static const char *take_fields(import_job *j, const imp_part *parts, int np, json_t *opts)
{
    for (int i = 0; i < np; i++) {
        const imp_part *p = &parts[i];
        if (strcmp(p->name, "file") == 0)
            continue;
        if (p->len > FIELD_MAX || memchr(p->data, '\0', p->len))
            return "a form field is too long or holds a NUL byte";
        char *v = strndup(p->data, p->len);
        if (!v)
            return "out of memory";
        j->owned[j->nowned++] = v;
        const char *n = p->name;
        if (strcmp(n, "into") == 0)
            j->o.into = v;
        else if (strcmp(n, "preset") == 0)
            j->o.preset = v;
        else if (strcmp(n, "layer") == 0)
            j->o.layer = v;
        else if (strcmp(n, "s_srs") == 0)
            j->o.s_srs = v;
        else if (strcmp(n, "towgs84") == 0)
            j->o.towgs84 = v;
        else if (strcmp(n, "encoding") == 0)
            j->o.encoding = v;
        else if (strcmp(n, "scope") == 0)
            j->o.scope = v;
        else if (strcmp(n, "dry_run") == 0)
            j->o.dry_run = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
        else if (strcmp(n, "map") == 0 && j->o.nmaps < IMP_MAX_MAPS)
            j->o.maps[j->o.nmaps++] = v;
        else if (strcmp(n, "mode") == 0) {
            if (strcmp(v, "insert") == 0)
                j->o.mode = IMP_MODE_INSERT;
            else if (strcmp(v, "upsert") == 0)
                j->o.mode = IMP_MODE_UPSERT;
            else if (strcmp(v, "replace-scope") == 0)
                j->o.mode = IMP_MODE_REPLACE_SCOPE;
            else
                return "mode is insert, upsert or replace-scope";
        } else
            return "unknown form field (file, into, preset, map, layer, s_srs, towgs84, "
                   "encoding, mode, scope, dry_run)";
        if (strcmp(n, "map") == 0) {
            json_t *a = json_object_get(opts, "map");
            if (!a)
                json_object_set_new(opts, "map", a = json_array());
            json_array_append_new(a, json_string(v));
        } else {
            json_object_set_new(opts, n, json_string(v));
        }
    }
    if (!j->o.into && !j->o.preset)
        return "say where to import with 'into' or 'preset'";
    return NULL;
}

/* A token scoped to a county may replace rows of that county only. */
static const char *check_scope(const import_job *j, const srv_req *r)
{
    if (j->o.mode != IMP_MODE_REPLACE_SCOPE)
        return NULL;
    if (!j->o.scope || !*j->o.scope)
        return "replace-scope needs a 'scope' field";
    if (!srv_in_scope(r, j->o.scope))
        return "the scope lies outside the token's jurisdiction";
    return NULL;
}

/* Writes the file part to a private directory under its own (cleaned) name, so GDAL sees the
 * extension it goes by. */
static bool store(import_job *j, const srv_req *r, const imp_part *file, const char *name)
{
    snprintf(j->dir, sizeof j->dir, "%s/pingan-import-XXXXXX", r->server->cfg.import_dir);
    if (!mkdtemp(j->dir)) {
        j->dir[0] = '\0';
        return false;
    }
    snprintf(j->path, sizeof j->path, "%s/%s", j->dir, name);
    FILE *f = fopen(j->path, "wbx");
    if (!f)
        return false;
    bool ok = fwrite(file->data, 1, file->len, f) == file->len;
    return fclose(f) == 0 && ok;
}

int h_imports_post(srv_req *r)
{
    if (!may_import(r))
        return refuse(r);
    core_buf body = {0};
    int st = srv_read_body(r, &body, r->server->cfg.import_max_bytes);
    if (st)
        return st;
    /* On the heap: server threads keep small stacks. */
    imp_part *parts = calloc(MAX_PARTS, sizeof *parts);
    int np = 0;
    core_err err = {0};
    if (!parts) {
        core_buf_free(&body);
        return srv_problem(r, 500, "out_of_memory", NULL, NULL);
    }
    if (imp_multipart_parse(srv_header(r, "Content-Type"), body.data, body.len, parts, MAX_PARTS,
                            &np, &err)) {
        core_buf_free(&body);
        free(parts);
        return srv_problem(r, err.code == CORE_ELIMIT ? 413 : 400, "bad_multipart", err.msg, NULL);
    }
    const imp_part *file = NULL;
    for (int i = 0; i < np; i++)
        if (strcmp(parts[i].name, "file") == 0)
            file = &parts[i];
    import_job *j = calloc(1, sizeof *j);
    if (j)
        j->o.mode = IMP_MODE_UPSERT;
    json_t *opts = json_object();
    const char *bad = !j ? "out of memory"
                      : !file || !file->filename[0]
                          ? "the upload needs a 'file' part with a filename"
                          : take_fields(j, parts, np, opts);
    if (!bad)
        bad = check_scope(j, r);
    char name[256] = "";
    if (!bad) {
        safe_name(file->filename, name, sizeof name);
        if (!store(j, r, file, name))
            bad = "the upload could not be stored";
    }
    if (!bad)
        snprintf(j->display, sizeof j->display, "%s", file->filename);
    core_buf_free(&body);
    free(parts); /* file points into it: not used past here */
    if (bad) {
        json_decref(opts);
        if (j)
            job_free(j);
        return srv_problem(r, strstr(bad, "stored") ? 507 : 400, "bad_upload", bad, NULL);
    }
    j->o.path = j->path;
    j->o.display_name = j->display;
    snprintf(j->actor, sizeof j->actor, "import:%s:%s", r->actor, name);
    j->o.actor = j->actor;
    if (r->server->cfg.database_url[0])
        snprintf(j->url, sizeof j->url, "%s", r->server->cfg.database_url);
    else
        db_url(j->url, sizeof j->url, &err);

    /* The job row exists before the thread starts, so GET /imports/{id} never 404s on it. */
    PGconn *c = srv_db_acquire(r);
    if (!c) {
        json_decref(opts);
        job_free(j);
        return 503;
    }
    char *opts_text = json_dumps(opts, JSON_COMPACT);
    json_decref(opts);
    char *sql = db_sql("import_job_create", &err);
    const char *p[] = {r->actor, name, j->o.into ? j->o.into : j->o.preset, opts_text};
    PGresult *res = sql ? db_exec(c, PGRES_TUPLES_OK, sql, 4, p, &err) : NULL;
    free(sql);
    free(opts_text);
    srv_db_release(r, c);
    if (!res) {
        job_free(j);
        return srv_problem(r, 500, "database_error", err.msg, NULL);
    }
    snprintf(j->id, sizeof j->id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);

    char id[32];
    snprintf(id, sizeof id, "%s", j->id);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int perr = pthread_create(&t, &attr, job_main, j);
    pthread_attr_destroy(&attr);
    if (perr) {
        job_free(j);
        return srv_problem(r, 503, "busy", "cannot start the import job now", NULL);
    }
    char base[512], loc[700], hdr[800];
    srv_base_url(r, base, sizeof base);
    snprintf(loc, sizeof loc, "%s/imports/%s", base, id);
    snprintf(hdr, sizeof hdr, "Location: %s\r\n", loc);
    json_t *doc = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)strtoll(id, NULL, 10), "status",
                            "queued", "href", loc);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int sent = text ? srv_send(r, 202, "application/json", text, strlen(text), hdr)
                    : srv_problem(r, 500, "out_of_memory", NULL, NULL);
    free(text);
    return sent;
}

int h_imports_get(srv_req *r)
{
    if (!may_import(r))
        return refuse(r);
    const char *id = r->params[0];
    size_t n = strlen(id);
    bool digits = n > 0 && n < 16;
    for (size_t i = 0; i < n; i++)
        digits = digits && isdigit((unsigned char)id[i]);
    if (!digits)
        return srv_problem(r, 404, "not_found", "no such import job", NULL);
    PGconn *c = srv_db_acquire(r);
    if (!c)
        return 503;
    core_err err = {0};
    char *sql = db_sql("import_job_get", &err);
    const char *p[] = {id};
    PGresult *res = sql ? db_exec(c, PGRES_TUPLES_OK, sql, 1, p, &err) : NULL;
    free(sql);
    srv_db_release(r, c);
    if (!res)
        return srv_problem(r, 500, "database_error", err.msg, NULL);
    if (PQntuples(res) == 0) {
        PQclear(res);
        return srv_problem(r, 404, "not_found", "no such import job", NULL);
    }
    json_error_t je;
    json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, &je);
    PQclear(res);
    if (!doc)
        return srv_problem(r, 500, "bad_job", "the job record cannot be read", NULL);
    return srv_send_json(r, 200, doc, NULL);
}
