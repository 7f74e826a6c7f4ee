/* GET /reports/coverage|staffing|scorecard?jurisdiction=CODE[&level=L][&f=json|csv]: thin
 * wrappers over ana_report, which refreshes the jurisdiction's dirty villages first, so a
 * report is never stale. */
#include "srv_internal.h"

#include <stdio.h>
#include <string.h>

static int status_of(core_code rc)
{
    switch (rc) {
    case CORE_EINVAL:
        return 400;
    case CORE_ENOTFOUND:
        return 404;
    case CORE_EUNAVAIL:
        return 503;
    default:
        return 500;
    }
}

static int report(srv_req *r, ana_kind kind)
{
    char code[32] = "", level[16] = "", f[16] = "json";
    if (!srv_query(r, "jurisdiction", code, sizeof code))
        return srv_problem(r, 400, "missing_jurisdiction",
                           "jurisdiction=CODE (12-digit division code) is required", NULL);
    /* srv_query empties the buffer when the parameter is absent */
    if (!srv_query(r, "level", level, sizeof level))
        level[0] = '\0';
    if (!srv_query(r, "f", f, sizeof f))
        snprintf(f, sizeof f, "json");
    ana_format fmt;
    if (!ana_format_parse(f, &fmt))
        return srv_problem(r, 400, "bad_format", "f must be json or csv", NULL);
    PGconn *c = srv_db_acquire(r);
    if (!c)
        return r->status;
    core_buf out = {0};
    core_err err = {0};
    core_code rc = ana_report(c, kind, code, level, fmt, &out, &err);
    srv_db_release(r, c);
    int status;
    if (rc) {
        status = srv_problem(r, status_of(rc),
                             rc == CORE_ENOTFOUND ? "unknown_jurisdiction"
                             : rc == CORE_EINVAL  ? "bad_parameter"
                                                  : "report_failed",
                             err.msg, NULL);
    } else if (fmt == ANA_CSV) {
        static const char *names[] = {"coverage", "staffing", "scorecard"};
        char hdr[200];
        snprintf(hdr, sizeof hdr, "Content-Disposition: attachment; filename=\"%s-%s.csv\"\r\n",
                 names[kind], code);
        status = srv_send(r, 200, "text/csv; charset=utf-8", out.data, out.len, hdr);
    } else {
        status = srv_send(r, 200, "application/json", out.data, out.len, NULL);
    }
    core_buf_free(&out);
    return status;
}

int h_report_coverage(srv_req *r)
{
    return report(r, ANA_COVERAGE);
}

int h_report_staffing(srv_req *r)
{
    return report(r, ANA_STAFFING);
}

int h_report_scorecard(srv_req *r)
{
    return report(r, ANA_SCORECARD);
}
