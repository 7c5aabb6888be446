#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "zinc.h"

static _Thread_local char error_detail[ZI_DETAIL_MAX];

__attribute__((format(printf, 1, 0))) static void error_vset(const char *fmt, va_list ap)
{
    int n = vsnprintf(error_detail, sizeof error_detail, fmt, ap);
    if (n < 0)
        error_detail[0] = '\0';
}

void zi_set_detail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(fmt, ap);
    va_end(ap);
}

int zi_fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

char *zi_detail_quote(char *out, size_t cap, const char *s, size_t max)
{
    if (!out || cap == 0)
        return out;
    if (!s)
        s = "(null)";
    size_t room = cap - 1 < max ? cap - 1 : max;
    size_t i = 0;
    for (; s[i] && i < room; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[i] = '\0';
    if (s[i] && cap >= 4) {
        /* Cut: end with "..." inside the buffer. */
        size_t at = i >= 3 ? i - 3 : 0;
        memcpy(out + at, "...", 4);
    }
    return out;
}

const char *zinc_last_error_detail(void)
{
    return error_detail;
}

void zinc_set_error_detail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(fmt, ap);
    va_end(ap);
}
