/* Opening a delivery: the GDAL path (zips, KMZ), the layer, the encoding of its strings
 * (.cpg, the DBF language-driver byte, or detection on the raw bytes) and its coordinate
 * system (embedded, given, or guessed from coordinate ranges with a loud warning). */
#include "geo.h"
#include "imp_internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Strings sampled to decide the encoding: enough for any real mix, bounded for 1M rows. */
#define SAMPLE_FEATURES 5000

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

void imp_gdal_path(const char *path, char *out, size_t size)
{
    if (strncmp(path, "/vsi", 4) != 0 && ends_with(path, ".zip") && !ends_with(path, ".gdb.zip"))
        snprintf(out, size, "/vsizip/%s", path);
    else
        snprintf(out, size, "%s", path);
}

static void warn(imp_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(imp_source *s, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(s->warnings, json_string(msg));
}

/* ---- encoding ----------------------------------------------------------------------- */

static bool valid_utf8(const unsigned char *p)
{
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
        if (n < 0 || (n == 1 && *p < 0xC2))
            return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

static bool has_high(const char *p)
{
    for (; *p; p++)
        if ((unsigned char)*p >= 0x80)
            return true;
    return false;
}

/* iconv_open's failure value is (iconv_t)-1: compared in this one place. */
static bool iconv_ok(iconv_t cd)
{
    return cd != (iconv_t)-1; // NOLINT(performance-no-int-to-ptr)
}

/* True when iconv takes the whole string in `enc`. */
static bool valid_in(iconv_t cd, const char *in)
{
    char buf[4096];
    char *ip = (char *)in, *op = buf;
    size_t il = strlen(in), ol = sizeof buf;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (il) {
        if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
            if (errno != E2BIG)
                return false;
            op = buf, ol = sizeof buf;
        }
    }
    return true;
}

/* Chinese code pages all decode as GB18030, their superset. */
static const char *normalise_encoding(const char *e)
{
    static const char *gb[] = {"GBK",    "CP936",    "936",    "GB2312",   "GB18030",
                               "EUC-CN", "ANSI 936", "CP_936", "ANSI_936", NULL};
    static const char *u8[] = {"UTF-8", "UTF8", "65001", "CP65001", NULL};
    for (int i = 0; gb[i]; i++)
        if (strcasecmp(e, gb[i]) == 0)
            return "GB18030";
    for (int i = 0; u8[i]; i++)
        if (strcasecmp(e, u8[i]) == 0)
            return "UTF-8";
    return e;
}

/* What the Shapefile says: the .cpg text, else the DBF language-driver byte. */
static void shapefile_declared(imp_source *s)
{
    char **files = GDALGetFileList(s->ds);
    const char *layer = OGR_L_GetName(s->layer);
    for (int i = 0; files && files[i]; i++) {
        const char *base = CPLGetBasename(files[i]);
        if (strcasecmp(base, layer) != 0)
            continue;
        const char *ext = CPLGetExtension(files[i]);
        if (strcasecmp(ext, "cpg") == 0 && !s->declared[0]) {
            VSILFILE *f = VSIFOpenL(files[i], "rb");
            char buf[64] = "";
            if (f) {
                size_t n = VSIFReadL(buf, 1, sizeof buf - 1, f);
                buf[n] = '\0';
                VSIFCloseL(f);
            }
            buf[strcspn(buf, "\r\n")] = '\0';
            if (buf[0]) {
                snprintf(s->declared, sizeof s->declared, "%s", buf);
                snprintf(s->enc_source, sizeof s->enc_source, ".cpg file (%s)", buf);
            }
        } else if (strcasecmp(ext, "dbf") == 0) {
            VSILFILE *f = VSIFOpenL(files[i], "rb");
            unsigned char hdr[32] = {0};
            if (f) {
                if (VSIFReadL(hdr, 1, 32, f) != 32)
                    hdr[29] = 0;
                VSIFCloseL(f);
            }
            int ldid = hdr[29];
            const char *enc = ldid == 0x4D || ldid == 0x7A ? "CP936"
                              : ldid == 0x01               ? "CP437"
                              : ldid == 0x03               ? "CP1252"
                                                           : NULL;
            if (ldid && !s->declared[0] && enc) {
                snprintf(s->declared, sizeof s->declared, "%s", enc);
                snprintf(s->enc_source, sizeof s->enc_source, "DBF language driver 0x%02X (%s)",
                         ldid, enc);
            } else if (ldid == 0x57 && !s->declared[0]) {
                /* 0x57 is "ANSI": whatever the writer's Windows code page was. */
                warn(s, "DBF language driver 0x57 means the writer's Windows code page; the "
                        "encoding is detected from the bytes");
            }
        }
    }
    CSLDestroy(files);
}

static core_code decide_encoding(imp_source *s, const imp_options *o, core_err *err)
{
    s->have_cd = false;
    if (!s->raw) {
        snprintf(s->encoding, sizeof s->encoding, "UTF-8");
        snprintf(s->enc_source, sizeof s->enc_source, "the %s format stores Unicode", s->driver);
        if (o->encoding)
            warn(s, "--encoding %s ignored: %s strings are Unicode by the format", o->encoding,
                 s->driver);
        return CORE_OK;
    }
    if (strcmp(s->driver, "ESRI Shapefile") == 0)
        shapefile_declared(s);

    /* Sample the raw bytes of the string fields. */
    iconv_t gb = iconv_open("UTF-8", "GB18030");
    long nonascii = 0, bad_utf8 = 0, bad_gb = 0;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(s->layer);
    int nf = OGR_FD_GetFieldCount(defn);
    /* Field names count only when the data has no non-ASCII text: DBF names are cut at 10
     * bytes, often in the middle of a character. */
    long name_nonascii = 0, name_bad_utf8 = 0, name_bad_gb = 0;
    for (int i = 0; i < nf; i++) {
        const char *fname = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (has_high(fname)) {
            name_nonascii++;
            name_bad_utf8 += !valid_utf8((const unsigned char *)fname);
            name_bad_gb += iconv_ok(gb) && !valid_in(gb, fname);
        }
    }
    OGR_L_ResetReading(s->layer);
    OGRFeatureH f;
    for (long k = 0; k < SAMPLE_FEATURES && (f = OGR_L_GetNextFeature(s->layer)); k++) {
        for (int i = 0; i < nf; i++) {
            if (OGR_F_GetFieldDefnRef(f, i) == NULL ||
                OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i)) != OFTString ||
                !OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            const char *v = OGR_F_GetFieldAsString(f, i);
            if (!has_high(v))
                continue;
            nonascii++;
            bad_utf8 += !valid_utf8((const unsigned char *)v);
            bad_gb += iconv_ok(gb) && !valid_in(gb, v);
        }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(s->layer);
    if (iconv_ok(gb))
        iconv_close(gb);
    if (nonascii == 0) {
        nonascii = name_nonascii;
        bad_utf8 = name_bad_utf8;
        bad_gb = name_bad_gb;
    }

    const char *chosen;
    if (o->encoding) {
        chosen = normalise_encoding(o->encoding);
        snprintf(s->enc_source, sizeof s->enc_source, "--encoding %s", o->encoding);
    } else if (nonascii == 0) {
        chosen = s->declared[0] ? normalise_encoding(s->declared) : "UTF-8";
        if (!s->declared[0])
            snprintf(s->enc_source, sizeof s->enc_source, "all text is ASCII");
    } else if (s->declared[0]) {
        const char *d = normalise_encoding(s->declared);
        bool fits = strcmp(d, "UTF-8") == 0     ? bad_utf8 == 0
                    : strcmp(d, "GB18030") == 0 ? bad_gb == 0 && bad_utf8 > 0
                                                : true;
        if (fits) {
            chosen = d;
        } else {
            chosen = bad_utf8 == 0 ? "UTF-8" : "GB18030";
            warn(s, "the file declares %s (%s) but its text is not %s: detected %s", s->declared,
                 s->enc_source, s->declared, chosen);
            snprintf(s->enc_source, sizeof s->enc_source,
                     "detected from %ld non-ASCII strings (declared %s was wrong)", nonascii,
                     s->declared);
        }
    } else {
        chosen = bad_utf8 == 0 ? "UTF-8" : "GB18030";
        snprintf(s->enc_source, sizeof s->enc_source,
                 "detected from %ld non-ASCII strings: %s (no .cpg, no language driver)", nonascii,
                 bad_utf8 == 0 ? "valid UTF-8"
                 : bad_gb == 0 ? "valid GBK/GB18030, not UTF-8"
                               : "neither UTF-8 nor clean GB18030");
        if (bad_utf8 && bad_gb)
            warn(s, "%ld strings are neither UTF-8 nor GB18030; their features are skipped",
                 bad_gb);
    }
    if (snprintf(s->encoding, sizeof s->encoding, "%s", chosen) >= (int)sizeof s->encoding)
        return core_fail(err, CORE_EINVAL, "encoding name '%.40s…' is too long", chosen);
    if (strcmp(chosen, "UTF-8") != 0) {
        s->cd = iconv_open("UTF-8", chosen);
        if (!iconv_ok(s->cd))
            return core_fail(err, CORE_EINVAL, "unknown encoding '%s'", chosen);
        s->have_cd = true;
    }
    return CORE_OK;
}

bool imp_source_text(imp_source *s, const char *in, char *out, size_t size)
{
    if (!s->have_cd || !has_high(in)) {
        if (s->raw && has_high(in) && !valid_utf8((const unsigned char *)in))
            return false;
        imp_copy(out, size, in);
        return true;
    }
    char *ip = (char *)in, *op = out;
    size_t il = strlen(in), ol = size - 1;
    iconv(s->cd, NULL, NULL, NULL, NULL);
    if (iconv(s->cd, &ip, &il, &op, &ol) == (size_t)-1)
        return false;
    *op = '\0';
    return true;
}

/* ---- coordinate system -------------------------------------------------------------- */

static bool fits_jiangxi(const OGREnvelope *e)
{
    return geo_in_jiangxi(e->MinX, e->MinY, e->MaxX, e->MaxY);
}

static bool fits_jiangxi_swapped(const OGREnvelope *e)
{
    return geo_in_jiangxi(e->MinY, e->MinX, e->MaxY, e->MaxX);
}

/* Northings of Jiangxi in any 3-degree GK zone. */
static bool gk_northing(double y)
{
    return y > 2600000 && y < 3400000;
}

static core_code set_target(imp_source *s, OGRSpatialReferenceH src, core_err *err)
{
    OGRSpatialReferenceH dst = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(dst, 4490);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    core_code rc = CORE_OK;
    if (!OSRIsSame(src, dst)) {
        CPLErrorReset();
        s->ct = OCTNewCoordinateTransformation(src, dst);
        if (!s->ct)
            rc = core_fail(err, CORE_ECRS, "cannot transform from %s to CGCS2000: %s", s->crs_name,
                           CPLGetLastErrorMsg());
    }
    OSRDestroySpatialReference(dst);
    return rc;
}

static void describe(imp_source *s, OGRSpatialReferenceH srs)
{
    const char *name = OSRGetName(srs);
    snprintf(s->crs_name, sizeof s->crs_name, "%s", name ? name : "unnamed");
    if (OSRAutoIdentifyEPSG(srs) == OGRERR_NONE || OSRGetAuthorityCode(srs, NULL)) {
        const char *auth = OSRGetAuthorityName(srs, NULL), *code = OSRGetAuthorityCode(srs, NULL);
        if (auth && code && strcasecmp(auth, "EPSG") == 0)
            s->crs_epsg = (int)strtol(code, NULL, 10);
    }
    if (!s->crs_epsg) {
        /* ESRI .prj files rarely carry the code; PROJ finds it with confidence. */
        int n = 0, *conf = NULL;
        OGRSpatialReferenceH *m = OSRFindMatches(srs, NULL, &n, &conf);
        if (m && n > 0 && conf[0] >= 70) {
            const char *code = OSRGetAuthorityCode(m[0], NULL);
            s->crs_epsg = code ? (int)strtol(code, NULL, 10) : 0;
        }
        OSRFreeSRSArray(m);
        CPLFree(conf);
    }
}

/* Xian 1980 and Beijing 1954 need the bureau's 7 parameters: PROJ has no public ones. */
static core_code old_datum(imp_source *s, OGRSpatialReferenceH srs, const imp_options *o,
                           core_err *err)
{
    const char *datum = OSRGetAttrValue(srs, "DATUM", 0);
    if (!datum)
        return CORE_OK;
    bool xian =
        strcasestr(datum, "xian") || strcasestr(datum, "xi_an") || strstr(datum, "1980") != NULL;
    bool beijing = strcasestr(datum, "beijing") != NULL;
    if (!xian && !beijing)
        return CORE_OK;
    const char *which = xian ? "Xian 1980" : "Beijing 1954";
    if (!o->towgs84)
        return core_fail(err, CORE_ECRS,
                         "%s (%s) refused: no public transformation to CGCS2000 exists (PROJ has "
                         "none); give the 7 parameters from the surveying bureau with --towgs84 "
                         "dx,dy,dz,rx,ry,rz,ds",
                         s->crs_name, which);
    double p[7];
    const char *q = o->towgs84;
    int n = 0;
    for (; n < 7; n++) {
        char *end;
        p[n] = strtod(q, &end);
        if (end == q)
            break;
        q = end;
        if (n < 6 && *q++ != ',')
            break;
    }
    if (n != 7 || *q)
        return core_fail(err, CORE_EINVAL,
                         "--towgs84 needs 7 comma-separated numbers dx,dy,dz,rx,ry,rz,ds");
    OSRSetTOWGS84(srs, p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
    warn(s, "%s transformed with the given 7 parameters (%s)", which, o->towgs84);
    return CORE_OK;
}

static core_code decide_crs(imp_source *s, const imp_options *o, core_err *err)
{
    OGRSpatialReferenceH srs = NULL;
    core_code rc = CORE_OK;
    if (o->s_srs) {
        snprintf(s->crs_source, sizeof s->crs_source, "--s-srs");
        const char *u = o->s_srs;
        if (strcasecmp(u, "GCJ02") == 0 || strcasecmp(u, "GCJ-02") == 0)
            s->webdatum = IMP_DATUM_GCJ02;
        else if (strcasecmp(u, "BD09") == 0 || strcasecmp(u, "BD-09") == 0)
            s->webdatum = IMP_DATUM_BD09;
        if (s->webdatum != IMP_DATUM_NONE) {
            snprintf(s->crs_name, sizeof s->crs_name, "%s (web map datum, exact inverse)",
                     s->webdatum == IMP_DATUM_GCJ02 ? "GCJ-02" : "BD-09");
        } else {
            srs = OSRNewSpatialReference(NULL);
            const char *in = strcasecmp(u, "CGCS2000") == 0 ? "EPSG:4490"
                             : strcasecmp(u, "WGS84") == 0  ? "EPSG:4326"
                                                            : u;
            if (OSRSetFromUserInput(srs, in) != OGRERR_NONE) {
                OSRDestroySpatialReference(srs);
                return core_fail(err, CORE_ECRS, "--s-srs '%s' is not a CRS GDAL knows", u);
            }
        }
    } else {
        OGRSpatialReferenceH l = OGR_L_GetSpatialRef(s->layer);
        if (l) {
            srs = OSRClone(l);
            snprintf(s->crs_source, sizeof s->crs_source, "file");
        }
    }

    OGREnvelope env = {0};
    bool have_env = OGR_L_GetExtent(s->layer, &env, TRUE) == OGRERR_NONE;
    if (!srs && s->webdatum == IMP_DATUM_NONE) {
        snprintf(s->crs_source, sizeof s->crs_source, "guessed");
        int zone = have_env ? geo_gk_zone_from_easting(env.MinX) : 0;
        int zone_sw = have_env ? geo_gk_zone_from_easting(env.MinY) : 0;
        int epsg = 0;
        /* lon/lat in Jiangxi, or elsewhere in China (reported feature by feature) */
        if (have_env && (fits_jiangxi(&env) ||
                         (geo_in_china(env.MinX, env.MinY) && geo_in_china(env.MaxX, env.MaxY) &&
                          !fits_jiangxi_swapped(&env)))) {
            epsg = 4490;
        } else if (have_env && fits_jiangxi_swapped(&env)) {
            epsg = 4490;
            s->swap_xy = true;
        } else if (zone && zone == geo_gk_zone_from_easting(env.MaxX) && gk_northing(env.MinY) &&
                   gk_northing(env.MaxY)) {
            epsg = geo_gk3_epsg(GEO_GK_CGCS2000, zone, true);
        } else if (zone_sw && zone_sw == geo_gk_zone_from_easting(env.MaxY) &&
                   gk_northing(env.MinX) && gk_northing(env.MaxX)) {
            /* Chinese surveyors' X is the northing. */
            epsg = geo_gk3_epsg(GEO_GK_CGCS2000, zone_sw, true);
            s->swap_xy = true;
        }
        if (!epsg)
            return core_fail(err, CORE_ECRS,
                             "the file has no coordinate system and its coordinates (x %.3f..%.3f, "
                             "y %.3f..%.3f) fit neither CGCS2000 lon/lat in Jiangxi nor a "
                             "zone-prefixed Gauss-Krüger easting; give it with --s-srs (e.g. "
                             "EPSG:4547, EPSG:4548, GCJ02)",
                             env.MinX, env.MaxX, env.MinY, env.MaxY);
        srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, epsg);
        describe(s, srs);
        warn(s,
             "WARNING: NO COORDINATE SYSTEM IN THE FILE. Guessed EPSG:%d (%s) from the "
             "coordinate ranges%s. Check the result, or give --s-srs.",
             epsg, s->crs_name, s->swap_xy ? ", with x and y swapped" : "");
    } else if (srs) {
        describe(s, srs);
        if ((rc = old_datum(s, srs, o, err)))
            goto out;
    }

    if (have_env && !s->swap_xy) {
        bool geographic = s->webdatum != IMP_DATUM_NONE || (srs && OSRIsGeographic(srs));
        if (geographic && !fits_jiangxi(&env) && fits_jiangxi_swapped(&env)) {
            s->swap_xy = true;
            warn(s, "latitude and longitude are swapped in the file (the values fit Jiangxi only "
                    "when swapped); swapped back");
        } else if (!geographic && srs && OSRIsProjected(srs) && gk_northing(env.MinX) &&
                   gk_northing(env.MaxX) && geo_gk_zone_from_easting(env.MinY)) {
            s->swap_xy = true;
            warn(s, "X and Y are swapped (X holds the northing, as Chinese surveyors write it); "
                    "swapped back");
        }
    }
    if (srs)
        rc = set_target(s, srs, err);
out:
    if (srs)
        OSRDestroySpatialReference(srs);
    return rc;
}

/* ---- opening ------------------------------------------------------------------------ */

static void csv_options(char ***opts)
{
    /* Chinese headers may be GBK in an Excel CSV: offer both spellings. */
    static const char *xs[] = {"经度", "东经", "X坐标", NULL},
                      *ys[] = {"纬度", "北纬", "Y坐标", NULL};
    char xl[512] = "lon,longitude,lng,x,X,easting", yl[512] = "lat,latitude,y,Y,northing";
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    bool have = iconv_ok(cd);
    for (int k = 0; k < 2; k++) {
        const char **names = k ? ys : xs;
        char *list = k ? yl : xl;
        for (int i = 0; names[i]; i++) {
            size_t n = strlen(list);
            snprintf(list + n, 512 - n, ",%s", names[i]);
            if (have) {
                char gbk[32] = "", *ip = (char *)names[i], *op = gbk;
                size_t il = strlen(names[i]), ol = sizeof gbk - 1;
                iconv(cd, NULL, NULL, NULL, NULL);
                if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1) {
                    *op = '\0';
                    n = strlen(list);
                    snprintf(list + n, 512 - n, ",%s", gbk);
                }
            }
        }
    }
    if (have)
        iconv_close(cd);
    *opts = CSLSetNameValue(*opts, "X_POSSIBLE_NAMES", xl);
    *opts = CSLSetNameValue(*opts, "Y_POSSIBLE_NAMES", yl);
    *opts = CSLSetNameValue(*opts, "GEOM_POSSIBLE_NAMES", "WKT,wkt,geom,geometry,the_geom,SHAPE");
    *opts = CSLSetNameValue(*opts, "KEEP_GEOM_COLUMNS", "NO");
    *opts = CSLSetNameValue(*opts, "AUTODETECT_TYPE", "NO");
}

static core_code choose_layer(imp_source *s, const imp_options *o, core_err *err)
{
    int n = GDALDatasetGetLayerCount(s->ds);
    if (o->layer) {
        s->layer = GDALDatasetGetLayerByName(s->ds, o->layer);
        if (s->layer)
            return CORE_OK;
    } else if (n == 1) {
        s->layer = GDALDatasetGetLayer(s->ds, 0);
        return CORE_OK;
    }
    core_buf names = {0};
    for (int i = 0; i < n; i++)
        core_buf_printf(&names, "%s%s", i ? ", " : "",
                        OGR_L_GetName(GDALDatasetGetLayer(s->ds, i)));
    if (n == 0)
        core_fail(err, CORE_EFORMAT, "%s holds no vector layer", o->path);
    else if (o->layer)
        core_fail(err, CORE_ENOTFOUND, "%s has no layer '%s'; its layers: %s", o->path, o->layer,
                  names.data);
    else
        core_fail(err, CORE_EINVAL, "%s has %d layers; pick one with --layer NAME: %s", o->path, n,
                  names.data);
    core_buf_free(&names);
    return err ? err->code : CORE_EINVAL;
}

core_code imp_source_open(imp_source *s, const imp_options *o, core_err *err)
{
    memset(s, 0, sizeof *s);
    s->warnings = json_array();
    GDALAllRegister();
    imp_gdal_path(o->path, s->gdal_path, sizeof s->gdal_path);
    CPLErrorReset();
    GDALDatasetH probe =
        GDALOpenEx(s->gdal_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!probe) {
        const char *why = CPLGetLastErrorMsg();
        json_decref(s->warnings);
        s->warnings = NULL;
        return core_fail(err, CORE_EFORMAT, "cannot read %s as a vector file%s%s", o->path,
                         why && *why ? ": " : "", why ? why : "");
    }
    s->driver = GDALGetDriverShortName(GDALGetDatasetDriver(probe));
    char **opts = NULL;
    if (strcmp(s->driver, "ESRI Shapefile") == 0) {
        /* Raw bytes: the encoding is decided here, from the .cpg, the language driver and
         * the bytes themselves, not silently by GDAL. */
        opts = CSLSetNameValue(opts, "ENCODING", "");
        s->raw = true;
    } else if (strcmp(s->driver, "CSV") == 0) {
        csv_options(&opts);
        s->raw = true;
    }
    if (opts) {
        GDALClose(probe);
        const char *drivers[] = {s->driver, NULL};
        s->ds = GDALOpenEx(s->gdal_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers,
                           (const char *const *)opts, NULL);
        CSLDestroy(opts);
        if (!s->ds) {
            core_fail(err, CORE_EFORMAT, "cannot reopen %s: %s", o->path, CPLGetLastErrorMsg());
            imp_source_close(s);
            return CORE_EFORMAT;
        }
    } else {
        s->ds = probe;
    }
    core_code rc = choose_layer(s, o, err);
    if (!rc) {
        GIntBig n = OGR_L_GetFeatureCount(s->layer, TRUE);
        s->total = n < 0 ? -1 : (long)n;
        rc = decide_encoding(s, o, err);
    }
    if (!rc)
        rc = decide_crs(s, o, err);
    if (rc)
        imp_source_close(s);
    return rc;
}

void imp_source_close(imp_source *s)
{
    if (s->ct)
        OCTDestroyCoordinateTransformation(s->ct);
    if (s->have_cd)
        iconv_close(s->cd);
    if (s->ds)
        GDALClose(s->ds);
    json_decref(s->warnings);
    s->ct = NULL;
    s->have_cd = false;
    s->ds = NULL;
    s->warnings = NULL;
}

json_t *imp_list_layers(const char *path, core_err *err)
{
    char gp[4200];
    GDALAllRegister();
    imp_gdal_path(path, gp, sizeof gp);
    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        core_fail(err, CORE_EFORMAT, "cannot read %s as a vector file: %s", path,
                  CPLGetLastErrorMsg());
        return NULL;
    }
    json_t *a = json_array();
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        json_array_append_new(a, json_pack("{s:s,s:I,s:s}", "name", OGR_L_GetName(l), "features",
                                           (json_int_t)OGR_L_GetFeatureCount(l, TRUE), "geometry",
                                           OGRGeometryTypeToName(OGR_L_GetGeomType(l))));
    }
    GDALClose(ds);
    return a;
}
