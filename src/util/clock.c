#include <time.h>

#include "util/clock.h"

static int64_t clock_ns(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t zi_clock_ms(void)
{
    return clock_ns() / 1000000;
}

int64_t zi_clock_us(void)
{
    return clock_ns() / 1000;
}
