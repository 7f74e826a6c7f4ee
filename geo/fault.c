/*
 * geo_fault: the table of fault kinds (codes, English and Chinese messages) and the
 * mapping from GEOS's reason texts onto it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "geo_internal.h"

static const struct {
    const char *code, *en, *zh;
} fault_text[] = {
#define GEO_XX(name, code, en, zh) {code, en, zh},
    GEO_FAULT_MAP(GEO_XX)
#undef GEO_XX
};

const char *geo_fault_code(geo_fault_kind kind)
{
    return kind < GEO_FAULT_COUNT ? fault_text[kind].code : "unknown";
}

const char *geo_fault_message_en(geo_fault_kind kind)
{
    return kind < GEO_FAULT_COUNT ? fault_text[kind].en : "Unknown fault";
}

const char *geo_fault_message_zh(geo_fault_kind kind)
{
    return kind < GEO_FAULT_COUNT ? fault_text[kind].zh : "未知错误";
}

void geo_fault_set(geo_fault *fault, geo_fault_kind kind, const char *reason)
{
    if (!fault)
        return;
    fault->kind = kind;
    fault->code = geo_fault_code(kind);
    fault->message_en = geo_fault_message_en(kind);
    fault->message_zh = geo_fault_message_zh(kind);
    snprintf(fault->reason, sizeof fault->reason, "%s", reason ? reason : fault->message_en);
    fault->has_location = false;
    fault->x = fault->y = NAN;
    fault->part = fault->ring = fault->vertex = -1;
}

void geo_fault_at(geo_fault *fault, double x, double y, int part, int ring, int vertex)
{
    if (!fault)
        return;
    fault->has_location = true;
    fault->x = x;
    fault->y = y;
    fault->part = part;
    fault->ring = ring;
    fault->vertex = vertex;
}

void geo_fault_clear(geo_fault *fault)
{
    geo_fault_set(fault, GEO_FAULT_NONE, NULL);
}

/* GEOS's TopologyValidationError texts and the messages its constructors throw while
 * parsing; order matters where one text contains another. */
static const struct {
    const char *needle;
    geo_fault_kind kind;
} geos_reasons[] = {
    {"Ring Self-intersection", GEO_FAULT_RING_SELF_INTERSECTION},
    {"Self-intersection", GEO_FAULT_SELF_INTERSECTION},
    {"Hole lies outside shell", GEO_FAULT_HOLE_OUTSIDE_SHELL},
    {"Holes are nested", GEO_FAULT_NESTED_HOLES},
    {"Interior is disconnected", GEO_FAULT_DISCONNECTED_INTERIOR},
    {"Nested shells", GEO_FAULT_NESTED_SHELLS},
    {"Duplicate Rings", GEO_FAULT_DUPLICATE_RINGS},
    {"Repeated Point", GEO_FAULT_REPEATED_POINT},
    {"Too few", GEO_FAULT_TOO_FEW_POINTS},
    {"Invalid number of points", GEO_FAULT_TOO_FEW_POINTS},
    {"must contain 0 or >1 elements", GEO_FAULT_TOO_FEW_POINTS},
    {"Invalid Coordinate", GEO_FAULT_INVALID_COORDINATE},
    {"Ring is not closed", GEO_FAULT_RING_NOT_CLOSED},
    {"do not form a closed linestring", GEO_FAULT_RING_NOT_CLOSED},
};

geo_fault_kind geo_fault_from_geos_reason(const char *reason)
{
    if (!reason)
        return GEO_FAULT_TOPOLOGY;
    for (size_t i = 0; i < sizeof geos_reasons / sizeof geos_reasons[0]; i++)
        if (strcasestr(reason, geos_reasons[i].needle))
            return geos_reasons[i].kind;
    return GEO_FAULT_TOPOLOGY;
}
