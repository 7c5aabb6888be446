/* zinc_errno, zinc_strerror and zinc_version: the error convention of
 * libzmq (its own numbers above ZINC_HAUSNUMERO, the system's below). */
#include <errno.h>
#include <string.h>

#include "zinc.h"

int zinc_errno(void)
{
    return errno;
}

const char *zinc_strerror(int errnum)
{
    switch (errnum) {
    case ZINC_EFSM:
        return "Operation cannot be accomplished in current state";
    case ZINC_ENOCOMPATPROTO:
        return "The protocol is not compatible with the socket type";
    case ZINC_ETERM:
        return "Context was terminated";
    case ZINC_EMTHREAD:
        return "No thread available";
    default:
        /* strerror's buffer is per thread in glibc for known values. */
        return strerror(errnum);
    }
}

void zinc_version(int *major, int *minor, int *patch)
{
    if (major)
        *major = ZINC_VERSION_MAJOR;
    if (minor)
        *minor = ZINC_VERSION_MINOR;
    if (patch)
        *patch = ZINC_VERSION_PATCH;
}
