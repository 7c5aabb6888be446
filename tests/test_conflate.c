/* The `conflate` option through the public API, each case over tcp, ipc and
 * inproc: a receiving socket keeps only the newest message (PULL, SUB,
 * DEALER), a sending one sends only the newest (PUSH, PUB), a multipart
 * message is cut to its last frame (what libzmq 4.3.4 delivers), the hwm no
 * longer applies, and a conflating SUB keeps every subscription (libzmq
 * conflates those too and loses all but the last one).
 *
 * Bursts are sent while the receiver does not read; the receiver then reads
 * until the burst's last message comes. What it got before that is at most a
 * few older messages, never all of them, and always in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zinc.h"

typedef enum { TR_TCP, TR_IPC, TR_INPROC } tr_t;
static const tr_t tcp = TR_TCP, ipc = TR_IPC, inproc = TR_INPROC;

#define TIMEO 3000    /* ms, every blocking call */
#define DEADLINE 5000 /* ms, every wait for the other side */
#define BURST 2000    /* messages per burst */
/* Octets after the tag of a burst message whose sender conflates: over
 * tcp/ipc the sender's queue conflates only once its session stops reading
 * it, i.e. once the session's output batch (1 MiB) and the kernel buffers are
 * full; BURST messages of this size are several times that. */
#define PAD 8192

static char pad_bytes[PAD];

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static zinc_socket_t *mk(zinc_ctx_t *ctx, int type, bool conflate)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    assert_non_null(s);
    assert_int_equal(zinc_set_int(s, "linger", 0), 0);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", TIMEO), 0);
    assert_int_equal(zinc_set_int(s, "sndtimeo", TIMEO), 0);
    if (conflate)
        assert_int_equal(zinc_set_int(s, "conflate", 1), 0);
    return s;
}

/* A fresh endpoint of the transport, in ep (tcp: resolved after the bind). */
static void bind_any(zinc_socket_t *s, tr_t tr, char *ep, size_t cap)
{
    static int n;
    n++;
    if (tr == TR_TCP) {
        assert_int_equal(zinc_bind(s, "tcp://127.0.0.1:*"), 0);
        size_t len = cap;
        assert_int_equal(zinc_get(s, "last_endpoint", ep, &len), 0);
        return;
    }
    if (tr == TR_IPC)
        snprintf(ep, cap, "ipc://@zinc-test-conflate-%d-%d", (int)getpid(), n);
    else
        snprintf(ep, cap, "inproc://conflate-%d", n);
    assert_int_equal(zinc_bind(s, ep), 0);
}

/* Binds `binder`, connects `other` to it. */
static void link_up(zinc_socket_t *binder, zinc_socket_t *other, tr_t tr)
{
    char ep[256];
    bind_any(binder, tr, ep, sizeof ep);
    assert_int_equal(zinc_connect(other, ep), 0);
}

/* Sends "<prefix><6 digits>" followed by pad octets; false on EAGAIN when
 * try_only. */
static bool send_padded(zinc_socket_t *s, const char *prefix, int i, int flags, bool try_only,
                        size_t pad)
{
    static char buf[32 + PAD];
    int n = snprintf(buf, 32, "%s%06d", prefix, i);
    memcpy(buf + n, pad_bytes, pad);
    n += (int)pad;
    int rc = zinc_send(s, buf, (size_t)n, flags);
    if (rc < 0 && try_only && errno == EAGAIN)
        return false;
    if (rc != n)
        fail_msg("send %d: %s", i, zinc_strerror(errno));
    return true;
}

static bool send_msg(zinc_socket_t *s, const char *prefix, int i, int flags, bool try_only)
{
    return send_padded(s, prefix, i, flags, try_only, 0);
}

static void send_tagged(zinc_socket_t *s, const char *prefix, int i, int flags)
{
    (void)send_msg(s, prefix, i, flags, false);
}

/* Receives one message of a single frame "<prefix><6 digits>" (and
 * padding); its number, or -1 on a timeout. */
static int recv_tagged(zinc_socket_t *s, const char *prefix, int flags)
{
    char buf[64];
    int n = zinc_recv(s, buf, sizeof buf - 1, flags);
    if (n < 0) {
        assert_int_equal(errno, EAGAIN);
        return -1;
    }
    int64_t more = 1;
    assert_int_equal(zinc_get_int(s, "rcvmore", &more), 0);
    assert_int_equal(more, 0);
    size_t pl = strlen(prefix);
    assert_true((size_t)n == pl + 6 || (size_t)n == pl + 6 + PAD);
    buf[pl + 6] = 0;
    assert_memory_equal(buf, prefix, pl);
    return (int)strtol(buf + pl, NULL, 10);
}

/* Sends probes (number -1 is not used: probes are "<prefix>" + 999999)
 * until one arrives: the link is up (and a subscription reached the
 * publisher). */
/* Takes one message if there is one: true when it is prefix's probe. A
 * probe of an earlier join (another prefix) may still arrive: skipped. */
static bool recv_probe(zinc_socket_t *rx, const char *prefix)
{
    char buf[64], want[64];
    int n = zinc_recv(rx, buf, sizeof buf - 1, ZINC_DONTWAIT);
    if (n < 0) {
        assert_int_equal(errno, EAGAIN);
        return false;
    }
    assert_true(n >= 6 && n < (int)sizeof buf);
    buf[n] = 0;
    snprintf(want, sizeof want, "%s999999", prefix);
    if (strcmp(buf, want) == 0)
        return true;
    assert_string_equal(buf + n - 6, "999999"); /* nothing but probes before the burst */
    return false;
}

static void join(zinc_socket_t *tx, zinc_socket_t *rx, const char *prefix)
{
    int64_t end = now_ms() + DEADLINE;
    for (;;) {
        (void)send_msg(tx, prefix, 999999, ZINC_DONTWAIT, true); /* no peer yet: EAGAIN */
        if (recv_probe(rx, prefix))
            break;
        assert_true(now_ms() < end);
        pause_ms(5);
    }
    /* A probe may still be on its way; with conflate it is replaced by the
     * next burst, without it swallow it here. */
}

/* Sends a burst of BURST messages (a sender that does not conflate may
 * wait for room: the conflating receiver drains its side at once), lets them
 * travel, then reads until the last one: returns how many came (the last
 * included). */
static int burst_and_count(zinc_socket_t *tx, zinc_socket_t *rx, const char *prefix, size_t pad)
{
    for (int i = 0; i < BURST; i++)
        (void)send_padded(tx, prefix, i, 0, false, pad);
    pause_ms(200);
    int got = 0, last = -1;
    for (;;) {
        int i = recv_tagged(rx, prefix, 0);
        if (i < 0)
            fail_msg("the burst's last message never came (last seen %d)", last);
        if (i == 999999) /* a late probe of the join */
            continue;
        assert_true(i > last);
        last = i;
        got++;
        if (i == BURST - 1)
            return got;
    }
}

static void expect_quiet(zinc_socket_t *s)
{
    char buf[64];
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 100), 0);
    assert_int_equal(zinc_recv(s, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", TIMEO), 0);
}

/* ---- cases ---------------------------------------------------------------- */

static void test_conflate_pull_keeps_only_the_newest_message(void **state)
{
    tr_t tr = *(const tr_t *)*state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pull = mk(ctx, ZINC_PULL, true), *push = mk(ctx, ZINC_PUSH, false);
    int64_t v = 0;
    assert_int_equal(zinc_get_int(pull, "conflate", &v), 0);
    assert_int_equal(v, 1);
    link_up(pull, push, tr);
    join(push, pull, "m");
    int got = burst_and_count(push, pull, "m", 0);
    /* Over tcp/ipc the sender's queue and the kernel's are not conflated,
     * so a few may come before the newest; never the whole burst. */
    if (tr == TR_INPROC)
        assert_int_equal(got, 1);
    else
        assert_true(got < BURST / 2);
    expect_quiet(pull);
    /* It goes on working: the next message arrives as it is. */
    send_tagged(push, "m", 7, 0);
    assert_int_equal(recv_tagged(pull, "m", 0), 7);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
}

static void test_conflate_push_sends_only_the_newest_message(void **state)
{
    tr_t tr = *(const tr_t *)*state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *push = mk(ctx, ZINC_PUSH, true), *pull = mk(ctx, ZINC_PULL, false);
    /* The receiver's queue is not conflated; a small one makes the sender's
     * conflating queue do the work. */
    assert_int_equal(zinc_set_int(pull, "rcvhwm", 5), 0);
    assert_int_equal(zinc_set_int(pull, "rcvbuf", 4096), 0);
    assert_int_equal(zinc_set_int(push, "sndbuf", 4096), 0);
    link_up(push, pull, tr);
    join(push, pull, "m");
    int got = burst_and_count(push, pull, "m", PAD);
    assert_true(got < BURST / 2);
    expect_quiet(pull);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
}

static void test_conflate_ignores_the_hwm_and_never_blocks(void **state)
{
    tr_t tr = *(const tr_t *)*state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *push = mk(ctx, ZINC_PUSH, true), *pull = mk(ctx, ZINC_PULL, true);
    assert_int_equal(zinc_set_int(push, "sndhwm", 1), 0);
    assert_int_equal(zinc_set_int(pull, "rcvhwm", 1), 0);
    link_up(pull, push, tr);
    join(push, pull, "m");
    /* Without conflate, a PUSH at sndhwm 1 refuses the third DONTWAIT send
     * or so; with it, every send is taken. */
    for (int i = 0; i < BURST; i++)
        send_tagged(push, "m", i, ZINC_DONTWAIT);
    int64_t end = now_ms() + DEADLINE, last = -1;
    while (last != BURST - 1) {
        assert_true(now_ms() < end);
        int i = recv_tagged(pull, "m", 0);
        assert_true(i >= 0);
        if (i != 999999) {
            assert_true(i > last);
            last = i;
        }
    }
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
}

static void test_conflate_cuts_a_multipart_message_to_its_last_frame(void **state)
{
    tr_t tr = *(const tr_t *)*state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pull = mk(ctx, ZINC_PULL, true), *push = mk(ctx, ZINC_PUSH, false);
    link_up(pull, push, tr);
    join(push, pull, "b");
    pause_ms(100); /* a probe still on its way is replaced by what follows */
    for (int i = 0; i < 5; i++) {
        send_tagged(push, "a", i, ZINC_MORE);
        send_tagged(push, "b", i, 0);
    }
    pause_ms(200);
    /* As libzmq: [a4, b4] arrives as b4 alone (recv_tagged checks that no
     * frame follows); an a-frame never shows. */
    int last = -1, i;
    while ((i = recv_tagged(pull, "b", 0)) != 4) {
        assert_true(i >= 0 && i > last && i < 4);
        last = i;
    }
    expect_quiet(pull);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
}

static void conflate_sub_case(tr_t tr, bool sub_binds)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = mk(ctx, ZINC_SUB, true), *pub = mk(ctx, ZINC_PUB, false);
    /* The PUB does not conflate: with no hwm it drops nothing of the burst
     * (the burst's last message must come). */
    assert_int_equal(zinc_set_int(pub, "sndhwm", 0), 0);
    assert_int_equal(zinc_set_bytes(s, "subscribe", "A", 1), 0);
    assert_int_equal(zinc_set_bytes(s, "subscribe", "B", 1), 0);
    if (sub_binds)
        link_up(s, pub, tr);
    else
        link_up(pub, s, tr);
    /* Both subscriptions reach the publisher (neither is conflated away). */
    join(pub, s, "A");
    join(pub, s, "B");
    pause_ms(100);
    for (int i = 0; i < BURST; i++) {
        send_tagged(pub, "A", i, ZINC_DONTWAIT);
        send_tagged(pub, "x", i, ZINC_DONTWAIT); /* filtered out */
    }
    pause_ms(200);
    int got = 0, last = -1, i;
    while ((i = recv_tagged(s, "A", 0)) != BURST - 1) {
        assert_true(i >= 0);
        if (i != 999999) {
            assert_true(i > last);
            last = i;
            got++;
        }
    }
    assert_true(got < BURST / 2);
    expect_quiet(s);
    send_tagged(pub, "B", 1, 0);
    assert_int_equal(recv_tagged(s, "B", 0), 1);
    zinc_socket_close(pub);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_conflate_sub_keeps_the_newest_and_every_subscription(void **state)
{
    conflate_sub_case(*(const tr_t *)*state, false);
}

static void test_conflate_sub_that_binds_keeps_the_newest(void **state)
{
    conflate_sub_case(*(const tr_t *)*state, true);
}

static void test_conflate_pub_sends_only_the_newest_to_each_subscriber(void **state)
{
    tr_t tr = *(const tr_t *)*state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pub = mk(ctx, ZINC_PUB, true);
    char ep[256];
    bind_any(pub, tr, ep, sizeof ep);
    zinc_socket_t *subs[2];
    for (int k = 0; k < 2; k++) {
        subs[k] = mk(ctx, ZINC_SUB, false);
        assert_int_equal(zinc_set_int(subs[k], "rcvhwm", 5), 0);
        assert_int_equal(zinc_set_int(subs[k], "rcvbuf", 4096), 0);
        assert_int_equal(zinc_set_bytes(subs[k], "subscribe", "m", 1), 0);
        assert_int_equal(zinc_connect(subs[k], ep), 0);
        join(pub, subs[k], "m");
    }
    pause_ms(100);
    for (int i = 0; i < BURST; i++)
        (void)send_padded(pub, "m", i, ZINC_DONTWAIT, false, PAD);
    pause_ms(200);
    for (int k = 0; k < 2; k++) {
        int got = 0, last = -1, i;
        while ((i = recv_tagged(subs[k], "m", 0)) != BURST - 1) {
            assert_true(i >= 0);
            if (i != 999999) {
                assert_true(i > last);
                last = i;
                got++;
            }
        }
        assert_true(got < BURST / 2);
        zinc_socket_close(subs[k]);
    }
    zinc_socket_close(pub);
    zinc_ctx_term(ctx);
}

static void test_conflate_dealers_keep_the_newest_both_ways(void **state)
{
    tr_t tr = *(const tr_t *)*state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *a = mk(ctx, ZINC_DEALER, true), *b = mk(ctx, ZINC_DEALER, true);
    link_up(a, b, tr);
    join(a, b, "m");
    join(b, a, "m");
    pause_ms(100);
    int got = burst_and_count(a, b, "m", PAD);
    assert_true(got < BURST / 2);
    got = burst_and_count(b, a, "m", PAD);
    assert_true(got < BURST / 2);
    zinc_socket_close(a);
    zinc_socket_close(b);
    zinc_ctx_term(ctx);
}

/* inproc, connect before bind: the connecter's own conflate counts. */
static void test_conflate_inproc_connect_before_bind(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *push = mk(ctx, ZINC_PUSH, true), *pull = mk(ctx, ZINC_PULL, false);
    assert_int_equal(zinc_connect(push, "inproc://conflate-late"), 0);
    for (int i = 0; i < 10; i++)
        send_tagged(push, "m", i, ZINC_DONTWAIT);
    assert_int_equal(zinc_bind(pull, "inproc://conflate-late"), 0);
    assert_int_equal(recv_tagged(pull, "m", 0), 9);
    expect_quiet(pull);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
}

static void test_conflate_applies_only_to_the_types_libzmq_names(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    const int yes[] = {ZINC_PULL, ZINC_PUSH, ZINC_SUB, ZINC_PUB, ZINC_DEALER};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        zinc_socket_t *s = zinc_socket_new(ctx, yes[i]);
        assert_int_equal(zinc_set_int(s, "conflate", 1), 0);
        zinc_socket_close(s);
    }
    /* libzmq 4.3.4 accepts the option on a PAIR and ignores it (a pyzmq
     * PAIR with conflate gets every message); zinc says so. */
    zinc_socket_t *s = zinc_socket_new(ctx, ZINC_PAIR);
    assert_int_equal(zinc_set_int(s, "conflate", 1), -1);
    assert_int_equal(errno, EINVAL);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

#define TRANSPORTS(f)                                                                              \
    cmocka_unit_test_prestate(f, (void *)&tcp), cmocka_unit_test_prestate(f, (void *)&ipc),        \
        cmocka_unit_test_prestate(f, (void *)&inproc)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TRANSPORTS(test_conflate_pull_keeps_only_the_newest_message),
        TRANSPORTS(test_conflate_push_sends_only_the_newest_message),
        TRANSPORTS(test_conflate_ignores_the_hwm_and_never_blocks),
        TRANSPORTS(test_conflate_cuts_a_multipart_message_to_its_last_frame),
        TRANSPORTS(test_conflate_sub_keeps_the_newest_and_every_subscription),
        TRANSPORTS(test_conflate_sub_that_binds_keeps_the_newest),
        TRANSPORTS(test_conflate_pub_sends_only_the_newest_to_each_subscriber),
        TRANSPORTS(test_conflate_dealers_keep_the_newest_both_ways),
        cmocka_unit_test(test_conflate_inproc_connect_before_bind),
        cmocka_unit_test(test_conflate_applies_only_to_the_types_libzmq_names),
    };
    if (getenv("ZT_FILTER"))
        cmocka_set_test_filter(getenv("ZT_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
