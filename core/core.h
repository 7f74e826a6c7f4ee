/*
 * core — what every Pingan Grid library shares: one status type made from one list,
 * a growable byte buffer, and structured (JSON-lines) logging for the operator.
 * Needs nothing but libc.
 */
#ifndef PINGAN_CORE_H
#define PINGAN_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* One list makes the enum, the stable names and the default messages (libuv's habit). */
#define CORE_STATUS_MAP(XX)                                                                        \
    XX(OK, "ok")                                                                                   \
    XX(EINVAL, "invalid input")                                                                    \
    XX(ENOMEM, "out of memory")                                                                    \
    XX(EIO, "input/output error")                                                                  \
    XX(EDB, "database error")                                                                      \
    XX(EUNAVAIL, "service unavailable")                                                            \
    XX(ENOTFOUND, "not found")                                                                     \
    XX(ECONFLICT, "conflict")                                                                      \
    XX(EGEOM, "invalid geometry")                                                                  \
    XX(ECRS, "coordinate reference system error")                                                  \
    XX(EFORMAT, "unsupported or corrupt format")                                                   \
    XX(ELIMIT, "limit exceeded")                                                                   \
    XX(EDENIED, "permission denied")

typedef enum {
#define CORE_XX(name, msg) CORE_##name,
    CORE_STATUS_MAP(CORE_XX)
#undef CORE_XX
        CORE_STATUS_COUNT
} core_code;

/* An error travels as a value: a code plus a human message. Owned by the caller, on the
 * stack; no allocation, so it can report out-of-memory too. */
typedef struct {
    core_code code;
    char msg[512];
} core_err;

/* Stable upper-case name of a code ("EINVAL"), for logs and problem+json codes. */
const char *core_code_name(core_code code);
/* Default English message of a code. */
const char *core_code_msg(core_code code);
/* Fills err (may be NULL) and returns code, so that `return core_fail(err, ...)` reads well. */
core_code core_fail(core_err *err, core_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void core_err_clear(core_err *err);

/* A growable byte buffer, always NUL-terminated. The caller owns it: zero-initialise,
 * use, then core_buf_free. Appends return false only when memory runs out. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} core_buf;

bool core_buf_reserve(core_buf *b, size_t extra);
bool core_buf_append(core_buf *b, const void *data, size_t len);
bool core_buf_puts(core_buf *b, const char *s);
bool core_buf_printf(core_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool core_buf_vprintf(core_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
bool core_buf_json_str(core_buf *b, const char *s);
void core_buf_reset(core_buf *b);
void core_buf_free(core_buf *b);
/* Hands the data to the caller (to free()) and leaves the buffer empty. */
char *core_buf_take(core_buf *b);

/* Structured log: one JSON object a line on stderr, with time, level and event.
 * `fields` is a JSON object body without braces (`"a":1,"b":"x"`) or NULL. */
typedef enum { CORE_LOG_DEBUG, CORE_LOG_INFO, CORE_LOG_WARN, CORE_LOG_ERROR } core_log_level;
void core_log_set_level(core_log_level min);
void core_log(core_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Monotonic milliseconds, for durations. */
double core_now_ms(void);

/* The project folder that holds data/, web/ and styles/: $PINGAN_HOME when set, else the
 * source tree the binary was built from. */
const char *core_home(void);
/* Writes core_home()/rel into out; false when it does not fit. */
bool core_path(char *out, size_t size, const char *rel);
/* Reads a whole file into a new NUL-terminated string (caller frees); NULL and err on failure. */
char *core_read_file(const char *path, size_t *len, core_err *err);

#endif
