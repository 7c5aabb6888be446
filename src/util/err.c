#include <errno.h>

#include "util/err.h"

static const char *const err_text[] = {
#define ZI_ERR_TEXT(name, eno, text) [name] = text,
    ZI_ERR_TABLE(ZI_ERR_TEXT)
#undef ZI_ERR_TEXT
};

static const int err_errno[] = {
#define ZI_ERR_ERRNO(name, eno, text) [name] = eno,
    ZI_ERR_TABLE(ZI_ERR_ERRNO)
#undef ZI_ERR_ERRNO
};

const char *zi_err_str(zi_err e)
{
    if ((unsigned)e >= ZI_ERR_COUNT_)
        return "unknown error";
    return err_text[e];
}

int zi_err_errno(zi_err e)
{
    if ((unsigned)e >= ZI_ERR_COUNT_)
        return EINVAL;
    return err_errno[e];
}
