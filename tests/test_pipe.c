/* Pipe: hwm in messages, atomic multipart messages, batched credit,
 * notifications only to a sleeping owner, termination from either end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/pipe.h"

/* Frames are zero-copy frames whose hint is their number; freeing counts. */
static atomic_long frames_made, frames_freed;
static char dummy;

static void frame_free(void *data, void *hint)
{
    atomic_fetch_add(&frames_freed, 1);
}

static zinc_frame_t *frame(uintptr_t n, bool more)
{
    /* Built by hand rather than with zinc_frame_new_zerocopy, whose
     * signature is still moving (trackers). */
    zinc_frame_t *f = zi_frame_alloc(0);
    assert_non_null(f);
    f->flags = ZI_FRAME_ZEROCOPY;
    f->data = (uint8_t *)&dummy;
    f->size = 1;
    f->free_fn = frame_free;
    f->hint = (void *)n;
    zi_frame_set_more(f, more);
    atomic_fetch_add(&frames_made, 1);
    return f;
}

static uintptr_t num(zinc_frame_t *f)
{
    return (uintptr_t)f->hint;
}

/* Reads one frame, checks its number, drops it. */
static void expect_frame(zi_pipe_t *p, uintptr_t n)
{
    zinc_frame_t *f = zi_pipe_read(p);
    assert_non_null(f);
    assert_int_equal(num(f), n);
    zinc_frame_unref(f);
}

static void put(zi_pipe_t *p, uintptr_t n, bool more)
{
    zinc_frame_t *f = frame(n, more);
    assert_int_equal(zi_pipe_write(p, f), ZI_OK);
}

typedef struct {
    atomic_int readable, writable, terminated;
    zi_pipe_sink_t sink;
} counts_t;

static void count_readable(void *ctx, zi_pipe_t *p)
{
    atomic_fetch_add(&((counts_t *)ctx)->readable, 1);
}
static void count_writable(void *ctx, zi_pipe_t *p)
{
    atomic_fetch_add(&((counts_t *)ctx)->writable, 1);
}
static void count_terminated(void *ctx, zi_pipe_t *p)
{
    atomic_fetch_add(&((counts_t *)ctx)->terminated, 1);
}

static void counts_init(counts_t *c)
{
    atomic_init(&c->readable, 0);
    atomic_init(&c->writable, 0);
    atomic_init(&c->terminated, 0);
    c->sink = (zi_pipe_sink_t){count_readable, count_writable, count_terminated, c};
}

typedef struct {
    zi_pipe_t *a, *b;
    counts_t ca, cb;
} fixture_t;

static void fixture_new(fixture_t *fx, int hwm_ab, int hwm_ba)
{
    counts_init(&fx->ca);
    counts_init(&fx->cb);
    zi_pipe_t *ends[2];
    const int hwm[2] = {hwm_ab, hwm_ba};
    const zi_pipe_sink_t *sinks[2] = {&fx->ca.sink, &fx->cb.sink};
    assert_int_equal(zi_pipe_pair_new(ends, hwm, sinks), ZI_OK);
    fx->a = ends[0];
    fx->b = ends[1];
}

static int setup(void **state)
{
    atomic_store(&frames_made, 0);
    atomic_store(&frames_freed, 0);
    return 0;
}

static int teardown(void **state)
{
    /* Every frame made was released exactly once. */
    assert_int_equal(atomic_load(&frames_made), atomic_load(&frames_freed));
    return 0;
}

static void test_pipe_messages_flow_both_ways_after_flush(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 0, 0);
    put(fx.a, 1, false);
    assert_null(zi_pipe_read(fx.b)); /* not flushed */
    zi_pipe_flush(fx.a);
    put(fx.b, 2, false);
    zi_pipe_flush(fx.b);
    expect_frame(fx.b, 1);
    expect_frame(fx.a, 2);
    assert_null(zi_pipe_read(fx.a));
    assert_null(zi_pipe_read(fx.b));
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_multipart_message_is_atomic(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 0, 0);
    put(fx.a, 1, true);
    put(fx.a, 2, true);
    zi_pipe_flush(fx.a);
    assert_false(zi_pipe_check_read(fx.b));
    put(fx.a, 3, false);
    zi_pipe_flush(fx.a);
    assert_true(zi_pipe_check_read(fx.b));
    expect_frame(fx.b, 1);
    expect_frame(fx.b, 2);
    expect_frame(fx.b, 3);
    assert_null(zi_pipe_read(fx.b));
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_hwm_counts_messages_not_frames(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 2, 0);
    put(fx.a, 1, true); /* message 1: three frames */
    put(fx.a, 2, true);
    put(fx.a, 3, false);
    assert_true(zi_pipe_check_write(fx.a));
    put(fx.a, 4, true); /* message 2: frames past the first are never refused */
    for (uintptr_t i = 5; i < 50; i++)
        put(fx.a, i, true);
    put(fx.a, 50, false);
    assert_false(zi_pipe_check_write(fx.a));
    zinc_frame_t *f = frame(51, false);
    assert_int_equal(zi_pipe_write(fx.a, f), ZI_AGAIN);
    zinc_frame_unref(f);
    /* The refused writer's messages were flushed for it. */
    for (uintptr_t i = 1; i <= 50; i++)
        expect_frame(fx.b, i);
    assert_true(zi_pipe_check_write(fx.a));
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_credit_comes_back_in_batches(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 10, 0); /* lwm = (10 + 1) / 2 = 5 */
    for (uintptr_t i = 1; i <= 10; i++)
        put(fx.a, i, false);
    zi_pipe_flush(fx.a);
    assert_false(zi_pipe_check_write(fx.a));
    for (uintptr_t i = 1; i <= 4; i++)
        expect_frame(fx.b, i);
    /* Four consumed: no credit yet, no wake-up. */
    assert_int_equal(atomic_load(&fx.ca.writable), 0);
    assert_false(zi_pipe_check_write(fx.a));
    expect_frame(fx.b, 5);
    assert_int_equal(atomic_load(&fx.ca.writable), 1);
    for (uintptr_t i = 11; i <= 15; i++) {
        assert_true(zi_pipe_check_write(fx.a));
        put(fx.a, i, false);
    }
    assert_false(zi_pipe_check_write(fx.a));
    zi_pipe_flush(fx.a);
    for (uintptr_t i = 6; i <= 10; i++)
        expect_frame(fx.b, i);
    assert_int_equal(atomic_load(&fx.ca.writable), 2);
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_writer_not_waiting_gets_no_writable(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 4, 0);
    for (int round = 0; round < 100; round++) {
        put(fx.a, 1, false);
        put(fx.a, 2, false);
        zi_pipe_flush(fx.a);
        expect_frame(fx.b, 1);
        expect_frame(fx.b, 2);
        assert_null(zi_pipe_read(fx.b));
    }
    assert_int_equal(atomic_load(&fx.ca.writable), 0);
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_drained_reader_returns_all_credit(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 0, 0); /* unlimited: lwm 1024 */
    for (uintptr_t i = 1; i <= 500; i++)
        put(fx.a, i, false);
    zi_pipe_flush(fx.a);
    for (uintptr_t i = 1; i <= 500; i++)
        expect_frame(fx.b, i);
    assert_null(zi_pipe_read(fx.b)); /* drained: credit for all 500 goes back */
    zi_pipe_set_hwm(fx.a, 10);
    assert_true(zi_pipe_check_write(fx.a));
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_readable_only_when_reader_may_sleep(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 0, 0);
    put(fx.a, 1, false);
    zi_pipe_flush(fx.a); /* a new reader is asleep */
    assert_int_equal(atomic_load(&fx.cb.readable), 1);
    for (uintptr_t i = 2; i <= 100; i++) {
        put(fx.a, i, false);
        zi_pipe_flush(fx.a);
    }
    assert_int_equal(atomic_load(&fx.cb.readable), 1);
    for (uintptr_t i = 1; i <= 100; i++)
        expect_frame(fx.b, i);
    assert_int_equal(atomic_load(&fx.cb.readable), 1);
    assert_false(zi_pipe_check_read(fx.b)); /* now asleep */
    put(fx.a, 101, false);
    zi_pipe_flush(fx.a);
    assert_int_equal(atomic_load(&fx.cb.readable), 2);
    expect_frame(fx.b, 101);
    assert_int_equal(atomic_load(&fx.ca.readable), 0);
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_rollback_drops_the_unfinished_message(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 1, 0);
    put(fx.a, 1, true);
    put(fx.a, 2, true);
    zi_pipe_rollback(fx.a);
    assert_int_equal(atomic_load(&frames_freed), 2);
    put(fx.a, 3, false); /* the rolled-back message did not count */
    zi_pipe_flush(fx.a);
    expect_frame(fx.b, 3);
    assert_null(zi_pipe_read(fx.b));
    zi_pipe_free(fx.a);
    zi_pipe_free(fx.b);
}

static void test_pipe_closed_writer_lets_the_peer_drain_then_eof(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 0, 0);
    for (uintptr_t i = 1; i <= 3; i++)
        put(fx.a, i, false);
    zi_pipe_flush(fx.a);
    put(fx.a, 4, false); /* complete, not flushed: close publishes it */
    put(fx.a, 5, true);  /* unfinished: never seen, released with the pair */
    put(fx.a, 6, true);
    put(fx.b, 100, false); /* b -> a, never read: released with the pair */
    zi_pipe_flush(fx.b);
    zi_pipe_close(fx.a);
    zi_pipe_close(fx.a); /* idempotent */
    assert_int_equal(atomic_load(&fx.cb.terminated), 1);
    assert_int_equal(atomic_load(&fx.ca.terminated), 0);
    assert_true(zi_pipe_peer_closed(fx.b));
    assert_false(zi_pipe_eof(fx.b));
    for (uintptr_t i = 1; i <= 4; i++)
        expect_frame(fx.b, i);
    assert_null(zi_pipe_read(fx.b));
    assert_true(zi_pipe_eof(fx.b));
    zinc_frame_t *f = frame(7, false);
    assert_false(zi_pipe_check_write(fx.b));
    assert_int_equal(zi_pipe_write(fx.b, f), ZI_AGAIN);
    zinc_frame_unref(f);
    zi_pipe_free(fx.a);
    assert_int_equal(atomic_load(&frames_freed), 5); /* 1..4 and 7; the pair lives on */
    zi_pipe_free(fx.b);
    assert_int_equal(atomic_load(&fx.ca.terminated), 0); /* a closed first */
}

static void test_pipe_closed_reader_stops_the_writer(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 5, 5);
    for (uintptr_t i = 1; i <= 5; i++)
        put(fx.a, i, false);
    zi_pipe_flush(fx.a);
    assert_false(zi_pipe_check_write(fx.a)); /* waiting for credit */
    put(fx.b, 50, true);                     /* unfinished on the closing side */
    zi_pipe_close(fx.b);
    assert_int_equal(atomic_load(&fx.ca.terminated), 1);
    assert_int_equal(atomic_load(&fx.ca.writable), 0);
    assert_true(zi_pipe_peer_closed(fx.a));
    assert_true(zi_pipe_eof(fx.a));
    assert_false(zi_pipe_check_write(fx.a));
    assert_null(zi_pipe_read(fx.b)); /* a closed end reads nothing */
    zi_pipe_free(fx.b);
    assert_int_equal(atomic_load(&frames_freed), 0);
    zi_pipe_free(fx.a);
}

static void test_pipe_sink_is_never_called_after_close(void **state)
{
    fixture_t fx;
    fixture_new(&fx, 2, 0);
    put(fx.a, 1, false);
    put(fx.a, 2, false);
    zi_pipe_flush(fx.a);
    assert_false(zi_pipe_check_write(fx.a)); /* a waits for writable */
    zi_pipe_close(fx.a);
    int before = atomic_load(&fx.ca.writable) + atomic_load(&fx.ca.readable) +
                 atomic_load(&fx.ca.terminated);
    expect_frame(fx.b, 1);
    expect_frame(fx.b, 2); /* credit returned: a would be woken, but it is closed */
    zi_pipe_close(fx.b);
    int after = atomic_load(&fx.ca.writable) + atomic_load(&fx.ca.readable) +
                atomic_load(&fx.ca.terminated);
    assert_int_equal(before, after);
    zi_pipe_free(fx.b);
    zi_pipe_free(fx.a);
}

static void test_pipe_sink_attached_late_finds_the_messages(void **state)
{
    zi_pipe_t *ends[2];
    assert_int_equal(zi_pipe_pair_new(ends, NULL, NULL), ZI_OK);
    put(ends[0], 1, false);
    zi_pipe_flush(ends[0]); /* nobody to tell */
    counts_t c;
    counts_init(&c);
    zi_pipe_set_sink(ends[1], &c.sink);
    assert_true(zi_pipe_check_read(ends[1]));
    expect_frame(ends[1], 1);
    assert_false(zi_pipe_check_read(ends[1]));
    put(ends[0], 2, false);
    zi_pipe_flush(ends[0]);
    assert_int_equal(atomic_load(&c.readable), 1);
    zi_pipe_set_data(ends[1], &c);
    assert_ptr_equal(zi_pipe_data(ends[1]), &c);
    assert_null(zi_pipe_data(ends[0]));
    zi_pipe_free(ends[1]);
    zi_pipe_free(ends[0]);
}

static void test_pipe_hwm_sum_follows_libzmq(void **state)
{
    assert_int_equal(zi_pipe_hwm_sum(1000, 1000), 2000);
    assert_int_equal(zi_pipe_hwm_sum(0, 1000), 0);
    assert_int_equal(zi_pipe_hwm_sum(1000, 0), 0);
    assert_int_equal(zi_pipe_hwm_sum(1, 1), 2);
    assert_int_equal(zi_pipe_hwm_sum(INT32_MAX, 5), INT32_MAX);
}

/* ---- two threads ------------------------------------------------------ */

/* A sink that wakes a thread through a condition variable. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool signalled;
    atomic_int calls;
    zi_pipe_sink_t sink;
} waker_t;

static void waker_signal(void *ctx, zi_pipe_t *p)
{
    waker_t *w = ctx;
    atomic_fetch_add(&w->calls, 1);
    pthread_mutex_lock(&w->mu);
    w->signalled = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void waker_init(waker_t *w)
{
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->signalled = false;
    atomic_init(&w->calls, 0);
    w->sink = (zi_pipe_sink_t){waker_signal, waker_signal, waker_signal, w};
}

static void waker_wait(waker_t *w)
{
    pthread_mutex_lock(&w->mu);
    while (!w->signalled)
        pthread_cond_wait(&w->cv, &w->mu);
    w->signalled = false;
    pthread_mutex_unlock(&w->mu);
}

static void waker_fini(waker_t *w)
{
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

#define STRESS_MSGS 300000u

typedef struct {
    zi_pipe_t *end;
    waker_t w;
    uint64_t got;
} side_t;

static void *stress_writer(void *arg)
{
    side_t *s = arg;
    uintptr_t n = 1;
    for (unsigned m = 0; m < STRESS_MSGS; m++) {
        unsigned parts = 1 + m % 3;
        for (unsigned i = 0; i < parts; i++) {
            zinc_frame_t *f = frame(n, i + 1 < parts);
            while (zi_pipe_write(s->end, f) == ZI_AGAIN)
                waker_wait(&s->w); /* only ever at the start of a message */
            n++;
        }
        if (m % 7 == 0)
            zi_pipe_flush(s->end);
    }
    zi_pipe_flush(s->end);
    zi_pipe_close(s->end);
    return NULL;
}

static void *stress_reader(void *arg)
{
    side_t *s = arg;
    uintptr_t n = 1;
    bool more = false;
    for (;;) {
        zinc_frame_t *f = zi_pipe_read(s->end);
        if (!f) {
            if (more)
                abort(); /* part of a message */
            if (zi_pipe_eof(s->end))
                break;
            waker_wait(&s->w);
            continue;
        }
        if (num(f) != n++)
            abort();
        more = zi_frame_is_more(f);
        if (!more)
            s->got++;
        zinc_frame_unref(f);
    }
    zi_pipe_close(s->end);
    return NULL;
}

static void test_pipe_two_threads_with_a_small_hwm_keep_order(void **state)
{
    side_t w = {0}, r = {0};
    waker_init(&w.w);
    waker_init(&r.w);
    zi_pipe_t *ends[2];
    const int hwm[2] = {16, 16};
    const zi_pipe_sink_t *sinks[2] = {&w.w.sink, &r.w.sink};
    assert_int_equal(zi_pipe_pair_new(ends, hwm, sinks), ZI_OK);
    w.end = ends[0];
    r.end = ends[1];
    pthread_t tw, tr;
    assert_int_equal(pthread_create(&tr, NULL, stress_reader, &r), 0);
    assert_int_equal(pthread_create(&tw, NULL, stress_writer, &w), 0);
    pthread_join(tw, NULL);
    pthread_join(tr, NULL);
    assert_int_equal(r.got, STRESS_MSGS);
    int wakes = atomic_load(&w.w.calls) + atomic_load(&r.w.calls);
    print_message("%d wake-ups for %u messages (hwm 16)\n", wakes, STRESS_MSGS);
    assert_true((unsigned)wakes < STRESS_MSGS);
    zi_pipe_free(w.end);
    zi_pipe_free(r.end);
    waker_fini(&w.w);
    waker_fini(&r.w);
}

/* Both ends close at arbitrary moments while the other is busy. */
typedef struct {
    zi_pipe_t *end;
    unsigned stop_after;
    counts_t c;
} racer_t;

static void *race_side(void *arg)
{
    racer_t *s = arg;
    uintptr_t n = 1;
    for (unsigned i = 0; i < s->stop_after; i++) {
        zinc_frame_t *f = frame(n++, i % 3 == 1);
        if (zi_pipe_write(s->end, f) != ZI_OK)
            zinc_frame_unref(f);
        if (i % 4 == 0)
            zi_pipe_flush(s->end);
        while ((f = zi_pipe_read(s->end)))
            zinc_frame_unref(f);
    }
    zi_pipe_free(s->end);
    return NULL;
}

static void test_pipe_both_ends_closing_at_once_release_everything_once(void **state)
{
    for (unsigned round = 0; round < 300; round++) {
        racer_t s[2];
        zi_pipe_t *ends[2];
        const int hwm[2] = {8, 8};
        counts_init(&s[0].c);
        counts_init(&s[1].c);
        const zi_pipe_sink_t *sinks[2] = {&s[0].c.sink, &s[1].c.sink};
        assert_int_equal(zi_pipe_pair_new(ends, hwm, sinks), ZI_OK);
        pthread_t t[2];
        for (int i = 0; i < 2; i++) {
            s[i].end = ends[i];
            s[i].stop_after = (round * 7 + (unsigned)i * 13) % 200;
            assert_int_equal(pthread_create(&t[i], NULL, race_side, &s[i]), 0);
        }
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
        /* Each end heard `terminated` at most once. */
        assert_true(atomic_load(&s[0].c.terminated) + atomic_load(&s[1].c.terminated) <= 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_pipe_messages_flow_both_ways_after_flush),
        T(test_pipe_multipart_message_is_atomic),
        T(test_pipe_hwm_counts_messages_not_frames),
        T(test_pipe_credit_comes_back_in_batches),
        T(test_pipe_writer_not_waiting_gets_no_writable),
        T(test_pipe_drained_reader_returns_all_credit),
        T(test_pipe_readable_only_when_reader_may_sleep),
        T(test_pipe_rollback_drops_the_unfinished_message),
        T(test_pipe_closed_writer_lets_the_peer_drain_then_eof),
        T(test_pipe_closed_reader_stops_the_writer),
        T(test_pipe_sink_is_never_called_after_close),
        T(test_pipe_sink_attached_late_finds_the_messages),
        T(test_pipe_hwm_sum_follows_libzmq),
        T(test_pipe_two_threads_with_a_small_hwm_keep_order),
        T(test_pipe_both_ends_closing_at_once_release_everything_once),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
