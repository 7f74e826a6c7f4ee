/* JSON-lines logging for the operator: one object a line, written whole so that lines from
 * several threads never interleave. */
#include "core.h"

#include <stdio.h>
#include <time.h>

static core_log_level min_level = CORE_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void core_log_set_level(core_log_level min)
{
    min_level = min;
}

double core_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void core_log(core_log_level level, const char *event, const char *fmt, ...)
{
    if (level < min_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);

    core_buf line = {0};
    bool ok = core_buf_printf(&line, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"event\":", when,
                              ts.tv_nsec / 1000000L, level_names[level]) &&
              core_buf_json_str(&line, event);
    if (ok && fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        ok = core_buf_append(&line, ",", 1) && core_buf_vprintf(&line, fmt, ap);
        va_end(ap);
    }
    if (ok && core_buf_puts(&line, "}\n"))
        fwrite(line.data, 1, line.len, stderr);
    core_buf_free(&line);
}
