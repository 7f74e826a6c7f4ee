/* pingan report: the coverage, staffing and scorecard reports of a jurisdiction as JSON or
 * CSV, and `refresh` to recompute the stored analysis (dirty villages, or everything). */
#include "analysis.h"
#include "commands.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pingan report coverage|staffing|scorecard --jurisdiction CODE [OPTIONS]\n"
            "       pingan report refresh [--jurisdiction CODE] [--all] [--jobs N]\n\n"
            "  coverage   gaps, overlaps, grid area outside its village, key places and hazards\n"
            "             without the grid, camera or worker they need (Art. 15, 42-44)\n"
            "  staffing   community grids without a full-time worker, grids without workers,\n"
            "             workers over their load, grids to split or merge\n"
            "  scorecard  the Art. 57 indicators of the jurisdiction's children side by side\n"
            "  refresh    recompute the dirty villages now (--all: every village from scratch)\n\n"
            "Options:\n"
            "  --jurisdiction CODE  12-digit division code (e.g. 360502000000)\n"
            "  --format json|csv    output format (json); CSV is UTF-8 with BOM for Excel\n"
            "  --level LEVEL        scorecard rows: city, county, township or village\n"
            "                       (default: the level below the jurisdiction)\n"
            "  --output FILE        write to FILE instead of standard output\n"
            "  --all                refresh: recompute every village, not only dirty ones\n"
            "  --jobs N             refresh --all: parallel database connections (2)\n\n"
            "Results are kept current by database triggers; every report first recomputes\n"
            "whatever is still pending under its jurisdiction.\n");
}

static void progress(long done, long total, void *ud)
{
    bool tty = *(bool *)ud;
    static double t0;
    if (t0 == 0)
        t0 = core_now_ms();
    double s = (core_now_ms() - t0) / 1000.0;
    double rate = s > 0 ? done / s : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    if (tty) {
        int w = 30, fill = total > 0 ? (int)(w * done / total) : w;
        fprintf(stderr, "\r[%.*s%*s] %ld/%ld villages %.0f/s ETA %.0fs ", fill,
                "##############################", w - fill, "", done, total, rate, eta);
    } else {
        fprintf(stderr, "recomputed %ld/%ld villages (%.0f/s)\n", done, total, rate);
    }
}

static int refresh(const char *url, const char *code, bool all, int jobs)
{
    core_err err = {0};
    double t0 = core_now_ms();
    if (all) {
        bool tty = isatty(2);
        long done = 0;
        if (ana_recompute_all(url, code, jobs, progress, &tty, &done, &err))
            return cli_fail("report refresh", &err);
        if (tty)
            fprintf(stderr, "\n");
        printf("recomputed %ld village(s) in %.1f s\n", done, (core_now_ms() - t0) / 1000);
        return 0;
    }
    PGconn *c = db_connect(url, &err);
    if (!c)
        return cli_fail("report refresh", &err);
    int done = 0;
    core_code rc = ana_refresh(c, code, &done, &err);
    PQfinish(c);
    if (rc)
        return cli_fail("report refresh", &err);
    printf("recomputed %d dirty village(s) in %.1f ms\n", done, core_now_ms() - t0);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *what = argv[1], *code = NULL, *format = "json", *level = NULL, *output = NULL;
    bool all = false;
    int jobs = 2;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--all") == 0) {
            all = true;
            continue;
        }
        if (!next || strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "pingan report: unexpected argument '%s' (see --help)\n", a);
            return 2;
        }
        if (strcmp(a, "--jurisdiction") == 0)
            code = next;
        else if (strcmp(a, "--format") == 0)
            format = next;
        else if (strcmp(a, "--level") == 0)
            level = next;
        else if (strcmp(a, "--output") == 0)
            output = next;
        else if (strcmp(a, "--jobs") == 0) {
            char *end;
            jobs = (int)strtol(next, &end, 10);
            if (*end || jobs < 1 || jobs > 16) {
                fprintf(stderr, "pingan report: --jobs takes 1 to 16\n");
                return 2;
            }
        } else {
            fprintf(stderr, "pingan report: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        i++;
    }
    char url[4096];
    core_err err = {0};
    if (db_url(url, sizeof url, &err))
        return cli_fail("report", &err);
    if (strcmp(what, "refresh") == 0)
        return refresh(url, code, all, jobs);

    ana_kind kind;
    ana_format fmt;
    if (!ana_kind_parse(what, &kind)) {
        fprintf(stderr, "pingan report: unknown report '%s' (coverage, staffing, scorecard)\n",
                what);
        return 2;
    }
    if (!ana_format_parse(format, &fmt)) {
        fprintf(stderr, "pingan report: --format must be json or csv\n");
        return 2;
    }
    if (!code) {
        fprintf(stderr, "pingan report: --jurisdiction CODE is required\n");
        return 2;
    }
    PGconn *c = db_connect(url, &err);
    if (!c)
        return cli_fail("report", &err);
    core_buf out = {0};
    core_code rc = ana_report(c, kind, code, level, fmt, &out, &err);
    PQfinish(c);
    if (rc) {
        core_buf_free(&out);
        return cli_fail("report", &err);
    }
    FILE *f = output ? fopen(output, "wb") : stdout;
    bool ok = f && fwrite(out.data, 1, out.len, f) == out.len;
    if (fmt == ANA_JSON && ok)
        ok = fputc('\n', f) != EOF;
    if (output && f)
        ok = fclose(f) == 0 && ok;
    core_buf_free(&out);
    if (!ok) {
        core_fail(&err, CORE_EIO, "cannot write %s", output ? output : "standard output");
        return cli_fail("report", &err);
    }
    return 0;
}
