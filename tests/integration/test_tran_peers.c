/* Transport conformance: many peers, over tcp, ipc and inproc. PUSH and
 * DEALER load-balance round-robin over their peers; PULL and DEALER
 * fair-queue, taking one message per peer in turn; a peer that leaves gets
 * nothing more while the others go on.
 */
#include "itest.h"

#include <errno.h>
#include <string.h>

enum { PEERS = 8, ROUNDS = 10 };

/* Receives on whichever of n sockets has a message, waiting up to IT_IO_MS.
 * Returns the index, the value in *v. */
static int recv_any(zinc_socket_t **s, int n, uint32_t *v)
{
    int64_t deadline = it_now_ms() + IT_IO_MS;
    for (;;) {
        for (int i = 0; i < n; i++)
            if (s[i] && it_recv_u32(s[i], v, ZINC_DONTWAIT) == 0)
                return i;
        if (it_now_ms() > deadline)
            fail_msg("nothing arrived on any of %d sockets", n);
        it_sleep_ms(1);
    }
}

/* Sends one message at a time until every receiver has had one. */
static void warm_up(zinc_socket_t *snd, zinc_socket_t **rcv, int n)
{
    bool seen[PEERS] = {false};
    int left = n;
    for (uint32_t i = 0; left > 0; i++) {
        assert_true(i < 1000);
        assert_int_equal(it_send_u32(snd, 0xFFFF0000u + i, 0), 0);
        uint32_t v;
        int k = recv_any(rcv, n, &v);
        assert_int_equal(v, 0xFFFF0000u + i);
        if (!seen[k]) {
            seen[k] = true;
            left--;
        }
    }
}

/* Sends PEERS * ROUNDS messages; each receiver must get every PEERS-th one,
 * in order: a strict round-robin. */
static void check_round_robin(zinc_socket_t *snd, zinc_socket_t **rcv)
{
    for (uint32_t i = 0; i < PEERS * ROUNDS; i++)
        assert_int_equal(it_send_u32(snd, i, 0), 0);
    for (int k = 0; k < PEERS; k++) {
        uint32_t first = 0;
        for (uint32_t r = 0; r < ROUNDS; r++) {
            uint32_t v;
            assert_int_equal(it_recv_u32(rcv[k], &v, 0), 0);
            if (r == 0)
                first = v;
            else if (v != first + r * PEERS)
                fail_msg("peer %d: message %u after %u (round %u)", k, v, first, r);
        }
        it_expect_silence(rcv[k], 0);
    }
}

static void test_push_round_robins_over_peers_it_connects_to(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    zinc_socket_t *pull[PEERS];
    for (int k = 0; k < PEERS; k++) {
        char wild[256], ep[256];
        pull[k] = it_socket(fx, ZINC_PULL);
        it_ep_wild(fx->tran, wild, sizeof wild);
        it_bind(pull[k], wild, ep, sizeof ep);
        it_connect(push, ep);
    }
    /* The connecter's pipes exist from the connect on: no warm-up, and the
     * order is the order of the connects. */
    for (uint32_t i = 0; i < PEERS * ROUNDS; i++)
        assert_int_equal(it_send_u32(push, i, 0), 0);
    for (int k = 0; k < PEERS; k++)
        for (uint32_t r = 0; r < ROUNDS; r++) {
            uint32_t v;
            assert_int_equal(it_recv_u32(pull[k], &v, 0), 0);
            assert_int_equal(v, r * PEERS + (uint32_t)k);
        }
}

static void test_bound_sender_round_robins_over_connected_peers(void **state)
{
    it_fx_t *fx = it_fx(state);
    int type = *(const int *)fx->param;
    zinc_socket_t *snd = it_socket(fx, type);
    char wild[256], ep[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(snd, wild, ep, sizeof ep);
    zinc_socket_t *rcv[PEERS];
    for (int k = 0; k < PEERS; k++) {
        rcv[k] = it_socket(fx, type == ZINC_PUSH ? ZINC_PULL : ZINC_DEALER);
        it_connect(rcv[k], ep);
    }
    warm_up(snd, rcv, PEERS);
    check_round_robin(snd, rcv);
}

static const int type_push = ZINC_PUSH, type_dealer = ZINC_DEALER;

/* Each of PEERS senders queues ROUNDS messages (sender << 16 | seq) for one
 * receiver; returns once they were all sent. */
static void queue_from_many(it_fx_t *fx, int snd_type, zinc_socket_t *rcv, bool rcv_binds,
                            zinc_socket_t **snd)
{
    char rcv_ep[256] = "";
    if (rcv_binds) {
        char wild[256];
        it_ep_wild(fx->tran, wild, sizeof wild);
        it_bind(rcv, wild, rcv_ep, sizeof rcv_ep);
    }
    for (int k = 0; k < PEERS; k++) {
        snd[k] = it_socket(fx, snd_type);
        if (rcv_binds) {
            it_connect(snd[k], rcv_ep);
        } else {
            char wild[256], ep[256];
            it_ep_wild(fx->tran, wild, sizeof wild);
            it_bind(snd[k], wild, ep, sizeof ep);
            it_connect(rcv, ep);
        }
    }
    for (uint32_t r = 0; r < ROUNDS; r++)
        for (int k = 0; k < PEERS; k++)
            assert_int_equal(it_send_u32(snd[k], (uint32_t)k << 16 | r, 0), 0);
}

static void test_receiver_fair_queues_over_senders(void **state)
{
    it_fx_t *fx = it_fx(state);
    int type = *(const int *)fx->param;
    bool rcv_binds = type == ZINC_PUSH; /* PULL binds; DEALER connects */
    zinc_socket_t *rcv = it_socket(fx, type == ZINC_PUSH ? ZINC_PULL : ZINC_DEALER);
    zinc_socket_t *snd[PEERS];
    queue_from_many(fx, type, rcv, rcv_binds, snd);
    /* Let everything reach the receiver's pipes (immediate for inproc). */
    uint32_t v;
    uint32_t got[PEERS * ROUNDS];
    assert_int_equal(it_recv_u32(rcv, &got[0], 0), 0);
    if (fx->tran->id != IT_INPROC)
        it_sleep_ms(100);
    for (int i = 1; i < PEERS * ROUNDS; i++)
        assert_int_equal(it_recv_u32(rcv, &got[i], 0), 0);
    it_expect_silence(rcv, 0);
    /* Per sender, in order. */
    uint32_t next[PEERS] = {0};
    for (int i = 0; i < PEERS * ROUNDS; i++) {
        v = got[i];
        uint32_t k = v >> 16;
        assert_true(k < PEERS);
        assert_int_equal(v & 0xFFFF, next[k]);
        next[k]++;
    }
    /* Fair: inproc (everything queued before the first recv): each window
     * of PEERS messages holds one from every sender. tcp/ipc: in the first
     * half, every sender has at least a third of its share. */
    if (fx->tran->id == IT_INPROC) {
        for (int w = 0; w < ROUNDS; w++) {
            unsigned mask = 0;
            for (int i = 0; i < PEERS; i++)
                mask |= 1u << (got[w * PEERS + i] >> 16);
            if (mask != (1u << PEERS) - 1)
                fail_msg("window %d misses senders (mask %#x)", w, mask);
        }
    } else {
        int count[PEERS] = {0};
        for (int i = 0; i < PEERS * ROUNDS / 2; i++)
            count[got[i] >> 16]++;
        for (int k = 0; k < PEERS; k++)
            if (count[k] < ROUNDS / 2 / 3)
                fail_msg("sender %d had %d of the first %d messages", k, count[k],
                         PEERS * ROUNDS / 2);
    }
}

static void test_a_peer_that_leaves_gets_nothing_more(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    char wild[256], ep[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(push, wild, ep, sizeof ep);
    enum { N = 3 };
    zinc_socket_t *pull[N];
    for (int k = 0; k < N; k++) {
        pull[k] = it_socket(fx, ZINC_PULL);
        it_connect(pull[k], ep);
    }
    warm_up(push, pull, N);
    it_close(fx, pull[0]);
    pull[0] = NULL;
    it_sleep_ms(100); /* the push side notices the connection is gone */
    for (uint32_t i = 0; i < 20; i++)
        assert_int_equal(it_send_u32(push, i, 0), 0);
    int count[N] = {0};
    for (uint32_t i = 0; i < 20; i++) {
        uint32_t v;
        count[recv_any(pull, N, &v)]++;
    }
    assert_int_equal(count[1], 10);
    assert_int_equal(count[2], 10);
}

static const it_case_t cases[] = {
    {"push round-robins over the peers it connects to, in connect order",
     test_push_round_robins_over_peers_it_connects_to, NULL, IT_ALL_TRANS, 0},
    {"a bound push round-robins over its connected pulls",
     test_bound_sender_round_robins_over_connected_peers, &type_push, IT_ALL_TRANS, 0},
    {"a bound dealer round-robins over its connected dealers",
     test_bound_sender_round_robins_over_connected_peers, &type_dealer, IT_ALL_TRANS, 0},
    {"pull fair-queues over many pushes", test_receiver_fair_queues_over_senders, &type_push,
     IT_ALL_TRANS, 0},
    {"a connecting dealer fair-queues over the dealers it connects to",
     test_receiver_fair_queues_over_senders, &type_dealer, IT_ALL_TRANS, 0},
    {"a pull that leaves gets nothing more; the others share the rest",
     test_a_peer_that_leaves_gets_nothing_more, NULL, IT_ALL_TRANS, 0},
};

int main(void)
{
    return it_run("many peers", cases, sizeof cases / sizeof cases[0]);
}
