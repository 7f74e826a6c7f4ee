/* Downloads of /collections/{id}/items as files over real HTTP: CSV (WKT, UTF-8 BOM),
 * GeoPackage, zipped Shapefile (.cpg, .prj) and KML, each saved and read back with GDAL; the
 * items filters apply; Accept asks the same; the collection and /api advertise them. */
#include "harness.h"

#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static th_server srv;
static char dir[256];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[4600];
    snprintf(full, sizeof full, "cd %s && (%s) >/dev/null 2>&1", dir, cmd);
    ck_assert_msg(system(full) == 0, "command failed: %s", cmd);
}

static void save(const th_response *r, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(r->body, 1, r->len, f), r->len);
    fclose(f);
}

static void setup(void)
{
    th_db_create("download");
    snprintf(dir, sizeof dir, "/tmp/pingan_download_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char csv[600];
    snprintf(csv, sizeof csv, "%s/h.csv", dir);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("编号,名称,类型,规模等级,险情等级,威胁户数,威胁人数,经度,纬度\n"
          "DL-1,下村滑坡,滑坡,小型,中型,12,45,114.9301,27.8102\n"
          "DL-2,上坡崩塌,崩塌,中型,特大型,3,10,114.9501,27.8302\n"
          "DL-3,河口泥石流,泥石流,大型,大型,30,120,114.9701,27.8502\n",
          f);
    fclose(f);
    char *out = NULL;
    const char *args[] = {"import", csv, "--preset", "geohazard", "-q", NULL};
    ck_assert_int_eq(th_pingan(&out, args), 0);
    free(out);
    th_server_start(&srv, NULL);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

START_TEST(test_download_every_format_reads_back_with_gdal)
{
    static const struct {
        const char *f, *type, *ext, *ogr;
    } cases[] = {
        {"csv", "text/csv", "csv", "h.csv"},
        {"gpkg", "application/geopackage+sqlite3", "gpkg", "h.gpkg"},
        {"shp", "application/zip", "shp.zip", "/vsizip/h.shp.zip"},
        {"kml", "application/vnd.google-earth.kml+xml", "kml", "h.kml"},
    };
    char day[16];
    time_t now = time(NULL);
    strftime(day, sizeof day, "%Y%m%d", gmtime(&now));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[200];
        snprintf(path, sizeof path, "/collections/hazards/items?f=%s", cases[i].f);
        th_response r = th_http(&srv, "GET", path, NULL, NULL);
        ck_assert_msg(r.status == 200, "%s: %ld %s", cases[i].f, r.status, r.body);
        char v[200], want[200];
        ck_assert(th_header(&r, "Content-Type", v, sizeof v));
        ck_assert_msg(strstr(v, cases[i].type), "%s: %s", cases[i].f, v);
        ck_assert(th_header(&r, "Content-Disposition", v, sizeof v));
        snprintf(want, sizeof want, "attachment; filename=\"hazards-%s.%s\"", day, cases[i].ext);
        ck_assert_str_eq(v, want);
        if (strcmp(cases[i].f, "csv") == 0) {
            /* a byte order mark, so that Excel reads the Chinese as UTF-8; geometry as WKT */
            ck_assert(r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0);
            ck_assert_ptr_nonnull(strstr(r.body, "POINT (114.9701 27.8502)"));
        }
        const char *name =
            strrchr(cases[i].ogr, '/') ? strrchr(cases[i].ogr, '/') + 1 : cases[i].ogr;
        save(&r, name);
        th_response_free(&r);
        sh("ogrinfo -ro -al -so %s | grep -q 'Feature Count: 3'", cases[i].ogr);
        sh("ogrinfo -ro -al %s | grep -q '河口泥石流'", cases[i].ogr);
        if (strcmp(cases[i].f, "csv") != 0)
            sh("ogrinfo -ro -al %s | grep -q 'POINT (114.9701 27.8502'", cases[i].ogr);
    }
    /* the Shapefile carries its encoding and CRS */
    sh("unzip -l h.shp.zip | grep -q 'hazards.cpg'");
    sh("unzip -p h.shp.zip hazards.cpg | grep -q 'UTF-8'");
    sh("unzip -p h.shp.zip hazards.prj | grep -q 'China_2000\\|CGCS2000'");
    /* the GeoPackage is in CGCS2000 */
    sh("ogrinfo -ro -al -so h.gpkg | grep -q 'EPSG\",4490'");
}
END_TEST

START_TEST(test_download_takes_the_items_filters_and_accept)
{
    th_response r =
        th_http(&srv, "GET", "/collections/hazards/items?f=gpkg&bbox=114.92,27.80,114.96,27.84",
                NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    save(&r, "bbox.gpkg");
    th_response_free(&r);
    sh("ogrinfo -ro -al -so bbox.gpkg | grep -q 'Feature Count: 2'");
    sh("ogrinfo -ro -al bbox.gpkg | grep -q 'DL-2'");

    r = th_http(&srv, "GET", "/collections/hazards/items?f=csv&limit=1", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    save(&r, "one.csv");
    th_response_free(&r);
    sh("ogrinfo -ro -al -so one.csv | grep -q 'Feature Count: 1'");

    const char *h[] = {"Accept: text/csv", NULL};
    r = th_http(&srv, "GET", "/collections/hazards/items", h, NULL);
    ck_assert_int_eq(r.status, 200);
    char v[200];
    ck_assert(th_header(&r, "Content-Type", v, sizeof v));
    ck_assert_ptr_nonnull(strstr(v, "text/csv"));
    ck_assert_ptr_nonnull(strstr(r.body, "上坡崩塌"));
    th_response_free(&r);

    r = th_http(&srv, "GET", "/collections/hazards/items?f=xls", NULL, NULL);
    ck_assert_int_eq(r.status, 400);
    th_response_free(&r);
}
END_TEST

START_TEST(test_download_advertised_in_collection_and_api)
{
    th_response r = th_http(&srv, "GET", "/collections/hazards", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "/collections/hazards/items?f=csv"));
    ck_assert_ptr_nonnull(strstr(r.body, "/collections/hazards/items?f=shp"));
    ck_assert_ptr_nonnull(strstr(r.body, "\"enclosure\""));
    th_response_free(&r);
    r = th_http(&srv, "GET", "/api", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "application/geopackage+sqlite3"));
    ck_assert_ptr_nonnull(strstr(r.body, "\"gpkg\""));
    th_response_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("download");
    TCase *tc = tcase_create("download");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_download_every_format_reads_back_with_gdal);
    tcase_add_test(tc, test_download_takes_the_items_filters_and_accept);
    tcase_add_test(tc, test_download_advertised_in_collection_and_api);
    suite_add_tcase(s, tc);
    return th_run(s);
}
