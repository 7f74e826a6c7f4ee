/* GDAL's OAPIF driver against the real server: ogr2ogr copies every collection to GeoPackage
 * through several pages each, and the copy's counts and a sample of geometries match the
 * database (geometries equal within 1e-7 degrees, the output precision). */
#include "common.h"

#include <stdarg.h>
#include <unistd.h>

static char tmpdir[64];

static void setup(void)
{
    features_up("features_gdal");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pingan_gdal_%d", (int)getpid());
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", tmpdir, tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    features_down();
}

/* Runs a shell command; returns its exit status and its stdout as a new string in *out. */
static int run(char **out, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) {
            char *bigger = realloc(buf, cap *= 2);
            ck_assert_ptr_nonnull(bigger);
            buf = bigger;
        }
    }
    buf[len] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first WKT geometry line ogrinfo prints for a feature. */
static char *wkt_line(const char *ogrinfo_out)
{
    const char *kinds[] = {"  MULTIPOLYGON", "  POLYGON",    "  POINT",
                           "  LINESTRING",   "  MULTIPOINT", "  MULTILINESTRING"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *p = strstr(ogrinfo_out, kinds[i]);
        if (p) {
            p += 2;
            size_t n = strcspn(p, "\n");
            char *w = malloc(n + 1);
            memcpy(w, p, n);
            w[n] = '\0';
            return w;
        }
    }
    return NULL;
}

/* Copies one collection with GDAL and checks count and sample geometries against the DB. */
static void copy_and_compare(const char *coll, int page_size, const char *table, bool int_ids)
{
    char *log = NULL;
    int st = run(&log, "ogr2ogr -f GPKG %s/%s.gpkg OAPIF:%s/ %s -oo PAGE_SIZE=%d %s 2>&1", tmpdir,
                 coll, srv.base, coll, page_size, int_ids ? "-preserve_fid" : "");
    ck_assert_msg(st == 0, "ogr2ogr %s failed: %s", coll, log);
    free(log);

    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    long want = db_long(sql);
    ck_assert_msg(want > page_size, "%s: %ld rows do not need several pages of %d", coll, want,
                  page_size);
    char *out = NULL;
    ck_assert_int_eq(run(&out, "sqlite3 %s/%s.gpkg 'SELECT count(*) FROM %s'", tmpdir, coll, coll),
                     0);
    ck_assert_msg(strtol(out, NULL, 10) == want,
                  "%s: GDAL copied %ld features, the database has %ld", coll, strtol(out, NULL, 10),
                  want);
    free(out);

    if (!int_ids)
        return;
    /* first, middle and last feature: same name and same geometry as in the database */
    snprintf(sql, sizeof sql,
             "SELECT string_agg(id::text, ' ') FROM (SELECT id FROM %s ORDER BY id) t "
             "WHERE id IN ((SELECT min(id) FROM %s), (SELECT max(id) FROM %s), "
             "(SELECT id FROM %s ORDER BY id OFFSET (SELECT count(*) / 2 FROM %s) LIMIT 1))",
             table, table, table, table, table);
    char *ids = db_value(sql);
    ck_assert_ptr_nonnull(ids);
    char *save = NULL;
    int checked = 0;
    for (char *id = strtok_r(ids, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
        ck_assert_int_eq(run(&out, "ogrinfo -ro -q %s/%s.gpkg %s -fid %s", tmpdir, coll, coll, id),
                         0);
        snprintf(sql, sizeof sql, "SELECT name FROM %s WHERE id = %s", table, id);
        char *name = db_value(sql);
        ck_assert_msg(strstr(out, name) != NULL, "%s %s: name %s missing in %s", coll, id, name,
                      out);
        free(name);
        char *wkt = wkt_line(out);
        if (strcmp(table, "grid_workers") == 0) {
            ck_assert_ptr_null(wkt);
        } else {
            ck_assert_msg(wkt != NULL, "%s %s: no geometry in %s", coll, id, out);
            PGconn *c = th_db_connect();
            const char *args[] = {wkt, id};
            char q[300];
            snprintf(q, sizeof q,
                     "SELECT ST_HausdorffDistance(geom, ST_GeomFromText($1, 4490)) < 1e-7 "
                     "AND ST_GeometryType(geom) = ST_GeometryType(ST_GeomFromText($1)) "
                     "FROM %s WHERE id = $2::bigint",
                     table);
            PGresult *r = PQexecParams(c, q, 2, NULL, args, NULL, NULL, 0);
            ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "compare: %s",
                          PQerrorMessage(c));
            ck_assert_msg(strcmp(PQgetvalue(r, 0, 0), "t") == 0, "%s %s: %s differs", coll, id,
                          wkt);
            PQclear(r);
            PQfinish(c);
            free(wkt);
        }
        free(out);
        checked++;
    }
    ck_assert_int_eq(checked, 3);
    free(ids);
}

START_TEST(test_gdal_copies_grids_completely)
{
    copy_and_compare("grids", 7, "grids", true);
}
END_TEST

START_TEST(test_gdal_copies_workers_key_places_hazards_cameras)
{
    copy_and_compare("grid_workers", 3, "grid_workers", true);
    copy_and_compare("key_places", 7, "key_places", true);
    copy_and_compare("hazards", 9, "hazards", true);
    copy_and_compare("cameras", 11, "cameras", true);
}
END_TEST

START_TEST(test_gdal_copies_population_units_over_many_pages)
{
    copy_and_compare("population_units", 50, "population_units", true);
}
END_TEST

START_TEST(test_gdal_copies_jurisdictions_with_text_ids)
{
    copy_and_compare("jurisdictions", 2500, "jurisdictions", false);
    /* the community with a boundary comes through with it and its Chinese name */
    char *out = NULL;
    ck_assert_int_eq(run(&out,
                         "ogrinfo -ro -q %s/jurisdictions.gpkg -sql \"SELECT * FROM "
                         "jurisdictions WHERE id = '360502001001'\"",
                         tmpdir),
                     0);
    ck_assert_ptr_nonnull(strstr(out, "百花湖社区居民委员会"));
    char *wkt = wkt_line(out);
    ck_assert_ptr_nonnull(wkt);
    ck_assert_ptr_nonnull(strstr(wkt, "MULTIPOLYGON"));
    free(wkt);
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("features_gdal");
    TCase *tc = tcase_create("oapif");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_gdal_copies_grids_completely);
    tcase_add_test(tc, test_gdal_copies_workers_key_places_hazards_cameras);
    tcase_add_test(tc, test_gdal_copies_population_units_over_many_pages);
    tcase_add_test(tc, test_gdal_copies_jurisdictions_with_text_ids);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
