/* GeoJSON geometries and Features from request bodies: parse, validate, write back. */
#include "fuzz_geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_geo_round_trip(data, size, geo_from_geojson, geo_to_geojson);
}
