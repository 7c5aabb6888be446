/* Poller, zinc_poll, and the socket `fd`/`events` options under an external
 * epoll loop that follows docs/event-loops.md. Every wait is bounded. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "util/clock.h"
#include "zinc.h"

static int counter;

static zinc_socket_t *new_socket(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    assert_non_null(s);
    assert_int_equal(zinc_set_int(s, "linger", 0), 0);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 2000), 0);
    assert_int_equal(zinc_set_int(s, "sndtimeo", 2000), 0);
    return s;
}

/* Binds a, connects b; tcp or inproc. */
static void join(zinc_socket_t *a, zinc_socket_t *b, bool tcp)
{
    char ep[128];
    if (tcp)
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:*");
    else
        snprintf(ep, sizeof ep, "inproc://poller-%d", counter++);
    assert_int_equal(zinc_bind(a, ep), 0);
    size_t len = sizeof ep;
    assert_int_equal(zinc_get(a, "last_endpoint", ep, &len), 0);
    assert_int_equal(zinc_connect(b, ep), 0);
}

typedef struct {
    zinc_ctx_t *ctx;
    zinc_socket_t *a, *b; /* PAIR, a bound, b connected over inproc */
    zinc_socket_t *extra[4];
    int nextra;
    int pipefd[2];
} fx_t;

/* A receive that finds nothing consumes the in-band peer-metadata frame a
 * new connection puts first on a pipe, which `events` otherwise reports as
 * POLLIN (a spurious POLLIN: see test_events_reports_no_pollin_for_peer_metadata). */
static void eat_peer_frame(zinc_socket_t *s)
{
    char buf[1];
    assert_int_equal(zinc_recv(s, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
}

/* Sockets made inside a test: closed by teardown even when the test fails,
 * so that zinc_ctx_term cannot wait for them forever. */
static zinc_socket_t *fx_socket(fx_t *fx, int type)
{
    assert_true(fx->nextra < 4);
    return fx->extra[fx->nextra++] = new_socket(fx->ctx, type);
}

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    fx->ctx = zinc_ctx_new();
    fx->a = new_socket(fx->ctx, ZINC_PAIR);
    fx->b = new_socket(fx->ctx, ZINC_PAIR);
    join(fx->a, fx->b, false);
    eat_peer_frame(fx->a);
    eat_peer_frame(fx->b);
    assert_int_equal(pipe(fx->pipefd), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    zinc_socket_close(fx->a);
    zinc_socket_close(fx->b);
    for (int i = 0; i < fx->nextra; i++)
        zinc_socket_close(fx->extra[i]);
    zinc_ctx_term(fx->ctx);
    if (fx->pipefd[0] >= 0)
        close(fx->pipefd[0]);
    if (fx->pipefd[1] >= 0)
        close(fx->pipefd[1]);
    free(fx);
    return 0;
}

static int64_t events_of(zinc_socket_t *s)
{
    int64_t ev = -1;
    assert_int_equal(zinc_get_int(s, "events", &ev), 0);
    return ev;
}

static int fd_of(zinc_socket_t *s)
{
    int64_t fd = -1;
    assert_int_equal(zinc_get_int(s, "fd", &fd), 0);
    return (int)fd;
}

static bool fd_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* ---- the poller ----------------------------------------------------------- */

static void test_poller_times_out_with_zero_when_nothing_is_ready(void **state)
{
    fx_t *fx = *state;
    zinc_poller_t *p = zinc_poller_new();
    assert_int_equal(zinc_poller_add(p, fx->a, NULL, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_add_fd(p, fx->pipefd[0], NULL, ZINC_POLLIN), 0);
    zinc_poller_event_t ev[4];
    int64_t t0 = zi_clock_ms();
    assert_int_equal(zinc_poller_wait(p, ev, 4, 50), 0);
    int64_t took = zi_clock_ms() - t0;
    assert_true(took >= 45 && took < 1000);
    assert_int_equal(zinc_poller_wait(p, ev, 4, 0), 0);
    zinc_poller_free(p);
}

static void test_poller_reports_socket_and_fd_with_their_user_data(void **state)
{
    fx_t *fx = *state;
    zinc_poller_t *p = zinc_poller_new();
    int tag_sock, tag_fd;
    assert_int_equal(zinc_poller_add(p, fx->a, &tag_sock, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_add_fd(p, fx->pipefd[0], &tag_fd, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_size(p), 2);
    assert_int_equal(zinc_send(fx->b, "hi", 2, 0), 2);
    assert_int_equal(write(fx->pipefd[1], "x", 1), 1);
    zinc_poller_event_t ev[4];
    assert_int_equal(zinc_poller_wait(p, ev, 4, 1000), 2);
    assert_ptr_equal(ev[0].socket, fx->a);
    assert_int_equal(ev[0].fd, -1);
    assert_ptr_equal(ev[0].user, &tag_sock);
    assert_int_equal(ev[0].events, ZINC_POLLIN);
    assert_null(ev[1].socket);
    assert_int_equal(ev[1].fd, fx->pipefd[0]);
    assert_ptr_equal(ev[1].user, &tag_fd);
    assert_int_equal(ev[1].events, ZINC_POLLIN);
    /* max limits what is written; the order is the order of addition. */
    assert_int_equal(zinc_poller_wait(p, ev, 1, 0), 1);
    assert_ptr_equal(ev[0].socket, fx->a);
    zinc_poller_free(p);
}

static void test_poller_reports_pollout_only_with_a_peer_and_room(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *lone = fx_socket(fx, ZINC_PAIR);
    zinc_poller_t *p = zinc_poller_new();
    assert_int_equal(zinc_poller_add(p, lone, NULL, ZINC_POLLIN | ZINC_POLLOUT), 0);
    assert_int_equal(zinc_poller_add(p, fx->b, NULL, ZINC_POLLIN | ZINC_POLLOUT), 0);
    zinc_poller_event_t ev[4];
    assert_int_equal(zinc_poller_wait(p, ev, 4, 0), 1);
    assert_ptr_equal(ev[0].socket, fx->b);
    assert_int_equal(ev[0].events, ZINC_POLLOUT);
    zinc_poller_free(p);
}

typedef struct {
    zinc_socket_t *s;
    int delay_ms;
    int count;
} sender_t;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *delayed_recv_all(void *arg)
{
    sender_t *x = arg;
    sleep_ms(x->delay_ms);
    char buf[8];
    for (int i = 0; i < x->count; i++)
        if (zinc_recv(x->s, buf, sizeof buf, 0) < 0)
            return (void *)1;
    return NULL;
}

static void *delayed_send(void *arg)
{
    sender_t *x = arg;
    sleep_ms(x->delay_ms);
    for (int i = 0; i < x->count; i++)
        if (zinc_send(x->s, "m", 1, 0) != 1)
            return (void *)1;
    return NULL;
}

static void test_poller_wakes_when_a_message_arrives_from_another_thread(void **state)
{
    fx_t *fx = *state;
    zinc_poller_t *p = zinc_poller_new();
    assert_int_equal(zinc_poller_add(p, fx->a, NULL, ZINC_POLLIN), 0);
    sender_t x = {fx->b, 30, 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, delayed_send, &x), 0);
    zinc_poller_event_t ev[1];
    int64_t t0 = zi_clock_ms();
    int rc = zinc_poller_wait(p, ev, 1, 3000);
    int64_t took = zi_clock_ms() - t0;
    void *res;
    pthread_join(th, &res);
    assert_null(res);
    assert_int_equal(rc, 1);
    assert_int_equal(ev[0].events, ZINC_POLLIN);
    assert_true(took < 2000);
    zinc_poller_free(p);
}

/* The writer hits the hwm, sleeps in the poller, and wakes when the reader,
 * on another thread, returns credit. */
static void test_poller_wakes_for_pollout_when_the_peer_drains(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *w = fx_socket(fx, ZINC_PAIR), *r = fx_socket(fx, ZINC_PAIR);
    assert_int_equal(zinc_set_int(w, "sndhwm", 2), 0);
    assert_int_equal(zinc_set_int(r, "rcvhwm", 2), 0);
    join(r, w, false);
    eat_peer_frame(w);
    int sent = 0;
    while (zinc_send(w, "m", 1, ZINC_DONTWAIT) == 1)
        sent++;
    assert_int_equal(errno, EAGAIN);
    zinc_poller_t *p = zinc_poller_new();
    assert_int_equal(zinc_poller_add(p, w, NULL, ZINC_POLLOUT), 0);
    zinc_poller_event_t ev[1];
    assert_int_equal(zinc_poller_wait(p, ev, 1, 0), 0);
    sender_t x = {r, 30, sent};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, delayed_recv_all, &x), 0);
    int rc = zinc_poller_wait(p, ev, 1, 3000);
    void *res;
    pthread_join(th, &res);
    assert_null(res);
    assert_int_equal(rc, 1);
    assert_int_equal(ev[0].events, ZINC_POLLOUT);
    zinc_poller_free(p);
}

static void test_poller_reports_pollerr_on_fds_even_unasked(void **state)
{
    fx_t *fx = *state;
    zinc_poller_t *p = zinc_poller_new();
    assert_int_equal(zinc_poller_add_fd(p, fx->pipefd[1], NULL, 0), 0);
    zinc_poller_event_t ev[1];
    assert_int_equal(zinc_poller_wait(p, ev, 1, 0), 0);
    close(fx->pipefd[0]); /* the write end now errors */
    fx->pipefd[0] = -1;
    assert_int_equal(zinc_poller_wait(p, ev, 1, 1000), 1);
    assert_int_equal(ev[0].events, ZINC_POLLERR);
    zinc_poller_free(p);
}

static void test_poller_modify_and_remove_change_what_is_reported(void **state)
{
    fx_t *fx = *state;
    zinc_poller_t *p = zinc_poller_new();
    assert_int_equal(zinc_poller_add(p, fx->a, NULL, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_add_fd(p, fx->pipefd[0], NULL, ZINC_POLLIN), 0);
    assert_int_equal(zinc_send(fx->b, "hi", 2, 0), 2);
    assert_int_equal(write(fx->pipefd[1], "x", 1), 1);
    zinc_poller_event_t ev[4];
    assert_int_equal(zinc_poller_modify(p, fx->a, 0), 0);
    assert_int_equal(zinc_poller_wait(p, ev, 4, 0), 1);
    assert_null(ev[0].socket);
    assert_int_equal(zinc_poller_modify(p, fx->a, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_modify_fd(p, fx->pipefd[0], 0), 0);
    assert_int_equal(zinc_poller_wait(p, ev, 4, 0), 1);
    assert_ptr_equal(ev[0].socket, fx->a);
    assert_int_equal(zinc_poller_remove(p, fx->a), 0);
    assert_int_equal(zinc_poller_wait(p, ev, 4, 0), 0);
    assert_int_equal(zinc_poller_remove_fd(p, fx->pipefd[0]), 0);
    assert_int_equal(zinc_poller_size(p), 0);
    zinc_poller_free(p);
}

static void test_poller_refuses_bad_arguments(void **state)
{
    fx_t *fx = *state;
    zinc_poller_t *p = zinc_poller_new();
    zinc_poller_event_t ev[1];
    assert_int_equal(zinc_poller_add(p, fx->a, NULL, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_add(p, fx->a, NULL, ZINC_POLLIN), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_add(p, fx->b, NULL, 0x40), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_add(p, NULL, NULL, ZINC_POLLIN), -1);
    assert_int_equal(errno, ENOTSOCK);
    assert_int_equal(zinc_poller_add_fd(p, -1, NULL, ZINC_POLLIN), -1);
    assert_int_equal(errno, EBADF);
    assert_int_equal(zinc_poller_add_fd(p, fx->pipefd[0], NULL, ZINC_POLLIN), 0);
    assert_int_equal(zinc_poller_add_fd(p, fx->pipefd[0], NULL, ZINC_POLLIN), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_modify(p, fx->b, ZINC_POLLIN), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_remove(p, fx->b), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_remove_fd(p, fx->pipefd[1]), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_wait(p, NULL, 1, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_wait(p, ev, 0, 0), -1);
    assert_int_equal(errno, EINVAL);
    zinc_poller_free(p);
    p = zinc_poller_new();
    assert_int_equal(zinc_poller_wait(p, ev, 1, -1), -1); /* empty, forever */
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poller_wait(p, ev, 1, 10), 0); /* empty: just sleeps */
    zinc_poller_free(p);
    zinc_poller_free(NULL);
}

typedef struct {
    zinc_socket_t *s;
    int rc, err;
} term_waiter_t;

static void *wait_then_close(void *arg)
{
    term_waiter_t *w = arg;
    zinc_poller_t *p = zinc_poller_new();
    zinc_poller_add(p, w->s, NULL, ZINC_POLLIN);
    zinc_poller_event_t ev[1];
    w->rc = zinc_poller_wait(p, ev, 1, 5000);
    w->err = errno;
    zinc_poller_free(p);
    zinc_socket_close(w->s);
    return NULL;
}

static void test_poller_returns_eterm_when_the_context_terminates(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    term_waiter_t w = {new_socket(ctx, ZINC_PAIR), 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_then_close, &w), 0);
    sleep_ms(30);
    assert_int_equal(zinc_ctx_term(ctx), 0); /* returns once the thread closed its socket */
    pthread_join(th, NULL);
    assert_int_equal(w.rc, -1);
    assert_int_equal(w.err, ZINC_ETERM);
}

/* ---- zinc_poll ------------------------------------------------------------ */

static void test_zinc_poll_sets_revents_for_sockets_and_fds(void **state)
{
    fx_t *fx = *state;
    zinc_pollitem_t items[3] = {
        {fx->a, -1, ZINC_POLLIN, 0},
        {NULL, fx->pipefd[0], ZINC_POLLIN, 0},
        {fx->b, -1, ZINC_POLLOUT, 0},
    };
    assert_int_equal(zinc_poll(items, 3, 0), 1);
    assert_int_equal(items[0].revents, 0);
    assert_int_equal(items[1].revents, 0);
    assert_int_equal(items[2].revents, ZINC_POLLOUT);
    assert_int_equal(zinc_send(fx->b, "hi", 2, 0), 2);
    assert_int_equal(write(fx->pipefd[1], "x", 1), 1);
    assert_int_equal(zinc_poll(items, 3, 1000), 3);
    assert_int_equal(items[0].revents, ZINC_POLLIN);
    assert_int_equal(items[1].revents, ZINC_POLLIN);
    items[2].events = 0;
    char buf[4];
    assert_int_equal(zinc_recv(fx->a, buf, sizeof buf, 0), 2);
    assert_int_equal(read(fx->pipefd[0], buf, 1), 1);
    assert_int_equal(zinc_poll(items, 3, 20), 0);
}

static void test_zinc_poll_handles_more_items_than_its_stack(void **state)
{
    fx_t *fx = *state;
    enum { N = 40 };
    zinc_pollitem_t items[N];
    for (int i = 0; i < N; i++)
        items[i] = (zinc_pollitem_t){NULL, fx->pipefd[0], ZINC_POLLIN, 0};
    items[N - 1] = (zinc_pollitem_t){fx->a, -1, ZINC_POLLIN, 0};
    assert_int_equal(zinc_send(fx->b, "hi", 2, 0), 2);
    assert_int_equal(zinc_poll(items, N, 1000), 1);
    assert_int_equal(items[N - 1].revents, ZINC_POLLIN);
}

static void test_zinc_poll_refuses_bad_arguments(void **state)
{
    (void)state;
    zinc_pollitem_t item = {NULL, 0, ZINC_POLLIN, 0};
    assert_int_equal(zinc_poll(&item, -1, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poll(NULL, 1, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_poll(NULL, 0, -1), -1);
    assert_int_equal(errno, EINVAL);
    int64_t t0 = zi_clock_ms();
    assert_int_equal(zinc_poll(NULL, 0, 20), 0);
    assert_true(zi_clock_ms() - t0 >= 15);
}

/* ---- the fd and events options ------------------------------------------- */

/* Why the rule exists: the fd signals changes, not queued messages. Once a
 * call has consumed the notification, messages still waiting leave the fd
 * unreadable: only `events` tells. */
static void test_socket_fd_stays_quiet_while_messages_wait_after_a_read(void **state)
{
    fx_t *fx = *state;
    int fd = fd_of(fx->a);
    assert_int_equal(events_of(fx->a) & ZINC_POLLIN, 0);
    assert_false(fd_readable(fd));
    assert_int_equal(zinc_send(fx->b, "1", 1, 0), 1);
    assert_int_equal(zinc_send(fx->b, "2", 1, 0), 1);
    assert_true(fd_readable(fd)); /* something changed */
    char buf[4];
    assert_int_equal(zinc_recv(fx->a, buf, sizeof buf, 0), 1);
    assert_false(fd_readable(fd));                       /* notification consumed ... */
    assert_int_equal(events_of(fx->a) & ZINC_POLLIN, 1); /* ... yet a message waits */
    assert_int_equal(zinc_recv(fx->a, buf, sizeof buf, 0), 1);
    assert_int_equal(zinc_recv(fx->a, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(zinc_send(fx->b, "3", 1, 0), 1);
    assert_true(fd_readable(fd)); /* drained to EAGAIN: the next message signals again */
}

/* The in-band peer-metadata frame queued on a new pipe is not input:
 * `events` must not say POLLIN for it. */
static void test_events_reports_no_pollin_for_peer_metadata(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *a = new_socket(ctx, ZINC_PAIR), *b = new_socket(ctx, ZINC_PAIR);
    join(a, b, false);
    int64_t ev = events_of(a);
    zinc_socket_close(a);
    zinc_socket_close(b);
    zinc_ctx_term(ctx);
    assert_int_equal(ev & ZINC_POLLIN, 0);
}

/* The peer-metadata frame and the first message behind it, both queued
 * before the socket looks: `events` consumes the first only, and the
 * message is still there to receive. */
static void test_events_after_peer_metadata_keeps_the_message_behind_it(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *a = new_socket(ctx, ZINC_PAIR), *b = new_socket(ctx, ZINC_PAIR);
    join(a, b, true);
    assert_int_equal(zinc_send(b, "first", 5, 0), 5);
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the handshake and the message reach a's pipe */
    int64_t ev = events_of(a);
    char buf[16];
    int n = zinc_recv(a, buf, sizeof buf, ZINC_DONTWAIT);
    zinc_socket_close(a);
    zinc_socket_close(b);
    zinc_ctx_term(ctx);
    assert_int_equal(ev & ZINC_POLLIN, ZINC_POLLIN);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "first", 5);
}

/* An application that follows docs/event-loops.md with epoll: both ends
 * wait in epoll on their socket's fd; before each epoll_wait they read
 * `events` and send / receive until EAGAIN. The sender works in bursts and
 * keeps hitting a small hwm, so both POLLIN and POLLOUT notifications are
 * exercised. A missed notification shows as an epoll timeout while
 * `events` says the socket is ready: that fails the test. */
typedef struct {
    zinc_socket_t *s;
    uint32_t n;
    bool edge;
    uint64_t seed;
    int missed;  /* epoll timeouts while events was ready */
    int stalled; /* gave up: no progress for too long */
    uint32_t done;
} rule_t;

static int rule_epoll(zinc_socket_t *s, bool edge)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    assert_true(ep >= 0);
    struct epoll_event e = {.events = EPOLLIN | (edge ? EPOLLET : 0)};
    assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd_of(s), &e), 0);
    return ep;
}

/* epoll_wait per the rule; false when the wait timed out. A timeout while
 * `events` reports what we wait for is a missed notification. */
static bool rule_wait(rule_t *r, int ep, short want)
{
    struct epoll_event e;
    int rc;
    do
        rc = epoll_wait(ep, &e, 1, 1000);
    while (rc < 0 && errno == EINTR);
    if (rc > 0)
        return true;
    int64_t ev = 0;
    zinc_get_int(r->s, "events", &ev);
    if (ev & want)
        r->missed++;
    return false;
}

static void *rule_sender(void *arg)
{
    rule_t *r = arg;
    int ep = rule_epoll(r->s, r->edge);
    uint32_t seq = 0;
    int idle = 0;
    while (seq < r->n && idle < 10) {
        uint32_t burst = 1 + (uint32_t)(zt_rand(&r->seed) % 300);
        for (uint32_t k = 0; k < burst && seq < r->n;) {
            if (zinc_send(r->s, &seq, sizeof seq, ZINC_DONTWAIT) == (int)sizeof seq) {
                seq++, k++;
                continue;
            }
            if (errno != EAGAIN)
                goto out;
            /* The rule: events first; sleep only when it says no. */
            int64_t ev = 0;
            if (zinc_get_int(r->s, "events", &ev) != 0)
                goto out;
            if (ev & ZINC_POLLOUT)
                continue;
            idle = rule_wait(r, ep, ZINC_POLLOUT) ? 0 : idle + 1;
        }
        if (zt_rand(&r->seed) % 4 == 0)
            sleep_ms(0 == zt_rand(&r->seed) % 8 ? 2 : 0); /* a pause between some bursts */
        else
            sched_yield();
    }
out:
    r->done = seq;
    r->stalled = idle >= 10;
    close(ep);
    return NULL;
}

static void rule_receive(rule_t *r)
{
    int ep = rule_epoll(r->s, r->edge);
    uint32_t expect = 0;
    int idle = 0;
    while (expect < r->n && idle < 10) {
        /* The rule: read events; while POLLIN, receive until EAGAIN. */
        int64_t ev = 0;
        assert_int_equal(zinc_get_int(r->s, "events", &ev), 0);
        if (ev & ZINC_POLLIN) {
            uint32_t seq;
            int n;
            while ((n = zinc_recv(r->s, &seq, sizeof seq, ZINC_DONTWAIT)) >= 0) {
                assert_int_equal(n, sizeof seq);
                assert_int_equal(seq, expect);
                expect++;
            }
            assert_int_equal(errno, EAGAIN);
            continue;
        }
        idle = rule_wait(r, ep, ZINC_POLLIN) ? 0 : idle + 1;
    }
    r->done = expect;
    r->stalled = idle >= 10;
    close(ep);
}

static void run_rule(bool tcp, bool edge, uint32_t n, int rcvhwm)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pull = new_socket(ctx, ZINC_PULL), *push = new_socket(ctx, ZINC_PUSH);
    assert_int_equal(zinc_set_int(pull, "rcvhwm", rcvhwm), 0);
    assert_int_equal(zinc_set_int(push, "sndhwm", 20), 0);
    join(pull, push, tcp);
    rule_t tx = {push, n, edge, 42 + n + edge, 0, 0, 0};
    rule_t rx = {pull, n, edge, 0, 0, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, rule_sender, &tx), 0);
    rule_receive(&rx);
    pthread_join(th, NULL);
    assert_int_equal(tx.missed, 0);
    assert_int_equal(rx.missed, 0);
    assert_int_equal(tx.stalled, 0);
    assert_int_equal(rx.stalled, 0);
    assert_int_equal(tx.done, n);
    assert_int_equal(rx.done, n);
    zinc_socket_close(pull);
    zinc_socket_close(push);
    zinc_ctx_term(ctx);
}

static void test_epoll_edge_triggered_rule_never_misses_a_message_inproc(void **state)
{
    (void)state;
    run_rule(false, true, 20000, 20);
}

static void test_epoll_level_triggered_rule_never_misses_a_message_inproc(void **state)
{
    (void)state;
    run_rule(false, false, 20000, 20);
}

/* Over tcp the receiving side has no rcvhwm here: with one, the stream
 * stalls in the session (a known bug, below), whatever the event loop. The
 * sender's sndhwm still makes it wait for POLLOUT. */
static void test_epoll_edge_triggered_rule_never_misses_a_message_tcp(void **state)
{
    (void)state;
    run_rule(true, true, 10000, 0);
}

/* Regression (session_on_writable once cleared in_blocked while the engine
 * still held a refused frame, and the stream stalled): a tcp stream well past
 * a small rcvhwm keeps flowing, with blocking calls and with the epoll rule. */
static void test_tcp_stream_past_rcvhwm_does_not_stall(void **state)
{
    (void)state;
    run_rule(true, true, 10000, 20);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_poller_times_out_with_zero_when_nothing_is_ready),
        T(test_poller_reports_socket_and_fd_with_their_user_data),
        T(test_poller_reports_pollout_only_with_a_peer_and_room),
        T(test_poller_wakes_when_a_message_arrives_from_another_thread),
        T(test_poller_wakes_for_pollout_when_the_peer_drains),
        T(test_poller_reports_pollerr_on_fds_even_unasked),
        T(test_poller_modify_and_remove_change_what_is_reported),
        T(test_poller_refuses_bad_arguments),
        cmocka_unit_test(test_poller_returns_eterm_when_the_context_terminates),
        T(test_zinc_poll_sets_revents_for_sockets_and_fds),
        T(test_zinc_poll_handles_more_items_than_its_stack),
        cmocka_unit_test(test_zinc_poll_refuses_bad_arguments),
        T(test_socket_fd_stays_quiet_while_messages_wait_after_a_read),
        cmocka_unit_test(test_events_reports_no_pollin_for_peer_metadata),
        cmocka_unit_test(test_events_after_peer_metadata_keeps_the_message_behind_it),
        cmocka_unit_test(test_epoll_edge_triggered_rule_never_misses_a_message_inproc),
        cmocka_unit_test(test_epoll_level_triggered_rule_never_misses_a_message_inproc),
        cmocka_unit_test(test_epoll_edge_triggered_rule_never_misses_a_message_tcp),
        cmocka_unit_test(test_tcp_stream_past_rcvhwm_does_not_stall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
