/* What the edit files share: faults, the checks that need no database, and JSON merge-patch. */
#ifndef PINGAN_EDIT_INTERNAL_H
#define PINGAN_EDIT_INTERNAL_H

#include "edit.h"

/* Appends {code, message_zh, message_en, path, …extra} to list; extra (may be NULL) is
 * merged in and taken. path may be NULL (the whole feature). */
void edit_fault(json_t *list, const char *code, const char *path, const char *zh, const char *en,
                json_t *extra);

/* Checks a feature's properties against the registry. Writable properties that are present
 * go into store (name → value, null allowed where nullable); computed ones are ignored with a
 * warning when warn_computed; unknown ones, wrong types, bad enum values, malformed codes and
 * dates, and missing required ones (when require_all) are faults. Also the cross-field rules
 * (a dedicated grid's unit type, a hazard's deadline not before its found date). */
void edit_check_props(const srv_coll *c, json_t *props, bool require_all, bool warn_computed,
                      json_t *store, json_t *faults, json_t *warnings);

/* Checks a GeoJSON geometry's shape before the database sees it: type allowed for the
 * collection, coordinates that are numbers, rings closed and long enough, lines long enough,
 * no spikes, degrees within range when the CRS is geographic. Faults carry a location. */
void edit_check_geometry(const srv_coll *c, json_t *geom, const srv_crs *crs, json_t *faults);

/* RFC 7396 JSON merge-patch: returns a new value (the caller's) made by applying patch to a
 * copy of target. */
json_t *edit_merge_patch(json_t *target, json_t *patch);

#endif
