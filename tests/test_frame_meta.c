/* Metadata on received frames (zinc_frame_meta): the peer's ZMTP properties
 * (Socket-Type, Identity) and Peer-Address over tcp, names without case.
 * Built a second time with -DZT_PYZMQ (the interop suite) to check frames
 * from libzmq peers, including ROUTER, a type zinc lacks so far. (A REQ
 * peer would need a zinc REP or ROUTER: RFC 28 pairs REQ with no DEALER.) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zinc.h"

typedef struct {
    zinc_ctx_t *ctx;
    zinc_socket_t *s[4];
    int n;
    char ep[128];
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    fx->ctx = zinc_ctx_new();
    assert_non_null(fx->ctx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    for (int i = 0; i < fx->n; i++)
        zinc_socket_close(fx->s[i]);
    zinc_ctx_term(fx->ctx);
    free(fx);
    return 0;
}

static zinc_socket_t *fx_socket(fx_t *fx, int type)
{
    zinc_socket_t *s = zinc_socket_new(fx->ctx, type);
    assert_non_null(s);
    fx->s[fx->n++] = s;
    assert_int_equal(zinc_set_int(s, "linger", 0), 0);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 5000), 0);
    assert_int_equal(zinc_set_int(s, "sndtimeo", 5000), 0);
    return s;
}

/* Binds s to an ephemeral endpoint of the transport, left in fx->ep. */
static void fx_bind(fx_t *fx, zinc_socket_t *s, const char *uri)
{
    assert_int_equal(zinc_bind(s, uri), 0);
    size_t len = sizeof fx->ep;
    assert_int_equal(zinc_get(s, "last_endpoint", fx->ep, &len), 0);
}

/* The next frame on s that carries a message (skips nothing: returns it). */
static zinc_frame_t *recv_text(zinc_socket_t *s, const char *expect)
{
    zinc_frame_t *f = zinc_recv_frame(s, 0);
    assert_non_null(f);
    assert_int_equal(zinc_frame_size(f), strlen(expect));
    assert_memory_equal(zinc_frame_data(f), expect, strlen(expect));
    return f;
}

static void assert_meta(const zinc_frame_t *f, const char *name, const char *value)
{
    const char *v = zinc_frame_meta(f, name);
    if (!v)
        fail_msg("no %s (errno %d)", name, errno);
    assert_string_equal(v, value);
}

static void assert_no_meta(const zinc_frame_t *f, const char *name)
{
    const char *v = zinc_frame_meta(f, name);
    if (v)
        fail_msg("%s is \"%s\"", name, v);
    assert_int_equal(errno, ENOENT);
}

static void test_tcp_frame_carries_dealer_type_identity_and_peer_address(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *server = fx_socket(fx, ZINC_DEALER), *client = fx_socket(fx, ZINC_DEALER);
    assert_int_equal(zinc_set(client, "routing_id", "client-1"), 0);
    fx_bind(fx, server, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_connect(client, fx->ep), 0);
    assert_int_equal(zinc_send(client, "hello", 5, 0), 5);
    zinc_frame_t *f = recv_text(server, "hello");
    assert_meta(f, "Socket-Type", "DEALER");
    assert_meta(f, "Identity", "client-1");
    assert_meta(f, "Peer-Address", "127.0.0.1");
    zinc_frame_unref(f);

    /* And the other way: the client sees the server's (empty) identity. */
    assert_int_equal(zinc_send(server, "back", 4, 0), 4);
    f = recv_text(client, "back");
    assert_meta(f, "Socket-Type", "DEALER");
    assert_meta(f, "Identity", "");
    assert_meta(f, "Peer-Address", "127.0.0.1");
    zinc_frame_unref(f);
}

static void test_meta_names_are_compared_without_case(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *server = fx_socket(fx, ZINC_DEALER), *client = fx_socket(fx, ZINC_DEALER);
    assert_int_equal(zinc_set(client, "identity", "Who"), 0);
    fx_bind(fx, server, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_connect(client, fx->ep), 0);
    assert_int_equal(zinc_send(client, "x", 1, 0), 1);
    zinc_frame_t *f = recv_text(server, "x");
    assert_meta(f, "socket-type", "DEALER");
    assert_meta(f, "SOCKET-TYPE", "DEALER");
    assert_meta(f, "sOcKeT-tYpE", "DEALER");
    assert_meta(f, "IDENTITY", "Who");
    assert_meta(f, "peer-address", "127.0.0.1");
    zinc_frame_unref(f);
}

static void test_push_frame_has_type_and_address_but_no_identity(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *pull = fx_socket(fx, ZINC_PULL), *push = fx_socket(fx, ZINC_PUSH);
    fx_bind(fx, pull, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_connect(push, fx->ep), 0);
    assert_int_equal(zinc_send(push, "p", 1, 0), 1);
    zinc_frame_t *f = recv_text(pull, "p");
    assert_meta(f, "Socket-Type", "PUSH");
    assert_meta(f, "Peer-Address", "127.0.0.1");
    assert_no_meta(f, "Identity"); /* RFC 23: only REQ, DEALER and ROUTER send it */
    zinc_frame_unref(f);
}

static void test_every_frame_of_a_multipart_message_carries_metadata(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *server = fx_socket(fx, ZINC_DEALER), *client = fx_socket(fx, ZINC_DEALER);
    fx_bind(fx, server, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_connect(client, fx->ep), 0);
    zinc_buf_t parts[3] = {{"a", 1}, {"", 0}, {"c", 1}};
    assert_int_equal(zinc_send_multipart_bufs(client, parts, 3, 0), 0);
    zinc_multipart_t *m = zinc_recv_multipart(server, 0);
    assert_non_null(m);
    assert_int_equal(zinc_multipart_count(m), 3);
    for (size_t i = 0; i < 3; i++)
        assert_meta(zinc_multipart_frame(m, i), "Socket-Type", "DEALER");
    zinc_multipart_free(m);
}

static void test_meta_outlives_the_socket_with_the_frame(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *pull = fx_socket(fx, ZINC_PULL), *push = fx_socket(fx, ZINC_PUSH);
    fx_bind(fx, pull, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_connect(push, fx->ep), 0);
    assert_int_equal(zinc_send(push, "p", 1, 0), 1);
    zinc_frame_t *f = recv_text(pull, "p");
    const char *type = zinc_frame_meta(f, "Socket-Type");
    zinc_socket_close(push);
    zinc_socket_close(pull);
    fx->n = 0;
    assert_string_equal(type, "PUSH"); /* lives as long as f */
    zinc_frame_unref(f);
}

static void test_unknown_property_is_enoent_and_bad_arguments_einval(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *pull = fx_socket(fx, ZINC_PULL), *push = fx_socket(fx, ZINC_PUSH);
    fx_bind(fx, pull, "tcp://127.0.0.1:*");
    assert_int_equal(zinc_connect(push, fx->ep), 0);
    assert_int_equal(zinc_send(push, "p", 1, 0), 1);
    zinc_frame_t *f = recv_text(pull, "p");
    assert_no_meta(f, "X-Nothing");
    assert_no_meta(f, "User-Id"); /* NULL mechanism: no user id */
    assert_null(zinc_frame_meta(f, NULL));
    assert_int_equal(errno, EINVAL);
    assert_null(zinc_frame_meta(NULL, "Socket-Type"));
    assert_int_equal(errno, EINVAL);
    zinc_frame_unref(f);
}

/* As libzmq: inproc joins two sockets without a handshake, and its frames
 * carry no connection metadata. A frame the application made has none. */
static void test_inproc_and_local_frames_have_no_metadata(void **state)
{
    fx_t *fx = *state;
    zinc_socket_t *a = fx_socket(fx, ZINC_PAIR), *b = fx_socket(fx, ZINC_PAIR);
    fx_bind(fx, a, "inproc://frame-meta");
    assert_int_equal(zinc_connect(b, fx->ep), 0);
    assert_int_equal(zinc_send(b, "i", 1, 0), 1);
    zinc_frame_t *f = recv_text(a, "i");
    assert_no_meta(f, "Socket-Type");
    zinc_frame_unref(f);
    f = zinc_frame_new("local", 5);
    assert_no_meta(f, "Socket-Type");
    zinc_frame_unref(f);
}

#ifdef ZT_PYZMQ
/* ---- frames from libzmq (pyzmq) peers ---------------------------------- */

static const char *python(void)
{
    const char *py = getenv("ZINC_PYTHON");
    return py && *py ? py : "/usr/bin/python3";
}

static bool have_pyzmq(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -c 'import zmq' >/dev/null 2>&1", python());
    return system(cmd) == 0;
}

/* Starts a pyzmq peer of type `type` with routing id "py-<type>" that
 * connects to ep and sends one message: "hello" (DEALER), or
 * "hello" to zinc's routing id "zinc" (ROUTER, once the handshake is done). */
static FILE *start_peer(const char *type, const char *ep)
{
    static const char script[] = "import sys, time, zmq\n"
                                 "t, ep = sys.argv[1], sys.argv[2]\n"
                                 "c = zmq.Context()\n"
                                 "s = c.socket(getattr(zmq, t))\n"
                                 "s.linger = 2000; s.sndtimeo = 5000\n"
                                 "s.routing_id = ('py-' + t.lower()).encode()\n"
                                 "s.connect(ep)\n"
                                 "if t == 'ROUTER':\n"
                                 "    s.router_mandatory = 1\n"
                                 "    for _ in range(500):\n"
                                 "        try:\n"
                                 "            s.send_multipart([b'zinc', b'hello']); break\n"
                                 "        except zmq.ZMQError:\n"
                                 "            time.sleep(0.01)\n"
                                 "else:\n"
                                 "    s.send(b'hello')\n"
                                 "s.close(); c.term()\n";
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "timeout 20 %s -c \"%s\" %s %s", python(), script, type, ep);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    return p;
}

static void check_pyzmq_peer(fx_t *fx, const char *type, const char *zmtp_type,
                             const char *identity)
{
    zinc_socket_t *s = fx_socket(fx, ZINC_DEALER);
    assert_int_equal(zinc_set(s, "routing_id", "zinc"), 0);
    fx_bind(fx, s, "tcp://127.0.0.1:*");
    FILE *peer = start_peer(type, fx->ep);
    zinc_multipart_t *m = zinc_recv_multipart(s, 0);
    int rc = pclose(peer);
    assert_non_null(m);
    assert_int_equal(rc, 0);
    size_t last = zinc_multipart_count(m) - 1;
    const zinc_frame_t *f = zinc_multipart_frame(m, last);
    assert_int_equal(zinc_frame_size(f), 5);
    for (size_t i = 0; i <= last; i++) {
        assert_meta(zinc_multipart_frame(m, i), "Socket-Type", zmtp_type);
        assert_meta(zinc_multipart_frame(m, i), "identity", identity);
        assert_meta(zinc_multipart_frame(m, i), "Peer-Address", "127.0.0.1");
    }
    zinc_multipart_free(m);
}

static void test_pyzmq_dealer_frame_carries_dealer_type_and_identity(void **state)
{
    if (!have_pyzmq())
        skip();
    check_pyzmq_peer(*state, "DEALER", "DEALER", "py-dealer");
}

static void test_pyzmq_router_frame_carries_router_type_and_identity(void **state)
{
    if (!have_pyzmq())
        skip();
    check_pyzmq_peer(*state, "ROUTER", "ROUTER", "py-router");
}
#endif

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_tcp_frame_carries_dealer_type_identity_and_peer_address),
        T(test_meta_names_are_compared_without_case),
        T(test_push_frame_has_type_and_address_but_no_identity),
        T(test_every_frame_of_a_multipart_message_carries_metadata),
        T(test_meta_outlives_the_socket_with_the_frame),
        T(test_unknown_property_is_enoent_and_bad_arguments_einval),
        T(test_inproc_and_local_frames_have_no_metadata),
#ifdef ZT_PYZMQ
        T(test_pyzmq_dealer_frame_carries_dealer_type_and_identity),
        T(test_pyzmq_router_frame_carries_router_type_and_identity),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
