/* The readable form of an import report: what a GIS officer reads after a dry run. */
#include "imp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long count(const json_t *r, const char *k)
{
    return (long)json_integer_value(json_object_get(json_object_get(r, "counts"), k));
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void list(core_buf *b, const json_t *r, const char *key, const char *title, int max)
{
    const json_t *a = json_object_get(r, key);
    if (!json_array_size(a))
        return;
    char trunc[80];
    snprintf(trunc, sizeof trunc, "%s_truncated", key);
    core_buf_printf(b, "\n%s (%zu%s):\n", title, json_array_size(a),
                    json_is_true(json_object_get(r, trunc)) ? "+, list capped" : "");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *e = json_array_get(a, i);
        if ((int)i >= max) {
            core_buf_printf(b, "  … %zu more in the JSON report (--format json)\n",
                            json_array_size(a) - i);
            break;
        }
        core_buf_printf(b, "  #%lld", (long long)json_integer_value(json_object_get(e, "fid")));
        if (*str(e, "code"))
            core_buf_printf(b, " %s", str(e, "code"));
        if (*str(e, "name"))
            core_buf_printf(b, " %s", str(e, "name"));
        if (*str(e, "reason") && !json_object_get(e, "fault"))
            core_buf_printf(b, ": %s", str(e, "reason"));
        if (json_object_get(e, "fault")) {
            core_buf_printf(b, ": %s %s", str(e, "message_zh"), str(e, "message_en"));
            json_t *loc = json_object_get(e, "location");
            if (json_is_array(loc))
                core_buf_printf(b, " at %.7f, %.7f", json_real_value(json_array_get(loc, 0)),
                                json_real_value(json_array_get(loc, 1)));
            if (*str(e, "method"))
                core_buf_printf(b, " — repaired (%s)", str(e, "method"));
        }
        json_t *bbox = json_object_get(e, "bbox");
        if (json_is_array(bbox))
            core_buf_printf(
                b, ": bbox %.5f,%.5f,%.5f,%.5f", json_real_value(json_array_get(bbox, 0)),
                json_real_value(json_array_get(bbox, 1)), json_real_value(json_array_get(bbox, 2)),
                json_real_value(json_array_get(bbox, 3)));
        core_buf_puts(b, "\n");
    }
}

char *imp_report_text(const json_t *r)
{
    core_buf b = {0};
    const json_t *enc = json_object_get(r, "encoding"), *crs = json_object_get(r, "crs");
    core_buf_printf(&b, "Import of %s", str(r, "file"));
    if (*str(r, "layer"))
        core_buf_printf(&b, " (layer %s, %s)", str(r, "layer"), str(r, "driver"));
    core_buf_printf(&b, " into %s, mode %s%s\n", str(r, "into"), str(r, "mode"),
                    json_is_true(json_object_get(r, "dry_run")) ? ", DRY RUN: nothing written"
                                                                : "");
    if (enc)
        core_buf_printf(&b, "Encoding: %s — %s\n", str(enc, "chosen"), str(enc, "why"));
    if (crs) {
        core_buf_printf(&b, "CRS: %s", str(crs, "name"));
        if (json_integer_value(json_object_get(crs, "epsg")))
            core_buf_printf(&b, " (EPSG:%lld)",
                            (long long)json_integer_value(json_object_get(crs, "epsg")));
        core_buf_printf(&b, ", %s%s → stored as CGCS2000 (EPSG:4490)\n",
                        strcmp(str(crs, "source"), "guessed") == 0 ? "GUESSED"
                        : strcmp(str(crs, "source"), "file") == 0  ? "from the file"
                                                                   : "from --s-srs",
                        json_is_true(json_object_get(crs, "swapped_xy")) ? ", x/y swapped" : "");
    }
    const json_t *warnings = json_object_get(r, "warnings");
    for (size_t i = 0; i < json_array_size(warnings); i++)
        core_buf_printf(&b, "! %s\n", json_string_value(json_array_get(warnings, i)));
    core_buf_printf(&b,
                    "\nFeatures: %ld read, %ld staged, %ld repaired, %ld reprojected, %ld "
                    "skipped, %ld outside Jiangxi, %ld duplicate codes\n",
                    count(r, "read"), count(r, "staged"), count(r, "repaired"),
                    count(r, "reprojected"), count(r, "skipped"), count(r, "outside_jiangxi"),
                    count(r, "duplicate_codes"));
    if (json_object_get(json_object_get(r, "counts"), "inserted"))
        core_buf_printf(&b, "Result: %ld inserted, %ld updated, %ld unchanged%s\n",
                        count(r, "inserted"), count(r, "updated"), count(r, "unchanged"),
                        json_is_true(json_object_get(r, "dry_run")) ? " (would be; rolled back)"
                                                                    : "");
    if (json_object_get(json_object_get(r, "counts"), "deleted"))
        core_buf_printf(&b, "Deleted in scope: %ld\n", count(r, "deleted"));
    list(&b, r, "unmatched", "Not matched to the reference division codes", 200);
    list(&b, r, "mismatched", "Names or codes that differ from the reference", 200);
    list(&b, r, "duplicate_codes", "Duplicate codes (later ones skipped)", 50);
    list(&b, r, "duplicate_features",
         "Features without a code given twice (same name and geometry; later ones skipped)", 50);
    list(&b, r, "repaired", "Repaired geometries", 50);
    list(&b, r, "warnings_per_feature", "Warnings on features (kept)", 50);
    list(&b, r, "outside_jiangxi", "Outside Jiangxi", 50);
    list(&b, r, "skipped", "Skipped", 100);
    if (*str(r, "error"))
        core_buf_printf(&b, "\nFAILED: %s\n", str(r, "error"));
    else
        core_buf_printf(&b, "\nStatus: %s in %.1f s\n", str(r, "status"),
                        json_real_value(json_object_get(r, "seconds")));
    return core_buf_take(&b);
}
