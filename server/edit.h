/*
 * edit — validated writes to the feature collections (OGC API - Features Part 4): create,
 * replace, merge-patch, delete, grid split and merge, history and restore. Each write is one
 * transaction naming its actor; every fault is collected and reported at once. Knows the
 * collection registry and libpq, not HTTP: the handlers turn an edit_result into a reply.
 */
#ifndef PINGAN_EDIT_H
#define PINGAN_EDIT_H

#include "collections.h"
#include "core.h"

#include <jansson.h>
#include <libpq-fe.h>

typedef enum { EDIT_CREATE, EDIT_REPLACE, EDIT_PATCH, EDIT_DELETE } edit_op;

/* Who writes, how the input is to be read, and the deployment's rules. */
typedef struct {
    const srv_coll *coll;
    const char *actor;         /* token id, recorded in edit_history */
    const char *role;          /* admin, planner, … */
    const char *scope;         /* jurisdiction prefix the actor may change */
    const srv_crs *crs;        /* the input's CRS (Content-Crs); NULL = CRS84 */
    bool dry_run;              /* validate and compute, then roll back */
    bool overlap_warn;         /* sibling overlap is a warning rather than an error */
    double spill_tolerance_m2; /* area outside the village tolerated as a warning */
    long max_vertices;         /* positions in one geometry; more is refused before GEOS */
} edit_ctx;

/* The outcome of a write, for the handler to send. The caller zero-initialises it and frees
 * it with edit_result_free. */
typedef struct {
    int status;          /* HTTP status: 200, 201, 204, or the problem's */
    const char *code;    /* problem code when status >= 400 (a static string) */
    char detail[400];    /* problem detail */
    json_t *faults;      /* validation faults (array), reported with 422 */
    json_t *warnings;    /* validation warnings (array), reported always */
    json_t *computed;    /* server-computed fields (object) */
    json_t *features;    /* resulting features (array of GeoJSON Features, CRS84) */
    json_t *extra;       /* more problem members (object), e.g. the place of out_of_scope */
    char id[32];         /* the feature written (the kept grid for split and merge) */
    long version;        /* its version after the write */
    char created_id[32]; /* a feature created by the operation (POST, the split's new grid) */
} edit_result;

void edit_result_free(edit_result *res);

/* The ETag of a feature version: "<id>-<version>" (quotes included). */
void edit_etag(char *out, size_t size, const char *id, long version);
/* The version an If-Match value names for feature id: >0, 0 for "*", -1 when it names
 * another feature or is malformed (a stale or foreign ETag: 412). */
long edit_if_match_version(const char *if_match, const char *id);

/* Creates (fid NULL), replaces, merge-patches or deletes one feature. body is the request's
 * JSON (borrowed; NULL for delete); if_match is the header's value (required except for
 * create). Fills res; CORE_OK whenever res says what to answer. */
core_code edit_feature(PGconn *c, const edit_ctx *x, edit_op op, const char *fid,
                       const char *if_match, json_t *body, edit_result *res);

/* Splits grid fid by a LineString (body: a geometry, or a Feature holding one; optional
 * "name" of the new grid) into two: the original keeps its id and code with the larger part,
 * the other part becomes a new grid with the next code of the village. if_match optional. */
core_code edit_grid_split(PGconn *c, const edit_ctx *x, const char *fid, const char *if_match,
                          json_t *body, edit_result *res);
/* Merges adjacent grids of one village (body: {"ids": [..], "name"?: ..}) into the first id:
 * its geometry becomes the union, the others are deleted. */
core_code edit_grid_merge(PGconn *c, const edit_ctx *x, json_t *body, edit_result *res);
/* Restores version `version` of feature fid (from edit_history) as a normal validated
 * replace; if_match required. */
core_code edit_restore(PGconn *c, const edit_ctx *x, const char *fid, const char *if_match,
                       long version, edit_result *res);

/* The change history of a feature, oldest first: who, when, operation, version, and the
 * feature before and after as GeoJSON (CRS84). Personal properties are dropped unless
 * show_personal. Returns a new array, or NULL with err (CORE_ENOTFOUND when the feature
 * never existed). */
json_t *edit_history(PGconn *c, const srv_coll *coll, const char *fid, bool show_personal,
                     core_err *err);

/* The jurisdiction code (and name into name_out) of feature fid, for scope decisions on
 * reads and OPTIONS. CORE_ENOTFOUND when there is no such feature. */
core_code edit_feature_place(PGconn *c, const srv_coll *coll, const char *fid, char *code_out,
                             size_t code_size, core_err *err);

/* Adds the Part 4 paths (POST/PUT/PATCH/DELETE/OPTIONS, split, merge, history, restore) to an
 * OpenAPI 3.0 `paths` object, for the read half's document generator. */
void edit_openapi_paths(json_t *paths);
/* Adds the bearer security scheme the write operations name to an OpenAPI `components`. */
void edit_openapi_security(json_t *components);
/* The Part 4 conformance classes implemented, appended to an array of URIs. */
void edit_conformance(json_t *conforms_to);

/* Sets up the calling thread's geometry context (GEOS, PROJ and the CRS84 -> CGCS2000
 * transform a write uses), so that a thread's first write does not pay for it. */
void edit_warm_thread(void);

#endif
