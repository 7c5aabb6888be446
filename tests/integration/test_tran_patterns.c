/* Pattern rules over each transport, as libzmq 4.3 behaves: REQ/REP's strict
 * alternation (EFSM) and req_relaxed, ROUTER's router_mandatory
 * (EHOSTUNREACH, or a silent drop without it) and router_handover, and the
 * socket types that must never exchange messages. Cases whose socket types
 * zinc does not build yet are skipped.
 */
#include "itest.h"

#include <errno.h>
#include <string.h>

static void bind_connect(it_fx_t *fx, zinc_socket_t *binder, zinc_socket_t *connecter, char *ep,
                         size_t cap)
{
    char wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(binder, wild, ep, cap);
    it_connect(connecter, ep);
}

static void test_req_rep_enforce_alternation_with_efsm(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *rep = it_socket(fx, ZINC_REP);
    zinc_socket_t *req = it_socket(fx, ZINC_REQ);
    char ep[256];
    bind_connect(fx, rep, req, ep, sizeof ep);
    char buf[16];
    /* REQ must send first; REP must receive first. */
    assert_int_equal(zinc_recv(req, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, ZINC_EFSM);
    assert_int_equal(zinc_send(rep, "x", 1, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, ZINC_EFSM);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(zinc_send(req, "ping", 4, 0), 4);
        /* A second request before the reply: EFSM. */
        assert_int_equal(zinc_send(req, "ping", 4, ZINC_DONTWAIT), -1);
        assert_int_equal(errno, ZINC_EFSM);
        assert_int_equal(zinc_recv(rep, buf, sizeof buf, 0), 4);
        assert_memory_equal(buf, "ping", 4);
        assert_int_equal(it_get_int(rep, "rcvmore"), 0); /* the envelope is hidden */
        /* REP: a second recv before the reply: EFSM. */
        assert_int_equal(zinc_recv(rep, buf, sizeof buf, ZINC_DONTWAIT), -1);
        assert_int_equal(errno, ZINC_EFSM);
        assert_int_equal(zinc_send(rep, "pong", 4, 0), 4);
        assert_int_equal(zinc_recv(req, buf, sizeof buf, 0), 4);
        assert_memory_equal(buf, "pong", 4);
    }
}

static void test_req_relaxed_allows_a_new_request_and_drops_the_old_reply(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *rep = it_socket(fx, ZINC_REP);
    zinc_socket_t *req = it_socket(fx, ZINC_REQ);
    it_set_int(req, "req_relaxed", 1);
    it_set_int(req, "req_correlate", 1);
    char ep[256];
    bind_connect(fx, rep, req, ep, sizeof ep);
    char buf[16];
    assert_int_equal(zinc_send(req, "one", 3, 0), 3);
    assert_int_equal(zinc_recv(rep, buf, sizeof buf, 0), 3);
    assert_int_equal(zinc_send(req, "two", 3, 0), 3); /* relaxed: allowed */
    assert_int_equal(zinc_send(rep, "re-one", 6, 0), 6);
    assert_int_equal(zinc_recv(rep, buf, sizeof buf, 0), 3);
    assert_memory_equal(buf, "two", 3);
    assert_int_equal(zinc_send(rep, "re-two", 6, 0), 6);
    /* Correlated: the stale reply to "one" is dropped. */
    assert_int_equal(zinc_recv(req, buf, sizeof buf, 0), 6);
    assert_memory_equal(buf, "re-two", 6);
}

static void test_router_mandatory_refuses_unknown_peers(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *router = it_socket(fx, ZINC_ROUTER);
    zinc_socket_t *dealer = it_socket(fx, ZINC_DEALER);
    assert_int_equal(zinc_set_bytes(dealer, "routing_id", "X", 1), 0);
    char ep[256];
    bind_connect(fx, router, dealer, ep, sizeof ep);
    assert_int_equal(zinc_send(dealer, "hi", 2, 0), 2);
    char buf[16];
    assert_int_equal(zinc_recv(router, buf, sizeof buf, 0), 1);
    assert_memory_equal(buf, "X", 1);
    assert_int_equal(zinc_recv(router, buf, sizeof buf, 0), 2);
    /* Without router_mandatory a message to nobody vanishes. */
    assert_int_equal(zinc_send(router, "nobody", 6, ZINC_MORE), 6);
    assert_int_equal(zinc_send(router, "lost", 4, 0), 4);
    /* With it, the routing id frame fails with EHOSTUNREACH. */
    it_set_int(router, "router_mandatory", 1);
    assert_int_equal(zinc_send(router, "nobody", 6, ZINC_MORE | ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EHOSTUNREACH);
    /* A known peer still gets its message, and only that one. */
    assert_int_equal(zinc_send(router, "X", 1, ZINC_MORE), 1);
    assert_int_equal(zinc_send(router, "yours", 5, 0), 5);
    assert_int_equal(zinc_recv(dealer, buf, sizeof buf, 0), 5);
    assert_memory_equal(buf, "yours", 5);
    it_expect_silence(dealer, 50);
}

static void test_router_handover_gives_a_routing_id_to_the_newest_peer(void **state)
{
    it_fx_t *fx = it_fx(state);
    bool handover = *(const bool *)fx->param;
    zinc_socket_t *router = it_socket(fx, ZINC_ROUTER);
    it_set_int(router, "router_handover", handover);
    char wild[256], ep[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(router, wild, ep, sizeof ep);
    zinc_socket_t *d[2];
    char buf[16];
    for (int i = 0; i < 2; i++) {
        d[i] = it_socket(fx, ZINC_DEALER);
        assert_int_equal(zinc_set_bytes(d[i], "routing_id", "X", 1), 0);
        it_set_int(d[i], "reconnect_ivl", 10000); /* no comeback during the case */
        it_connect(d[i], ep);
        char msg[2] = {(char)('0' + i), 0};
        assert_int_equal(zinc_send(d[i], msg, 1, 0), 1);
        if (i == 1 && !handover)
            break;
        assert_int_equal(zinc_recv(router, buf, sizeof buf, 0), 1);
        assert_memory_equal(buf, "X", 1);
        assert_int_equal(zinc_recv(router, buf, sizeof buf, 0), 1);
        assert_int_equal(buf[0], msg[0]);
    }
    /* Without handover the duplicate is ignored; with it, X is the new one. */
    if (!handover)
        it_expect_silence(router, 100);
    assert_int_equal(zinc_send(router, "X", 1, ZINC_MORE), 1);
    assert_int_equal(zinc_send(router, "back", 4, 0), 4);
    zinc_socket_t *owner = d[handover ? 1 : 0];
    assert_int_equal(zinc_recv(owner, buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "back", 4);
    it_expect_silence(d[handover ? 0 : 1], 50);
}

/* Sockets of incompatible types among the newer patterns: the sender sends,
 * the receiver must get nothing (a connect may also be refused at once). */
static void test_incompatible_types_of_other_patterns_never_exchange(void **state)
{
    it_fx_t *fx = it_fx(state);
    static const struct {
        int snd, rcv;
    } pairs[] = {
        {ZINC_PUB, ZINC_PULL},   {ZINC_PUSH, ZINC_SUB}, {ZINC_PUB, ZINC_DEALER},
        {ZINC_REQ, ZINC_PULL},   {ZINC_PAIR, ZINC_REP}, {ZINC_REQ, ZINC_REQ},
        {ZINC_DEALER, ZINC_SUB}, {ZINC_PUSH, ZINC_REP},
    };
    enum { N = sizeof pairs / sizeof pairs[0] };
    zinc_socket_t *rcv[N];
    for (size_t i = 0; i < N; i++) {
        zinc_socket_t *snd = it_socket(fx, pairs[i].snd);
        rcv[i] = it_socket(fx, pairs[i].rcv);
        if (pairs[i].rcv == ZINC_SUB)
            assert_int_equal(zinc_set_bytes(rcv[i], "subscribe", "", 0), 0);
        char wild[256], ep[256];
        it_ep_wild(fx->tran, wild, sizeof wild);
        it_bind(rcv[i], wild, ep, sizeof ep);
        if (zinc_connect(snd, ep) != 0) {
            assert_int_equal(errno, EINVAL);
            rcv[i] = NULL;
            continue;
        }
        for (int k = 0; k < 3; k++)
            if (zinc_send(snd, "x", 1, ZINC_DONTWAIT) != 1)
                assert_true(errno == EAGAIN || errno == ZINC_EFSM);
    }
    it_sleep_ms(200);
    for (size_t i = 0; i < N; i++)
        if (rcv[i]) {
            char buf[4];
            /* REP and PULL and SUB may receive; nothing must be there. */
            assert_int_equal(zinc_recv(rcv[i], buf, sizeof buf, ZINC_DONTWAIT), -1);
            assert_true(errno == EAGAIN || errno == ZINC_EFSM);
        }
}

static const bool with_handover = true, without_handover = false;

static const it_case_t cases[] = {
    {"req and rep enforce alternation with EFSM", test_req_rep_enforce_alternation_with_efsm, NULL,
     IT_ALL_TRANS, 0},
    {"req_relaxed allows a new request; req_correlate drops the old reply",
     test_req_relaxed_allows_a_new_request_and_drops_the_old_reply, NULL, IT_ALL_TRANS, 0},
    {"router_mandatory refuses unknown peers with EHOSTUNREACH; otherwise they are dropped",
     test_router_mandatory_refuses_unknown_peers, NULL, IT_ALL_TRANS, 0},
    {"router_handover gives a routing id to the newest peer",
     test_router_handover_gives_a_routing_id_to_the_newest_peer, &with_handover, IT_ALL_TRANS, 0},
    {"without router_handover a duplicate routing id is ignored",
     test_router_handover_gives_a_routing_id_to_the_newest_peer, &without_handover, IT_ALL_TRANS,
     0},
    {"incompatible types among req, rep, pub, sub never exchange messages",
     test_incompatible_types_of_other_patterns_never_exchange, NULL, IT_ALL_TRANS, 0},
};

int main(void)
{
    return it_run("pattern rules", cases, sizeof cases / sizeof cases[0]);
}
