/* Monotonic clock (CLOCK_MONOTONIC): for timers, deadlines and timeouts.
 *
 * Never goes backwards, unaffected by changes to the wall clock; the origin is
 * arbitrary (boot), so only differences mean anything. Never blocks; callable
 * from any thread.
 */
#ifndef ZI_UTIL_CLOCK_H
#define ZI_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed origin. */
int64_t zi_clock_ms(void);
/* Microseconds since the same origin. */
int64_t zi_clock_us(void);

#endif
