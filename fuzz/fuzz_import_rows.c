/* Import rows: a CSV file (with a WKT geometry column or lon/lat columns) opened the way
 * `pingan import` opens any file (imp_source_open: encoding and CRS decisions), each row's
 * fields recoded and converted for every column of the hazards and grids targets
 * (imp_convert: vocabularies, numbers, division codes), each geometry read as WKT. */
#include "../importers/imp_internal.h"
#include "fuzz.h"
#include "geo.h"

#include <cpl_vsi.h>

static void convert_all(const imp_target *t, const char *text)
{
    char out[IMP_VALUE_MAX], why[256];
    bool is_null;
    for (int c = 0; t && c < t->ncols; c++)
        imp_convert(&t->cols[c], text, out, sizeof out, &is_null, why, sizeof why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static geo_ctx *ctx;
    core_err err = {0};
    if (!ctx) {
        GDALAllRegister();
        CPLSetErrorHandler(CPLQuietErrorHandler);
        if (!(ctx = geo_ctx_create(&err)))
            abort();
    }
    if (size > 65536)
        return 0;
    const char *path = "/vsimem/fuzz_rows.csv";
    VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)data, (vsi_l_offset)size, FALSE);
    if (!f)
        return 0;
    VSIFCloseL(f);
    imp_options o = {.path = path, .into = "hazards"};
    imp_source s;
    memset(&s, 0, sizeof s);
    if (imp_source_open(&s, &o, &err) == CORE_OK) {
        const imp_target *targets[2] = {imp_target_find("hazards"), imp_target_find("grids")};
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(s.layer);
        OGRFeatureH feat;
        int rows = 0;
        while (rows++ < 200 && (feat = OGR_L_GetNextFeature(s.layer))) {
            for (int i = 0; i < OGR_FD_GetFieldCount(d); i++) {
                char text[IMP_VALUE_MAX];
                if (!OGR_F_IsFieldSetAndNotNull(feat, i) ||
                    !imp_source_text(&s, OGR_F_GetFieldAsString(feat, i), text, sizeof text))
                    continue;
                convert_all(targets[0], text);
                convert_all(targets[1], text);
                geo_fault fault;
                geo_geom *g = geo_from_wkt(ctx, text, &fault, &err);
                geo_geom_free(ctx, g);
            }
            OGR_F_Destroy(feat);
        }
        imp_source_close(&s);
    }
    VSIUnlink(path);
    return 0;
}
