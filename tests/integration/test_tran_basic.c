/* Transport conformance, the basics: for every pattern pair over tcp, ipc and
 * inproc, in every bind/connect order, messages arrive in order and whole
 * (0 octets to 1 MiB, one to several frames); and per transport: timeouts,
 * DONTWAIT, last_endpoint, bad endpoints, unbind, disconnect, and sockets of
 * incompatible types never exchanging messages.
 */
#include "itest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/session.h"
#include "util/clock.h"

/* ---- per pattern pair ------------------------------------------------------ */

enum { ORDER_COUNT = 100 };

static void exchange_in_order(it_link_t *l, int from)
{
    int window = (l->pat->flags & IT_LOCKSTEP) ? 1 : ORDER_COUNT;
    uint32_t sent = 0, got = 0;
    while (got < ORDER_COUNT) {
        while (sent < ORDER_COUNT && sent - got < (uint32_t)window) {
            it_msg_t m;
            it_msg_make(&m, 1000 + sent, 1, 16);
            assert_int_equal(it_link_send(l, from, &m, 0), 0);
            sent++;
        }
        it_msg_t m;
        assert_int_equal(it_link_recv(l, 1 - from, &m, 0), 0);
        if (!it_msg_ok(&m, 1000 + got, 1, 16))
            fail_msg("message %u: got tag %u (%zu frames)", got,
                     m.n ? it_frame_tag(m.f[0]) : UINT32_MAX, m.n);
        it_msg_clear(&m);
        got++;
    }
}

static void test_delivers_in_order(void **state)
{
    it_fx_t *fx = it_fx(state);
    it_link_t l;
    it_link_open_fx(fx, &l);
    it_link_join(&l);
    exchange_in_order(&l, 0);
    if (l.pat->flags & IT_BIDI)
        exchange_in_order(&l, 1);
}

static const size_t sizes[] = {0, 1, 29, 30, 255, 256, 257, 8191, 65535, 65536, 65537, 1 << 20};
#define NSIZES (sizeof sizes / sizeof sizes[0])
static const size_t frame_counts[] = {1, 2, 5};

static void exchange_sizes(it_link_t *l, int from)
{
    uint32_t m = 0;
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < NSIZES; i++, m++) {
            it_msg_t msg;
            it_msg_make(&msg, m, frame_counts[c], sizes[i]);
            assert_int_equal(it_link_send(l, from, &msg, 0), 0);
            assert_int_equal(it_link_recv(l, 1 - from, &msg, 0), 0);
            if (!it_msg_ok(&msg, m, frame_counts[c], sizes[i]))
                fail_msg("%zu frames of %zu octets: got %zu frames, first %zu octets",
                         frame_counts[c], sizes[i], msg.n, msg.n ? zinc_frame_size(msg.f[0]) : 0);
            it_msg_clear(&msg);
        }
}

static void test_keeps_messages_whole_0_to_1mib(void **state)
{
    it_fx_t *fx = it_fx(state);
    it_link_t l;
    it_link_open_fx(fx, &l);
    it_link_join(&l);
    exchange_sizes(&l, 0);
    if (l.pat->flags & IT_BIDI)
        exchange_sizes(&l, 1);
}

static void test_queues_messages_sent_before_the_bind(void **state)
{
    it_fx_t *fx = it_fx(state);
    const it_pat_t *pat = fx->pat;
    if ((pat->flags & (IT_PUBSUB | IT_A_ROUTER)) || fx->bind_a || !fx->connect_first) {
        print_message("[ skipped ] only for a connecting sender that queues\n");
        skip();
    }
    it_link_t l;
    memset(&l, 0, sizeof l);
    l.fx = fx;
    l.pat = pat;
    l.s[0] = it_socket(fx, pat->a);
    l.s[1] = it_socket(fx, pat->b);
    l.rid[0][0] = 'A';
    l.rid[1][0] = 'B';
    assert_int_equal(zinc_set_bytes(l.s[0], "routing_id", "A", 1), 0);
    if (pat->flags & IT_B_ROUTER)
        it_set_int(l.s[1], "router_mandatory", 1);
    it_ep_fixed(fx->tran, l.ep, sizeof l.ep);
    it_connect(l.s[0], l.ep);
    int n = (pat->flags & IT_LOCKSTEP) ? 1 : 10;
    for (int i = 0; i < n; i++) {
        it_msg_t m;
        it_msg_make(&m, (uint32_t)i, 2, 100);
        /* DONTWAIT: the connecter's pipe exists before the connection. */
        assert_int_equal(it_link_send(&l, 0, &m, ZINC_DONTWAIT), 0);
    }
    it_sleep_ms(20);
    it_bind(l.s[1], l.ep, NULL, 0);
    for (int i = 0; i < n; i++) {
        it_msg_t m;
        assert_int_equal(it_link_recv(&l, 1, &m, 0), 0);
        assert_true(it_msg_ok(&m, (uint32_t)i, 2, 100));
        it_msg_clear(&m);
    }
}

/* ---- timeouts and DONTWAIT ---------------------------------------------------- */

static void test_recv_times_out_with_eagain_after_rcvtimeo(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    char ep[256], wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(pull, wild, ep, sizeof ep);
    it_connect(push, ep);
    it_set_int(pull, "rcvtimeo", 150);
    char buf[8];
    int64_t t0 = it_now_ms();
    assert_int_equal(zinc_recv(pull, buf, sizeof buf, 0), -1);
    int64_t took = it_now_ms() - t0;
    assert_int_equal(errno, EAGAIN);
    assert_true(took >= 140);
    assert_true(took < 2000);
    /* DONTWAIT: at once, whatever rcvtimeo says. */
    it_set_int(pull, "rcvtimeo", -1);
    t0 = it_now_ms();
    assert_int_equal(zinc_recv(pull, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(it_now_ms() - t0 < 100);
    /* rcvtimeo 0 is DONTWAIT too. */
    it_set_int(pull, "rcvtimeo", 0);
    assert_int_equal(zinc_recv(pull, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, EAGAIN);
    /* And a message that arrives is received. */
    it_set_int(pull, "rcvtimeo", IT_IO_MS);
    assert_int_equal(it_send_u32(push, 7, 0), 0);
    uint32_t v;
    assert_int_equal(it_recv_u32(pull, &v, 0), 0);
    assert_int_equal(v, 7);
}

static void test_send_times_out_with_eagain_when_no_peer_takes_it(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    char ep[256], wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(push, wild, ep, sizeof ep); /* nobody connects */
    it_set_int(push, "sndtimeo", 150);
    int64_t t0 = it_now_ms();
    assert_int_equal(zinc_send(push, "x", 1, 0), -1);
    int64_t took = it_now_ms() - t0;
    assert_int_equal(errno, EAGAIN);
    assert_true(took >= 140);
    assert_true(took < 2000);
    t0 = it_now_ms();
    assert_int_equal(zinc_send(push, "x", 1, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(it_now_ms() - t0 < 100);
    /* A peer that arrives while send waits takes the message. */
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    it_connect(pull, ep);
    it_set_int(push, "sndtimeo", IT_IO_MS);
    assert_int_equal(it_send_u32(push, 9, 0), 0);
    uint32_t v;
    assert_int_equal(it_recv_u32(pull, &v, 0), 0);
    assert_int_equal(v, 9);
}

static void test_socket_type_cannot_do_what_its_pattern_forbids(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    char buf[4];
    assert_int_equal(zinc_recv(push, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, ENOTSUP);
    assert_int_equal(zinc_send(pull, "x", 1, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, ENOTSUP);
}

/* ---- endpoints ------------------------------------------------------------------ */

static void check_connectable(it_fx_t *fx, zinc_socket_t *pull, const char *ep)
{
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    it_connect(push, ep);
    assert_int_equal(it_send_u32(push, 42, 0), 0);
    uint32_t v;
    assert_int_equal(it_recv_u32(pull, &v, 0), 0);
    assert_int_equal(v, 42);
    it_close(fx, push);
}

static void test_last_endpoint_reports_the_bound_address(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    char ep[256];
    it_last_endpoint(pull, ep, sizeof ep);
    assert_string_equal(ep, ""); /* nothing bound yet */
    switch (fx->tran->id) {
    case IT_TCP: {
        const char *wild[] = {"tcp://127.0.0.1:0", "tcp://127.0.0.1:*", "tcp://*:0", "tcp://*:*"};
        for (size_t i = 0; i < 4; i++) {
            it_bind(pull, wild[i], ep, sizeof ep);
            bool any = strstr(wild[i], "*:") != NULL;
            const char *prefix = any ? "tcp://0.0.0.0:" : "tcp://127.0.0.1:";
            assert_true(strncmp(ep, prefix, strlen(prefix)) == 0);
            int port = 0;
            assert_int_equal(sscanf(ep + strlen(prefix), "%d", &port), 1);
            assert_true(port > 0 && port < 65536);
            char conn[256];
            snprintf(conn, sizeof conn, "tcp://127.0.0.1:%d", port);
            check_connectable(fx, pull, conn);
        }
        break;
    }
    case IT_IPC:
        it_bind(pull, "ipc://*", ep, sizeof ep);
        assert_true(strncmp(ep, "ipc://", 6) == 0 && strlen(ep) > 6 && strcmp(ep, "ipc://*") != 0);
        check_connectable(fx, pull, ep);
        {
            char wild[256], ep2[256];
            it_ep_wild(fx->tran, wild, sizeof wild);
            it_bind(pull, wild, ep2, sizeof ep2);
            assert_string_equal(ep2, wild);
            check_connectable(fx, pull, ep2);
        }
        break;
    case IT_INPROC: {
        char wild[256];
        it_ep_wild(fx->tran, wild, sizeof wild);
        it_bind(pull, wild, ep, sizeof ep);
        assert_string_equal(ep, wild);
        check_connectable(fx, pull, ep);
        break;
    }
    }
}

static void test_bad_endpoints_are_refused(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *s = it_socket(fx, ZINC_PAIR);
    static const struct {
        const char *ep;
        int bind_err, connect_err; /* 0: that direction is not tried */
    } bad[] = {
        {"foo://bar", EPROTONOSUPPORT, EPROTONOSUPPORT},
        {"udp://127.0.0.1:5555", EPROTONOSUPPORT, EPROTONOSUPPORT},
        {"tcp://127.0.0.1", EINVAL, EINVAL},
        {"tcp://127.0.0.1:", EINVAL, EINVAL},
        {"tcp://127.0.0.1:99999", EINVAL, EINVAL},
        {"tcp://127.0.0.1:-1", EINVAL, EINVAL},
        {"tcp://:5555", EINVAL, EINVAL},
        {"tcp://*:5555", 0, EINVAL},
        {"tcp://127.0.0.1:0", 0, EINVAL},
        {"ipc://", EINVAL, EINVAL},
        {"inproc://", EINVAL, EINVAL},
        {"127.0.0.1:5555", EINVAL, EINVAL},
        {"", EINVAL, EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (bad[i].bind_err) {
            errno = 0;
            if (zinc_bind(s, bad[i].ep) != -1 || errno != bad[i].bind_err)
                fail_msg("bind %s: errno %d (%s), want %d", bad[i].ep, errno, zinc_strerror(errno),
                         bad[i].bind_err);
        }
        if (bad[i].connect_err) {
            errno = 0;
            if (zinc_connect(s, bad[i].ep) != -1 || errno != bad[i].connect_err)
                fail_msg("connect %s: errno %d (%s), want %d", bad[i].ep, errno,
                         zinc_strerror(errno), bad[i].connect_err);
        }
    }
    assert_int_equal(zinc_bind(s, NULL), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_connect(s, NULL), -1);
    assert_int_equal(errno, EINVAL);
    char ipc_long[200] = "ipc:///tmp/";
    memset(ipc_long + 11, 'x', 150);
    assert_int_equal(zinc_bind(s, ipc_long), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    /* Binding an address this host does not have. */
    assert_int_equal(zinc_bind(s, "tcp://no-such-interface-zinc:0"), -1);
    assert_int_equal(errno, ENODEV);
    /* Nothing above left an endpoint behind. */
    char ep[256];
    it_last_endpoint(s, ep, sizeof ep);
    assert_string_equal(ep, "");
}

static void test_binding_a_bound_endpoint_fails_with_eaddrinuse(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *a = it_socket(fx, ZINC_PULL);
    zinc_socket_t *b = it_socket(fx, ZINC_PULL);
    char ep[256], wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(a, wild, ep, sizeof ep);
    assert_int_equal(zinc_bind(b, ep), -1);
    assert_int_equal(errno, EADDRINUSE);
    /* a still works. */
    check_connectable(fx, a, ep);
}

static void test_binding_a_bound_ipc_path_takes_it_over(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *a = it_socket(fx, ZINC_PULL);
    zinc_socket_t *b = it_socket(fx, ZINC_PULL);
    char ep[256], wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(a, wild, ep, sizeof ep);
    /* As libzmq: the path is unlinked and bound anew; new peers reach b. */
    it_bind(b, ep, NULL, 0);
    check_connectable(fx, b, ep);
    it_expect_silence(a, 20);
    /* Closing a leaves b's socket file alone. */
    it_close(fx, a);
    check_connectable(fx, b, ep);
}

static void test_unbind_frees_the_endpoint_for_a_new_socket(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull1 = it_socket(fx, ZINC_PULL);
    char ep[256], wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(pull1, wild, ep, sizeof ep);
    check_connectable(fx, pull1, ep);
    /* A tcp wildcard is unbound by the endpoint it resolved to. */
    assert_int_equal(zinc_unbind(pull1, ep), 0);
    assert_int_equal(zinc_unbind(pull1, ep), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(zinc_unbind(pull1, "inproc://never-bound"), -1);
    assert_int_equal(errno, ENOENT);
    /* The same address can be bound again, and new peers reach the new
     * socket, not the old one. */
    zinc_socket_t *pull2 = it_socket(fx, ZINC_PULL);
    it_bind(pull2, ep, NULL, 0);
    check_connectable(fx, pull2, ep);
    it_expect_silence(pull1, 50);
}

static void test_unbind_ends_the_connections_it_accepted(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    char ep[256], wild[256], other[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(push, wild, ep, sizeof ep);
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(push, wild, other, sizeof other);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    zinc_socket_t *stays = it_socket(fx, ZINC_PULL);
    it_connect(pull, ep);
    it_connect(stays, other);
    uint32_t v;
    /* One message at a time until both peers have had one: both are
     * connected, and the round-robin is back at its start. */
    bool seen[2] = {false, false};
    int64_t deadline = it_now_ms() + IT_IO_MS;
    for (uint32_t i = 0; !seen[0] || !seen[1]; i++) {
        assert_int_equal(it_send_u32(push, i, 0), 0);
        int k = -1;
        while (k < 0) {
            if (it_recv_u32(pull, &v, ZINC_DONTWAIT) == 0)
                k = 0;
            else if (it_recv_u32(stays, &v, ZINC_DONTWAIT) == 0)
                k = 1;
            else {
                assert_true(it_now_ms() < deadline);
                it_sleep_ms(1);
            }
        }
        seen[k] = true;
    }
    assert_int_equal(zinc_unbind(push, ep), 0);
    /* tcp, ipc: as libzmq, the connections that listener accepted end with
     * it, so everything goes to the other peer. inproc (as libzmq) keeps
     * them: unbind only frees the name. */
    bool kept = fx->tran->id == IT_INPROC;
    for (uint32_t i = 0; i < 10; i++)
        assert_int_equal(it_send_u32(push, 100 + i, 0), 0);
    uint32_t got = 0;
    while (got < 10 && it_recv_u32(stays, &v, kept ? ZINC_DONTWAIT : 0) == 0)
        got++;
    if (kept) {
        assert_true(got >= 4 && got <= 6);
        for (uint32_t i = got; i < 10; i++)
            assert_int_equal(it_recv_u32(pull, &v, 0), 0);
    } else {
        assert_int_equal(got, 10);
    }
    it_expect_silence(pull, 20);
    it_expect_silence(stays, 0);
}

static void test_disconnect_stops_sending_to_that_peer(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    if (fx->param)
        it_set_int(push, "immediate", 1);
    zinc_socket_t *pull[2];
    char ep[2][256];
    for (int i = 0; i < 2; i++) {
        char wild[256];
        pull[i] = it_socket(fx, ZINC_PULL);
        it_ep_wild(fx->tran, wild, sizeof wild);
        it_bind(pull[i], wild, ep[i], sizeof ep[i]);
        it_connect(push, ep[i]);
    }
    /* Both are connected: round-robin reaches each. */
    if (fx->param) /* immediate: pipes come with the connections */
        it_sleep_ms(50);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(it_send_u32(push, i, 0), 0);
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t v;
        assert_int_equal(it_recv_u32(pull[i % 2], &v, 0), 0);
    }
    assert_int_equal(zinc_disconnect(push, ep[0]), 0);
    assert_int_equal(zinc_disconnect(push, ep[0]), -1);
    assert_int_equal(errno, ENOENT);
    for (uint32_t i = 0; i < 10; i++)
        assert_int_equal(it_send_u32(push, 100 + i, 0), 0);
    for (uint32_t i = 0; i < 10; i++) {
        uint32_t v;
        assert_int_equal(it_recv_u32(pull[1], &v, 0), 0);
        assert_int_equal(v, 100 + i);
    }
    it_expect_silence(pull[0], 50);
}

/* ---- incompatible types ------------------------------------------------------------ */

/* Opens snd and rcv in one of four orders and sends a few messages; returns
 * the receiver, or NULL when the connect was refused at once. */
static zinc_socket_t *incompatible_open(it_fx_t *fx, int sender_type, int receiver_type,
                                        bool sender_binds, bool connect_first)
{
    zinc_socket_t *snd = it_socket(fx, sender_type);
    zinc_socket_t *rcv = it_socket(fx, receiver_type);
    zinc_socket_t *binder = sender_binds ? snd : rcv;
    zinc_socket_t *connecter = sender_binds ? rcv : snd;
    char ep[256];
    int rc;
    if (connect_first) {
        it_ep_fixed(fx->tran, ep, sizeof ep);
        rc = zinc_connect(connecter, ep);
        it_bind(binder, ep, NULL, 0);
    } else {
        it_ep_wild(fx->tran, ep, sizeof ep);
        it_bind(binder, ep, ep, sizeof ep);
        rc = zinc_connect(connecter, ep);
    }
    if (rc != 0) {
        /* Refusing at once is fine too (inproc knows the peer's type). */
        assert_int_equal(errno, EINVAL);
        return NULL;
    }
    for (uint32_t i = 0; i < 3; i++)
        if (it_send_u32(snd, i, ZINC_DONTWAIT) != 0)
            assert_int_equal(errno, EAGAIN);
    return rcv;
}

static void test_incompatible_socket_types_never_exchange_messages(void **state)
{
    it_fx_t *fx = it_fx(state);
    static const struct {
        int snd, rcv;
    } pairs[] = {
        {ZINC_PAIR, ZINC_DEALER}, {ZINC_DEALER, ZINC_PAIR}, {ZINC_PUSH, ZINC_PAIR},
        {ZINC_PAIR, ZINC_PULL},   {ZINC_PUSH, ZINC_DEALER}, {ZINC_DEALER, ZINC_PULL},
    };
    enum { N = sizeof pairs / sizeof pairs[0] * 4 };
    zinc_socket_t *rcv[N];
    for (size_t i = 0; i < N; i++)
        rcv[i] = incompatible_open(fx, pairs[i / 4].snd, pairs[i / 4].rcv, i & 1, i & 2);
    /* Every connection had time to be refused, or to deliver. */
    it_sleep_ms(200);
    for (size_t i = 0; i < N; i++)
        if (rcv[i])
            it_expect_silence(rcv[i], 0);
}

/* ---- replies, bursts and big messages --------------------------------------------- */

static void send_made(zinc_socket_t *s, uint32_t m, size_t size)
{
    it_msg_t msg;
    it_msg_make(&msg, m, 1, size);
    assert_int_equal(it_send_msg(s, &msg, 0), 0);
}

static void recv_made(zinc_socket_t *s, uint32_t m, size_t size)
{
    it_msg_t msg;
    assert_int_equal(it_recv_msg(s, &msg, 0), 0);
    if (!it_msg_ok(&msg, m, 1, size))
        fail_msg("message %u of %zu octets: got tag %u (%zu frames, first %zu octets)", m, size,
                 msg.n ? it_frame_tag(msg.f[0]) : UINT32_MAX, msg.n,
                 msg.n ? zinc_frame_size(msg.f[0]) : 0);
    it_msg_clear(&msg);
}

/* A send that follows a reply finds the connection idle, and the socket's
 * thread writes it itself; a burst goes to the I/O thread, which batches it;
 * a message too big for one write leaves the rest to the I/O thread. Mixed,
 * both ways, nothing is lost, reordered or cut. */
static void test_keeps_order_across_replies_bursts_and_big_messages(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *a = it_socket(fx, ZINC_DEALER), *b = it_socket(fx, ZINC_DEALER);
    char wild[256], ep[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(b, wild, ep, sizeof ep);
    it_connect(a, ep);
    static const size_t burst[] = {1, 300, 70000, 4u << 20, 17, 1u << 20, 0, 9000};
    enum { BURST = sizeof burst / sizeof burst[0] };
    uint32_t m = 0;
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 4; i++, m++) { /* request, reply */
            send_made(a, m, 8 + (size_t)i);
            recv_made(b, m, 8 + (size_t)i);
            send_made(b, m, 64);
            recv_made(a, m, 64);
        }
        zinc_socket_t *from = round % 2 ? b : a, *to = round % 2 ? a : b;
        for (unsigned i = 0; i < BURST; i++)
            send_made(from, m + i, burst[(i + (unsigned)round) % BURST]);
        for (unsigned i = 0; i < BURST; i++)
            recv_made(to, m + i, burst[(i + (unsigned)round) % BURST]);
        m += BURST;
        send_made(to, m, 1u << 20); /* a big reply right after the burst */
        recv_made(from, m, 1u << 20);
        m++;
    }
}

/* ---- one socket, many connections ---------------------------------------------- */

/* A stream that no reply answers goes to the I/O thread: the socket's thread
 * writes to a connection itself at most once per 200 us over all its
 * connections, not once per connection (a PUB or PUSH with many peers would
 * pay a syscall per message and peer). */
static void test_unprompted_direct_writes_are_rationed_per_socket(void **state)
{
    it_fx_t *fx = it_fx(state);
    enum { PEERS = 10, MSGS = 4000 };
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH), *pull[PEERS];
    char wild[256], ep[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(push, wild, ep, sizeof ep);
    for (int i = 0; i < PEERS; i++) {
        pull[i] = it_socket(fx, ZINC_PULL);
        it_connect(pull[i], ep);
    }
    /* every connection up: probes until each peer has had one */
    bool seen[PEERS] = {false};
    int nseen = 0;
    for (int64_t end = it_now_ms() + 5000; nseen < PEERS;) {
        if (it_now_ms() > end)
            fail_msg("only %d of %d peers connected", nseen, PEERS);
        send_made(push, 0, 8);
        it_sleep_ms(1);
        for (int i = 0; i < PEERS; i++) {
            it_msg_t msg;
            while (it_recv_msg(pull[i], &msg, ZINC_DONTWAIT) == 0) {
                it_msg_clear(&msg);
                nseen += !seen[i];
                seen[i] = true;
            }
        }
    }
    uint64_t before = zi_session_unprompted_direct_writes();
    int64_t t0 = zi_clock_us();
    for (uint32_t m = 0; m < MSGS; m++)
        send_made(push, m, 64);
    int64_t elapsed = zi_clock_us() - t0;
    uint64_t made = zi_session_unprompted_direct_writes() - before;
    /* all of them arrive (probes still on their way are counted out) */
    int got = 0;
    for (int64_t end = it_now_ms() + 5000; got < MSGS; it_sleep_ms(1)) {
        if (it_now_ms() > end)
            fail_msg("%d of %d messages arrived", got, MSGS);
        for (int i = 0; i < PEERS; i++) {
            it_msg_t msg;
            while (it_recv_msg(pull[i], &msg, ZINC_DONTWAIT) == 0) {
                got += zinc_frame_size(msg.f[0]) == 64;
                it_msg_clear(&msg);
            }
        }
    }
    /* one per 200 us of sending, and the one at the start */
    uint64_t bound = (uint64_t)(elapsed / 200) + 1;
    if (made > bound)
        fail_msg("%llu direct writes in %lld us to %d peers: more than %llu",
                 (unsigned long long)made, (long long)elapsed, PEERS, (unsigned long long)bound);
}

/* ---- the table --------------------------------------------------------------------- */

static const it_case_t cases[] = {
    {"delivers 100 messages in order", test_delivers_in_order, NULL, IT_ALL_TRANS, IT_ALL_ORDERS},
    {"keeps messages whole, 0 octets to 1 MiB, 1 to 5 frames", test_keeps_messages_whole_0_to_1mib,
     NULL, IT_ALL_TRANS, IT_A_BINDS | IT_B_BINDS_LATE},
    {"queues messages sent before the peer binds", test_queues_messages_sent_before_the_bind, NULL,
     IT_ALL_TRANS, IT_B_BINDS_LATE},
    {"recv fails with EAGAIN after rcvtimeo, at once with DONTWAIT",
     test_recv_times_out_with_eagain_after_rcvtimeo, NULL, IT_ALL_TRANS, 0},
    {"send fails with EAGAIN after sndtimeo when no peer takes it",
     test_send_times_out_with_eagain_when_no_peer_takes_it, NULL, IT_ALL_TRANS, 0},
    {"push cannot recv and pull cannot send (ENOTSUP)",
     test_socket_type_cannot_do_what_its_pattern_forbids, NULL, 0, 0},
    {"last_endpoint reports the bound address, also for port 0 and *",
     test_last_endpoint_reports_the_bound_address, NULL, IT_ALL_TRANS, 0},
    {"bad endpoints fail with EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV",
     test_bad_endpoints_are_refused, NULL, 0, 0},
    {"binding a bound endpoint fails with EADDRINUSE",
     test_binding_a_bound_endpoint_fails_with_eaddrinuse, NULL, (1u << IT_TCP) | (1u << IT_INPROC),
     0},
    {"binding a bound ipc path takes it over, as libzmq",
     test_binding_a_bound_ipc_path_takes_it_over, NULL, 1u << IT_IPC, 0},
    {"unbind frees the endpoint for a new socket", test_unbind_frees_the_endpoint_for_a_new_socket,
     NULL, IT_ALL_TRANS, 0},
    {"unbind ends the connections it accepted (tcp, ipc) and keeps them (inproc)",
     test_unbind_ends_the_connections_it_accepted, NULL, IT_ALL_TRANS, 0},
    {"disconnect stops sending to that peer", test_disconnect_stops_sending_to_that_peer, NULL,
     IT_ALL_TRANS, 0},
    {"disconnect stops sending to that peer, also with immediate",
     test_disconnect_stops_sending_to_that_peer, "immediate", IT_STREAM_TRANS, 0},
    {"replies, bursts and big messages keep their order both ways",
     test_keeps_order_across_replies_bursts_and_big_messages, NULL, IT_ALL_TRANS, 0},
    {"unprompted direct writes are rationed per socket, not per connection",
     test_unprompted_direct_writes_are_rationed_per_socket, NULL, IT_ALL_TRANS, 0},
    {"incompatible socket types never exchange messages",
     test_incompatible_socket_types_never_exchange_messages, NULL, IT_ALL_TRANS, 0},
};

int main(void)
{
    return it_run("transport basics", cases, sizeof cases / sizeof cases[0]);
}
