/* REQ and REP (RFC 28) through real sockets over inproc, tcp and ipc:
 * alternation and EFSM, the delimiter and the envelope stack, round-robin
 * over several REPs, replies only from the peer asked, req_relaxed,
 * req_correlate and probe_router. Timeouts bound every blocking call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <sys/wait.h>

#include "sockutil.h"

static zinc_ctx_t *ctx_new(void)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    assert_non_null(ctx);
    return ctx;
}

/* ---- REQ <-> REP ------------------------------------------------------------ */

static void test_req_rep_alternate_multipart_messages(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    zt_pair_up(rep, req, TR(state));
    for (int i = 0; i < 3; i++) {
        const char *q[] = {"question", "", "part 3"};
        const char *a[] = {"answer", "two"};
        zt_send_msg(req, q, 3);
        zt_recv_msg(rep, q, 3); /* the delimiter is not shown */
        zt_send_msg(rep, a, 2);
        zt_recv_msg(req, a, 2);
    }
    /* An empty request and an empty reply. */
    zt_send(req, NULL, 0, 0);
    zt_recv_expect(rep, NULL, 0, false);
    zt_send(rep, NULL, 0, 0);
    zt_recv_expect(req, NULL, 0, false);
    zinc_socket_close(req);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

static void test_req_wrong_call_for_state_is_efsm(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    zt_pair_up(rep, req, TR(state));
    char buf[8];
    /* recv before any request */
    assert_int_equal(zinc_recv(req, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    assert_false(zt_events(req) & ZINC_POLLIN);
    zt_send_str(req, "one", 0);
    /* a second request before the reply */
    assert_int_equal(zinc_send(req, "two", 3, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    assert_false(zt_events(req) & ZINC_POLLOUT);
    zt_recv_str(rep, "one", false);
    zt_send_str(rep, "reply", 0);
    zt_recv_str(req, "reply", false);
    /* the reply was read: recv again is EFSM, send works */
    assert_int_equal(zinc_recv(req, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    zt_send_str(req, "three", 0);
    zt_recv_str(rep, "three", false);
    zinc_socket_close(req);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

static void test_rep_wrong_call_for_state_is_efsm(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    zt_pair_up(rep, req, TR(state));
    char buf[8];
    assert_int_equal(zinc_send(rep, "x", 1, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    assert_false(zt_events(rep) & ZINC_POLLOUT);
    zt_send_str(req, "q", 0);
    zt_recv_str(rep, "q", false);
    assert_true(zt_events(rep) & ZINC_POLLOUT);
    assert_int_equal(zinc_recv(rep, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    /* a multipart reply: EFSM only once the last frame went */
    zt_send_str(rep, "a", ZINC_MORE);
    zt_send_str(rep, "b", 0);
    assert_int_equal(zinc_send(rep, "c", 1, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    const char *a[] = {"a", "b"};
    zt_recv_msg(req, a, 2);
    zinc_socket_close(req);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

static void test_req_without_peer_times_out_and_keeps_state(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    assert_int_equal(zinc_send(req, "q", 1, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(zinc_set_int(req, "sndtimeo", 20), 0);
    assert_int_equal(zinc_send(req, "q", 1, 0), -1);
    assert_int_equal(errno, EAGAIN);
    /* still in the sending state */
    char buf[4];
    assert_int_equal(zinc_recv(req, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zt_pair_up(rep, req, ZT_INPROC);
    zt_send_str(req, "q", 0);
    zt_recv_str(rep, "q", false);
    zinc_socket_close(req);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

/* Requests go round-robin over the REPs a REQ is connected to. */
static void test_req_round_robins_over_reps(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    zinc_socket_t *rep[3];
    for (int i = 0; i < 3; i++) {
        char ep[256];
        rep[i] = zt_sock(ctx, ZINC_REP);
        zt_bind(rep[i], TR(state), ep, sizeof ep);
        zt_connect(req, ep);
    }
    int order[9];
    for (int i = 0; i < 9; i++) {
        char q[16];
        snprintf(q, sizeof q, "q%d", i);
        zt_send_str(req, q, 0);
        int who = zt_poll_in(rep, 3, ZT_TIMEOUT_MS);
        assert_true(who >= 0);
        order[i] = who;
        zt_recv_str(rep[who], q, false);
        zt_send_str(rep[who], "ok", 0);
        zt_recv_str(req, "ok", false);
    }
    /* the first three reach three different REPs, then the cycle repeats */
    assert_true(order[0] != order[1] && order[1] != order[2] && order[0] != order[2]);
    for (int i = 3; i < 9; i++)
        assert_int_equal(order[i], order[i - 3]);
    for (int i = 0; i < 3; i++)
        zinc_socket_close(rep[i]);
    zinc_socket_close(req);
    zinc_ctx_term(ctx);
}

/* ---- REP's envelope -------------------------------------------------------- */

static void test_rep_returns_envelope_to_dealer(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    zt_pair_up(rep, dealer, TR(state));
    const char *q[] = {"hop1", "hop2", "", "body", "tail"};
    zt_send_msg(dealer, q, 5);
    const char *body[] = {"body", "tail"};
    zt_recv_msg(rep, body, 2);
    const char *a[] = {"re", "ply"};
    zt_send_msg(rep, a, 2);
    const char *back[] = {"hop1", "hop2", "", "re", "ply"};
    zt_recv_msg(dealer, back, 5);
    /* the simplest envelope: just the delimiter */
    const char *q2[] = {"", "x"};
    zt_send_msg(dealer, q2, 2);
    zt_recv_str(rep, "x", false);
    zt_send_str(rep, "y", 0);
    const char *back2[] = {"", "y"};
    zt_recv_msg(dealer, back2, 2);
    zinc_socket_close(dealer);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

static void test_rep_drops_request_without_delimiter(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zinc_socket_t *dealer = zt_sock(ctx, ZINC_DEALER);
    zt_pair_up(rep, dealer, TR(state));
    zt_send_str(dealer, "no delimiter", 0);
    const char *bad[] = {"a", "b", "c"};
    zt_send_msg(dealer, bad, 3);
    zt_send(dealer, NULL, 0, 0); /* a lone empty frame is no envelope either */
    const char *good[] = {"id", "", "good"};
    zt_send_msg(dealer, good, 3);
    zt_recv_str(rep, "good", false);
    zt_send_str(rep, "fine", 0);
    const char *back[] = {"id", "", "fine"};
    zt_recv_msg(dealer, back, 3);
    zt_recv_none(rep);
    zinc_socket_close(dealer);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

/* The envelope through a broker: REQ -> ROUTER | DEALER -> REP. The REP sees
 * the envelope the ROUTER added (the REQ's id, then the delimiter) and gives
 * it back, so the ROUTER can route the reply. */
static void test_rep_envelope_through_router_dealer_broker(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *front = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *back = zt_sock(ctx, ZINC_DEALER);
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    assert_int_equal(zinc_set(req, "routing_id", "client"), 0);
    zt_pair_up(front, req, TR(state));
    zt_pair_up(back, rep, TR(state));
    for (int i = 0; i < 2; i++) {
        zt_send_str(req, "question", 0);
        /* the broker forwards each frame as it comes */
        for (;;) {
            zinc_frame_t *f = zinc_recv_frame(front, 0);
            assert_non_null(f);
            bool more = zinc_frame_more(f);
            assert_int_equal(zinc_send_frame(back, f, more ? ZINC_MORE : 0), 0);
            if (!more)
                break;
        }
        zt_recv_str(rep, "question", false);
        zt_send_str(rep, "answer", 0);
        const char *a[] = {"client", "", "answer"};
        zt_recv_msg(back, a, 3);
        zt_send_msg(front, a, 3);
        zt_recv_str(req, "answer", false);
    }
    zinc_socket_close(req);
    zinc_socket_close(rep);
    zinc_socket_close(front);
    zinc_socket_close(back);
    zinc_ctx_term(ctx);
}

/* ---- REQ and the reply's shape --------------------------------------------- */

/* Binds a ROUTER and connects a REQ whose routing id is "req". */
static void req_router_pair(zinc_ctx_t *ctx, zt_transport_t t, zinc_socket_t **req,
                            zinc_socket_t **router)
{
    *router = zt_sock(ctx, ZINC_ROUTER);
    *req = zt_sock(ctx, ZINC_REQ);
    assert_int_equal(zinc_set(*req, "routing_id", "req"), 0);
    zt_pair_up(*router, *req, t);
}

static void test_req_drops_reply_without_delimiter(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *req, *router;
    req_router_pair(ctx, TR(state), &req, &router);
    zt_send_str(req, "q", 0);
    const char *q[] = {"req", "", "q"};
    zt_recv_msg(router, q, 3);
    const char *bad1[] = {"req", "no delimiter"};
    zt_send_msg(router, bad1, 2);
    const char *bad2[] = {"req", "x", "", "nonempty first frame"};
    zt_send_msg(router, bad2, 4);
    const char *bad3[] = {"req", ""}; /* a delimiter with nothing after it */
    zt_send_msg(router, bad3, 2);
    const char *good[] = {"req", "", "good", "reply"};
    zt_send_msg(router, good, 4);
    const char *a[] = {"good", "reply"};
    zt_recv_msg(req, a, 2);
    zinc_socket_close(req);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* A reply from a peer the request did not go to is dropped. inproc makes
 * the order of arrival certain. */
static void test_req_takes_reply_only_from_peer_asked(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    assert_int_equal(zinc_set(req, "routing_id", "req"), 0);
    zinc_socket_t *r[2];
    for (int i = 0; i < 2; i++) {
        char ep[256];
        r[i] = zt_sock(ctx, ZINC_ROUTER);
        assert_int_equal(zinc_set_int(r[i], "router_mandatory", 1), 0);
        zt_bind(r[i], ZT_INPROC, ep, sizeof ep);
        zt_connect(req, ep);
    }
    zt_send_str(req, "q", 0);
    int asked = zt_poll_in(r, 2, ZT_TIMEOUT_MS);
    assert_true(asked >= 0);
    int other = 1 - asked;
    const char *q[] = {"req", "", "q"};
    zt_recv_msg(r[asked], q, 3);
    const char *bogus[] = {"req", "", "bogus"};
    zt_send_msg(r[other], bogus, 3);
    const char *real[] = {"req", "", "real"};
    zt_send_msg(r[asked], real, 3);
    zt_recv_str(req, "real", false);
    zt_send_str(req, "q2", 0);
    const char *q2[] = {"req", "", "q2"};
    zt_recv_msg(r[other], q2, 3);
    const char *real2[] = {"req", "", "real2"};
    zt_send_msg(r[other], real2, 3);
    zt_recv_str(req, "real2", false); /* not the bogus one */
    zinc_socket_close(req);
    zinc_socket_close(r[0]);
    zinc_socket_close(r[1]);
    zinc_ctx_term(ctx);
}

/* ---- req_relaxed, req_correlate ---------------------------------------------- */

static void test_req_relaxed_resends_and_drops_earlier_reply(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *req, *router;
    req_router_pair(ctx, ZT_INPROC, &req, &router);
    assert_int_equal(zinc_set_int(req, "req_relaxed", 1), 0);
    zt_send_str(req, "q1", 0);
    assert_true(zt_events(req) & ZINC_POLLOUT);
    const char *q1[] = {"req", "", "q1"};
    zt_recv_msg(router, q1, 3);
    const char *r1[] = {"req", "", "r1"};
    zt_send_msg(router, r1, 3); /* arrives before the new request */
    zt_send_str(req, "q2", 0);  /* no EFSM; r1 is dropped */
    const char *q2[] = {"req", "", "q2"};
    zt_recv_msg(router, q2, 3);
    const char *r2[] = {"req", "", "r2"};
    zt_send_msg(router, r2, 3);
    zt_recv_str(req, "r2", false);
    char buf[4];
    assert_int_equal(zinc_recv(req, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, ZINC_EFSM);
    zinc_socket_close(req);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

static void test_req_correlate_prefixes_id_and_matches_reply(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *req, *router;
    req_router_pair(ctx, TR(state), &req, &router);
    assert_int_equal(zinc_set_int(req, "req_correlate", 1), 0);
    assert_int_equal(zinc_set_int(req, "req_relaxed", 1), 0);
    uint8_t id1[4], id2[4];
    char buf[16];

    zt_send_str(req, "q1", 0);
    zt_recv_str(router, "req", true);
    assert_int_equal(zt_recv_any(router, id1, sizeof id1), 4);
    assert_true(zt_rcvmore(router));
    zt_recv_expect(router, "", 0, true);
    zt_recv_str(router, "q1", false);

    zt_send_str(req, "q2", 0); /* relaxed: the reply to q1 is now stale */
    zt_recv_str(router, "req", true);
    assert_int_equal(zt_recv_any(router, id2, sizeof id2), 4);
    assert_memory_not_equal(id1, id2, 4);
    zt_recv_expect(router, "", 0, true);
    zt_recv_str(router, "q2", false);

    /* the late reply to q1, one without an id, then the right one */
    zt_send_str(router, "req", ZINC_MORE);
    zt_send(router, id1, 4, ZINC_MORE);
    zt_send(router, NULL, 0, ZINC_MORE);
    zt_send_str(router, "stale", 0);
    const char *noid[] = {"req", "", "no id"};
    zt_send_msg(router, noid, 3);
    zt_send_str(router, "req", ZINC_MORE);
    zt_send(router, id2, 4, ZINC_MORE);
    zt_send(router, NULL, 0, ZINC_MORE);
    zt_send_str(router, "fresh", 0);
    zt_recv_str(req, "fresh", false);
    assert_int_equal(zinc_recv(req, buf, sizeof buf, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, ZINC_EFSM);
    zinc_socket_close(req);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

static void test_req_correlate_with_rep(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    assert_int_equal(zinc_set_int(req, "req_correlate", 1), 0);
    zt_pair_up(rep, req, TR(state));
    for (int i = 0; i < 3; i++) {
        zt_send_str(req, "q", 0);
        zt_recv_str(rep, "q", false);
        zt_send_str(rep, "a", 0);
        zt_recv_str(req, "a", false);
    }
    zinc_socket_close(req);
    zinc_socket_close(rep);
    zinc_ctx_term(ctx);
}

static void test_req_probe_router_sends_empty_message(void **state)
{
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    assert_int_equal(zinc_set(req, "routing_id", "req"), 0);
    assert_int_equal(zinc_set_int(req, "probe_router", 1), 0);
    zt_pair_up(router, req, TR(state));
    zt_recv_str(router, "req", true);
    zt_recv_expect(router, "", 0, false);
    /* the REQ's state machine is untouched */
    zt_send_str(req, "q", 0);
    const char *q[] = {"req", "", "q"};
    zt_recv_msg(router, q, 3);
    zinc_socket_close(req);
    zinc_socket_close(router);
    zinc_ctx_term(ctx);
}

/* ---- a quick check against libzmq (pyzmq) in another process ---------------- */

/* The peer: argv[1] is the mode, argv[2] an endpoint to connect to. It
 * prints "ok" when its part of the exchange went as expected. No single
 * quotes in it: it goes to the shell inside them. */
static const char pyzmq_peer[] =
    "import sys, zmq\n"
    "c = zmq.Context(); mode = sys.argv[1]\n"
    "def sock(t):\n"
    "    s = c.socket(t); s.rcvtimeo = 3000; s.sndtimeo = 3000; s.linger = 0; return s\n"
    "if mode == \"req\":\n"
    "    s = sock(zmq.REQ); s.req_correlate = 1; s.req_relaxed = 1; s.connect(sys.argv[2])\n"
    "    for i in range(3):\n"
    "        s.send_multipart([b\"ping\", b\"%d\" % i])\n"
    "        assert s.recv_multipart() == [b\"pong\", b\"%d\" % i]\n"
    "elif mode == \"dealer\":\n"
    "    s = sock(zmq.DEALER); s.identity = b\"py\"; s.connect(sys.argv[2])\n"
    "    s.send_multipart([b\"\", b\"hello\"])\n"
    "    assert s.recv_multipart() == [b\"\", b\"world\"]\n"
    "elif mode == \"router\":\n"
    "    s = sock(zmq.ROUTER); s.bind(\"tcp://127.0.0.1:*\")\n"
    "    print(s.last_endpoint.decode(), flush=True)\n"
    "    m = s.recv_multipart()\n"
    "    assert len(m) == 4 and len(m[0]) == 5 and m[0][0] == 0 and len(m[1]) == 4, m\n"
    "    assert m[2:] == [b\"\", b\"q\"], m\n"
    "    s.send_multipart(m[:3] + [b\"a\"])\n"
    "print(\"ok\", flush=True)\n";

static const char *python_path(void)
{
    const char *py = getenv("ZINC_PYTHON");
    return py && *py ? py : "/usr/bin/python3";
}

static FILE *pyzmq_start(const char *mode, const char *ep)
{
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd, "timeout 10 %s -c '%s' %s '%s'", python_path(), pyzmq_peer,
                     mode, ep);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    return f;
}

/* Reads the peer's last line and exit status: it must have said "ok". */
static void pyzmq_finish(FILE *f)
{
    char line[256] = "", last[256] = "";
    while (fgets(line, sizeof line, f))
        snprintf(last, sizeof last, "%s", line);
    int st = pclose(f);
    assert_string_equal(last, "ok\n");
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_pyzmq_peers_interoperate(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s -c \"import zmq\" 2>/dev/null", python_path());
    if (system(cmd) != 0)
        skip();
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];

    /* libzmq REQ (correlate, relaxed) -> zinc REP */
    zinc_socket_t *rep = zt_sock(ctx, ZINC_REP);
    zt_bind(rep, ZT_TCP, ep, sizeof ep);
    FILE *py = pyzmq_start("req", ep);
    for (int i = 0; i < 3; i++) {
        char n[4];
        snprintf(n, sizeof n, "%d", i);
        zt_recv_str(rep, "ping", true);
        zt_recv_str(rep, n, false);
        zt_send_str(rep, "pong", ZINC_MORE);
        zt_send_str(rep, n, 0);
    }
    pyzmq_finish(py);
    zinc_socket_close(rep);

    /* libzmq DEALER with an identity -> zinc ROUTER */
    zinc_socket_t *router = zt_sock(ctx, ZINC_ROUTER);
    zt_bind(router, ZT_TCP, ep, sizeof ep);
    py = pyzmq_start("dealer", ep);
    const char *in[] = {"py", "", "hello"};
    zt_recv_msg(router, in, 3);
    const char *out[] = {"py", "", "world"};
    zt_send_msg(router, out, 3);
    pyzmq_finish(py);
    zinc_socket_close(router);

    /* zinc REQ (correlate) -> libzmq ROUTER */
    py = pyzmq_start("router", "-");
    assert_non_null(fgets(ep, sizeof ep, py));
    ep[strcspn(ep, "\n")] = 0;
    zinc_socket_t *req = zt_sock(ctx, ZINC_REQ);
    assert_int_equal(zinc_set_int(req, "req_correlate", 1), 0);
    zt_connect(req, ep);
    zt_send_str(req, "q", 0);
    zt_recv_str(req, "a", false);
    pyzmq_finish(py);
    zinc_socket_close(req);
    zinc_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ZT_PER_TRANSPORT(test_req_rep_alternate_multipart_messages),
        ZT_PER_TRANSPORT(test_req_wrong_call_for_state_is_efsm),
        ZT_PER_TRANSPORT(test_rep_wrong_call_for_state_is_efsm),
        cmocka_unit_test(test_req_without_peer_times_out_and_keeps_state),
        ZT_PER_TRANSPORT(test_req_round_robins_over_reps),
        ZT_PER_TRANSPORT(test_rep_returns_envelope_to_dealer),
        ZT_PER_TRANSPORT(test_rep_drops_request_without_delimiter),
        ZT_PER_TRANSPORT(test_rep_envelope_through_router_dealer_broker),
        ZT_PER_TRANSPORT(test_req_drops_reply_without_delimiter),
        cmocka_unit_test(test_req_takes_reply_only_from_peer_asked),
        cmocka_unit_test(test_req_relaxed_resends_and_drops_earlier_reply),
        ZT_PER_TRANSPORT(test_req_correlate_prefixes_id_and_matches_reply),
        ZT_PER_TRANSPORT(test_req_correlate_with_rep),
        ZT_PER_TRANSPORT(test_req_probe_router_sends_empty_message),
        cmocka_unit_test(test_pyzmq_peers_interoperate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
