/* ypipe: single-threaded semantics, then a two-thread stress test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/ypipe.h"

/* The queue never dereferences items, so tests use small integers. */
#define ITEM(n) ((zinc_frame_t *)(uintptr_t)(n))
#define NUM(f) ((uintptr_t)(f))

static void test_ypipe_new_queue_is_empty(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    assert_non_null(yp);
    assert_false(zi_ypipe_check_read(yp));
    assert_null(zi_ypipe_read(yp));
    assert_null(zi_ypipe_peek(yp));
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_write_is_invisible_until_flush(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    assert_int_equal(zi_ypipe_write(yp, ITEM(1), false), ZI_OK);
    assert_null(zi_ypipe_read(yp));
    zi_ypipe_flush(yp);
    assert_int_equal(NUM(zi_ypipe_peek(yp)), 1);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 1);
    assert_null(zi_ypipe_read(yp));
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_keeps_order(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    for (uintptr_t i = 1; i <= 10; i++)
        assert_int_equal(zi_ypipe_write(yp, ITEM(i), false), ZI_OK);
    zi_ypipe_flush(yp);
    for (uintptr_t i = 1; i <= 10; i++)
        assert_int_equal(NUM(zi_ypipe_read(yp)), i);
    assert_null(zi_ypipe_read(yp));
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_flush_never_publishes_part_of_a_message(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    assert_int_equal(zi_ypipe_write(yp, ITEM(1), true), ZI_OK);
    assert_int_equal(zi_ypipe_write(yp, ITEM(2), true), ZI_OK);
    zi_ypipe_flush(yp);
    assert_false(zi_ypipe_check_read(yp));
    assert_int_equal(zi_ypipe_write(yp, ITEM(3), false), ZI_OK);
    assert_int_equal(zi_ypipe_write(yp, ITEM(4), true), ZI_OK);
    zi_ypipe_flush(yp);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 1);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 2);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 3);
    assert_null(zi_ypipe_read(yp)); /* 4 is the start of an unfinished message */
    assert_int_equal(zi_ypipe_write(yp, ITEM(5), false), ZI_OK);
    zi_ypipe_flush(yp);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 4);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 5);
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_flush_reports_a_sleeping_reader_only(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    /* A new queue's reader is asleep: the first flush asks for a wake-up. */
    assert_int_equal(zi_ypipe_write(yp, ITEM(1), false), ZI_OK);
    assert_false(zi_ypipe_flush(yp));
    /* The reader has not drained the queue yet: no wake-up needed. */
    assert_int_equal(zi_ypipe_write(yp, ITEM(2), false), ZI_OK);
    assert_true(zi_ypipe_flush(yp));
    assert_int_equal(NUM(zi_ypipe_read(yp)), 1);
    assert_int_equal(zi_ypipe_write(yp, ITEM(3), false), ZI_OK);
    assert_true(zi_ypipe_flush(yp));
    /* Nothing to publish: nothing to report. */
    assert_true(zi_ypipe_flush(yp));
    assert_int_equal(NUM(zi_ypipe_read(yp)), 2);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 3);
    assert_null(zi_ypipe_read(yp)); /* drained: asleep */
    assert_false(zi_ypipe_check_read(yp));
    /* An incomplete write publishes nothing, so the reader stays asleep. */
    assert_int_equal(zi_ypipe_write(yp, ITEM(4), true), ZI_OK);
    assert_true(zi_ypipe_flush(yp));
    assert_int_equal(zi_ypipe_write(yp, ITEM(5), false), ZI_OK);
    assert_false(zi_ypipe_flush(yp));
    assert_int_equal(NUM(zi_ypipe_read(yp)), 4);
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_unwrite_takes_back_only_an_unfinished_message(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    assert_int_equal(zi_ypipe_write(yp, ITEM(1), false), ZI_OK);
    assert_null(zi_ypipe_unwrite(yp)); /* complete, even though unflushed */
    assert_int_equal(zi_ypipe_write(yp, ITEM(2), true), ZI_OK);
    assert_int_equal(zi_ypipe_write(yp, ITEM(3), true), ZI_OK);
    assert_int_equal(NUM(zi_ypipe_unwrite(yp)), 3);
    assert_int_equal(NUM(zi_ypipe_unwrite(yp)), 2);
    assert_null(zi_ypipe_unwrite(yp));
    assert_int_equal(zi_ypipe_write(yp, ITEM(4), false), ZI_OK);
    zi_ypipe_flush(yp);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 1);
    assert_int_equal(NUM(zi_ypipe_read(yp)), 4);
    assert_null(zi_ypipe_read(yp));
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_unwrite_crosses_chunk_boundaries(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    const uintptr_t first = ZI_YPIPE_CHUNK - 3, parts = ZI_YPIPE_CHUNK + 10;
    for (uintptr_t i = 1; i <= first; i++)
        assert_int_equal(zi_ypipe_write(yp, ITEM(i), false), ZI_OK);
    for (int round = 0; round < 3; round++) {
        for (uintptr_t i = 0; i < parts; i++)
            assert_int_equal(zi_ypipe_write(yp, ITEM(1000 + i), true), ZI_OK);
        for (uintptr_t i = parts; i-- > 0;)
            assert_int_equal(NUM(zi_ypipe_unwrite(yp)), 1000 + i);
        assert_null(zi_ypipe_unwrite(yp));
    }
    for (uintptr_t i = 0; i < 2 * ZI_YPIPE_CHUNK; i++)
        assert_int_equal(zi_ypipe_write(yp, ITEM(5000 + i), i + 1 < 2 * ZI_YPIPE_CHUNK), ZI_OK);
    zi_ypipe_flush(yp);
    for (uintptr_t i = 1; i <= first; i++)
        assert_int_equal(NUM(zi_ypipe_read(yp)), i);
    for (uintptr_t i = 0; i < 2 * ZI_YPIPE_CHUNK; i++)
        assert_int_equal(NUM(zi_ypipe_read(yp)), 5000 + i);
    assert_null(zi_ypipe_read(yp));
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_peek_sees_across_a_chunk_boundary(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    for (uintptr_t i = 1; i <= ZI_YPIPE_CHUNK + 1; i++)
        assert_int_equal(zi_ypipe_write(yp, ITEM(i), false), ZI_OK);
    zi_ypipe_flush(yp);
    for (uintptr_t i = 1; i <= ZI_YPIPE_CHUNK; i++)
        assert_int_equal(NUM(zi_ypipe_read(yp)), i);
    assert_int_equal(NUM(zi_ypipe_peek(yp)), ZI_YPIPE_CHUNK + 1);
    assert_int_equal(NUM(zi_ypipe_read(yp)), ZI_YPIPE_CHUNK + 1);
    zi_ypipe_free(yp, NULL);
}

static void test_ypipe_reuses_chunks_over_many_laps(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    uintptr_t next_w = 1, next_r = 1;
    for (int lap = 0; lap < 50; lap++) {
        for (int i = 0; i < ZI_YPIPE_CHUNK / 2 + 7; i++)
            assert_int_equal(zi_ypipe_write(yp, ITEM(next_w++), false), ZI_OK);
        zi_ypipe_flush(yp);
        zinc_frame_t *f;
        while ((f = zi_ypipe_read(yp)))
            assert_int_equal(NUM(f), next_r++);
    }
    assert_int_equal(next_r, next_w);
    zi_ypipe_free(yp, NULL);
}

/* Chunks grow 16, 32, 64, 128, 256, 256...: at every count up to 700 (every
 * boundary of the growing chunks and past the largest), written as one
 * message, taken back to nothing and written again, then peeked at and read
 * one by one, every item comes back in order; and interleaved with reads,
 * so spares of every size are reused. */
static void test_ypipe_growing_chunks_keep_order_at_every_count(void **state)
{
    for (uintptr_t n = 0; n <= 700; n++) {
        zi_ypipe_t *yp = zi_ypipe_new();
        for (uintptr_t i = 1; i <= n; i++)
            assert_int_equal(zi_ypipe_write(yp, ITEM(100000 + i), true), ZI_OK);
        for (uintptr_t i = n; i >= 1; i--)
            assert_int_equal(NUM(zi_ypipe_unwrite(yp)), 100000 + i);
        assert_null(zi_ypipe_unwrite(yp));
        for (uintptr_t i = 1; i <= n; i++)
            assert_int_equal(zi_ypipe_write(yp, ITEM(i), i < n), ZI_OK);
        zi_ypipe_flush(yp);
        for (uintptr_t i = 1; i <= n; i++) {
            assert_int_equal(NUM(zi_ypipe_peek(yp)), i);
            assert_int_equal(NUM(zi_ypipe_read(yp)), i);
        }
        assert_null(zi_ypipe_read(yp));
        zi_ypipe_free(yp, NULL);
    }
    zi_ypipe_t *yp = zi_ypipe_new();
    uintptr_t next_w = 1, next_r = 1;
    for (uintptr_t burst = 1; burst <= 600; burst += 7) {
        for (uintptr_t i = 0; i < burst; i++)
            assert_int_equal(zi_ypipe_write(yp, ITEM(next_w++), false), ZI_OK);
        zi_ypipe_flush(yp);
        for (uintptr_t i = 0; i < burst / 2 + 1; i++) /* leave some for the next round */
            assert_int_equal(NUM(zi_ypipe_read(yp)), next_r++);
    }
    zinc_frame_t *f;
    while ((f = zi_ypipe_read(yp)))
        assert_int_equal(NUM(f), next_r++);
    assert_int_equal(next_r, next_w);
    zi_ypipe_free(yp, NULL);
}

static int released;
static void count_release(zinc_frame_t *f)
{
    assert_true(NUM(f) >= 1 && NUM(f) <= 1000);
    released++;
}

static void test_ypipe_free_releases_every_item_left(void **state)
{
    zi_ypipe_t *yp = zi_ypipe_new();
    for (uintptr_t i = 1; i <= 600; i++)
        assert_int_equal(zi_ypipe_write(yp, ITEM(i), false), ZI_OK);
    zi_ypipe_flush(yp);
    for (int i = 0; i < 300; i++)
        assert_non_null(zi_ypipe_read(yp));
    for (uintptr_t i = 601; i <= 700; i++) /* unflushed, part of an unfinished message */
        assert_int_equal(zi_ypipe_write(yp, ITEM(i), true), ZI_OK);
    released = 0;
    zi_ypipe_free(yp, count_release);
    assert_int_equal(released, 400);
}

/* ---- two threads ------------------------------------------------------ */

/* Items encode (sequence << 1) | more. Messages have 1 to 4 parts. */
#define STRESS_ITEMS 4000000u

typedef struct {
    zi_ypipe_t *yp;
    sem_t wake;
    atomic_int wakes;
    uint64_t received;
} stress_t;

static void *stress_writer(void *arg)
{
    stress_t *s = arg;
    uint64_t seq = 1;
    unsigned part = 0, parts = 1, msgs = 0;
    while (seq <= STRESS_ITEMS) {
        bool more = part + 1 < parts && seq < STRESS_ITEMS;
        if (zi_ypipe_write(s->yp, ITEM((seq << 1) | more), more) != ZI_OK)
            abort();
        seq++;
        if (more) {
            part++;
            continue;
        }
        part = 0;
        parts = 1 + (unsigned)(seq % 4);
        /* Flush after a varying number of messages, as a batching writer does. */
        if (++msgs % (1 + seq % 5) == 0 || seq > STRESS_ITEMS) {
            if (!zi_ypipe_flush(s->yp)) {
                atomic_fetch_add(&s->wakes, 1);
                sem_post(&s->wake);
            }
        }
    }
    if (!zi_ypipe_flush(s->yp)) {
        atomic_fetch_add(&s->wakes, 1);
        sem_post(&s->wake);
    }
    return NULL;
}

static void *stress_reader(void *arg)
{
    stress_t *s = arg;
    uint64_t expect = 1;
    bool in_message = false;
    while (expect <= STRESS_ITEMS) {
        zinc_frame_t *f = zi_ypipe_read(s->yp);
        if (!f) {
            /* Never empty inside a message: flushes publish whole messages. */
            if (in_message)
                abort();
            while (sem_wait(&s->wake) != 0) {
            }
            continue;
        }
        uintptr_t v = NUM(f);
        if ((v >> 1) != expect)
            abort();
        in_message = v & 1;
        expect++;
    }
    s->received = expect - 1;
    return NULL;
}

static void test_ypipe_two_threads_keep_order_and_message_boundaries(void **state)
{
    stress_t s = {.yp = zi_ypipe_new()};
    assert_non_null(s.yp);
    sem_init(&s.wake, 0, 0);
    atomic_init(&s.wakes, 0);
    pthread_t w, r;
    assert_int_equal(pthread_create(&r, NULL, stress_reader, &s), 0);
    assert_int_equal(pthread_create(&w, NULL, stress_writer, &s), 0);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    assert_int_equal(s.received, STRESS_ITEMS);
    print_message("%d wake-ups for %u items\n", atomic_load(&s.wakes), STRESS_ITEMS);
    /* No wake-up per message: only when the reader had drained the queue. */
    assert_true((unsigned)atomic_load(&s.wakes) < STRESS_ITEMS / 2);
    assert_null(zi_ypipe_read(s.yp));
    sem_destroy(&s.wake);
    zi_ypipe_free(s.yp, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ypipe_new_queue_is_empty),
        cmocka_unit_test(test_ypipe_growing_chunks_keep_order_at_every_count),
        cmocka_unit_test(test_ypipe_write_is_invisible_until_flush),
        cmocka_unit_test(test_ypipe_keeps_order),
        cmocka_unit_test(test_ypipe_flush_never_publishes_part_of_a_message),
        cmocka_unit_test(test_ypipe_flush_reports_a_sleeping_reader_only),
        cmocka_unit_test(test_ypipe_unwrite_takes_back_only_an_unfinished_message),
        cmocka_unit_test(test_ypipe_unwrite_crosses_chunk_boundaries),
        cmocka_unit_test(test_ypipe_peek_sees_across_a_chunk_boundary),
        cmocka_unit_test(test_ypipe_reuses_chunks_over_many_laps),
        cmocka_unit_test(test_ypipe_free_releases_every_item_left),
        cmocka_unit_test(test_ypipe_two_threads_keep_order_and_message_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
