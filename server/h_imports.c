/* POST /imports and GET /imports/{id}: a bureau file uploaded as multipart/form-data becomes an
 * import job run on its own thread and connection; the job's status and report live in the
 * import_jobs table. Importer or admin role only. The import itself is importers/' imp_run. */
#include "importers.h"
#include "srv_internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTS 48
#define FIELD_MAX 4096

typedef struct {
    char url[1024];
    char id[32];
    char dir[512];
    char path[800];
    char actor[320];
    char *owned[MAX_PARTS]; /* option strings */
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
    if (j->dir[0])
        rmdir(j->dir);
    for (int i = 0; i < j->nowned; i++)
        free(j->owned[i]);
    free(j);
}

static void run_sql(PGconn *c, const char *name, int n, const char *const *params)
{
    core_err err = {0};
    char *sql = db_sql(name, &err);
    if (sql && db_run(c, sql, n, params, &err))
        core_log(CORE_LOG_ERROR, "import_job_sql", "\"sql\":\"%s\"", name);
    free(sql);
}

static void *job_main(void *arg)
{
    import_job *j = arg;
    core_err err = {0};
    PGconn *c = db_connect(j->url, &err);
    core_code rc = CORE_EUNAVAIL;
    if (c) {
        const char *p[] = {j->id};
        run_sql(c, "import_job_start", 1, p);
        json_t *report = NULL;
        rc = imp_run(&j->o, c, &report, &err);
        char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
        const char *fp[] = {j->id, rc ? "failed" : "succeeded", text, rc ? err.msg : NULL};
        run_sql(c, "import_job_finish", 4, fp);
        free(text);
        json_decref(report);
        PQfinish(c);
    }
    core_log(rc ? CORE_LOG_WARN : CORE_LOG_INFO, "import_job", "\"id\":%s,\"status\":\"%s\"", j->id,
             rc ? "failed" : "succeeded");
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
    imp_part parts[MAX_PARTS];
    int np = 0;
    core_err err = {0};
    if (imp_multipart_parse(srv_header(r, "Content-Type"), body.data, body.len, parts, MAX_PARTS,
                            &np, &err)) {
        core_buf_free(&body);
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
    char name[256] = "";
    if (!bad) {
        safe_name(file->filename, name, sizeof name);
        if (!store(j, r, file, name))
            bad = "the upload could not be stored";
    }
    core_buf_free(&body);
    if (bad) {
        json_decref(opts);
        if (j)
            job_free(j);
        return srv_problem(r, strstr(bad, "stored") ? 507 : 400, "bad_upload", bad, NULL);
    }
    j->o.path = j->path;
    j->o.display_name = file->filename;
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
