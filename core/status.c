/* Names and messages of the status codes, and filling a core_err. */
#include "core.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = {
#define CORE_XX(name, msg) #name,
    CORE_STATUS_MAP(CORE_XX)
#undef CORE_XX
};

static const char *const msgs[] = {
#define CORE_XX(name, msg) msg,
    CORE_STATUS_MAP(CORE_XX)
#undef CORE_XX
};

const char *core_code_name(core_code code)
{
    return (unsigned)code < CORE_STATUS_COUNT ? names[code] : "EUNKNOWN";
}

const char *core_code_msg(core_code code)
{
    return (unsigned)code < CORE_STATUS_COUNT ? msgs[code] : "unknown error";
}

core_code core_fail(core_err *err, core_code code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err->msg, sizeof err->msg, fmt, ap);
            va_end(ap);
        } else {
            snprintf(err->msg, sizeof err->msg, "%s", core_code_msg(code));
        }
    }
    return code;
}

void core_err_clear(core_err *err)
{
    if (err) {
        err->code = CORE_OK;
        err->msg[0] = '\0';
    }
}
