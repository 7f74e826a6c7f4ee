/*
 * geo_ctx: one GEOS handle and one PROJ context per thread, with their messages caught
 * into the ctx so that they reach core_err instead of stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_internal.h"

static void keep_message(char *dst, size_t cap, const char *msg)
{
    snprintf(dst, cap, "%s", msg ? msg : "");
}

static void on_geos_error(const char *message, void *userdata)
{
    geo_ctx *ctx = userdata;
    keep_message(ctx->geos_error, sizeof ctx->geos_error, message);
}

static void on_geos_notice(const char *message, void *userdata)
{
    geo_ctx *ctx = userdata;
    keep_message(ctx->geos_notice, sizeof ctx->geos_notice, message);
}

static void on_proj_log(void *userdata, int level, const char *message)
{
    geo_ctx *ctx = userdata;
    if (level <= PJ_LOG_ERROR)
        keep_message(ctx->proj_error, sizeof ctx->proj_error, message);
}

geo_ctx *geo_ctx_create(core_err *err)
{
    geo_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        core_fail(err, CORE_ENOMEM, "geo context");
        return NULL;
    }
    ctx->gh = GEOS_init_r();
    if (!ctx->gh) {
        free(ctx);
        core_fail(err, CORE_ENOMEM, "cannot start GEOS");
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->gh, on_geos_error, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->gh, on_geos_notice, ctx);

    ctx->pj = proj_context_create();
    if (!ctx->pj) {
        GEOS_finish_r(ctx->gh);
        free(ctx);
        core_fail(err, CORE_ECRS, "cannot start PROJ (is proj.db installed?)");
        return NULL;
    }
    proj_log_func(ctx->pj, ctx, on_proj_log);
    return ctx;
}

void geo_ctx_free(geo_ctx *ctx)
{
    if (!ctx)
        return;
    for (unsigned i = 0; i < GEO_PJ_CACHE; i++)
        if (ctx->pj_cache[i].pj)
            proj_destroy(ctx->pj_cache[i].pj);
    proj_context_destroy(ctx->pj);
    GEOS_finish_r(ctx->gh);
    free(ctx);
}

core_code geo_fail_geos(geo_ctx *ctx, core_err *err, core_code code, const char *what)
{
    core_code rc;
    /* A notice is GEOS's only word on some failures, so it is the fall-back. */
    if (ctx->geos_error[0])
        rc = core_fail(err, code, "%s: %s", what, ctx->geos_error);
    else if (ctx->geos_notice[0])
        rc = core_fail(err, code, "%s: %s", what, ctx->geos_notice);
    else
        rc = core_fail(err, code, "%s", what);
    ctx->geos_error[0] = '\0';
    ctx->geos_notice[0] = '\0';
    return rc;
}

core_code geo_fail_proj(geo_ctx *ctx, PJ *pj, core_err *err, core_code code, const char *what)
{
    core_code rc;
    int errno_ = pj ? proj_errno(pj) : proj_context_errno(ctx->pj);
    if (ctx->proj_error[0])
        rc = core_fail(err, code, "%s: %s", what, ctx->proj_error);
    else if (errno_)
        rc = core_fail(err, code, "%s: %s", what, proj_context_errno_string(ctx->pj, errno_));
    else
        rc = core_fail(err, code, "%s", what);
    ctx->proj_error[0] = '\0';
    if (pj)
        proj_errno_reset(pj);
    return rc;
}
