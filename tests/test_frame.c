/* Frames: copies, zero-copy ownership, sharing rules, metadata. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/frame.h"
#include "zinc.h"

typedef struct {
    atomic_int calls;
    void *data;
    void *hint;
} frame_free_log_t;

static void frame_free_logger(void *data, void *hint)
{
    frame_free_log_t *log = hint;
    atomic_fetch_add(&log->calls, 1);
    log->data = data;
    log->hint = hint;
}

static void test_frame_new_copies_data(void **state)
{
    (void)state;
    char src[] = "hello";
    zinc_frame_t *f = zinc_frame_new(src, 5);
    assert_non_null(f);
    src[0] = 'J';
    assert_int_equal(zinc_frame_size(f), 5);
    assert_memory_equal(zinc_frame_data(f), "hello", 5);
    assert_ptr_not_equal(zinc_frame_data(f), src);
    assert_false(zinc_frame_more(f));
    zinc_frame_unref(f);
}

static void test_frame_new_empty_accepts_null(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new(NULL, 0);
    assert_non_null(f);
    assert_int_equal(zinc_frame_size(f), 0);
    zinc_frame_unref(f);
}

static void test_frame_new_rejects_null_data_with_size(void **state)
{
    (void)state;
    errno = 0;
    assert_null(zinc_frame_new(NULL, 3));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(zinc_frame_new_zerocopy(NULL, 3, NULL, NULL, false));
    assert_int_equal(errno, EINVAL);
}

static void test_frame_new_size_too_large_fails_enomem(void **state)
{
    (void)state;
    errno = 0;
    assert_null(zinc_frame_new_size(SIZE_MAX));
    assert_int_equal(errno, ENOMEM);
}

static void test_frame_new_size_is_writable_by_its_only_owner(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new_size(4);
    assert_non_null(f);
    uint8_t *d = zinc_frame_data_mut(f);
    assert_non_null(d);
    memcpy(d, "abcd", 4);
    assert_memory_equal(zinc_frame_data(f), "abcd", 4);
    zinc_frame_unref(f);
}

static void test_frame_zerocopy_points_at_caller_memory(void **state)
{
    (void)state;
    static char buf[] = "payload";
    frame_free_log_t log = {0};
    zinc_frame_t *f = zinc_frame_new_zerocopy(buf, 7, frame_free_logger, &log, false);
    assert_non_null(f);
    assert_ptr_equal(zinc_frame_data(f), buf);
    assert_int_equal(zinc_frame_size(f), 7);
    zinc_frame_unref(f);
    assert_int_equal(atomic_load(&log.calls), 1);
}

static void test_frame_zerocopy_free_runs_exactly_once(void **state)
{
    (void)state;
    static char buf[16];
    frame_free_log_t log = {0};
    zinc_frame_t *f = zinc_frame_new_zerocopy(buf, sizeof buf, frame_free_logger, &log, false);
    assert_ptr_equal(zinc_frame_ref(f), f);
    zinc_frame_ref(f);
    zinc_frame_unref(f);
    zinc_frame_unref(f);
    assert_int_equal(atomic_load(&log.calls), 0);
    zinc_frame_unref(f);
    assert_int_equal(atomic_load(&log.calls), 1);
    assert_ptr_equal(log.data, buf);
    assert_ptr_equal(log.hint, &log);
}

static void test_frame_zerocopy_without_free_fn(void **state)
{
    (void)state;
    static char buf[4];
    zinc_frame_t *f = zinc_frame_new_zerocopy(buf, sizeof buf, NULL, NULL, false);
    assert_non_null(f);
    zinc_frame_unref(f);
}

typedef struct {
    zinc_frame_t *f;
    int rounds;
} frame_thread_arg_t;

static void *frame_ref_unref_thread(void *arg)
{
    frame_thread_arg_t *a = arg;
    for (int i = 0; i < a->rounds; i++) {
        zinc_frame_ref(a->f);
        zinc_frame_unref(a->f);
    }
    zinc_frame_unref(a->f); /* drops the reference this thread was given */
    return NULL;
}

/* References taken and dropped on several threads: the free function still
 * runs once, after the last one. */
static void test_frame_zerocopy_free_runs_once_across_threads(void **state)
{
    (void)state;
    static char buf[8];
    frame_free_log_t log = {0};
    zinc_frame_t *f = zinc_frame_new_zerocopy(buf, sizeof buf, frame_free_logger, &log, false);
    enum { THREADS = 4 };
    pthread_t th[THREADS];
    frame_thread_arg_t arg = {f, 20000};
    for (int i = 0; i < THREADS; i++) {
        zinc_frame_ref(f);
        assert_int_equal(pthread_create(&th[i], NULL, frame_ref_unref_thread, &arg), 0);
    }
    zinc_frame_unref(f);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(atomic_load(&log.calls), 1);
}

static void test_frame_data_mut_refused_when_shared(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new("abc", 3);
    zinc_frame_ref(f);
    errno = 0;
    assert_null(zinc_frame_data_mut(f));
    assert_int_equal(errno, EBUSY);
    zinc_frame_unref(f);
    assert_ptr_equal(zinc_frame_data_mut(f), zinc_frame_data(f));
    zinc_frame_unref(f);
}

static void test_frame_data_mut_refused_for_zerocopy(void **state)
{
    (void)state;
    static const char buf[] = "read-only";
    zinc_frame_t *f = zinc_frame_new_zerocopy((void *)buf, 9, NULL, NULL, false);
    errno = 0;
    assert_null(zinc_frame_data_mut(f));
    assert_int_equal(errno, EBUSY);
    zinc_frame_unref(f);
}

static void test_frame_more_flag(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new("x", 1);
    assert_false(zinc_frame_more(f));
    zi_frame_set_more(f, true);
    assert_true(zinc_frame_more(f));
    zi_frame_set_more(f, false);
    assert_false(zinc_frame_more(f));
    zinc_frame_unref(f);
}

static void test_frame_null_is_tolerated(void **state)
{
    (void)state;
    zinc_frame_unref(NULL);
    assert_null(zinc_frame_ref(NULL));
    assert_null(zinc_frame_data(NULL));
    assert_int_equal(zinc_frame_size(NULL), 0);
    assert_false(zinc_frame_more(NULL));
    errno = 0;
    assert_null(zinc_frame_data_mut(NULL));
    errno = 0;
    assert_null(zinc_frame_meta(NULL, "Socket-Type"));
    assert_int_equal(errno, EINVAL);
}

static void test_frame_meta_lookup(void **state)
{
    (void)state;
    zi_props_t *meta = zi_props_new();
    assert_int_equal(zi_props_set(meta, "Socket-Type", 11, "DEALER", 6), ZI_OK);
    assert_int_equal(zi_props_set(meta, "X-Color", 7, "blue", 4), ZI_OK);
    zinc_frame_t *f = zinc_frame_new("m", 1);
    zi_frame_set_meta(f, meta);
    zi_props_unref(meta); /* the frame holds its own reference */
    assert_string_equal(zinc_frame_meta(f, "Socket-Type"), "DEALER");
    assert_string_equal(zinc_frame_meta(f, "socket-type"), "DEALER");
    assert_string_equal(zinc_frame_meta(f, "x-color"), "blue");
    errno = 0;
    assert_null(zinc_frame_meta(f, "Identity"));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(zinc_frame_meta(f, NULL));
    assert_int_equal(errno, EINVAL);
    zinc_frame_unref(f);
}

static void test_frame_meta_absent_without_metadata(void **state)
{
    (void)state;
    zinc_frame_t *f = zinc_frame_new("m", 1);
    errno = 0;
    assert_null(zinc_frame_meta(f, "Socket-Type"));
    assert_int_equal(errno, ENOENT);
    zinc_frame_unref(f);
}

static void test_frame_set_meta_replaces_and_releases_old(void **state)
{
    (void)state;
    zi_props_t *a = zi_props_new(), *b = zi_props_new();
    assert_int_equal(zi_props_set(a, "User-Id", 7, "alice", 5), ZI_OK);
    assert_int_equal(zi_props_set(b, "User-Id", 7, "bob", 3), ZI_OK);
    zinc_frame_t *f = zinc_frame_new(NULL, 0);
    zi_frame_set_meta(f, a);
    zi_frame_set_meta(f, a); /* same list again: must not drop the last ref */
    zi_props_unref(a);
    assert_string_equal(zinc_frame_meta(f, "user-id"), "alice");
    zi_frame_set_meta(f, b);
    zi_props_unref(b);
    assert_string_equal(zinc_frame_meta(f, "user-id"), "bob");
    zi_frame_set_meta(f, NULL);
    assert_null(zinc_frame_meta(f, "user-id"));
    zinc_frame_unref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_new_copies_data),
        cmocka_unit_test(test_frame_new_empty_accepts_null),
        cmocka_unit_test(test_frame_new_rejects_null_data_with_size),
        cmocka_unit_test(test_frame_new_size_too_large_fails_enomem),
        cmocka_unit_test(test_frame_new_size_is_writable_by_its_only_owner),
        cmocka_unit_test(test_frame_zerocopy_points_at_caller_memory),
        cmocka_unit_test(test_frame_zerocopy_free_runs_exactly_once),
        cmocka_unit_test(test_frame_zerocopy_without_free_fn),
        cmocka_unit_test(test_frame_zerocopy_free_runs_once_across_threads),
        cmocka_unit_test(test_frame_data_mut_refused_when_shared),
        cmocka_unit_test(test_frame_data_mut_refused_for_zerocopy),
        cmocka_unit_test(test_frame_more_flag),
        cmocka_unit_test(test_frame_null_is_tolerated),
        cmocka_unit_test(test_frame_meta_lookup),
        cmocka_unit_test(test_frame_meta_absent_without_metadata),
        cmocka_unit_test(test_frame_set_meta_replaces_and_releases_old),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
