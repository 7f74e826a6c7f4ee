/* pingan import and export end to end on files GDAL writes at test time: every format, the
 * Chinese encodings and coordinate systems, exact coordinates, all-or-nothing loading (also
 * under kill -9), idempotent re-import, and the real GCJ-02 county outlines. */
#include "harness.h"

#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

/* The end of pingan()'s argument list: a typed null pointer, as variadic calls need. */
#define END ((const char *)NULL)

/* ---- helpers ---------------------------------------------------------------------------- */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[8600];
    snprintf(full, sizeof full, "cd %s && (%s) >/dev/null 2>&1", dir, cmd);
    ck_assert_msg(system(full) == 0, "command failed: %s", cmd);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static const char *in_dir(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

/* Runs pingan with args (NULL-ended); returns the exit status and the output. */
static int pingan(char **out, ...)
{
    const char *args[48];
    int n = 0;
    va_list ap;
    va_start(ap, out);
    for (const char *a; n < 47 && (a = va_arg(ap, const char *));)
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return th_pingan(out, args);
}

/* The JSON report at the start of the output of `import … --format json -q`. */
static json_t *report_of(const char *out)
{
    json_error_t e;
    json_t *r = json_loads(out, JSON_DISABLE_EOF_CHECK, &e);
    ck_assert_msg(r != NULL, "no JSON report: %s", out);
    return r;
}

/* `pingan import FILE --preset PRESET --format json -q`, which must succeed: its report. The
 * output stays in *out (caller frees). */
static json_t *import_preset(char **out, const char *file, const char *preset)
{
    int rc = pingan(out, "import", in_dir(file), "--preset", preset, "--format", "json", "-q", END);
    ck_assert_msg(rc == 0, "import %s: %s", file, *out);
    return report_of(*out);
}

static long count(json_t *r, const char *k)
{
    return (long)json_integer_value(json_object_get(json_object_get(r, "counts"), k));
}

static long db_long(const char *sql)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, sql);
    long n = v ? strtol(v, NULL, 10) : -1;
    free(v);
    PQfinish(c);
    return n;
}

static char *db_text(const char *sql)
{
    PGconn *c = th_db_connect();
    char *v = th_db_value(c, sql);
    PQfinish(c);
    return v;
}

/* Unique and foreign-key constraints (x100) and indexes of population_units. */
static long db_constraints_and_indexes(void)
{
    return db_long("SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = "
                   "'population_units'::regclass AND contype IN ('u', 'f')) * 100 + "
                   "(SELECT count(*) FROM pg_indexes WHERE tablename = 'population_units')");
}

/* The enabled triggers of population_units (a direct bulk load drops some for a while). */
static long db_triggers(void)
{
    return db_long("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'population_units'::regclass "
                   "AND NOT tgisinternal AND tgenabled = 'O'");
}

/* The stored point of feature 1 of a json report. */
static void first_point(json_t *r, double *x, double *y)
{
    json_t *g = json_object_get(json_array_get(json_object_get(r, "features"), 0), "geometry");
    json_t *c = json_object_get(g, "coordinates");
    ck_assert_msg(json_is_array(c), "no point in report");
    *x = json_number_value(json_array_get(c, 0));
    *y = json_number_value(json_array_get(c, 1));
}

static const char *HAZARDS_CSV = "编号,名称,类型,规模等级,险情等级,威胁户数,威胁人数,经度,纬度\n"
                                 "T-HZ-1,下村滑坡,滑坡,小型,中型,12,45,114.9301,27.8102\n"
                                 "T-HZ-2,上坡崩塌,崩塌,中型,特大型,3,10,114.9501,27.8302\n"
                                 "T-HZ-3,河口泥石流,泥石流,大型,大型,30,120,114.9701,27.8502\n";

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/pingan_import_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* ---- coordinate systems ----------------------------------------------------------------- */

START_TEST(test_import_gk_4547_point_lands_exactly)
{
    /* cs2cs EPSG:4490 → EPSG:4547 of lat 28, lon 115 */
    write_file("gk.csv", "WKT,名称\n\"POINT (598364.680919 3098844.765240)\",甲\n");
    sh("ogr2ogr -f GPKG gk.gpkg gk.csv -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO "
       "-a_srs EPSG:4547 -nln gk");
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("gk.gpkg"), "--into", "key_places", "--dry-run",
                            "--format", "json", "-q", END),
                     0);
    json_t *r = report_of(out);
    double x, y;
    first_point(r, &x, &y);
    ck_assert_double_eq_tol(x, 115.0, 1e-7);
    ck_assert_double_eq_tol(y, 28.0, 1e-7);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "crs"), "epsg")), 4547);
    json_decref(r);
    free(out);
}
END_TEST

START_TEST(test_import_zone_prefixed_easting_without_crs_is_guessed_loudly)
{
    /* EPSG:4527 (zone 39, prefixed) of lat 27.5, lon 117.25; no CRS in the file, X/Y columns
     * the Chinese way round (X = northing). */
    write_file("gk.csv", "X,Y,名称\n3043058.915064,39524703.079728,乙\n");
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("gk.csv"), "--into", "key_places", "--dry-run",
                            "--format", "json", "-q", END),
                     0);
    json_t *r = report_of(out);
    double x, y;
    first_point(r, &x, &y);
    ck_assert_double_eq_tol(x, 117.25, 1e-7);
    ck_assert_double_eq_tol(y, 27.5, 1e-7);
    json_t *crs = json_object_get(r, "crs");
    ck_assert_int_eq(json_integer_value(json_object_get(crs, "epsg")), 4527);
    ck_assert_str_eq(json_string_value(json_object_get(crs, "source")), "guessed");
    ck_assert(json_is_true(json_object_get(crs, "swapped_xy")));
    const char *w = json_string_value(json_array_get(json_object_get(r, "warnings"), 0));
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(strstr(w, "NO COORDINATE SYSTEM"));
    json_decref(r);
    free(out);
}
END_TEST

START_TEST(test_import_gcj02_point_within_half_metre)
{
    /* WGS84 114.93, 27.81 is 114.934861967, 27.806556014 in GCJ-02 (the published forward
     * formula, computed independently). */
    write_file("g.csv", "名称,经度,纬度\n丙,114.934861967,27.806556014\n");
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("g.csv"), "--into", "key_places", "--s-srs",
                            "GCJ02", "--dry-run", "--format", "json", "-q", END),
                     0);
    json_t *r = report_of(out);
    double x, y;
    first_point(r, &x, &y);
    double dx = (x - 114.93) * 111320.0 * cos(27.81 * M_PI / 180), dy = (y - 27.81) * 110574.0;
    ck_assert_msg(sqrt(dx * dx + dy * dy) < 0.5, "GCJ-02 inverse off by %.3f m",
                  sqrt(dx * dx + dy * dy));
    json_decref(r);
    free(out);
    /* the same place in BD-09 (Baidu): 114.941321835, 27.812638220 */
    write_file("b.csv", "名称,lon,lat\n丙,114.941321835,27.812638220\n");
    ck_assert_int_eq(pingan(&out, "import", in_dir("b.csv"), "--into", "key_places", "--s-srs",
                            "BD09", "--dry-run", "--format", "json", "-q", END),
                     0);
    r = report_of(out);
    first_point(r, &x, &y);
    dx = (x - 114.93) * 111320.0 * cos(27.81 * M_PI / 180), dy = (y - 27.81) * 110574.0;
    ck_assert_msg(sqrt(dx * dx + dy * dy) < 0.5, "BD-09 inverse off by %.3f m",
                  sqrt(dx * dx + dy * dy));
    json_decref(r);
    free(out);
}
END_TEST

START_TEST(test_import_swapped_lat_lon_detected)
{
    write_file("s.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                            "\"properties\":{\"name\":\"丁\"},\"geometry\":{\"type\":\"Point\","
                            "\"coordinates\":[27.81,114.93]}}]}");
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("s.geojson"), "--into", "key_places",
                            "--dry-run", "--format", "json", "-q", END),
                     0);
    json_t *r = report_of(out);
    double x, y;
    first_point(r, &x, &y);
    ck_assert_double_eq_tol(x, 114.93, 1e-9);
    ck_assert_double_eq_tol(y, 27.81, 1e-9);
    ck_assert(json_is_true(json_object_get(json_object_get(r, "crs"), "swapped_xy")));
    json_decref(r);
    free(out);
}
END_TEST

START_TEST(test_import_xian1980_refused_without_parameters)
{
    write_file("x.csv", "WKT,名称\n\"POINT (598364 3098844)\",戊\n");
    sh("ogr2ogr -f GPKG x.gpkg x.csv -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO "
       "-a_srs EPSG:2383 -nln x");
    char *out = NULL;
    ck_assert_int_ne(
        pingan(&out, "import", in_dir("x.gpkg"), "--into", "key_places", "--dry-run", "-q", END),
        0);
    ck_assert_msg(strstr(out, "Xian 1980") && strstr(out, "--towgs84"), "%s", out);
    free(out);
    ck_assert_int_eq(pingan(&out, "import", in_dir("x.gpkg"), "--into", "key_places", "--dry-run",
                            "--towgs84", "24,-123,-94,0.02,-0.25,-0.13,1.1", "--format", "json",
                            "-q", END),
                     0);
    json_t *r = report_of(out);
    double x, y;
    first_point(r, &x, &y);
    ck_assert_double_eq_tol(x, 115.0, 0.01);
    ck_assert_double_eq_tol(y, 28.0, 0.01);
    json_decref(r);
    free(out);
}
END_TEST

/* ---- encodings -------------------------------------------------------------------------- */

START_TEST(test_import_gbk_shapefile_without_cpg_round_trips)
{
    write_file("h.csv", HAZARDS_CSV);
    sh("ogr2ogr -f 'ESRI Shapefile' gbk.shp h.csv -oo X_POSSIBLE_NAMES=经度 "
       "-oo Y_POSSIBLE_NAMES=纬度 -a_srs EPSG:4490 -lco ENCODING=CP936 -nln gbk && rm gbk.cpg && "
       "printf '\\000' | dd of=gbk.dbf bs=1 seek=29 conv=notrunc");
    char *out = NULL;
    json_t *r = import_preset(&out, "gbk.shp", "geohazard");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "encoding"), "chosen")),
                     "GB18030");
    ck_assert_int_eq(count(r, "inserted"), 3);
    json_decref(r);
    free(out);
    char *name = db_text("SELECT name || '/' || category || '/' || danger_level || '/' || "
                         "risk_grade FROM hazards WHERE code = 'T-HZ-2'");
    ck_assert_str_eq(name, "上坡崩塌/collapse/extra_large/red");
    free(name);

    ck_assert_int_eq(pingan(&out, "export", "--from", "hazards", "--format", "shp", "--encoding",
                            "GBK", "-o", in_dir("out.shp"), END),
                     0);
    free(out);
    char *cpg = NULL;
    FILE *f = fopen(in_dir("out.cpg"), "r");
    ck_assert_msg(f != NULL, "export wrote no .cpg");
    char buf[32] = "";
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
    fclose(f);
    ck_assert_msg(strstr(buf, "936") != NULL, "cpg says %s", buf);
    free(cpg);
    /* The DBF holds GBK bytes: 上坡崩塌 = C9 CF C6 C2 B1 C0 CB FA */
    sh("grep -c $(printf '\\311\\317\\306\\302\\261\\300\\313\\372') out.dbf");
    /* and reads back as the same names */
    ck_assert_int_eq(pingan(&out, "import", in_dir("out.shp"), "--preset", "geohazard", "--dry-run",
                            "--format", "json", "-q", END),
                     0);
    r = report_of(out);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "encoding"), "chosen")),
                     "GB18030");
    int seen = 0;
    json_t *feats = json_object_get(r, "features");
    for (size_t i = 0; i < json_array_size(feats); i++) {
        json_t *feat = json_array_get(feats, i);
        json_t *p = json_object_get(feat, "properties");
        if (strcmp(json_string_value(json_object_get(p, "code")), "T-HZ-2") == 0) {
            ck_assert_str_eq(json_string_value(json_object_get(p, "name")), "上坡崩塌");
            seen++;
        }
    }
    ck_assert_int_eq(seen, 1);
    json_decref(r);
    free(out);
}
END_TEST

START_TEST(test_import_encoding_override_and_utf8_detection)
{
    write_file("h.csv", HAZARDS_CSV);
    sh("ogr2ogr -f 'ESRI Shapefile' u.shp h.csv -oo X_POSSIBLE_NAMES=经度 "
       "-oo Y_POSSIBLE_NAMES=纬度 -a_srs EPSG:4490 -lco ENCODING=UTF-8 -nln u && rm u.cpg");
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("u.shp"), "--preset", "geohazard", "--dry-run",
                            "--format", "json", "-q", END),
                     0);
    json_t *r = report_of(out);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "encoding"), "chosen")),
                     "UTF-8");
    json_decref(r);
    free(out);
    /* a .cpg that lies is caught */
    write_file("u.cpg", "CP936\n");
    ck_assert_int_eq(pingan(&out, "import", in_dir("u.shp"), "--preset", "geohazard", "--dry-run",
                            "--format", "json", "-q", END),
                     0);
    r = report_of(out);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "encoding"), "chosen")),
                     "UTF-8");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_array_get(json_object_get(r, "warnings"), 0)), "CP936"));
    json_decref(r);
    free(out);
    /* a GBK CSV from Excel, GBK headers included, with --encoding */
    sh("iconv -f UTF-8 -t GBK h.csv > g.csv");
    ck_assert_int_eq(pingan(&out, "import", in_dir("g.csv"), "--preset", "geohazard", "--encoding",
                            "GBK", "--dry-run", "--format", "json", "-q", END),
                     0);
    r = report_of(out);
    ck_assert_int_eq(count(r, "staged"), 3);
    json_t *p = json_object_get(json_array_get(json_object_get(r, "features"), 0), "properties");
    ck_assert_str_eq(json_string_value(json_object_get(p, "name")), "下村滑坡");
    ck_assert_str_eq(json_string_value(json_object_get(p, "category")), "landslide");
    json_decref(r);
    free(out);
}
END_TEST

/* ---- formats ---------------------------------------------------------------------------- */

/* Imports file into hazards (dry run) and checks 3 features at the CSV's points. */
static void check_three_points(const char *file, const char *extra)
{
    char *out = NULL;
    int rc = extra ? pingan(&out, "import", in_dir(file), "--into", "hazards", "--map", extra,
                            "--dry-run", "--format", "json", "-q", END)
                   : pingan(&out, "import", in_dir(file), "--into", "hazards", "--dry-run",
                            "--format", "json", "-q", END);
    ck_assert_msg(rc == 0, "%s: %s", file, out);
    json_t *r = report_of(out);
    ck_assert_msg(count(r, "staged") == 3, "%s: %ld staged", file, count(r, "staged"));
    double x, y;
    first_point(r, &x, &y);
    ck_assert_double_eq_tol(x, 114.9301, 1e-9);
    ck_assert_double_eq_tol(y, 27.8102, 1e-9);
    json_decref(r);
    free(out);
}

START_TEST(test_import_every_format)
{
    write_file("h.csv", HAZARDS_CSV);
    const char *src = "h.csv -oo X_POSSIBLE_NAMES=经度 -oo Y_POSSIBLE_NAMES=纬度 -a_srs EPSG:4490";
    check_three_points("h.csv", END);
    sh("ogr2ogr -f GPKG p.gpkg %s -nln places", src);
    check_three_points("p.gpkg", END);
    sh("ogr2ogr -f GeoJSON p.geojson %s", src);
    check_three_points("p.geojson", END);
    sh("ogr2ogr -f GeoJSONSeq p.geojsonl %s", src);
    check_three_points("p.geojsonl", END);
    sh("ogr2ogr -f KML p.kml %s -dsco NameField=名称", src);
    check_three_points("p.kml", "name=Name");
    sh("ogr2ogr -f LIBKML p.kmz %s", src);
    check_three_points("p.kmz", "name=名称");
    sh("ogr2ogr -f OpenFileGDB p.gdb %s -nln places", src);
    check_three_points("p.gdb", END);
    /* zipped by python3 (which the lint already needs), not by a zip tool CI may lack */
    sh("mkdir z && ogr2ogr -f 'ESRI Shapefile' z/p.shp %s -lco ENCODING=UTF-8 && "
       "python3 -c 'import zipfile, glob; z = zipfile.ZipFile(\"p.zip\", \"w\"); "
       "[z.write(f, f[2:]) for f in glob.glob(\"z/p.*\")]; z.close()'",
       src);
    check_three_points("p.zip", END);
    sh("ogr2ogr -f DXF p.dxf %s", src);
    check_three_points("p.dxf", "name=EntityHandle");
    /* CSV with a WKT column and lon/lat headers */
    write_file("w.csv", "WKT,name\n\"POINT (114.9301 27.8102)\",a\n\"POINT (115 28)\",b\n"
                        "\"POINT (115.1 28.1)\",c\n");
    check_three_points("w.csv", END);
    write_file("l.csv", "name,lon,lat\na,114.9301,27.8102\nb,115,28\nc,115.1,28.1\n");
    check_three_points("l.csv", END);
}
END_TEST

START_TEST(test_import_multilayer_source_lists_its_layers)
{
    write_file("h.csv", HAZARDS_CSV);
    const char *src = "h.csv -oo X_POSSIBLE_NAMES=经度 -oo Y_POSSIBLE_NAMES=纬度 -a_srs EPSG:4490";
    sh("ogr2ogr -f GPKG m.gpkg %s -nln sites && ogr2ogr -update -f GPKG m.gpkg %s -nln copies", src,
       src);
    char *out = NULL;
    ck_assert_int_ne(
        pingan(&out, "import", in_dir("m.gpkg"), "--preset", "geohazard", "--dry-run", "-q", END),
        0);
    ck_assert_msg(strstr(out, "--layer") && strstr(out, "sites") && strstr(out, "copies"), "%s",
                  out);
    free(out);
    ck_assert_int_eq(pingan(&out, "import", in_dir("m.gpkg"), "--layer", "copies", "--preset",
                            "geohazard", "--dry-run", "-q", END),
                     0);
    free(out);
    ck_assert_int_eq(pingan(&out, "import", in_dir("m.gpkg"), "--layers", END), 0);
    ck_assert_ptr_nonnull(strstr(out, "copies"));
    free(out);
}
END_TEST

/* ---- all or nothing --------------------------------------------------------------------- */

START_TEST(test_import_corrupt_files_give_clear_error_and_no_rows)
{
    long before = db_long("SELECT count(*) FROM key_places");
    write_file("bad.gpkg", "this is not a GeoPackage at all");
    char *out = NULL;
    ck_assert_int_ne(pingan(&out, "import", in_dir("bad.gpkg"), "--into", "key_places", "-q", END),
                     0);
    ck_assert_msg(strstr(out, "cannot read"), "%s", out);
    free(out);
    /* a Shapefile cut in the middle of its records */
    write_file("h.csv", HAZARDS_CSV);
    sh("ogr2ogr -f 'ESRI Shapefile' t.shp h.csv -oo X_POSSIBLE_NAMES=经度 "
       "-oo Y_POSSIBLE_NAMES=纬度 -a_srs EPSG:4490 -lco ENCODING=UTF-8 && "
       "truncate -s 150 t.shp");
    ck_assert_int_ne(pingan(&out, "import", in_dir("t.shp"), "--into", "key_places", "-q", END), 0);
    ck_assert_msg(strstr(out, "failed") || strstr(out, "orrupt"), "%s", out);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM key_places"), before);
}
END_TEST

START_TEST(test_import_kill_9_during_load_leaves_nothing)
{
    /* 150k points: long enough to be killed in the middle of COPY. */
    char path[512];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "code,name,lon,lat\n");
    for (int i = 0; i < 150000; i++) {
        int row = i / 1000, col = i % 1000;
        fprintf(f, "K%d,楼%d,%.6f,%.6f\n", i, i, 114.5 + col * 1e-4, 27.5 + row * 1e-4);
    }
    fclose(f);
    long before = db_long("SELECT count(*) FROM population_units");
    long schema = db_constraints_and_indexes(), triggers = db_triggers();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        execl(PINGAN_BIN, PINGAN_BIN, "import", path, "--into", "population_units", "-q",
              (char *)NULL);
        _exit(127);
    }
    /* wait for the COPY to be under way */
    bool copying = false;
    for (int i = 0; i < 400 && !copying; i++) {
        usleep(50000);
        copying = db_long("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                          " AND query ~ 'COPY (imp_stage|population_units)'") > 0;
    }
    ck_assert_msg(copying, "the import never reached COPY");
    usleep(300000);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    waitpid(pid, NULL, 0);
    for (int i = 0;
         i < 100 &&
         db_long("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                 "current_database() AND query ~ 'COPY (imp_stage|population_units)'") > 0;
         i++)
        usleep(50000);
    ck_assert_int_eq(db_long("SELECT count(*) FROM population_units"), before);
    /* a direct bulk load had dropped indexes, constraints and triggers inside its transaction */
    ck_assert_int_eq(db_constraints_and_indexes(), schema);
    ck_assert_int_eq(db_triggers(), triggers);
}
END_TEST

START_TEST(test_import_again_changes_nothing)
{
    write_file("h.csv", "编号,名称,类型,险情等级,经度,纬度\nR-1,再来滑坡,滑坡,小型,114.93,27.81\n"
                        "R-2,再来崩塌,崩塌,中型,114.94,27.82\n");
    char *out = NULL;
    json_t *r = import_preset(&out, "h.csv", "geohazard");
    ck_assert_int_eq(count(r, "inserted"), 2);
    json_decref(r);
    free(out);
    long hist = db_long("SELECT count(*) FROM edit_history WHERE collection = 'hazards'");
    char *actor = db_text("SELECT actor FROM edit_history WHERE collection = 'hazards' ORDER BY id "
                          "DESC LIMIT 1");
    ck_assert_str_eq(actor, "import:h.csv");
    free(actor);
    r = import_preset(&out, "h.csv", "geohazard");
    ck_assert_int_eq(count(r, "inserted"), 0);
    ck_assert_int_eq(count(r, "updated"), 0);
    ck_assert_int_eq(count(r, "unchanged"), 2);
    json_decref(r);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM edit_history WHERE collection = 'hazards'"),
                     hist);
    ck_assert_int_eq(db_long("SELECT max(version) FROM hazards WHERE code LIKE 'R-%'"), 1);
    /* insert mode refuses existing codes and writes nothing */
    ck_assert_int_ne(pingan(&out, "import", in_dir("h.csv"), "--preset", "geohazard", "--mode",
                            "insert", "-q", END),
                     0);
    ck_assert_msg(strstr(out, "R-1") && strstr(out, "upsert"), "%s", out);
    free(out);
    /* a changed row is updated, once */
    write_file("h.csv", "编号,名称,类型,险情等级,经度,纬度\nR-1,再来滑坡,滑坡,大型,114.93,27.81\n"
                        "R-2,再来崩塌,崩塌,中型,114.94,27.82\n");
    r = import_preset(&out, "h.csv", "geohazard");
    ck_assert_int_eq(count(r, "updated"), 1);
    json_decref(r);
    free(out);
    ck_assert_int_eq(db_long("SELECT version FROM hazards WHERE code = 'R-1'"), 2);
}
END_TEST

/* Bureau building and place lists often have no code column: a feature without a code is the
 * same as a stored one without a code that has the same name and geometry. */
START_TEST(test_import_again_without_codes_changes_nothing)
{
    static const char *csv = "WKT,名称,户数,层数\n"
                             "\"POLYGON ((114.93 27.81,114.9302 27.81,114.9302 27.8102,114.93 "
                             "27.8102,114.93 27.81))\",一号楼,12,6\n"
                             "\"POLYGON ((114.94 27.81,114.9402 27.81,114.9402 27.8102,114.94 "
                             "27.8102,114.94 27.81))\",,8,3\n"
                             "\"POLYGON ((114.94 27.81,114.9402 27.81,114.9402 27.8102,114.94 "
                             "27.8102,114.94 27.81))\",,8,3\n"
                             "\"POLYGON ((114.95 27.81,114.9502 27.81,114.9502 27.8102,114.95 "
                             "27.8102,114.95 27.81))\",,5,2\n";
    write_file("b.csv", csv);
    char *out = NULL;
    json_t *r = import_preset(&out, "b.csv", "buildings");
    /* the file's third row repeats the second: dropped and said */
    ck_assert_int_eq(count(r, "inserted"), 3);
    ck_assert_int_eq(count(r, "duplicate_features"), 1);
    json_decref(r);
    free(out);
    long ids = db_long("SELECT sum(id) FROM population_units WHERE code IS NULL");
    ck_assert_int_eq(db_long("SELECT count(*) FROM population_units WHERE code IS NULL"), 3);

    /* again: nothing new, nothing changed */
    r = import_preset(&out, "b.csv", "buildings");
    ck_assert_int_eq(count(r, "inserted"), 0);
    ck_assert_int_eq(count(r, "updated"), 0);
    ck_assert_int_eq(count(r, "unchanged"), 3);
    json_decref(r);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM population_units WHERE code IS NULL"), 3);
    ck_assert_int_eq(db_long("SELECT max(version) FROM population_units WHERE code IS NULL"), 1);

    /* a corrected household count updates that building in place */
    write_file("b.csv", "WKT,名称,户数,层数\n"
                        "\"POLYGON ((114.93 27.81,114.9302 27.81,114.9302 27.8102,114.93 "
                        "27.8102,114.93 27.81))\",一号楼,14,6\n"
                        "\"POLYGON ((114.94 27.81,114.9402 27.81,114.9402 27.8102,114.94 "
                        "27.8102,114.94 27.81))\",,8,3\n"
                        "\"POLYGON ((114.95 27.81,114.9502 27.81,114.9502 27.8102,114.95 "
                        "27.8102,114.95 27.81))\",,5,2\n");
    r = import_preset(&out, "b.csv", "buildings");
    ck_assert_int_eq(count(r, "inserted"), 0);
    ck_assert_int_eq(count(r, "updated"), 1);
    ck_assert_int_eq(count(r, "unchanged"), 2);
    json_decref(r);
    free(out);
    ck_assert_int_eq(db_long("SELECT households FROM population_units WHERE name = '一号楼'"), 14);
    ck_assert_int_eq(db_long("SELECT version FROM population_units WHERE name = '一号楼'"), 2);
    ck_assert_int_eq(db_long("SELECT sum(id) FROM population_units WHERE code IS NULL"), ids);

    /* the same name elsewhere is another building */
    write_file("c.csv", "WKT,名称,户数\n"
                        "\"POLYGON ((114.96 27.81,114.9602 27.81,114.9602 27.8102,114.96 "
                        "27.8102,114.96 27.81))\",一号楼,3\n");
    ck_assert_int_eq(pingan(&out, "import", in_dir("c.csv"), "--preset", "buildings", "-q", END),
                     0);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM population_units WHERE name = '一号楼'"), 2);

    /* places without codes: points, also in replace-scope, which keeps the ones it matches */
    write_file("k.csv", "名称,类别,村代码,经度,纬度\n"
                        "无码小学,学校,360502001001,114.93,27.81\n"
                        "无码医院,医院,360502001001,114.931,27.811\n");
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(pingan(&out, "import", in_dir("k.csv"), "--into", "key_places", "-q", END),
                         0);
        free(out);
    }
    ck_assert_int_eq(db_long("SELECT count(*) FROM key_places WHERE name LIKE '无码%'"), 2);
    long kid = db_long("SELECT id FROM key_places WHERE name = '无码小学'");
    write_file("k.csv", "名称,类别,村代码,经度,纬度\n"
                        "无码小学,学校,360502001001,114.93,27.81\n");
    ck_assert_int_eq(pingan(&out, "import", in_dir("k.csv"), "--into", "key_places", "--mode",
                            "replace-scope", "--scope", "360502001001", "-q", END),
                     0);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM key_places WHERE name LIKE '无码%'"), 1);
    ck_assert_int_eq(db_long("SELECT id FROM key_places WHERE name = '无码小学'"), kid);
    /* insert mode calls an identical feature without a code a conflict */
    ck_assert_int_ne(pingan(&out, "import", in_dir("k.csv"), "--into", "key_places", "--mode",
                            "insert", "-q", END),
                     0);
    ck_assert_msg(strstr(out, "feature 1"), "%s", out);
    free(out);
}
END_TEST

/* A building file of new codes goes straight into the table (no staging table); anything the
 * staged checks would have to handle sends it back through them, with the same result and a
 * report that says why. */
static void write_buildings(const char *name, const char *prefix, int n, int dup_of_first)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "WKT,建筑编号,户数,层数\n");
    for (int i = 0; i < n; i++) {
        int row = i / 500, col = i % 500;
        double x = 114.9 + col * 2e-4, y = 27.8 + row * 2e-4;
        fprintf(f, "\"POLYGON ((%.4f %.4f,%.4f %.4f,%.4f %.4f,%.4f %.4f,%.4f %.4f))\",%s%d,%d,3\n",
                x, y, x + 1e-4, y, x + 1e-4, y + 1e-4, x, y + 1e-4, x, y, prefix,
                dup_of_first && i == n - 1 ? 0 : i, i % 7);
    }
    fclose(f);
}

START_TEST(test_import_direct_load_falls_back_to_the_staged_checks)
{
    write_file("d.csv", "WKT,建筑编号,户数,村代码\n"
                        "\"POLYGON ((114.93 27.81,114.9302 27.81,114.9302 27.8102,114.93 "
                        "27.8102,114.93 27.81))\",D-1,12,360502001001\n"
                        "\"POLYGON ((114.94 27.81,114.9402 27.81,114.9402 27.8102,114.94 "
                        "27.8102,114.94 27.81))\",D-2,,\n");
    char *out = NULL;
    json_t *r = import_preset(&out, "d.csv", "buildings");
    ck_assert_str_eq(json_string_value(json_object_get(r, "load")), "direct");
    ck_assert_int_eq(count(r, "inserted"), 2);
    json_decref(r);
    free(out);
    char *wkt = db_text("SELECT ST_AsText(geom) || ' ' || households || ' ' || village_code "
                        "FROM population_units WHERE code = 'D-1'");
    ck_assert_str_eq(wkt, "POLYGON((114.93 27.81,114.9302 27.81,114.9302 27.8102,114.93 "
                          "27.8102,114.93 27.81)) 12 360502001001");
    free(wkt);
    /* what the merge would have stored for an empty household count */
    ck_assert_int_eq(db_long("SELECT households FROM population_units WHERE code = 'D-2'"), 0);

    /* again: the table has the codes; the staged merge finds nothing changed */
    r = import_preset(&out, "d.csv", "buildings");
    ck_assert_str_eq(json_string_value(json_object_get(r, "load")), "staged");
    const char *why =
        json_string_value(json_object_get(json_object_get(r, "direct_load_abandoned"), "why"));
    ck_assert_msg(why && strstr(why, "already exists"), "%s", out);
    ck_assert_int_eq(count(r, "unchanged"), 2);
    ck_assert_int_eq(count(r, "read"), 2);
    json_decref(r);
    free(out);
    ck_assert_int_eq(db_long("SELECT max(version) FROM population_units WHERE code LIKE 'D-%'"), 1);

    /* a township's code is no village code: the staged check empties it and says so */
    write_file("t.csv", "WKT,建筑编号,村代码\n"
                        "\"POLYGON ((114.95 27.81,114.9502 27.81,114.9502 27.8102,114.95 "
                        "27.8102,114.95 27.81))\",D-3,360502001\n");
    r = import_preset(&out, "t.csv", "buildings");
    ck_assert_str_eq(json_string_value(json_object_get(r, "load")), "staged");
    ck_assert_int_eq(json_array_size(json_object_get(r, "mismatched")), 1);
    json_decref(r);
    free(out);
    ck_assert_int_eq(
        db_long(
            "SELECT count(*) FROM population_units WHERE code = 'D-3' AND village_code IS NULL"),
        1);

    /* a big file repeating a code after its first rows: the direct load drops and adds back the
     * unique constraint, which refuses; the staged load drops the repeat and reports it */
    long before = db_constraints_and_indexes(), triggers = db_triggers();
    write_buildings("big.csv", "E-", 50001, 1);
    r = import_preset(&out, "big.csv", "buildings");
    ck_assert_str_eq(json_string_value(json_object_get(r, "load")), "staged");
    why = json_string_value(json_object_get(json_object_get(r, "direct_load_abandoned"), "why"));
    ck_assert_msg(why && strstr(why, "could not create unique index"), "%.600s", out);
    ck_assert_int_eq(count(r, "duplicate_codes"), 1);
    ck_assert_int_eq(count(r, "inserted"), 50000);
    json_decref(r);
    free(out);
    ck_assert_int_eq(db_constraints_and_indexes(), before);
    ck_assert_int_eq(db_triggers(), triggers);
    ck_assert_int_eq(db_long("SELECT count(*) FROM population_units WHERE code LIKE 'E-%'"), 50000);
}
END_TEST

/* Empties population_units: a table smaller than the file is what makes a load a bulk load. */
static void empty_units(PGconn *c)
{
    th_db_exec(c, "DELETE FROM population_units");
    th_db_exec(c, "VACUUM population_units");
}

/* Imports 50,001 buildings coded PREFIX0… into the emptied table and checks that they went in
 * the direct way, in bulk; returns how many were inserted. */
static long direct_bulk_import(const char *prefix)
{
    write_buildings("big.csv", prefix, 50001, 0);
    char *out = NULL;
    json_t *r = import_preset(&out, "big.csv", "buildings");
    ck_assert_str_eq(json_string_value(json_object_get(r, "load")), "direct");
    ck_assert_msg(json_object_get(r, "bulk_load"), "%.300s", out);
    long inserted = count(r, "inserted");
    json_decref(r);
    free(out);
    return inserted;
}

START_TEST(test_import_direct_bulk_load_rebuilds_indexes_and_constraints)
{
    PGconn *c = th_db_connect();
    empty_units(c);
    PQfinish(c);
    long before = db_constraints_and_indexes();
    ck_assert_int_eq(before, 204);
    ck_assert_int_eq(direct_bulk_import("F-"), 50001);
    ck_assert_int_eq(db_constraints_and_indexes(), before);
    ck_assert_int_eq(db_long("SELECT count(*) FROM population_units WHERE code LIKE 'F-%'"), 50001);
    /* the constraints are back in force for every other writer */
    c = th_db_connect();
    PGresult *res = PQexec(c, "INSERT INTO population_units (code, kind, geom) VALUES ('F-7', "
                              "'building', ST_GeomFromText('POINT(114.9 27.8)', 4490))");
    ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
    PQclear(res);
    res = PQexec(c, "INSERT INTO population_units (code, kind, village_code, geom) VALUES "
                    "('F-x', 'building', '999999999999', ST_GeomFromText('POINT(114.9 27.8)', "
                    "4490))");
    ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
    PQclear(res);
    PQfinish(c);
}
END_TEST

/* The four numbers of "x1,y1,x2,y2". */
static void four(const char *text, double v[4])
{
    const char *p = text;
    for (int k = 0; k < 4; k++) {
        char *end;
        v[k] = strtod(p, &end);
        ck_assert_msg(end != p && *end == (k < 3 ? ',' : '\0'), "not four numbers: %s", text);
        p = end + 1;
    }
}

/* Widens box (west, south, east, north) to take "x1,y1,x2,y2". */
static void widen(double box[4], const char *text)
{
    double b[4];
    four(text, b);
    for (int k = 0; k < 2; k++) {
        box[k] = fmin(box[k], b[k]);
        box[k + 2] = fmax(box[k + 2], b[k + 2]);
    }
}

START_TEST(test_import_direct_bulk_load_invalidates_tiles_marks_coverage_and_tells_listeners)
{
    PGconn *c = th_db_connect();
    empty_units(c);
    /* a grid over a corner of the buildings: its village must be recomputed */
    th_db_exec(c, "INSERT INTO grids (code, name, kind, village_code, geom) VALUES "
                  "('360502001001901', '楼群网格', 'community', '360502001001', "
                  "ST_Multi(ST_MakeEnvelope(114.95, 27.81, 114.96, 27.815, 4490)))");
    th_db_exec(c, "DELETE FROM coverage_dirty");
    th_db_exec(c, "LISTEN pingan_tiles; LISTEN pingan_events");
    long triggers = db_triggers();
    ck_assert_int_eq(triggers, 10);
    ck_assert_int_eq(direct_bulk_import("G-"), 50001);
    ck_assert_int_eq(db_triggers(), triggers);
    ck_assert_int_eq(db_long("SELECT count(*) FROM coverage_dirty "
                             "WHERE village_code = '360502001001'"),
                     1);

    /* what listeners heard: every row counted once in the change events, tile boxes covering
     * every building, a few of them rather than one per row */
    double events[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    double tiles[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    long counted = 0, tile_notes = 0;
    ck_assert_int_eq(PQconsumeInput(c), 1);
    for (PGnotify *n; (n = PQnotifies(c)); PQfreemem(n)) {
        if (strcmp(n->relname, "pingan_tiles") == 0 &&
            strncmp(n->extra, "population_units ", 17) == 0) {
            char old_box[128], new_box[128];
            ck_assert_int_eq(sscanf(n->extra, "%*s %*d %*d %127s %127s", old_box, new_box), 2);
            ck_assert_str_eq(old_box, "-");
            widen(tiles, new_box);
            tile_notes++;
        } else if (strcmp(n->relname, "pingan_events") == 0) {
            json_error_t je;
            json_t *e = json_loads(n->extra, 0, &je);
            ck_assert_ptr_nonnull(e);
            if (strcmp(json_string_value(json_object_get(e, "collection")), "population_units") ==
                0) {
                ck_assert_str_eq(json_string_value(json_object_get(e, "op")), "insert");
                counted += (long)json_integer_value(json_object_get(e, "count"));
                json_t *b = json_object_get(e, "bbox");
                char text[200];
                snprintf(text, sizeof text, "%.7f,%.7f,%.7f,%.7f",
                         json_number_value(json_array_get(b, 0)),
                         json_number_value(json_array_get(b, 1)),
                         json_number_value(json_array_get(b, 2)),
                         json_number_value(json_array_get(b, 3)));
                widen(events, text);
            }
            json_decref(e);
        }
    }
    ck_assert_int_eq(counted, 50001);
    /* the buildings span 114.9–115.0001 by 27.8–27.8201 */
    ck_assert_double_le(events[0], 114.9);
    ck_assert_double_le(events[1], 27.8);
    ck_assert_double_ge(events[2], 114.9999);
    ck_assert_double_ge(events[3], 27.8201);
    ck_assert_int_le(tile_notes, 20);
    char *extent = th_db_value(c, "SELECT tile_box(ST_SetSRID(ST_Extent(geom)::geometry, 4490)) "
                                  "FROM population_units");
    double want[4];
    four(extent, want);
    free(extent);
    ck_assert_double_le(tiles[0], want[0]);
    ck_assert_double_le(tiles[1], want[1]);
    ck_assert_double_ge(tiles[2], want[2]);
    ck_assert_double_ge(tiles[3], want[3]);
    PQfinish(c);
}
END_TEST

START_TEST(test_import_dry_run_writes_nothing_and_reports_outsiders)
{
    write_file("h.csv", "编号,名称,类型,经度,纬度\nD-1,试试,滑坡,114.93,27.81\n"
                        "D-2,北京,滑坡,116.40,39.90\n");
    char *out = NULL;
    ck_assert_int_eq(
        pingan(&out, "import", in_dir("h.csv"), "--preset", "geohazard", "--dry-run", END), 0);
    ck_assert_msg(strstr(out, "DRY RUN") && strstr(out, "2 inserted") &&
                      strstr(out, "1 outside Jiangxi") && strstr(out, "北京"),
                  "%s", out);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM hazards WHERE code LIKE 'D-%'"), 0);
}
END_TEST

START_TEST(test_import_replace_scope_deletes_what_the_file_dropped)
{
    write_file("k.csv", "编号,名称,类别,村代码,经度,纬度\n"
                        "S-1,一小,学校,360502001001,114.93,27.81\n"
                        "S-2,二小,学校,360502001001,114.94,27.81\n"
                        "S-3,别村,学校,360502001002,114.95,27.81\n");
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("k.csv"), "--into", "key_places", "-q", END), 0);
    free(out);
    write_file("k.csv", "编号,名称,类别,村代码,经度,纬度\n"
                        "S-1,一小,学校,360502001001,114.93,27.81\n");
    ck_assert_int_eq(pingan(&out, "import", in_dir("k.csv"), "--into", "key_places", "--mode",
                            "replace-scope", "--scope", "360502001001", "-q", END),
                     0);
    free(out);
    ck_assert_int_eq(db_long("SELECT count(*) FROM key_places WHERE code LIKE 'S-%'"), 2);
    ck_assert_int_eq(db_long("SELECT count(*) FROM key_places WHERE code = 'S-2'"), 0);
    ck_assert_int_eq(db_long("SELECT count(*) FROM key_places WHERE code = 'S-3'"), 1);
}
END_TEST

/* ---- the real county outlines ----------------------------------------------------------- */

START_TEST(test_import_gcj02_county_outlines_name_the_unmatched)
{
    char glob[600];
    snprintf(glob, sizeof glob, "%s/data/demo/counties-gcj02", PINGAN_SOURCE_TREE);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "ls %s/*.geojson", glob);
    FILE *ls = popen(cmd, "r");
    ck_assert_ptr_nonnull(ls);
    char file[700];
    char unmatched[2000] = "";
    int files = 0, repaired = 0, updated = 0;
    while (fgets(file, sizeof file, ls)) {
        file[strcspn(file, "\n")] = '\0';
        char *out = NULL;
        int rc = pingan(&out, "import", file, "--preset", "boundaries", "--s-srs", "GCJ02",
                        "--format", "json", "-q", END);
        ck_assert_msg(rc == 0, "%s: %s", file, strlen(out) > 400 ? out + strlen(out) - 400 : out);
        json_t *r = report_of(out);
        json_t *um = json_object_get(r, "unmatched");
        for (size_t i = 0; i < json_array_size(um); i++) {
            json_t *u = json_array_get(um, i);
            strcat(unmatched, json_string_value(json_object_get(u, "name")));
            strcat(unmatched, " ");
        }
        repaired += (int)count(r, "repaired");
        updated += (int)count(r, "updated");
        files++;
        json_decref(r);
        free(out);
    }
    pclose(ls);
    ck_assert_msg(files == 11, "expected the 11 city files in %s, found %d", glob, files);
    const char *expect[] = {"东乡县", "龙南县", "九江县", "上饶县", "余江县", "湾里区"};
    for (int i = 0; i < 6; i++)
        ck_assert_msg(strstr(unmatched, expect[i]), "%s not reported: %s", expect[i], unmatched);
    ck_assert_int_eq((int)(strlen(unmatched) - strlen("东乡县 ") * 6), 0);
    ck_assert_int_gt(repaired, 0);
    ck_assert_int_eq(updated, 94); /* 100 outlines, 6 of counties that no longer exist */
    ck_assert_int_eq(db_long("SELECT count(*) FROM jurisdictions WHERE level = 'county' AND geom "
                             "IS NOT NULL AND ST_IsValid(geom)"),
                     updated);
    /* 渝水区 holds the city centre of Xinyu */
    ck_assert_int_eq(db_long("SELECT ST_Contains(geom, ST_SetSRID(ST_Point(114.93, 27.81), 4490))"
                             "::int FROM jurisdictions WHERE code = '360502000000'"),
                     1);
}
END_TEST

/* ---- export ----------------------------------------------------------------------------- */

START_TEST(test_export_formats_and_gk_zone)
{
    write_file("h.csv", HAZARDS_CSV);
    char *out = NULL;
    ck_assert_int_eq(pingan(&out, "import", in_dir("h.csv"), "--preset", "geohazard", "-q", END),
                     0);
    free(out);
    const char *formats[][2] = {{"gpkg", "e.gpkg"},
                                {"geojson", "e.geojson"},
                                {"csv", "e.csv"},
                                {"kml", "e.kml"},
                                {"shp", "e.shp"}};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(pingan(&out, "export", "--from", "hazards", "--format", formats[i][0],
                                "-o", in_dir(formats[i][1]), END),
                         0);
        free(out);
        sh("ogrinfo -ro -al -so %s | grep -q 'Feature Count: %ld'", formats[i][1],
           db_long("SELECT count(*) FROM hazards"));
    }
    /* GK: lon 114.93 is zone 38 (CM 114E): EPSG:4526 with the 38 prefix */
    ck_assert_int_eq(pingan(&out, "export", "--from", "hazards", "--format", "gpkg", "--t-srs",
                            "GK", "-o", in_dir("gk.gpkg"), END),
                     0);
    free(out);
    sh("ogrinfo -ro -al -so gk.gpkg | grep -q 'ID\\[\"EPSG\",4526\\]'");
    sh("ogrinfo -ro -al gk.gpkg | grep -q 'POINT (38'");
}
END_TEST

int main(void)
{
    th_db_create("import");
    Suite *s = suite_create("import");
    /* One case per ctest entry (CK_RUN_CASE), so the family runs in parallel. */
    struct {
        const char *name;
        const TTest *tests[7];
    } cases[] = {
        {"crs",
         {test_import_gk_4547_point_lands_exactly,
          test_import_zone_prefixed_easting_without_crs_is_guessed_loudly,
          test_import_gcj02_point_within_half_metre, test_import_swapped_lat_lon_detected,
          test_import_xian1980_refused_without_parameters, NULL}},
        {"encoding",
         {test_import_gbk_shapefile_without_cpg_round_trips,
          test_import_encoding_override_and_utf8_detection, NULL}},
        {"formats",
         {test_import_every_format, test_import_multilayer_source_lists_its_layers, NULL}},
        {"load",
         {test_import_corrupt_files_give_clear_error_and_no_rows,
          test_import_kill_9_during_load_leaves_nothing, test_import_again_changes_nothing,
          test_import_dry_run_writes_nothing_and_reports_outsiders,
          test_import_replace_scope_deletes_what_the_file_dropped, NULL}},
        {"codeless", {test_import_again_without_codes_changes_nothing, NULL}},
        {"direct",
         {test_import_direct_load_falls_back_to_the_staged_checks,
          test_import_direct_bulk_load_rebuilds_indexes_and_constraints,
          test_import_direct_bulk_load_invalidates_tiles_marks_coverage_and_tells_listeners, NULL}},
        {"counties", {test_import_gcj02_county_outlines_name_the_unmatched, NULL}},
        {"export", {test_export_formats_and_gk_zone, NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 280);
        tcase_add_checked_fixture(tc, setup, teardown);
        for (int k = 0; cases[i].tests[k]; k++)
            tcase_add_test(tc, cases[i].tests[k]);
        suite_add_tcase(s, tc);
    }
    int failed = th_run(s);
    th_db_drop();
    return failed;
}
