/* Vector tiles over real HTTP on a real PostGIS with the fixture world: every layer decodes
 * with the right names, attributes and geometry inside the tile; 204/400/404; gzip; ETag and
 * 304; TileJSON; styles; and exact invalidation by plain SQL in another connection, seen by
 * one server and by two at once, and after the listener loses its connection. */
#include "core.h"
#include "harness.h"
#include "mvt_reader.h"
#include "tiles.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define ALL "jurisdictions,jurisdiction_labels,grids,key_places,hazards,cameras,population_units"

static th_server srv;

static void load_fixture(void)
{
    char path[4096];
    ck_assert(core_path(path, sizeof path, "tests/tiles/fixture.sql"));
    char *sql = core_read_file(path, NULL, NULL);
    ck_assert_ptr_nonnull(sql);
    PGconn *c = th_db_connect();
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "fixture: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    free(sql);
}

static void setup(void)
{
    th_db_create("tiles_http");
    load_fixture();
    th_server_start(&srv, NULL);
}

static void teardown(void)
{
    th_server_stop(&srv);
    th_db_drop();
}

static void sql(const char *text)
{
    PGconn *c = th_db_connect();
    PGresult *r = PQexec(c, text);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", text, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* The tile path of a layer set at the tile holding lon/lat. */
static void tile_at(char *out, size_t size, const char *layers, int z, double lon, double lat)
{
    int x, y;
    tile_from_lonlat(lon, lat, z, &x, &y);
    snprintf(out, size, "/tiles/%s/%d/%d/%d.mvt", layers, z, x, y);
}

static th_response get(const th_server *s, const char *path, bool gzip, const char *inm)
{
    char h2[200];
    const char *h[3] = {NULL, NULL, NULL};
    int n = 0;
    if (gzip)
        h[n++] = "Accept-Encoding: gzip";
    if (inm) {
        snprintf(h2, sizeof h2, "If-None-Match: %s", inm);
        h[n++] = h2;
    }
    return th_http(s, "GET", path, h, NULL);
}

static mvt_tile *decode(const th_response *r)
{
    mvt_tile *t = calloc(1, sizeof *t);
    ck_assert_msg(mvt_decode((const unsigned char *)r->body, r->len, t), "not a vector tile");
    return t;
}

static long long metric(const th_server *s, const char *name)
{
    th_response r = th_http(s, "GET", "/metrics", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    char probe[128];
    snprintf(probe, sizeof probe, "\n%s ", name);
    const char *p = strstr(r.body, probe);
    ck_assert_msg(p != NULL, "no metric %s", name);
    long long v = strtoll(p + strlen(probe), NULL, 10);
    th_response_free(&r);
    return v;
}

/* Waits (up to 5 s) until a counter reaches at least want. */
static void wait_metric(const th_server *s, const char *name, long long want)
{
    for (int i = 0; i < 100; i++) {
        if (metric(s, name) >= want)
            return;
        usleep(50000);
    }
    ck_abort_msg("%s did not reach %lld (is %lld)", name, want, metric(s, name));
}

static void etag_of(const th_response *r, char *out, size_t size)
{
    ck_assert_msg(th_header(r, "ETag", out, size), "no ETag");
}

/* Checks a layer: present, version 2, extent 4096, every feature's geometry inside the tile
 * plus its buffer, and every feature carrying the attributes named. */
static const mvt_layer *check_layer(const mvt_tile *t, const char *name, int type,
                                    const char *const *attrs)
{
    const mvt_layer *l = mvt_find(t, name);
    ck_assert_msg(l != NULL, "layer %s missing", name);
    ck_assert_uint_eq(l->version, 2);
    ck_assert_uint_eq(l->extent, 4096);
    ck_assert_int_gt(l->nfeatures, 0);
    for (int i = 0; i < l->nfeatures; i++) {
        const mvt_feature *f = &l->features[i];
        if (type)
            ck_assert_int_eq(f->type, type);
        ck_assert_msg(f->minx >= -64 && f->miny >= -64 && f->maxx <= 4096 + 64 &&
                          f->maxy <= 4096 + 64,
                      "%s feature %d lies outside the tile: %ld %ld %ld %ld", name, i, f->minx,
                      f->miny, f->maxx, f->maxy);
        for (int a = 0; attrs && attrs[a]; a++)
            ck_assert_msg(mvt_value(l, f, attrs[a]) != NULL, "%s feature %d lacks %s", name, i,
                          attrs[a]);
    }
    return l;
}

static const mvt_feature *feature_where(const mvt_layer *l, const char *key, const char *value)
{
    for (int i = 0; i < l->nfeatures; i++) {
        const char *v = mvt_value(l, &l->features[i], key);
        if (v && strcmp(v, value) == 0)
            return &l->features[i];
    }
    return NULL;
}

START_TEST(test_every_layer_decodes_with_names_attributes_and_geometry_in_tile)
{
    char path[300];
    /* z16 at the first community: everything the fixture has there is drawn unclustered. */
    tile_at(path, sizeof path, ALL, 16, 114.9045, 27.8060);
    th_response r = get(&srv, path, false, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_lt(r.len, 500 * 1024);
    mvt_tile *t = decode(&r);
    const char *jur[] = {"code", "name", "level", NULL};
    const mvt_layer *l = check_layer(t, "jurisdictions", 3, jur);
    const mvt_feature *f = feature_where(l, "code", "360502001001");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(mvt_value(l, f, "name"), "百花湖社区居民委员会");
    ck_assert_str_eq(mvt_value(l, f, "level"), "village");
    const char *grid[] = {"code", "name", "kind", "households", "workers", "staffing", NULL};
    l = check_layer(t, "grids", 3, grid);
    f = feature_where(l, "code", "360502001001001");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(mvt_value(l, f, "name"), "百花湖第一网格");
    ck_assert_str_eq(mvt_value(l, f, "kind"), "community");
    ck_assert_str_eq(mvt_value(l, f, "households"), "420");
    ck_assert_str_eq(mvt_value(l, f, "staffing"), "staffed");
    ck_assert(f->has_id);
    const char *kp[] = {"category", "has_video", "has_alarm", NULL};
    l = check_layer(t, "key_places", 1, kp);
    ck_assert_ptr_nonnull(feature_where(l, "name", "百花湖幼儿园"));
    ck_assert_ptr_null(mvt_find(t, "cameras")); /* none there: no empty layer either */
    free(t);
    th_response_free(&r);

    tile_at(path, sizeof path, ALL, 16, 114.9100, 27.8060);
    r = get(&srv, path, false, NULL);
    t = decode(&r);
    const char *haz[] = {"risk_grade", "status", "overdue", "escalation_level", "count", NULL};
    l = check_layer(t, "hazards", 1, haz);
    f = feature_where(l, "name", "百花湖边坡滑坡");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(mvt_value(l, f, "risk_grade"), "red");
    ck_assert_str_eq(mvt_value(l, f, "overdue"), "true");
    ck_assert_str_eq(mvt_value(l, f, "count"), "1");
    free(t);
    th_response_free(&r);

    tile_at(path, sizeof path, ALL, 17, 114.9011, 27.8011);
    r = get(&srv, path, false, NULL);
    t = decode(&r);
    const char *pop[] = {"name", "kind", "households", "residents", "floors", NULL};
    l = check_layer(t, "population_units", 3, pop);
    ck_assert_str_eq(mvt_value(l, &l->features[0], "households"), "48");
    free(t);
    th_response_free(&r);

    /* The community's label point (the middle of its rectangle) at z14. */
    tile_at(path, sizeof path, "jurisdiction_labels", 14, 114.9125, 27.81);
    r = get(&srv, path, false, NULL);
    t = decode(&r);
    const char *lab[] = {"name", "level", NULL};
    l = check_layer(t, "jurisdiction_labels", 1, lab);
    ck_assert_ptr_nonnull(feature_where(l, "name", "百花湖社区居民委员会"));
    free(t);
    th_response_free(&r);

    /* The school, its camera and its dedicated grid at z15, layers in the order asked for. */
    tile_at(path, sizeof path, "cameras,grids", 15, 114.9045, 27.8135);
    r = get(&srv, path, false, NULL);
    ck_assert_int_eq(r.status, 200);
    t = decode(&r);
    ck_assert_int_eq(t->nlayers, 2);
    ck_assert_str_eq(t->layers[0].name, "cameras");
    const char *cam[] = {"name", "direction_deg", "fov_deg", "range_m", NULL};
    check_layer(t, "cameras", 1, cam);
    l = check_layer(t, "grids", 3, grid);
    f = feature_where(l, "kind", "dedicated");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(mvt_value(l, f, "unit_type"), "school");
    ck_assert_str_eq(mvt_value(l, f, "staffing"), "unstaffed");
    free(t);
    th_response_free(&r);
    tile_at(path, sizeof path, "grids", 14, 114.918, 27.805);
    r = get(&srv, path, false, NULL);
    t = decode(&r);
    l = check_layer(t, "grids", 3, grid);
    f = feature_where(l, "code", "360502001001002");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(mvt_value(l, f, "staffing"), "no_full_time");
    free(t);
    th_response_free(&r);
}
END_TEST

START_TEST(test_zoom_rules_and_clusters)
{
    char path[300];
    /* z8: outlines of province, city and county only; no townships, villages or grids. */
    tile_at(path, sizeof path, "jurisdictions,grids,hazards", 8, 114.92, 27.81);
    th_response r = get(&srv, path, false, NULL);
    ck_assert_int_eq(r.status, 200);
    mvt_tile *t = decode(&r);
    const mvt_layer *l = mvt_find(t, "jurisdictions");
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < l->nfeatures; i++) {
        const char *level = mvt_value(l, &l->features[i], "level");
        ck_assert_msg(strcmp(level, "township") != 0 && strcmp(level, "village") != 0, "%s at z8",
                      level);
    }
    ck_assert_ptr_null(mvt_find(t, "grids"));
    /* The four hazards fall in one cluster cell or a few, with the worst grade and counts. */
    l = mvt_find(t, "hazards");
    ck_assert_ptr_nonnull(l);
    long total = 0;
    bool red = false;
    for (int i = 0; i < l->nfeatures; i++) {
        total += strtol(mvt_value(l, &l->features[i], "count"), NULL, 10);
        red |= strcmp(mvt_value(l, &l->features[i], "risk_grade"), "red") == 0;
    }
    ck_assert_int_eq(total, 4);
    ck_assert_int_lt(l->nfeatures, 4);
    ck_assert(red);
    free(t);
    th_response_free(&r);

    /* z10: townships appear, villages not yet. */
    tile_at(path, sizeof path, "jurisdictions", 10, 114.92, 27.81);
    r = get(&srv, path, false, NULL);
    t = decode(&r);
    l = mvt_find(t, "jurisdictions");
    ck_assert_ptr_nonnull(feature_where(l, "level", "township"));
    ck_assert_ptr_null(feature_where(l, "level", "village"));
    free(t);
    th_response_free(&r);

    /* Population units are not drawn below z15: the tile is empty. */
    tile_at(path, sizeof path, "population_units", 14, 114.9011, 27.8011);
    r = get(&srv, path, false, NULL);
    ck_assert_int_eq(r.status, 204);
    th_response_free(&r);
}
END_TEST

START_TEST(test_empty_204_and_errors_as_problems)
{
    th_response r = get(&srv, "/tiles/grids/14/0/0.mvt", false, NULL);
    ck_assert_int_eq(r.status, 204);
    ck_assert_int_eq(r.len, 0);
    th_response_free(&r);
    const char *bad[] = {"/tiles/grids/23/0/0.mvt", "/tiles/grids/3/8/0.mvt",
                         "/tiles/grids/3/0/8.pbf",  "/tiles/grids/-1/0/0.mvt",
                         "/tiles/grids/3/x/0.mvt",  "/tiles/grids,grids/3/0/0.mvt"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = get(&srv, bad[i], false, NULL);
        ck_assert_msg(r.status == 400, "%s: %ld", bad[i], r.status);
        char ct[100];
        ck_assert(th_header(&r, "Content-Type", ct, sizeof ct));
        ck_assert_str_eq(ct, "application/problem+json");
        th_response_free(&r);
    }
    r = get(&srv, "/tiles/grids,nosuch/3/0/0.mvt", false, NULL);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "\"code\":\"unknown_layer\""));
    ck_assert_ptr_nonnull(strstr(r.body, "nosuch"));
    th_response_free(&r);
    r = get(&srv, "/tiles/nosuch.json", false, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
}
END_TEST

START_TEST(test_gzip_etag_and_304)
{
    char path[300];
    tile_at(path, sizeof path, ALL, 14, 114.906, 27.805);
    th_response plain = get(&srv, path, false, NULL);
    th_response gz = get(&srv, path, true, NULL);
    ck_assert_int_eq(plain.status, 200);
    ck_assert_int_eq(gz.status, 200);
    char enc[32] = "", ct[80], cc[100];
    ck_assert(!th_header(&plain, "Content-Encoding", enc, sizeof enc));
    ck_assert(th_header(&gz, "Content-Encoding", enc, sizeof enc));
    ck_assert_str_eq(enc, "gzip");
    ck_assert(th_header(&gz, "Content-Type", ct, sizeof ct));
    ck_assert_str_eq(ct, "application/vnd.mapbox-vector-tile");
    ck_assert(th_header(&gz, "Cache-Control", cc, sizeof cc));
    ck_assert_ptr_nonnull(strstr(cc, "must-revalidate"));
    /* The gzip body inflates to exactly the plain body. */
    unsigned char *out = malloc(plain.len + 16);
    z_stream zs = {0};
    ck_assert_int_eq(inflateInit2(&zs, 31), Z_OK);
    zs.next_in = (Bytef *)gz.body;
    zs.avail_in = (uInt)gz.len;
    zs.next_out = out;
    zs.avail_out = (uInt)plain.len + 16;
    ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END);
    ck_assert_uint_eq(zs.total_out, plain.len);
    ck_assert(memcmp(out, plain.body, plain.len) == 0);
    inflateEnd(&zs);
    free(out);
    ck_assert_int_lt(gz.len, plain.len);

    char e1[64], e2[64];
    etag_of(&plain, e1, sizeof e1);
    etag_of(&gz, e2, sizeof e2);
    ck_assert_str_ne(e1, e2); /* two representations, two strong validators */
    th_response again = get(&srv, path, true, e2);
    ck_assert_int_eq(again.status, 304);
    ck_assert_int_eq(again.len, 0);
    th_response_free(&again);
    again = get(&srv, path, false, "\"other\", W/\"x\"");
    ck_assert_int_eq(again.status, 200);
    char e3[64];
    etag_of(&again, e3, sizeof e3);
    ck_assert_str_eq(e1, e3); /* stable while the data is */
    th_response_free(&again);
    th_response_free(&plain);
    th_response_free(&gz);
    ck_assert_int_ge(metric(&srv, "pingan_tile_cache_hits_total"), 2);
}
END_TEST

START_TEST(test_tilejson_and_catalogue)
{
    th_response r = get(&srv, "/tiles/grids,hazards.json", false, NULL);
    ck_assert_int_eq(r.status, 200);
    json_error_t e;
    json_t *doc = json_loads(r.body, 0, &e);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "tilejson")), "3.0.0");
    const char *url = json_string_value(json_array_get(json_object_get(doc, "tiles"), 0));
    char want[200];
    snprintf(want, sizeof want, "%s/tiles/grids,hazards/{z}/{x}/{y}.mvt", srv.base);
    ck_assert_str_eq(url, want);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "minzoom")), 5);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "maxzoom")), TILE_MAX_ZOOM);
    json_t *b = json_object_get(doc, "bounds");
    ck_assert_int_eq(json_array_size(b), 4);
    ck_assert(json_real_value(json_array_get(b, 0)) < 114.9);
    ck_assert(json_real_value(json_array_get(b, 2)) > 115.0);
    ck_assert_ptr_nonnull(json_object_get(doc, "attribution"));
    json_t *vl = json_object_get(doc, "vector_layers");
    ck_assert_int_eq(json_array_size(vl), 2);
    json_t *g = json_array_get(vl, 0);
    ck_assert_str_eq(json_string_value(json_object_get(g, "id")), "grids");
    ck_assert_int_eq(json_integer_value(json_object_get(g, "minzoom")), 12);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(g, "fields"), "staffing")),
                     "String");
    json_decref(doc);
    th_response_free(&r);

    r = get(&srv, "/tiles", false, NULL);
    ck_assert_int_eq(r.status, 200);
    doc = json_loads(r.body, 0, &e);
    json_t *sets = json_object_get(doc, "tilesets");
    ck_assert_int_eq(json_array_size(sets), tile_layer_count());
    json_decref(doc);
    th_response_free(&r);
}
END_TEST

/* Saves a served style and runs the MapLibre validator on it. */
static void validate_served_style(const char *name)
{
    char path[100], file[200], cmd[4600], validator[4096];
    snprintf(path, sizeof path, "/styles/%s.json", name);
    th_response r = get(&srv, path, false, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, srv.base)); /* URLs point at this server */
    ck_assert_ptr_null(strstr(r.body, "\"url\":\"/"));
    ck_assert_ptr_null(strstr(r.body, "tianditu.gov.cn")); /* no key: no basemap */
    snprintf(file, sizeof file, "/tmp/pingan_style_%s_%d.json", name, (int)getpid());
    FILE *f = fopen(file, "w");
    fwrite(r.body, 1, r.len, f);
    fclose(f);
    th_response_free(&r);
    ck_assert(core_path(validator, sizeof validator, "tools/node_modules/.bin/gl-style-validate"));
    ck_assert_msg(access(validator, X_OK) == 0, "run scripts/install-deps.sh for %s", validator);
    snprintf(cmd, sizeof cmd, "'%s' '%s'", validator, file);
    ck_assert_int_eq(system(cmd), 0);
    unlink(file);
}

/* ---- glyph ranges: a minimal protobuf walk (varints and length-delimited fields only) ---- */
static bool pb_varint(const unsigned char **p, const unsigned char *end, unsigned long long *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        unsigned char c = *(*p)++;
        *v |= (unsigned long long)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* The next field: its number, and either its varint or its bytes. */
static bool pb_next(const unsigned char **p, const unsigned char *end, int *field,
                    unsigned long long *v, const unsigned char **data)
{
    unsigned long long key;
    if (*p >= end || !pb_varint(p, end, &key))
        return false;
    *field = (int)(key >> 3);
    if ((key & 7) == 0)
        return pb_varint(p, end, v);
    if ((key & 7) != 2 || !pb_varint(p, end, v) || *v > (unsigned long long)(end - *p))
        return false;
    *data = *p;
    *p += *v;
    return true;
}

typedef struct {
    char stack[64], range[32];
    int glyphs;
    unsigned long long w3, h3, adv3, bitmap3; /* the glyph of '3' */
} glyph_range;

static glyph_range decode_glyphs(const th_response *r)
{
    glyph_range g = {0};
    const unsigned char *p = (const unsigned char *)r->body, *end = p + r->len, *d = NULL;
    int f;
    unsigned long long v;
    ck_assert(pb_next(&p, end, &f, &v, &d) && f == 1); /* glyphs.stacks */
    const unsigned char *sp = d, *send = d + v;
    while (pb_next(&sp, send, &f, &v, &d)) {
        if (f == 1)
            snprintf(g.stack, sizeof g.stack, "%.*s", (int)v, d);
        else if (f == 2)
            snprintf(g.range, sizeof g.range, "%.*s", (int)v, d);
        else if (f == 3) {
            g.glyphs++;
            const unsigned char *gp = d, *gend = d + v, *gd;
            unsigned long long id = 0, w = 0, h = 0, adv = 0, bits = 0, gv;
            int gf;
            while (pb_next(&gp, gend, &gf, &gv, &gd))
                switch (gf) {
                case 1:
                    id = gv;
                    break;
                case 2:
                    bits = gv;
                    break;
                case 3:
                    w = gv;
                    break;
                case 4:
                    h = gv;
                    break;
                case 7:
                    adv = gv;
                    break;
                default:
                    break;
                }
            if (id == '3')
                g.w3 = w, g.h3 = h, g.adv3 = adv, g.bitmap3 = bits;
        }
    }
    return g;
}

START_TEST(test_styles_served_absolute_and_valid)
{
    validate_served_style("situation");
    validate_served_style("editor");
    th_response r = get(&srv, "/styles/nosuch.json", false, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
    /* Label glyphs come from the project: digits and Latin with real signed distance fields
     * (24 px, 3 px buffer), a fontstack list takes the first shipped stack, and a range drawn
     * by the browser (CJK ideographs) is an empty set rather than an error. */
    r = get(&srv, "/styles/situation.json", false, NULL);
    ck_assert_ptr_nonnull(strstr(r.body, "\"text-font\":[\"DejaVu Sans\"]"));
    th_response_free(&r);
    r = get(&srv, "/styles/glyphs/DejaVu%20Sans/0-255.pbf", false, NULL);
    ck_assert_int_eq(r.status, 200);
    glyph_range g = decode_glyphs(&r);
    ck_assert_str_eq(g.stack, "DejaVu Sans");
    ck_assert_str_eq(g.range, "0-255");
    ck_assert_int_ge(g.glyphs, 150);
    ck_assert(g.w3 >= 8 && g.w3 <= 20 && g.h3 >= 14 && g.h3 <= 24);
    ck_assert_int_eq(g.bitmap3, (g.w3 + 6) * (g.h3 + 6));
    ck_assert(g.adv3 >= 10 && g.adv3 <= 20);
    size_t len = r.len;
    th_response_free(&r);
    r = get(&srv, "/styles/glyphs/Other%20Font,DejaVu%20Sans/0-255.pbf", false, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.len, len);
    th_response_free(&r);
    r = get(&srv, "/styles/glyphs/DejaVu%20Sans/65280-65535.pbf", false, NULL);
    g = decode_glyphs(&r);
    ck_assert_int_ge(g.glyphs, 90); /* full-width ，：（） from the CJK font */
    th_response_free(&r);
    r = get(&srv, "/styles/glyphs/DejaVu%20Sans/19968-20223.pbf", false, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.len, 0);
    th_response_free(&r);
    r = get(&srv, "/styles/glyphs/..%2Fx/0-255.pbf", false, NULL);
    ck_assert_int_eq(r.status, 404);
    th_response_free(&r);
    /* With a Tianditu key the basemap comes first, under the project's layers. */
    th_server other;
    const char *sets[] = {"tianditu_key=abc123", NULL};
    th_server_start(&other, sets);
    r = get(&other, "/styles/situation.json", false, NULL);
    json_error_t e;
    json_t *doc = json_loads(r.body, 0, &e);
    json_t *layer = json_array_get(json_object_get(doc, "layers"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(layer, "id")), "tianditu_vec");
    ck_assert_ptr_nonnull(strstr(r.body, "tk=abc123"));
    json_decref(doc);
    th_response_free(&r);
    th_server_stop(&other);
}
END_TEST

/* pingan tiles sizes weighs the tiles the server sends: the largest tile it names has exactly
 * the size it reports, per-layer figures add up, and a limit below it fails the run. */
START_TEST(test_tile_sizes_sweep_matches_served_tiles)
{
    char *out = NULL;
    const char *args[] = {"tiles", "sizes",    "--layers", ALL,      "--zooms", "4-16", "--all",
                          "50",    "--sample", "20",       "--json", "--quiet", NULL};
    ck_assert_int_eq(th_pingan(&out, args), 0);
    int zooms = 0, measured = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *doc = json_loads(line, 0, NULL);
        ck_assert_msg(doc != NULL, "not JSON: %s", line);
        int z = (int)json_integer_value(json_object_get(doc, "z"));
        ck_assert_int_eq(z, 4 + zooms++);
        json_t *layers = json_object_get(doc, "layers");
        long long max = json_integer_value(json_object_get(doc, "max_bytes"));
        long long p99 = json_integer_value(json_object_get(doc, "p99_bytes"));
        ck_assert_int_le(p99, max);
        ck_assert(json_is_false(json_object_get(doc, "over_limit")));
        if (z == 4) { /* nothing is drawn below z5 */
            ck_assert_int_eq(json_object_size(layers), 0);
            json_decref(doc);
            continue;
        }
        ck_assert_int_gt(json_integer_value(json_object_get(doc, "tiles")), 0);
        ck_assert(json_object_get(layers, "jurisdictions") != NULL);
        ck_assert((z >= 15) == (json_object_get(layers, "population_units") != NULL));
        long long layer_max = 0, sum = 0;
        const char *name;
        json_t *l;
        json_object_foreach(layers, name, l)
        {
            long long m = json_integer_value(json_object_get(l, "max_bytes"));
            layer_max = m > layer_max ? m : layer_max;
            sum += m;
        }
        ck_assert_int_ge(max, layer_max);
        ck_assert_int_le(max, sum);
        if (max > 0) { /* the largest tile as the server sends it, uncompressed */
            char path[400];
            snprintf(path, sizeof path, "/tiles/%s/%s.mvt", ALL,
                     json_string_value(json_object_get(doc, "largest")));
            th_response r = get(&srv, path, false, NULL);
            ck_assert_int_eq(r.status, 200);
            ck_assert_int_eq((long long)r.len, max);
            th_response_free(&r);
            measured++;
        }
        json_decref(doc);
    }
    free(out);
    ck_assert_int_eq(zooms, 13);
    ck_assert_int_ge(measured, 10);

    const char *tight[] = {"tiles", "sizes",      "--layers", ALL,       "--zooms",
                           "14",    "--limit-kb", "1",        "--quiet", NULL};
    ck_assert_int_eq(th_pingan(&out, tight), 1);
    ck_assert_ptr_nonnull(strstr(out, "OVER THE LIMIT"));
    free(out);
}
END_TEST

START_TEST(test_sql_edit_in_another_connection_drops_exactly_its_tiles)
{
    /* Grid 1 (114.900-114.9125 E, 27.800-27.810 N) and tiles that draw it; a far grid's tile
     * 6 km away; and a hazards-only tile over grid 1, which a grid edit must not touch. */
    char near14[300], near16[300], near12[300], far14[300], haz14[300];
    tile_at(near14, sizeof near14, "grids", 14, 114.906, 27.805);
    tile_at(near16, sizeof near16, "grids", 16, 114.906, 27.805);
    tile_at(near12, sizeof near12, "grids", 12, 114.906, 27.805);
    tile_at(far14, sizeof far14, "grids", 14, 114.960, 27.870);
    tile_at(haz14, sizeof haz14, "hazards", 14, 114.906, 27.805);
    const char *paths[] = {near14, near16, near12, far14, haz14};
    char before[5][64], after[5][64];
    for (int i = 0; i < 5; i++) {
        th_response r = get(&srv, paths[i], true, NULL);
        ck_assert_msg(r.status == 200, "%s: %ld", paths[i], r.status);
        etag_of(&r, before[i], sizeof before[i]);
        th_response_free(&r);
    }
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_entries"), 5);
    long long notes = metric(&srv, "pingan_tile_notifications_total");

    sql("UPDATE grids SET households = 999 WHERE code = '360502001001001'");
    wait_metric(&srv, "pingan_tile_notifications_total", notes + 1);
    ck_assert_int_eq(metric(&srv, "pingan_tile_invalidations_total"), 3);
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_entries"), 2);
    long long misses = metric(&srv, "pingan_tile_cache_misses_total");
    for (int i = 0; i < 5; i++) {
        th_response r = get(&srv, paths[i], true, NULL);
        etag_of(&r, after[i], sizeof after[i]);
        th_response_free(&r);
    }
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_misses_total"), misses + 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(strcmp(before[i], after[i]) != 0, "%s kept its ETag", paths[i]);
    ck_assert_str_eq(before[3], after[3]);
    ck_assert_str_eq(before[4], after[4]);

    /* Moving the grid to the far place drops the far tile too: the new box counts. */
    notes = metric(&srv, "pingan_tile_notifications_total");
    long long inval = metric(&srv, "pingan_tile_invalidations_total");
    sql("UPDATE grids SET geom = ST_Multi(ST_Translate(geom, 0.058, 0.0655)) "
        "WHERE code = '360502001001001'");
    wait_metric(&srv, "pingan_tile_notifications_total", notes + 1);
    usleep(200000); /* the generalised copies' notifications follow in the same commit */
    th_response r = get(&srv, far14, true, NULL);
    char moved[64];
    etag_of(&r, moved, sizeof moved);
    ck_assert_str_ne(moved, before[3]);
    th_response_free(&r);
    r = get(&srv, haz14, true, NULL);
    etag_of(&r, moved, sizeof moved);
    ck_assert_str_eq(moved, before[4]);
    th_response_free(&r);
    ck_assert_int_ge(metric(&srv, "pingan_tile_invalidations_total"), inval + 4);

    /* Staffing shows on grids: assigning a full-time worker to the school grid redraws it. */
    char school[300];
    tile_at(school, sizeof school, "grids", 16, 114.9045, 27.8135);
    r = get(&srv, school, false, NULL);
    mvt_tile *t = decode(&r);
    const mvt_layer *l = mvt_find(t, "grids");
    ck_assert_str_eq(mvt_value(l, feature_where(l, "kind", "dedicated"), "staffing"), "unstaffed");
    free(t);
    th_response_free(&r);
    notes = metric(&srv, "pingan_tile_notifications_total");
    sql("INSERT INTO grid_assignments (grid_id, worker_id) SELECT g.id, w.id FROM grids g, "
        "grid_workers w WHERE g.code = '360502001001003' AND w.name = '张伟'");
    wait_metric(&srv, "pingan_tile_notifications_total", notes + 1);
    r = get(&srv, school, false, NULL);
    t = decode(&r);
    l = mvt_find(t, "grids");
    ck_assert_str_eq(mvt_value(l, feature_where(l, "kind", "dedicated"), "staffing"), "staffed");
    free(t);
    th_response_free(&r);
}
END_TEST

/* An edit through the API is in the next tile read at once: the write answers only after this
 * server's listener has applied the edit's notifications (no waiting, no polling here). */
START_TEST(test_api_write_shows_in_the_very_next_tile)
{
    char token[128], auth[200];
    th_token("planner", "360502", token, sizeof token);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    PGconn *c = th_db_connect();
    char *id = th_db_value(c, "SELECT id FROM grids WHERE code = '360502001001001'");
    PQfinish(c);
    char item[100], near[300], far[300];
    snprintf(item, sizeof item, "/collections/grids/items/%s", id);
    free(id);
    tile_at(near, sizeof near, "grids", 15, 114.906, 27.805);
    tile_at(far, sizeof far, "grids", 15, 114.960, 27.870);
    th_response r = get(&srv, far, true, NULL);
    char far_before[64], far_after[64];
    etag_of(&r, far_before, sizeof far_before);
    th_response_free(&r);
    char seen[64] = "";
    for (int i = 0; i < 10; i++) {
        r = get(&srv, near, true, NULL); /* cached before the edit */
        char before[64];
        etag_of(&r, before, sizeof before);
        ck_assert_msg(i == 0 || strcmp(before, seen) == 0, "the tile changed without an edit");
        th_response_free(&r);
        r = th_http(&srv, "GET", item, NULL, NULL);
        char etag[64], if_match[100], body[200], name[40];
        ck_assert(th_header(&r, "ETag", etag, sizeof etag));
        th_response_free(&r);
        snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
        snprintf(name, sizeof name, "百花湖网格%d", i);
        snprintf(body, sizeof body, "{\"properties\":{\"name\":\"%s\"}}", name);
        const char *h[] = {auth, if_match, "Content-Type: application/merge-patch+json", NULL};
        r = th_http(&srv, "PATCH", item, h, body);
        ck_assert_msg(r.status == 200, "PATCH: %ld %s", r.status, r.body);
        th_response_free(&r);
        r = get(&srv, near, false, NULL);
        ck_assert_int_eq(r.status, 200);
        etag_of(&r, seen, sizeof seen);
        mvt_tile *t = decode(&r);
        const mvt_layer *l = mvt_find(t, "grids");
        ck_assert_msg(feature_where(l, "name", name) != NULL, "edit %d is not in the next tile", i);
        free(t);
        th_response_free(&r);
        r = get(&srv, near, true, NULL);
        etag_of(&r, seen, sizeof seen);
        ck_assert_str_ne(seen, before);
        th_response_free(&r);
    }
    r = get(&srv, far, true, NULL);
    etag_of(&r, far_after, sizeof far_after);
    th_response_free(&r);
    ck_assert_str_eq(far_before, far_after);
}
END_TEST

/* The hazard_zones layer's in_school_zone comes from hazards_school_zone, which finds schools
 * through the key places' index (013): it must keep exactly the rows of the plain geography
 * test, just inside and just outside the zone, east and north, at every latitude. */
START_TEST(test_school_zone_through_the_index_keeps_every_row)
{
    sql("DELETE FROM hazards; DELETE FROM key_places");
    /* A school at each latitude; hazards 195 m and 205 m east and north of it (zone 200 m). */
    const double lats[] = {0.5, 27.8, 50.0, 70.0, -45.0};
    for (size_t i = 0; i < sizeof lats / sizeof lats[0]; i++) {
        char q[1200];
        snprintf(q, sizeof q,
                 "INSERT INTO key_places (name, category, village_code, geom) VALUES "
                 "('school %zu', 'school', '360502001001', ST_SetSRID(ST_MakePoint(114.9, %f), "
                 "4490));"
                 "INSERT INTO hazards (name, category, risk_grade, status, village_code, geom) "
                 "SELECT 'h' || d || dir, 'landslide', 'blue', 'confirmed', '360502001001', "
                 "ST_SetSRID(ST_Project(ST_MakePoint(114.9, %f)::geography, d, "
                 "radians(CASE dir WHEN 'e' THEN 90 ELSE 0 END))::geometry, 4490) "
                 "FROM unnest(ARRAY[195, 205]) d, unnest(ARRAY['e', 'n']) dir",
                 i, lats[i], lats[i]);
        sql(q);
    }
    PGconn *c = th_db_connect();
    char *view = th_db_value(c, "SELECT string_agg(hazard_id || ':' || key_place_id, ',' ORDER BY "
                                "hazard_id, key_place_id) FROM hazards_school_zone");
    char *plain = th_db_value(
        c, "SELECT string_agg(h.id || ':' || kp.id, ',' ORDER BY h.id, kp.id) FROM hazards h "
           "JOIN key_places kp ON kp.category IN ('school', 'kindergarten') AND "
           "ST_DWithin(h.geom::geography, kp.geom::geography, hazard_setting('school_zone_m'))");
    char *n = th_db_value(c, "SELECT count(*) FROM hazards_school_zone");
    PQfinish(c);
    ck_assert_str_eq(view, plain);
    ck_assert_str_eq(n, "10"); /* the 195 m ones, two per school */
    free(view);
    free(plain);
    free(n);
}
END_TEST

START_TEST(test_two_servers_on_one_database_both_invalidate)
{
    th_server other;
    th_server_start(&other, NULL);
    char near[300];
    tile_at(near, sizeof near, "hazards", 15, 114.9100, 27.8060);
    char e1[64], e2[64];
    th_response r = get(&srv, near, true, NULL);
    etag_of(&r, e1, sizeof e1);
    th_response_free(&r);
    r = get(&other, near, true, NULL);
    etag_of(&r, e2, sizeof e2);
    th_response_free(&r);
    ck_assert_str_eq(e1, e2);
    long long n1 = metric(&srv, "pingan_tile_notifications_total");
    long long n2 = metric(&other, "pingan_tile_notifications_total");
    sql("UPDATE hazards SET risk_grade = 'orange' WHERE name = '百花湖边坡滑坡'");
    wait_metric(&srv, "pingan_tile_notifications_total", n1 + 1);
    wait_metric(&other, "pingan_tile_notifications_total", n2 + 1);
    const th_server *both[] = {&srv, &other};
    for (int i = 0; i < 2; i++) {
        r = get(both[i], near, false, NULL);
        mvt_tile *t = decode(&r);
        const mvt_layer *l = mvt_find(t, "hazards");
        ck_assert_str_eq(mvt_value(l, feature_where(l, "name", "百花湖边坡滑坡"), "risk_grade"),
                         "orange");
        free(t);
        th_response_free(&r);
    }
    th_server_stop(&other);
}
END_TEST

START_TEST(test_listener_reconnects_and_flushes)
{
    char near[300];
    tile_at(near, sizeof near, "grids", 14, 114.906, 27.805);
    th_response r = get(&srv, near, true, NULL);
    th_response_free(&r);
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_entries"), 1);
    ck_assert_int_eq(metric(&srv, "pingan_tile_listener_up"), 1);
    /* What a database restart does to the listener's connection. */
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND query = 'LISTEN pingan_tiles'");
    wait_metric(&srv, "pingan_tile_cache_flushes_total", 1);
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_entries"), 0);
    wait_metric(&srv, "pingan_tile_listener_up", 1);
    /* And it listens again: an edit still invalidates. */
    r = get(&srv, near, true, NULL);
    th_response_free(&r);
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_entries"), 1);
    long long notes = metric(&srv, "pingan_tile_notifications_total");
    sql("UPDATE grids SET name = '百花湖一网格' WHERE code = '360502001001001'");
    wait_metric(&srv, "pingan_tile_notifications_total", notes + 1);
    ck_assert_int_eq(metric(&srv, "pingan_tile_cache_entries"), 0);
}
END_TEST

START_TEST(test_cache_budget_zero_caches_nothing)
{
    th_server small;
    const char *sets[] = {"tile_cache_mb=0", NULL};
    th_server_start(&small, sets);
    char near[300];
    tile_at(near, sizeof near, "grids", 14, 114.906, 27.805);
    for (int i = 0; i < 2; i++) {
        th_response r = get(&small, near, true, NULL);
        ck_assert_int_eq(r.status, 200);
        th_response_free(&r);
    }
    ck_assert_int_eq(metric(&small, "pingan_tile_cache_entries"), 0);
    ck_assert_int_eq(metric(&small, "pingan_tile_cache_misses_total"), 2);
    th_server_stop(&small);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tiles_http");
    /* Reading tests share one database and server; editing tests get their own each. */
    TCase *read = tcase_create("read");
    tcase_add_unchecked_fixture(read, setup, teardown);
    tcase_set_timeout(read, 120);
    tcase_add_test(read, test_every_layer_decodes_with_names_attributes_and_geometry_in_tile);
    tcase_add_test(read, test_zoom_rules_and_clusters);
    tcase_add_test(read, test_empty_204_and_errors_as_problems);
    tcase_add_test(read, test_gzip_etag_and_304);
    tcase_add_test(read, test_tilejson_and_catalogue);
    tcase_add_test(read, test_styles_served_absolute_and_valid);
    tcase_add_test(read, test_cache_budget_zero_caches_nothing);
    tcase_add_test(read, test_tile_sizes_sweep_matches_served_tiles);
    suite_add_tcase(s, read);
    TCase *edit = tcase_create("edit");
    tcase_add_checked_fixture(edit, setup, teardown);
    tcase_set_timeout(edit, 120);
    tcase_add_test(edit, test_sql_edit_in_another_connection_drops_exactly_its_tiles);
    tcase_add_test(edit, test_api_write_shows_in_the_very_next_tile);
    tcase_add_test(edit, test_school_zone_through_the_index_keeps_every_row);
    tcase_add_test(edit, test_two_servers_on_one_database_both_invalidate);
    tcase_add_test(edit, test_listener_reconnects_and_flushes);
    suite_add_tcase(s, edit);
    return s;
}

int main(void)
{
    return th_run(suite());
}
