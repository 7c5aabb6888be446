/* Frame blocks from per-thread caches: reuse on the same thread, return from
 * other threads to the owner, frames outliving the thread that made them,
 * and every size class holding its full size. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/frame.h"
#include "core/ypipe.h"
#include "zinc.h"

/* Runs fn(arg) on a new thread and waits for it: a thread starts with an
 * empty cache (a new one, or one a finished thread left behind, emptied). */
static void run_on_thread(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

static void fill(zinc_frame_t *f, unsigned seed)
{
    uint8_t *d = zinc_frame_data_mut(f);
    for (size_t i = 0; i < zinc_frame_size(f); i++)
        d[i] = (uint8_t)(seed + i * 7);
}

static bool check(const zinc_frame_t *f, unsigned seed)
{
    const uint8_t *d = zinc_frame_data(f);
    for (size_t i = 0; i < zinc_frame_size(f); i++)
        if (d[i] != (uint8_t)(seed + i * 7))
            return false;
    return true;
}

/* ---- same thread ---------------------------------------------------------- */

static void *same_thread_reuse(void *arg)
{
    bool *ok = arg;
    zinc_frame_t *f = zinc_frame_new_size(10);
    void *block = f;
    zinc_frame_unref(f);
    zinc_frame_t *g = zinc_frame_new_size(60); /* same class (up to 64) */
    *ok = (void *)g == block && zinc_frame_size(g) == 60;
    zinc_frame_unref(g);
    return NULL;
}

static void test_frame_pool_reuses_a_block_freed_on_the_same_thread(void **state)
{
    (void)state;
    bool ok = false;
    run_on_thread(same_thread_reuse, &ok);
    assert_true(ok);
}

/* ---- another thread frees ----------------------------------------------- */

static void *unref_frame(void *arg)
{
    zinc_frame_unref(arg);
    return NULL;
}

static void *owner_gets_block_back(void *arg)
{
    bool *ok = arg;
    zinc_frame_t *f = zinc_frame_new_size(1000);
    void *block = f;
    run_on_thread(unref_frame, f); /* freed on another thread */
    zinc_frame_t *g = zinc_frame_new_size(900);
    *ok = (void *)g == block;
    zinc_frame_unref(g);
    return NULL;
}

static void test_frame_pool_returns_a_block_freed_elsewhere_to_its_thread(void **state)
{
    (void)state;
    bool ok = false;
    run_on_thread(owner_gets_block_back, &ok);
    assert_true(ok);
}

/* ---- sizes ---------------------------------------------------------------- */

static void test_frame_pool_every_size_holds_its_full_size(void **state)
{
    (void)state;
    static const size_t sizes[] = {0,    1,     63,    64,    65,    255,     256,
                                   257,  1023,  1024,  1025,  4095,  4096,    4097,
                                   8000, 16383, 16384, 16385, 65536, 1u << 20};
    enum { N = sizeof sizes / sizeof sizes[0] };
    for (int round = 0; round < 3; round++) { /* later rounds reuse blocks */
        zinc_frame_t *f[N];
        for (unsigned i = 0; i < N; i++) {
            f[i] = zinc_frame_new_size(sizes[i]);
            assert_non_null(f[i]);
            assert_int_equal(zinc_frame_size(f[i]), sizes[i]);
            fill(f[i], i + (unsigned)round);
        }
        for (unsigned i = 0; i < N; i++) {
            assert_true(check(f[i], i + (unsigned)round));
            zinc_frame_unref(f[i]);
        }
    }
}

/* ---- frames outlive their thread ------------------------------------------ */

#define ORPHANS 1000

static void *make_orphans(void *arg)
{
    zinc_frame_t **out = arg;
    for (unsigned i = 0; i < ORPHANS; i++) {
        out[i] = zinc_frame_new_size((i * 37) % 20000);
        if (out[i])
            fill(out[i], i);
    }
    /* A few freed here: they sit in this thread's cache when it exits. */
    for (unsigned i = 0; i < ORPHANS; i += 10) {
        zinc_frame_unref(out[i]);
        out[i] = NULL;
    }
    return NULL;
}

static void *churn(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < 5000; i++)
        zinc_frame_unref(zinc_frame_new_size(i % 3000));
    return NULL;
}

/* A thread exits while frames it made are alive; they are read and freed
 * afterwards (half before, half after another thread has taken over the
 * finished thread's cache). */
static void test_frame_pool_frames_outlive_the_thread_that_made_them(void **state)
{
    (void)state;
    zinc_frame_t **f = calloc(ORPHANS, sizeof *f);
    assert_non_null(f);
    run_on_thread(make_orphans, f);
    for (unsigned i = 0; i < ORPHANS / 2; i++)
        if (f[i]) {
            assert_true(check(f[i], i));
            zinc_frame_unref(f[i]);
        }
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, churn, NULL), 0);
    for (unsigned i = ORPHANS / 2; i < ORPHANS; i++)
        if (f[i]) {
            assert_true(check(f[i], i));
            zinc_frame_unref(f[i]);
        }
    assert_int_equal(pthread_join(t, NULL), 0);
    free(f);
}

/* ---- two threads streaming both ways --------------------------------------- */

#define STREAM 30000

typedef struct {
    zi_ypipe_t *in, *out;
    atomic_bool *failed; /* shared by both ends: either stops both */
    unsigned count;      /* frames each way */
    size_t (*size)(unsigned i, unsigned seed);
} stream_end_t;

static size_t small_size(unsigned i, unsigned seed)
{
    return (i * 131 + seed) % 2100;
}

static void stream_run(stream_end_t *e, unsigned seed)
{
    unsigned sent = 0, got = 0;
    while ((sent < e->count || got < e->count) && !atomic_load(e->failed)) {
        if (sent < e->count) {
            zinc_frame_t *f = zinc_frame_new_size(e->size(sent, seed));
            if (f)
                fill(f, sent + seed);
            if (!f || zi_ypipe_write(e->out, f, false) != ZI_OK) {
                zinc_frame_unref(f);
                atomic_store(e->failed, true);
                break;
            }
            zi_ypipe_flush(e->out);
            sent++;
        }
        zinc_frame_t *f = zi_ypipe_read(e->in);
        if (f) {
            unsigned other = seed ^ 1;
            if (zinc_frame_size(f) != e->size(got, other) || !check(f, got + other))
                atomic_store(e->failed, true);
            zinc_frame_unref(f); /* made on the other thread */
            got++;
        } else if (sent == e->count) {
            sched_yield();
        }
    }
}

static void *stream_other(void *arg)
{
    stream_run(arg, 1);
    return NULL;
}

static void stream_both_ways(unsigned count, size_t (*size)(unsigned, unsigned))
{
    zi_ypipe_t *a = zi_ypipe_new(), *b = zi_ypipe_new();
    assert_non_null(a);
    assert_non_null(b);
    atomic_bool failed;
    atomic_init(&failed, false);
    stream_end_t mine = {.in = a, .out = b, .failed = &failed, .count = count, .size = size};
    stream_end_t theirs = {.in = b, .out = a, .failed = &failed, .count = count, .size = size};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stream_other, &theirs), 0);
    stream_run(&mine, 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_false(atomic_load(&failed));
    zi_ypipe_free(a, zinc_frame_unref);
    zi_ypipe_free(b, zinc_frame_unref);
}

static void test_frame_pool_survives_two_threads_freeing_each_others_frames(void **state)
{
    (void)state;
    stream_both_ways(STREAM, small_size);
}

/* ---- big frames ------------------------------------------------------------ */

static void *big_owner_reuses(void *arg)
{
    bool *ok = arg;
    zinc_frame_t *f = zinc_frame_new_size(1u << 20);
    void *block = f;
    run_on_thread(unref_frame, f); /* freed on another thread, as the I/O thread does */
    zinc_frame_t *g = zinc_frame_new_size((1u << 20) - 100);
    *ok = (void *)g == block && zinc_frame_size(g) == (1u << 20) - 100;
    fill(g, 3);
    ok[1] = check(g, 3);
    zinc_frame_unref(g);
    return NULL;
}

/* A big block freed on any thread is taken again by the next frame of about
 * its size, on any thread: a 1 MiB message is made by the application and
 * freed by the I/O thread. */
static void test_frame_pool_reuses_a_big_block_freed_elsewhere(void **state)
{
    (void)state;
    bool ok[2] = {false, false};
    run_on_thread(big_owner_reuses, ok);
    assert_true(ok[0]);
    assert_true(ok[1]);
}

/* Sizes over the pooled classes, some kept for reuse (up to 4 MiB), some
 * never kept, some that fit a kept block and some that do not. */
static size_t big_size(unsigned i, unsigned seed)
{
    static const size_t sizes[] = {16385,    20000,          65536,    300000,
                                   1u << 20, (1u << 20) + 1, 5u << 20, 4u << 20};
    return sizes[(i + seed * 3) % (sizeof sizes / sizeof sizes[0])];
}

static void test_frame_pool_big_frames_survive_two_threads_freeing_each_others(void **state)
{
    (void)state;
    stream_both_ways(64, big_size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_pool_reuses_a_block_freed_on_the_same_thread),
        cmocka_unit_test(test_frame_pool_returns_a_block_freed_elsewhere_to_its_thread),
        cmocka_unit_test(test_frame_pool_every_size_holds_its_full_size),
        cmocka_unit_test(test_frame_pool_frames_outlive_the_thread_that_made_them),
        cmocka_unit_test(test_frame_pool_survives_two_threads_freeing_each_others_frames),
        cmocka_unit_test(test_frame_pool_reuses_a_big_block_freed_elsewhere),
        cmocka_unit_test(test_frame_pool_big_frames_survive_two_threads_freeing_each_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
