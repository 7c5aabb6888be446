/* Reactor: fd readiness, timers in order, cancel, cross-thread posts, stop
 * while busy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/reactor.h"
#include "util/clock.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Polls until *flag reaches want or 2 s pass. */
static void poll_until(zi_reactor_t *r, const int *flag, int want)
{
    int64_t deadline = zi_clock_ms() + 2000;
    while (*flag < want && zi_clock_ms() < deadline)
        zi_reactor_poll(r, 50);
    assert_int_equal(*flag, want);
}

/* ---- fds -------------------------------------------------------------- */

typedef struct {
    int in, out, err;
    int fd;
} fd_counts_t;

static void on_in(void *arg)
{
    fd_counts_t *c = arg;
    c->in++;
    char buf[16];
    if (read(c->fd, buf, sizeof buf) < 0) {
    }
}
static void on_out(void *arg)
{
    ((fd_counts_t *)arg)->out++;
}
static void on_err(void *arg)
{
    ((fd_counts_t *)arg)->err++;
}

static const zi_reactor_fd_ops_t counting_ops = {on_in, on_out, on_err};

static void test_reactor_reports_fd_readiness_by_interest(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    assert_non_null(r);
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    fd_counts_t rd = {.fd = p[0]}, wr = {.fd = p[1]};
    zi_reactor_fd_t *hr = zi_reactor_add_fd(r, p[0], &counting_ops, &rd);
    zi_reactor_fd_t *hw = zi_reactor_add_fd(r, p[1], &counting_ops, &wr);
    assert_non_null(hr);
    assert_non_null(hw);
    assert_int_equal(zi_reactor_load(r), 2);
    /* No interest yet: nothing. */
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(zi_reactor_poll(r, 20), 0);
    assert_int_equal(zi_reactor_set_events(r, hr, ZI_REACTOR_IN), ZI_OK);
    assert_int_equal(zi_reactor_poll(r, 1000), 1);
    assert_int_equal(rd.in, 1);
    assert_int_equal(zi_reactor_poll(r, 20), 0); /* drained */
    assert_int_equal(zi_reactor_set_events(r, hw, ZI_REACTOR_OUT), ZI_OK);
    assert_int_equal(zi_reactor_poll(r, 1000), 1);
    assert_int_equal(wr.out, 1);
    assert_int_equal(zi_reactor_set_events(r, hw, 0), ZI_OK);
    assert_int_equal(zi_reactor_poll(r, 20), 0);
    assert_int_equal(rd.err + wr.err, 0);
    zi_reactor_rm_fd(r, hr);
    zi_reactor_rm_fd(r, hw);
    assert_int_equal(zi_reactor_load(r), 0);
    zi_reactor_free(r);
    close(p[0]);
    close(p[1]);
}

static void test_reactor_reports_hangup_to_err_or_else_in(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    fd_counts_t c = {.fd = p[0]};
    zi_reactor_fd_t *h = zi_reactor_add_fd(r, p[0], &counting_ops, &c);
    close(p[1]); /* hang-up, reported even with no interest */
    assert_int_equal(zi_reactor_poll(r, 1000), 1);
    assert_int_equal(c.err, 1);
    assert_int_equal(c.in, 0);
    zi_reactor_rm_fd(r, h);

    static const zi_reactor_fd_ops_t in_only = {.in = on_in};
    fd_counts_t c2 = {.fd = p[0]};
    h = zi_reactor_add_fd(r, p[0], &in_only, &c2);
    assert_int_equal(zi_reactor_poll(r, 1000), 1);
    assert_int_equal(c2.in, 1);
    zi_reactor_rm_fd(r, h);
    zi_reactor_free(r);
    close(p[0]);
}

typedef struct {
    zi_reactor_t *r;
    zi_reactor_fd_t *other;
    int *calls;
    int fd;
} remover_t;

static void remove_other(void *arg)
{
    remover_t *m = arg;
    (*m->calls)++;
    char b;
    if (read(m->fd, &b, 1) < 0) {
    }
    zi_reactor_rm_fd(m->r, m->other);
}

static void test_reactor_removed_fd_gets_no_callback_from_the_same_batch(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    int a[2], b[2], calls = 0;
    assert_int_equal(pipe2(a, O_NONBLOCK), 0);
    assert_int_equal(pipe2(b, O_NONBLOCK), 0);
    static const zi_reactor_fd_ops_t ops = {.in = remove_other};
    remover_t ma = {r, NULL, &calls, a[0]}, mb = {r, NULL, &calls, b[0]};
    zi_reactor_fd_t *ha = zi_reactor_add_fd(r, a[0], &ops, &ma);
    zi_reactor_fd_t *hb = zi_reactor_add_fd(r, b[0], &ops, &mb);
    ma.other = hb;
    mb.other = ha;
    assert_int_equal(zi_reactor_set_events(r, ha, ZI_REACTOR_IN), ZI_OK);
    assert_int_equal(zi_reactor_set_events(r, hb, ZI_REACTOR_IN), ZI_OK);
    assert_int_equal(write(a[1], "x", 1), 1);
    assert_int_equal(write(b[1], "x", 1), 1);
    sleep_ms(5);
    zi_reactor_poll(r, 1000); /* both ready in one batch; the first removes the second */
    assert_int_equal(calls, 1);
    zi_reactor_rm_fd(r, calls == 1 && ma.other == hb ? ha : hb); /* the survivor */
    zi_reactor_free(r);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

static void test_reactor_free_releases_fds_still_registered(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    fd_counts_t c = {.fd = p[0]};
    assert_non_null(zi_reactor_add_fd(r, p[0], &counting_ops, &c));
    assert_non_null(zi_reactor_add_fd(r, p[1], &counting_ops, &c));
    zi_reactor_free(r); /* ASan checks that the handles were freed */
    close(p[0]);
    close(p[1]);
}

/* ---- timers ----------------------------------------------------------- */

typedef struct {
    int order[64];
    int n;
} fired_t;

typedef struct {
    fired_t *log;
    int tag;
} tag_t;

static void record(void *arg)
{
    tag_t *t = arg;
    t->log->order[t->log->n++] = t->tag;
}

static void test_reactor_timers_fire_in_deadline_order(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    fired_t log = {0};
    tag_t t[5];
    const int delay[5] = {40, 10, 25, 10, 0};
    for (int i = 0; i < 5; i++) {
        t[i] = (tag_t){&log, i};
        assert_true(zi_reactor_timer_add(r, delay[i], record, &t[i]) != 0);
    }
    int64_t t0 = zi_clock_ms();
    poll_until(r, &log.n, 5);
    assert_true(zi_clock_ms() - t0 >= 40);
    /* By deadline; equal deadlines in the order they were added. */
    const int want[5] = {4, 1, 3, 2, 0};
    assert_memory_equal(log.order, want, sizeof want);
    zi_reactor_free(r);
}

typedef struct {
    zi_reactor_t *r;
    uint64_t self;
    bool cancel_result;
    int fired;
} self_cancel_t;

static void cancel_self(void *arg)
{
    self_cancel_t *s = arg;
    s->fired++;
    s->cancel_result = zi_reactor_timer_cancel(s->r, s->self);
}

static void test_reactor_cancelled_timer_never_fires(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    fired_t log = {0};
    tag_t t[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
    uint64_t id0 = zi_reactor_timer_add(r, 5, record, &t[0]);
    uint64_t id1 = zi_reactor_timer_add(r, 10, record, &t[1]);
    uint64_t id2 = zi_reactor_timer_add(r, 15, record, &t[2]);
    assert_true(zi_reactor_timer_cancel(r, id1));
    assert_false(zi_reactor_timer_cancel(r, id1)); /* twice */
    assert_false(zi_reactor_timer_cancel(r, 0));
    assert_false(zi_reactor_timer_cancel(r, 12345678));
    poll_until(r, &log.n, 2);
    assert_int_equal(log.order[0], 0);
    assert_int_equal(log.order[1], 2);
    assert_false(zi_reactor_timer_cancel(r, id0)); /* already fired */
    assert_false(zi_reactor_timer_cancel(r, id2));
    /* A slot reused by a new timer does not answer to the old id. */
    uint64_t id3 = zi_reactor_timer_add(r, 1000, record, &t[0]);
    assert_true(id3 != id0 && id3 != id1 && id3 != id2);
    assert_false(zi_reactor_timer_cancel(r, id0));
    assert_true(zi_reactor_timer_cancel(r, id3));

    self_cancel_t s = {.r = r};
    s.self = zi_reactor_timer_add(r, 0, cancel_self, &s);
    poll_until(r, &s.fired, 1);
    assert_false(s.cancel_result);
    zi_reactor_free(r);
}

typedef struct {
    zi_reactor_t *r;
    int fired;
} rearm_t;

static void rearm(void *arg)
{
    rearm_t *a = arg;
    a->fired++;
    assert_true(zi_reactor_timer_add(a->r, 0, rearm, a) != 0);
}

static void test_reactor_zero_delay_timer_rearming_itself_does_not_hold_the_loop(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    rearm_t a = {r, 0};
    assert_true(zi_reactor_timer_add(r, 0, rearm, &a) != 0);
    assert_int_equal(zi_reactor_poll(r, 0), 1);
    assert_int_equal(zi_reactor_poll(r, 0), 1);
    assert_int_equal(a.fired, 2);
    zi_reactor_free(r);
}

/* A timer's true deadline lies in [lo, hi]: the clock was read just before
 * and just after it was added. Firing order must never put a timer whose
 * deadline is surely later (lo) before one that fires after it (hi). */
typedef struct {
    int64_t lo, hi;
    int64_t *max_lo;
    int *count;
} heap_check_t;

static void check_order(void *arg)
{
    heap_check_t *h = arg;
    assert_true(h->hi >= *h->max_lo);
    if (h->lo > *h->max_lo)
        *h->max_lo = h->lo;
    (*h->count)++;
}

static void test_reactor_timer_heap_survives_random_adds_and_cancels(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    enum { N = 2000 };
    static heap_check_t h[N];
    static uint64_t id[N];
    int64_t max_lo = 0;
    int count = 0, cancelled = 0;
    srand(7);
    for (int i = 0; i < N; i++) {
        int64_t delay = rand() % 60;
        h[i] = (heap_check_t){zi_clock_ms() + delay, 0, &max_lo, &count};
        id[i] = zi_reactor_timer_add(r, delay, check_order, &h[i]);
        h[i].hi = zi_clock_ms() + delay;
        assert_true(id[i] != 0);
    }
    for (int i = 0; i < N; i += 2)
        if (zi_reactor_timer_cancel(r, id[i]))
            cancelled++;
    assert_int_equal(cancelled, N / 2);
    int64_t deadline = zi_clock_ms() + 3000;
    while (count < N / 2 && zi_clock_ms() < deadline)
        zi_reactor_poll(r, 100);
    assert_int_equal(count, N / 2);
    assert_int_equal(zi_reactor_poll(r, 0), 0);
    zi_reactor_free(r);
}

/* ---- threads ---------------------------------------------------------- */

typedef struct {
    zi_reactor_t *r;
    long count; /* touched on the reactor thread only */
    bool wrong_thread;
    char name[32];
    sem_t done;
} shared_t;

static void bump(void *arg)
{
    shared_t *s = arg;
    if (!zi_reactor_in_thread(s->r))
        s->wrong_thread = true;
    s->count++;
}

static void finish(void *arg)
{
    shared_t *s = arg;
    pthread_getname_np(pthread_self(), s->name, sizeof s->name);
    sem_post(&s->done);
}

#define POSTERS 4
#define POSTS 20000

static void *poster(void *arg)
{
    shared_t *s = arg;
    for (int i = 0; i < POSTS; i++)
        if (zi_reactor_call(s->r, bump, s) != ZI_OK)
            abort();
    return NULL;
}

static void test_reactor_runs_calls_from_other_threads_on_its_own(void **state)
{
    shared_t s = {.r = zi_reactor_new()};
    sem_init(&s.done, 0, 0);
    assert_int_equal(zi_reactor_start(s.r, "zinc-test-reactor-thread"), ZI_OK);
    assert_int_equal(zi_reactor_start(s.r, NULL), ZI_EINVAL);
    assert_false(zi_reactor_in_thread(s.r));
    pthread_t t[POSTERS];
    for (int i = 0; i < POSTERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, poster, &s), 0);
    for (int i = 0; i < POSTERS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(zi_reactor_call(s.r, finish, &s), ZI_OK);
    sem_wait(&s.done);
    zi_reactor_stop(s.r);
    assert_int_equal(s.count, (long)POSTERS * POSTS);
    assert_false(s.wrong_thread);
    assert_string_equal(s.name, "zinc-test-react"); /* 15 characters */
    zi_reactor_free(s.r);
    sem_destroy(&s.done);
}

typedef struct {
    int64_t next;
    bool out_of_order;
    int64_t seen;
    sem_t done;
} handler_t;

static void on_command(void *ctx, const zi_cmd_t *cmd)
{
    handler_t *h = ctx;
    if (cmd->type != ZI_CMD_USER + 1 || cmd->value != h->next)
        h->out_of_order = true;
    h->next++;
    if (++h->seen == 1000)
        sem_post(&h->done);
}

static void test_reactor_hands_other_commands_to_its_handler_in_order(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    handler_t h = {0};
    sem_init(&h.done, 0, 0);
    zi_reactor_set_cmd_handler(r, on_command, &h);
    assert_int_equal(zi_reactor_start(r, NULL), ZI_OK);
    for (int i = 0; i < 1000; i++) {
        zi_cmd_t c = {.type = ZI_CMD_USER + 1, .value = i};
        assert_int_equal(zi_reactor_post(r, &c), ZI_OK);
    }
    sem_wait(&h.done);
    zi_reactor_stop(r);
    assert_false(h.out_of_order);
    zi_reactor_free(r);
    sem_destroy(&h.done);
}

static atomic_int slow_started, slow_finished, late_ran;

static void slow(void *arg)
{
    atomic_store(&slow_started, 1);
    sleep_ms(100);
    atomic_store(&slow_finished, 1);
}

static void late(void *arg)
{
    atomic_store(&late_ran, 1);
}

static void test_reactor_stop_waits_for_a_busy_callback(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    assert_int_equal(zi_reactor_start(r, "busy"), ZI_OK);
    assert_int_equal(zi_reactor_call(r, slow, NULL), ZI_OK);
    while (!atomic_load(&slow_started))
        sleep_ms(1);
    int64_t t0 = zi_clock_ms();
    zi_reactor_stop(r); /* STOP queued behind nothing, but slow() is running */
    assert_true(atomic_load(&slow_finished));
    assert_true(zi_clock_ms() - t0 >= 50);
    assert_int_equal(zi_reactor_call(r, late, NULL), ZI_OK); /* never runs */
    zi_reactor_stop(r);                                      /* no-op */
    zi_reactor_free(r);
    assert_false(atomic_load(&late_ran));
}

static void test_reactor_stops_while_fds_keep_it_busy(void **state)
{
    zi_reactor_t *r = zi_reactor_new();
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    static const zi_reactor_fd_ops_t ops = {.out = on_out};
    static fd_counts_t c; /* written on the reactor thread until stop */
    zi_reactor_fd_t *h = zi_reactor_add_fd(r, p[1], &ops, &c);
    assert_int_equal(zi_reactor_set_events(r, h, ZI_REACTOR_OUT), ZI_OK); /* always ready */
    assert_true(zi_reactor_timer_add(r, 1, late, NULL) != 0);
    assert_int_equal(zi_reactor_start(r, NULL), ZI_OK);
    sleep_ms(50);
    zi_reactor_stop(r);
    assert_true(c.out > 0);
    assert_true(atomic_load(&late_ran)); /* timers still fire on a busy loop */
    zi_reactor_free(r);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reactor_reports_fd_readiness_by_interest),
        cmocka_unit_test(test_reactor_reports_hangup_to_err_or_else_in),
        cmocka_unit_test(test_reactor_removed_fd_gets_no_callback_from_the_same_batch),
        cmocka_unit_test(test_reactor_free_releases_fds_still_registered),
        cmocka_unit_test(test_reactor_timers_fire_in_deadline_order),
        cmocka_unit_test(test_reactor_cancelled_timer_never_fires),
        cmocka_unit_test(test_reactor_zero_delay_timer_rearming_itself_does_not_hold_the_loop),
        cmocka_unit_test(test_reactor_timer_heap_survives_random_adds_and_cancels),
        cmocka_unit_test(test_reactor_runs_calls_from_other_threads_on_its_own),
        cmocka_unit_test(test_reactor_hands_other_commands_to_its_handler_in_order),
        cmocka_unit_test(test_reactor_stop_waits_for_a_busy_callback),
        cmocka_unit_test(test_reactor_stops_while_fds_keep_it_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
