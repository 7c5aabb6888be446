/* ROUTER (RFC 28) through real sockets over inproc, tcp and ipc: routing ids
 * (the peer's routing_id, generated 0x00 + 4 octets, connect_routing_id),
 * router_mandatory (EHOSTUNREACH, EAGAIN at the hwm), router_handover,
 * probe_router, ROUTER to ROUTER. Timeouts bound every blocking call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sockutil.h"

static zinc_ctx_t *ctx_new(void)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    assert_non_null(ctx);
    return ctx;
}

/* Receives a routing id frame (MORE set) into id; returns its size. */
static size_t recv_id(zinc_socket_t *router, uint8_t *id, size_t cap)
{
    size_t n = zt_recv_any(router, id, cap);
    assert_true(zt_rcvmore(router));
    return n;
}

/* Sends [id][text] with router_mandatory's retry: until the peer's pipe is
 * attached and identified, its id is unknown (EHOSTUNREACH). */
static void send_to_when_known(zinc_socket_t *router, const void *id, size_t idlen,
                               const char *text)
{
    int64_t deadline = zt_now_ms() + ZT_TIMEOUT_MS;
    for (;;) {
        if (zinc_send(router, id, idlen, ZINC_MORE | ZINC_DONTWAIT) == (int)idlen)
            break;
        assert_int_equal(errno, EHOSTUNREACH);
        assert_true(zt_now_ms() < deadline);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    zt_send_str(router, text, 0);
}

/* ---- routing ids ---------------------------------------------------------- */

static void test_router_uses_peer_routing_id(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(dealer, "routing_id", "dealer-1"), 0);
    zt_pair_up(router, dealer, TR(state));
    const char *m[] = {"hello", "", "world"};
    zt_send_msg(dealer, m, 3);
    const char *in[] = {"dealer-1", "hello", "", "world"};
    zt_recv_msg(router, in, 4);
    const char *out[] = {"dealer-1", "back", "again"};
    zt_send_msg(router, out, 3);
    zt_recv_msg(dealer, out + 1, 2);
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

static void test_router_id_frame_carries_connection_metadata(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    zt_pair_up(router, dealer, TR(state));
    zt_send_str(dealer, "x", 0);
    zinc_frame_t *id = zinc_recv_frame(router, 0);
    assert_non_null(id);
    assert_true(zinc_frame_more(id));
    const char *type = zinc_frame_meta(id, "Socket-Type");
    assert_non_null(type);
    assert_string_equal(type, "DEALER");
    zinc_frame_unref(id);
    zt_recv_str(router, "x", false);
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Peers without a routing id get 0x00 + a 32-bit counter, one apart. */
static void test_router_generates_5_octet_ids(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    char ep[256];
    zt_bind(router, TR(state), ep, sizeof ep);
    zinc_socket_t *d[2];
    uint8_t id[2][8];
    for (int i = 0; i < 2; i++) {
        d[i] = zt_sock(ctx, ZINC_DEALER);
        zt_connect(d[i], ep);
        zt_send_str(d[i], "hi", 0);
        assert_int_equal(recv_id(router, id[i], sizeof id[i]), 5);
        assert_int_equal(id[i][0], 0);
        zt_recv_str(router, "hi", false);
    }
    assert_int_equal(be32(id[1] + 1) - be32(id[0] + 1), 1);
    /* and they route */
    for (int i = 0; i < 2; i++) {
        zt_send(router, id[i], 5, ZINC_MORE);
        zt_send_str(router, i ? "to one" : "to zero", 0);
    }
    zt_recv_str(d[0], "to zero", false);
    zt_recv_str(d[1], "to one", false);
    zinc_socket_close(d[0]);
    zinc_socket_close(d[1]);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* connect_routing_id names the peer of the next connect, which can be
 * addressed at once (messages queue until the connection is up). */
static void test_router_connect_routing_id_names_peer(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *d1 = zt_sock(ctx, ZINC_DEALER);
    zinc_socket_t *d2 = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(d1, "routing_id", "ignored"), 0);
    assert_int_equal(zinc_set(d2, "routing_id", "own-id"), 0);
    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    char ep1[256], ep2[256];
    zt_bind(d1, TR(state), ep1, sizeof ep1);
    zt_bind(d2, TR(state), ep2, sizeof ep2);
    assert_int_equal(zinc_set(router, "connect_routing_id", "peer-1"), 0);
    zt_connect(router, ep1);
    const char *m[] = {"peer-1", "first"};
    zt_send_msg(router, m, 2);
    zt_recv_str(d1, "first", false);
    zt_send_str(d1, "reply", 0);
    const char *r[] = {"peer-1", "reply"};
    zt_recv_msg(router, r, 2);
    /* the option was used up: the next peer is known by its own id */
    zt_connect(router, ep2);
    send_to_when_known(router, "own-id", 6, "second");
    zt_recv_str(d2, "second", false);
    zinc_socket_close(d1);
    zinc_socket_close(d2);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* libzmq applies connect_routing_id to inproc connects too. */
static void test_router_connect_routing_id_over_inproc(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    char ep[256];
    zt_bind(dealer, ZT_INPROC, ep, sizeof ep);
    assert_int_equal(zinc_set(router, "connect_routing_id", "peer-1"), 0);
    zt_connect(router, ep);
    const char *m[] = {"peer-1", "first"};
    zt_send_msg(router, m, 2);
    zt_recv_str(dealer, "first", false);
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* ---- router_mandatory ------------------------------------------------------- */

static void test_router_unknown_peer_is_dropped_or_ehostunreach(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(dealer, "routing_id", "d"), 0);
    zt_pair_up(router, dealer, TR(state));
    zt_send_str(dealer, "sync", 0);
    const char *s[] = {"d", "sync"};
    zt_recv_msg(router, s, 2);
    /* silently dropped by default, whole */
    const char *lost[] = {"nobody", "a", "b"};
    zt_send_msg(router, lost, 3);
    /* a lone id frame is no message: dropped too */
    zt_send_str(router, "d", 0);
    assert_true(zt_events(router) & ZINC_POLLOUT);
    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    assert_int_equal(zinc_send(router, "nobody", 6, ZINC_MORE), -1);
    assert_int_equal(errno, EHOSTUNREACH);
    const char *ok[] = {"d", "delivered"};
    zt_send_msg(router, ok, 2);
    zt_recv_str(dealer, "delivered", false);
    zt_recv_none(dealer);
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

static void test_router_mandatory_without_peers_has_no_pollout(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    assert_true(zt_events(router) & ZINC_POLLOUT);
    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    assert_false(zt_events(router) & ZINC_POLLOUT);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* A peer at its hwm: dropped, or EAGAIN with router_mandatory. inproc's hwm
 * is the sum of both sides' (1 + 1). */
static void test_router_full_peer_is_dropped_or_eagain(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set_int(router, "sndhwm", 1), 0);
    assert_int_equal(zinc_set_int(dealer, "rcvhwm", 1), 0);
    assert_int_equal(zinc_set(dealer, "routing_id", "d"), 0);
    zt_pair_up(router, dealer, ZT_INPROC);
    zt_send_str(dealer, "sync", 0);
    const char *s[] = {"d", "sync"};
    zt_recv_msg(router, s, 2);
    /* Reading once takes the in-band peer frame off the dealer's pipe, where
     * it would hold one slot of the hwm (a pipe.c bug, see
     * test_inproc_peer_frame_does_not_count_against_hwm). */
    zt_recv_none(dealer);
    for (int i = 0; i < 5; i++) {
        char m[8];
        snprintf(m, sizeof m, "m%d", i);
        zt_send_str(router, "d", ZINC_MORE);
        zt_send_str(router, m, 0);
    }
    zt_recv_str(dealer, "m0", false);
    zt_recv_str(dealer, "m1", false);
    zt_recv_none(dealer);

    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    zt_send_str(router, "d", ZINC_MORE);
    zt_send_str(router, "n0", 0);
    zt_send_str(router, "d", ZINC_MORE);
    zt_send_str(router, "n1", 0);
    assert_false(zt_events(router) & ZINC_POLLOUT);
    assert_int_equal(zinc_send(router, "d", 1, ZINC_MORE | ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(zinc_set_int(router, "sndtimeo", 20), 0);
    assert_int_equal(zinc_send(router, "d", 1, ZINC_MORE), -1);
    assert_int_equal(errno, EAGAIN);
    /* room again once the peer reads */
    zt_recv_str(dealer, "n0", false);
    zt_recv_str(dealer, "n1", false);
    assert_int_equal(zinc_set_int(router, "sndtimeo", ZT_TIMEOUT_MS), 0);
    zt_send_str(router, "d", ZINC_MORE);
    zt_send_str(router, "n2", 0);
    zt_recv_str(dealer, "n2", false);
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* libzmq's pipe does not count the routing-id message against the hwm; zinc's
 * in-band peer frame does not either. */
static void test_inproc_peer_frame_does_not_count_against_hwm(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set_int(router, "sndhwm", 1), 0);
    assert_int_equal(zinc_set_int(dealer, "rcvhwm", 1), 0);
    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    assert_int_equal(zinc_set(dealer, "routing_id", "d"), 0);
    zt_pair_up(router, dealer, ZT_INPROC);
    zt_send_str(dealer, "sync", 0);
    const char *s[] = {"d", "sync"};
    zt_recv_msg(router, s, 2);
    for (int i = 0; i < 2; i++) { /* hwm 1 + 1 */
        zt_send_str(router, "d", ZINC_MORE | ZINC_DONTWAIT);
        zt_send_str(router, "m", 0);
    }
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* A peer that went away is EHOSTUNREACH under router_mandatory. */
static void test_router_mandatory_gone_peer_is_ehostunreach(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(dealer, "routing_id", "d"), 0);
    assert_int_equal(zinc_set_int(router, "router_mandatory", 1), 0);
    zt_pair_up(router, dealer, TR(state));
    zt_send_str(dealer, "sync", 0);
    const char *s[] = {"d", "sync"};
    zt_recv_msg(router, s, 2);
    zinc_socket_close(dealer);
    int64_t deadline = zt_now_ms() + ZT_TIMEOUT_MS;
    while (zinc_send(router, "d", 1, ZINC_MORE | ZINC_DONTWAIT) == 1) {
        zt_send_str(router, "x", 0);
        assert_true(zt_now_ms() < deadline);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(errno, EHOSTUNREACH);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* ---- duplicate ids and router_handover ----------------------------------- */

static void test_router_ignores_duplicate_id_without_handover(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *d1 = zt_sock(ctx, ZINC_DEALER);
    zinc_socket_t *d2 = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(d1, "routing_id", "dup"), 0);
    assert_int_equal(zinc_set(d2, "routing_id", "dup"), 0);
    char ep[256];
    zt_bind(router, TR(state), ep, sizeof ep);
    zt_connect(d1, ep);
    zt_send_str(d1, "one", 0);
    const char *m1[] = {"dup", "one"};
    zt_recv_msg(router, m1, 2);
    zt_connect(d2, ep);
    zt_send_str(d2, "two", 0);
    /* d2 is ignored (libzmq 4.3): its messages never arrive, d1 keeps the id */
    zt_send_str(d1, "three", 0);
    const char *m3[] = {"dup", "three"};
    zt_recv_msg(router, m3, 2);
    const char *out[] = {"dup", "for d1"};
    zt_send_msg(router, out, 2);
    zt_recv_str(d1, "for d1", false);
    assert_int_equal(zinc_set_int(router, "rcvtimeo", 50), 0);
    char buf[8];
    assert_int_equal(zinc_recv(router, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, EAGAIN);
    zt_recv_none(d2);
    zinc_socket_close(d1);
    zinc_socket_close(d2);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

static void test_router_handover_gives_id_to_newcomer(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *d1 = zt_sock(ctx, ZINC_DEALER);
    zinc_socket_t *d2 = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set_int(router, "router_handover", 1), 0);
    assert_int_equal(zinc_set(d1, "routing_id", "dup"), 0);
    assert_int_equal(zinc_set(d2, "routing_id", "dup"), 0);
    /* over tcp/ipc d1 would redial and take the id back */
    assert_int_equal(zinc_set_int(d1, "reconnect_ivl", 60000), 0);
    char ep[256];
    zt_bind(router, TR(state), ep, sizeof ep);
    zt_connect(d1, ep);
    zt_send_str(d1, "one", 0);
    const char *m1[] = {"dup", "one"};
    zt_recv_msg(router, m1, 2);
    zt_connect(d2, ep);
    zt_send_str(d2, "two", 0);
    const char *m2[] = {"dup", "two"};
    zt_recv_msg(router, m2, 2);
    const char *out[] = {"dup", "for d2"};
    zt_send_msg(router, out, 2);
    zt_recv_str(d2, "for d2", false);
    /* d1 lost the id and its connection: nothing from it arrives (over
     * inproc it has no peer left to send to) */
    (void)zinc_send(d1, "late", 4, ZINC_DONTWAIT);
    assert_int_equal(zinc_set_int(router, "rcvtimeo", 50), 0);
    char buf[8];
    assert_int_equal(zinc_recv(router, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, EAGAIN);
    zt_recv_none(d1);
    zinc_socket_close(d1);
    zinc_socket_close(d2);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* A takeover while a message from the old peer is half read: that message
 * is still read whole. */
static void test_router_handover_finishes_message_being_read(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *d1 = zt_sock(ctx, ZINC_DEALER);
    zinc_socket_t *d2 = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set_int(router, "router_handover", 1), 0);
    assert_int_equal(zinc_set(d1, "routing_id", "dup"), 0);
    assert_int_equal(zinc_set(d2, "routing_id", "dup"), 0);
    char ep[256];
    zt_bind(router, ZT_INPROC, ep, sizeof ep);
    zt_connect(d1, ep);
    const char *m1[] = {"a", "b", "c"};
    zt_send_msg(d1, m1, 3);
    zt_recv_str(router, "dup", true);
    zt_recv_str(router, "a", true);
    zt_connect(d2, ep); /* attached during the next recv */
    zt_send_str(d2, "new", 0);
    zt_recv_str(router, "b", true);
    zt_recv_str(router, "c", false);
    const char *m2[] = {"dup", "new"};
    zt_recv_msg(router, m2, 2);
    zinc_socket_close(d1);
    zinc_socket_close(d2);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* ---- probe_router, ROUTER to ROUTER ------------------------------------------ */

static void test_dealer_probe_router_sends_empty_message(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(dealer, "routing_id", "d"), 0);
    assert_int_equal(zinc_set_int(dealer, "probe_router", 1), 0);
    zt_pair_up(router, dealer, TR(state));
    zt_recv_str(router, "d", true);
    zt_recv_expect(router, "", 0, false);
    zinc_socket_close(dealer);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* The classic ROUTER-ROUTER start: the connecting side probes, the bound
 * side learns its id from the probe and answers. */
static void test_router_to_router_with_probe(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *server = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *client = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(server, "routing_id", "server"), 0);
    assert_int_equal(zinc_set(client, "routing_id", "client"), 0);
    assert_int_equal(zinc_set_int(client, "probe_router", 1), 0);
    zt_pair_up(server, client, TR(state));
    const char *probe[] = {"client", ""};
    zt_recv_msg(server, probe, 2);
    const char *out[] = {"client", "hello"};
    zt_send_msg(server, out, 2);
    const char *in[] = {"server", "hello"};
    zt_recv_msg(client, in, 2);
    zt_send_msg(client, (const char *const[]){"server", "and back"}, 2);
    zt_recv_msg(server, (const char *const[]){"client", "and back"}, 2);
    zinc_socket_close(client);
    zinc_socket_close(server);
    zinc_ctx_term(ctx);
}

static void test_router_fair_queues_peers(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    char ep[256];
    zt_bind(router, TR(state), ep, sizeof ep);
    zinc_socket_t *d[3];
    for (int i = 0; i < 3; i++) {
        char id[4] = {'d', (char)('0' + i), 0};
        d[i] = zt_sock(ctx, ZINC_DEALER);
        assert_int_equal(zinc_set(d[i], "routing_id", id), 0);
        zt_connect(d[i], ep);
        zt_send_str(d[i], "sync", 0);
        zt_recv_str(router, id, true);
        zt_recv_str(router, "sync", false);
    }
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++)
            zt_send_str(d[i], "m", 0);
    /* over inproc all nine are queued before the first read, so each round
     * takes one from every peer; over tcp/ipc arrival order varies */
    int count[3] = {0, 0, 0};
    int last = -1;
    for (int k = 0; k < 9; k++) {
        char id[8];
        assert_int_equal(recv_id(router, (uint8_t *)id, sizeof id), 2);
        int who = id[1] - '0';
        assert_true(who >= 0 && who < 3);
        count[who]++;
        if (TR(state) == ZT_INPROC && k > 0)
            assert_int_not_equal(who, last);
        last = who;
        zt_recv_str(router, "m", false);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(count[i], 3);
        zinc_socket_close(d[i]);
    }
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* A peer that connects, sends and leaves while the ROUTER's thread is
 * elsewhere: the ROUTER reads the message ahead to learn the peer's id,
 * and the pipe, now read to its end, must not be reaped with it. */
static void test_router_keeps_the_last_message_of_a_peer_already_gone(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    char ep[256];
    zt_bind(router, TR(state), ep, sizeof ep);
    zinc_ctx_t *ctx2 = ctx_new();
    zinc_socket_t *dealer = zinc_socket_new(ctx2, ZINC_DEALER);
    assert_non_null(dealer);
    assert_int_equal(zinc_set(dealer, "routing_id", "gone"), 0);
    assert_int_equal(zinc_set_int(dealer, "linger", 2000), 0);
    zt_connect(dealer, ep);
    zt_send_str(dealer, "last words", 0);
    assert_int_equal(zinc_socket_close(dealer), 0);
    assert_int_equal(zinc_ctx_term(ctx2), 0); /* sent, then disconnected */
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the router's session sees the end meanwhile */
    const char *in[] = {"gone", "last words"};
    zt_recv_msg(router, in, 2);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ZT_PER_TRANSPORT(test_router_uses_peer_routing_id),
        /* inproc frames carry no connection metadata, as in libzmq */
        {"test_router_id_frame_carries_connection_metadata/tcp",
         test_router_id_frame_carries_connection_metadata, NULL, NULL, (void *)&zt_tr_tcp},
        {"test_router_id_frame_carries_connection_metadata/ipc",
         test_router_id_frame_carries_connection_metadata, NULL, NULL, (void *)&zt_tr_ipc},
        ZT_PER_TRANSPORT(test_router_generates_5_octet_ids),
        {"test_router_connect_routing_id_names_peer/tcp", test_router_connect_routing_id_names_peer,
         NULL, NULL, (void *)&zt_tr_tcp},
        {"test_router_connect_routing_id_names_peer/ipc", test_router_connect_routing_id_names_peer,
         NULL, NULL, (void *)&zt_tr_ipc},
        cmocka_unit_test(test_router_connect_routing_id_over_inproc),
        ZT_PER_TRANSPORT(test_router_unknown_peer_is_dropped_or_ehostunreach),
        cmocka_unit_test(test_router_mandatory_without_peers_has_no_pollout),
        cmocka_unit_test(test_router_full_peer_is_dropped_or_eagain),
        cmocka_unit_test(test_inproc_peer_frame_does_not_count_against_hwm),
        ZT_PER_TRANSPORT(test_router_mandatory_gone_peer_is_ehostunreach),
        ZT_PER_TRANSPORT(test_router_ignores_duplicate_id_without_handover),
        ZT_PER_TRANSPORT(test_router_handover_gives_id_to_newcomer),
        cmocka_unit_test(test_router_handover_finishes_message_being_read),
        ZT_PER_TRANSPORT(test_dealer_probe_router_sends_empty_message),
        ZT_PER_TRANSPORT(test_router_to_router_with_probe),
        ZT_PER_TRANSPORT(test_router_fair_queues_peers),
        {"test_router_keeps_the_last_message_of_a_peer_already_gone/tcp",
         test_router_keeps_the_last_message_of_a_peer_already_gone, NULL, NULL, (void *)&zt_tr_tcp},
        {"test_router_keeps_the_last_message_of_a_peer_already_gone/ipc",
         test_router_keeps_the_last_message_of_a_peer_already_gone, NULL, NULL, (void *)&zt_tr_ipc},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
