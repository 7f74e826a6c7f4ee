/*
 * analysis — the Article 15 coverage and staffing analysis: keeping the stored results current
 * (the dirty queue the triggers of migration 004 fill), and the reports (JSON and CSV) read
 * from them. The geometry work is set-based SQL in the database; this library decides when it
 * runs and how its results are presented.
 */
#ifndef PINGAN_ANALYSIS_H
#define PINGAN_ANALYSIS_H

#include "core.h"

#include <libpq-fe.h>

/* Recomputes every dirty village under the jurisdiction `code` (12 digits; NULL or "" for
 * all) and the roll-ups above them, waiting for villages another session is recomputing.
 * On return the stored results under `code` are current. *done (may be NULL) gets the number
 * of villages recomputed. */
core_code ana_refresh(PGconn *c, const char *code, int *done, core_err *err);

/* Recomputes one batch of at most `batch` dirty villages that no other session holds;
 * *done gets how many (0 when the queue is empty). For drainers. */
core_code ana_drain(PGconn *c, int batch, int *done, core_err *err);

/* Called after each batch of a full recompute with villages done so far and the total. */
typedef void (*ana_progress_fn)(long done, long total, void *ud);

/* Recomputes every village under `code` (NULL/"" for the province) from scratch with `jobs`
 * connections to `url` working in parallel, then all roll-ups. *done gets the villages
 * recomputed. */
core_code ana_recompute_all(const char *url, const char *code, int jobs, ana_progress_fn progress,
                            void *ud, long *done, core_err *err);

/* Reads the report SQL files once (data/sql/report_*.sql); the server calls it before its
 * threads start, ana_report otherwise on first use. The text lives until the process ends. */
core_code ana_init(core_err *err);

typedef enum { ANA_COVERAGE, ANA_STAFFING, ANA_SCORECARD } ana_kind;
typedef enum { ANA_JSON, ANA_CSV } ana_format;

/* Parses "coverage" / "staffing" / "scorecard" and "json" / "csv"; false when unknown. */
bool ana_kind_parse(const char *s, ana_kind *out);
bool ana_format_parse(const char *s, ana_format *out);

/* Refreshes the jurisdiction (ana_refresh) and writes its report into out (appended).
 * code: a 12-digit division code (CORE_ENOTFOUND when unknown, CORE_EINVAL when malformed).
 * level: for ANA_SCORECARD the level of the rows side by side ("township", "county", "city",
 * "village"; NULL: the level just below code); ignored otherwise.
 * CSV is UTF-8 with a byte-order mark, CRLF line ends, Chinese headers and RFC 4180 quoting, so
 * that Excel opens it as it is. */
core_code ana_report(PGconn *c, ana_kind kind, const char *code, const char *level, ana_format fmt,
                     core_buf *out, core_err *err);

/* A background drainer: its own connection, LISTEN coverage_dirty, recompute batches as they
 * come; re-checks once a minute (deadlines pass without writes) and reconnects after the
 * database comes back. */
typedef struct ana_worker ana_worker;
/* Returns a running worker (caller stops it with ana_worker_stop) or NULL with err. */
ana_worker *ana_worker_start(const char *url, int batch, core_err *err);
/* Stops the thread, closes its connection and frees the worker. NULL is ignored. */
void ana_worker_stop(ana_worker *w);

#endif
