/* Trackers: zero-copy frames report when zinc no longer uses their memory. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/frame.h"
#include "zinc.h"

static void count_free(void *data, void *hint)
{
    (void)data;
    (*(int *)hint)++;
}

static void test_tracker_done_when_last_reference_dropped(void **state)
{
    (void)state;
    int freed = 0;
    static char buf[100];
    zinc_frame_t *f = zinc_frame_new_zerocopy(buf, sizeof buf, count_free, &freed, true);
    assert_non_null(f);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    assert_non_null(t);
    zinc_frame_ref(f);
    zinc_frame_unref(f);
    assert_false(zinc_tracker_done(t));
    assert_int_equal(freed, 0);
    zinc_frame_unref(f);
    assert_true(zinc_tracker_done(t));
    assert_int_equal(freed, 1);
    assert_int_equal(zinc_tracker_wait(t, 0), 0);
    zinc_tracker_free(t);
}

static void test_untracked_frame_has_no_tracker(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new("x", 1);
    assert_null(zinc_frame_tracker(f));
    assert_int_equal(errno, ENOENT);
    zinc_frame_unref(f);
}

static void test_tracker_wait_times_out_with_eagain(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new_zerocopy("abc", 3, NULL, NULL, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    assert_int_equal(zinc_tracker_wait(t, 20), -1);
    assert_int_equal(errno, EAGAIN);
    zinc_frame_unref(f);
    assert_int_equal(zinc_tracker_wait(t, 20), 0);
    zinc_tracker_free(t);
}

static void test_tracker_outlives_frame_until_freed(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new_zerocopy("abc", 3, NULL, NULL, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    zinc_frame_unref(f); /* frame gone; tracker still readable */
    assert_true(zinc_tracker_done(t));
    zinc_tracker_free(t);
}

static void test_one_tracker_covers_a_multipart_message(void **state)
{
    (void)state;
    zinc_tracker_t *t = zinc_tracker_new();
    assert_true(zinc_tracker_done(t)); /* nothing attached yet */
    zinc_frame_t *parts[3];
    for (int i = 0; i < 3; i++) {
        parts[i] = zinc_frame_new_zerocopy("part", 4, NULL, NULL, false);
        assert_int_equal(zinc_frame_track(parts[i], t), 0);
    }
    assert_int_equal(zinc_frame_track(parts[0], t), -1);
    assert_int_equal(errno, EBUSY);
    zinc_frame_unref(parts[0]);
    zinc_frame_unref(parts[2]);
    assert_false(zinc_tracker_done(t));
    zinc_frame_unref(parts[1]);
    assert_true(zinc_tracker_done(t));
    zinc_tracker_free(t);
}

static void test_tracker_fd_becomes_readable_when_done(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new_zerocopy("abc", 3, NULL, NULL, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    int fd = zinc_tracker_fd(t);
    assert_true(fd >= 0);
    struct pollfd p = {fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 0), 0);
    zinc_frame_unref(f);
    assert_int_equal(poll(&p, 1, 1000), 1);
    assert_int_equal(zinc_tracker_fd(t), fd); /* same fd, still readable */
    assert_int_equal(poll(&p, 1, 0), 1);
    zinc_tracker_free(t);
}

static void *release_later(void *arg)
{
    usleep(20000);
    zinc_frame_unref(arg);
    return NULL;
}

static void test_tracker_wait_wakes_on_release_from_another_thread(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new_zerocopy("abc", 3, NULL, NULL, true);
    zinc_tracker_t *t = zinc_frame_tracker(f);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_later, f), 0);
    assert_int_equal(zinc_tracker_wait(t, 5000), 0);
    pthread_join(th, NULL);
    zinc_tracker_free(t);
}

/* Issue 5: 10,000 zero-copy frames with trackers; every free function runs
 * exactly once and every tracker finishes. */
static void test_ten_thousand_tracked_frames_free_exactly_once(void **state)
{
    (void)state;
    enum { N = 10000 };
    int *freed = calloc(N, sizeof *freed);
    zinc_tracker_t **ts = calloc(N, sizeof *ts);
    zinc_frame_t **fs = calloc(N, sizeof *fs);
    for (int i = 0; i < N; i++) {
        char *data = malloc(64);
        memset(data, i & 0xFF, 64);
        fs[i] = zinc_frame_new_zerocopy(data, 64, count_free, &freed[i], true);
        assert_non_null(fs[i]);
        ts[i] = zinc_frame_tracker(fs[i]);
        zinc_frame_ref(fs[i]); /* as a queue holding it would */
        free(data);            /* not read again: only the pointer is kept */
    }
    for (int i = 0; i < N; i++) {
        zinc_frame_unref(fs[i]);
        assert_false(zinc_tracker_done(ts[i]));
        zinc_frame_unref(fs[i]);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(freed[i], 1);
        assert_true(zinc_tracker_done(ts[i]));
        zinc_tracker_free(ts[i]);
    }
    free(freed);
    free(ts);
    free(fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracker_done_when_last_reference_dropped),
        cmocka_unit_test(test_untracked_frame_has_no_tracker),
        cmocka_unit_test(test_tracker_wait_times_out_with_eagain),
        cmocka_unit_test(test_tracker_outlives_frame_until_freed),
        cmocka_unit_test(test_one_tracker_covers_a_multipart_message),
        cmocka_unit_test(test_tracker_fd_becomes_readable_when_done),
        cmocka_unit_test(test_tracker_wait_wakes_on_release_from_another_thread),
        cmocka_unit_test(test_ten_thousand_tracked_frames_free_exactly_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
