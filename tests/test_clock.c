/* Monotonic clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "util/clock.h"

static void test_clock_never_goes_backwards(void **state)
{
    int64_t last_us = zi_clock_us(), last_ms = zi_clock_ms();
    for (int i = 0; i < 100000; i++) {
        int64_t us = zi_clock_us(), ms = zi_clock_ms();
        assert_true(us >= last_us);
        assert_true(ms >= last_ms);
        last_us = us;
        last_ms = ms;
    }
}

static void test_clock_ms_and_us_agree(void **state)
{
    int64_t ms = zi_clock_ms(), us = zi_clock_us();
    assert_true(us / 1000 >= ms);
    assert_true(us / 1000 - ms < 50);
}

static void test_clock_measures_a_sleep(void **state)
{
    int64_t t0 = zi_clock_us();
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int64_t dt = zi_clock_us() - t0;
    assert_true(dt >= 20000);
    assert_true(dt < 2000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_never_goes_backwards),
        cmocka_unit_test(test_clock_ms_and_us_agree),
        cmocka_unit_test(test_clock_measures_a_sleep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
