/* Older peers over real zinc sockets (tcp): raw sockets speaking the exact
 * octets of a ZMTP 3.0 peer, a 2.0 peer (RFC 15) and a 1.0 peer (RFC 13), in
 * both connect directions. Each case checks what zinc writes octet for
 * octet (greeting pieces, identity frame, framing) and what the application
 * sees (messages, ROUTER identities, REQ/REP envelopes, pub-sub filtering
 * and the phantom subscription of a 1.0 SUB). A zinc socket with a security
 * mechanism refuses these peers: it closes without sending an identity and,
 * as after any protocol error, stops redialling.
 */
#include "itest.h"
#include "../testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { ZINC_BINDS = 0, ZINC_CONNECTS = 1, RAW_MS = 3000 };
static const int dir_binds = ZINC_BINDS, dir_connects = ZINC_CONNECTS;

/* ---- raw tcp peers --------------------------------------------------------- */

static int raw_connect_tcp(const char *ep)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    char host[64];
    int port;
    assert_int_equal(sscanf(ep + 6, "%63[^:]:%d", host, &port), 2);
    assert_int_equal(inet_pton(AF_INET, host, &sa.sin_addr), 1);
    sa.sin_port = htons((uint16_t)port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static int raw_listen_tcp(char *ep, size_t cap)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(ep, cap, "tcp://127.0.0.1:%d", ntohs(sa.sin_port));
    assert_int_equal(listen(fd, 16), 0);
    return fd;
}

/* Accepts one connection within ms; -1 if none came. */
static int raw_accept(int lfd, int ms)
{
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
        return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* A raw peer joined to s: s binds and the raw socket connects, or the raw
 * socket listens and s connects, as the case's direction says. */
static int raw_peer(it_fx_t *fx, zinc_socket_t *s)
{
    char ep[256];
    if (*(const int *)fx->param == ZINC_BINDS) {
        it_bind(s, "tcp://127.0.0.1:*", ep, sizeof ep);
        return raw_connect_tcp(ep);
    }
    int lfd = raw_listen_tcp(ep, sizeof ep);
    it_connect(s, ep);
    int fd = raw_accept(lfd, RAW_MS);
    close(lfd);
    assert_true(fd >= 0);
    return fd;
}

static void raw_write(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

/* Reads exactly n octets within RAW_MS; false on close or timeout. */
static bool raw_read(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    int64_t deadline = it_now_ms() + RAW_MS;
    while (n) {
        int64_t left = deadline - it_now_ms();
        struct pollfd pf = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
            return false;
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static void raw_expect(int fd, const void *want, size_t n, const char *what)
{
    uint8_t got[512];
    assert_true(n <= sizeof got);
    if (!raw_read(fd, got, n))
        fail_msg("%s: the peer got fewer than %zu octets", what, n);
    if (memcmp(got, want, n) != 0)
        fail_msg("%s: other octets than expected", what);
}

/* True when zinc closes the connection within ms; what it still sent
 * before that goes to got (up to cap octets, *n of them). */
static bool raw_closed_within(int fd, int ms, uint8_t *got, size_t cap, size_t *n)
{
    int64_t deadline = it_now_ms() + ms;
    *n = 0;
    for (;;) {
        int64_t left = deadline - it_now_ms();
        struct pollfd pf = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
            return false;
        uint8_t b[256];
        ssize_t r = recv(fd, b, sizeof b, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return true;
        for (ssize_t i = 0; i < r; i++)
            if (*n < cap)
                got[(*n)++] = b[i];
    }
}

/* ---- the old wire formats --------------------------------------------------- */

typedef struct {
    uint8_t b[1024];
    size_t n;
} wire_t;

static void w_put(wire_t *w, const void *p, size_t n)
{
    assert_true(w->n + n <= sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

/* libzmq's signature: 0xFF, identity length + 1 (u64 BE), 0x7F. */
static void w_sig(wire_t *w, size_t id_len)
{
    uint8_t s[10] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F};
    uint64_t v = id_len + 1;
    for (int i = 8; i >= 1; i--, v >>= 8)
        s[i] = (uint8_t)v;
    w_put(w, s, 10);
}

/* 2.0 frame (RFC 15): flags (MORE 1, LONG 2), size 1 or 8 octets. */
static void w_frame20(wire_t *w, bool more, const char *body)
{
    size_t n = strlen(body);
    assert_true(n < 256);
    w_put(w, (uint8_t[]){more ? 1 : 0, (uint8_t)n}, 2);
    w_put(w, body, n);
}

/* 1.0 frame (RFC 13): length counting the flags octet, flags, body. */
static void w_frame10(wire_t *w, bool more, const char *body)
{
    size_t n = strlen(body);
    assert_true(n + 1 < 255);
    w_put(w, (uint8_t[]){(uint8_t)(n + 1), more ? 1 : 0}, 2);
    w_put(w, body, n);
}

/* A 2.0 peer's greeting and identity frame. */
static void w_hello20(wire_t *w, int type, const char *identity)
{
    w_sig(w, strlen(identity));
    w_put(w, (uint8_t[]){0x01, (uint8_t)type}, 2);
    w_frame20(w, false, identity);
}

/* What zinc must send a 2.0 peer first: signature, major 3, its type, its
 * identity frame. */
static void expect_zinc20(int fd, int type, const char *identity)
{
    wire_t w = {.n = 0};
    w_sig(&w, strlen(identity));
    w_put(&w, (uint8_t[]){0x03, (uint8_t)type}, 2);
    w_frame20(&w, false, identity);
    raw_expect(fd, w.b, w.n, "zinc's 2.0 greeting and identity");
}

/* What zinc must send a 1.0 peer first: the signature, which is the
 * header of its identity frame, then the identity. */
static void expect_zinc10(int fd, const char *identity)
{
    wire_t w = {.n = 0};
    w_sig(&w, strlen(identity));
    w_put(&w, identity, strlen(identity));
    raw_expect(fd, w.b, w.n, "zinc's 1.0 identity frame");
}

/* Reads one 2.0 or 1.0 frame into body (NUL-terminated); its MORE flag. */
static bool raw_frame(int fd, bool v10, char *body, size_t cap)
{
    uint8_t h[2];
    assert_true(raw_read(fd, h, 2));
    size_t n = v10 ? (size_t)h[0] - 1 : h[1];
    assert_true(h[0] != 0xFF && !(h[v10 ? 1 : 0] & 0x02) && n < cap);
    assert_true(raw_read(fd, body, n));
    body[n] = '\0';
    return h[v10 ? 1 : 0] & 0x01;
}

static void expect_frame(int fd, bool v10, bool more, const char *body)
{
    char got[256];
    bool m = raw_frame(fd, v10, got, sizeof got);
    if (m != more || strcmp(got, body) != 0)
        fail_msg("wanted frame \"%s\"%s, got \"%s\"%s", body, more ? " +MORE" : "", got,
                 m ? " +MORE" : "");
}

static void recv_str(zinc_socket_t *s, const char *want, bool more)
{
    char buf[256];
    int n = zinc_recv(s, buf, sizeof buf - 1, 0);
    if (n < 0)
        fail_msg("zinc_recv: %s (wanted \"%s\")", zinc_strerror(zinc_errno()), want);
    buf[n] = '\0';
    assert_string_equal(buf, want);
    int64_t m = 0;
    assert_int_equal(zinc_get_int(s, "rcvmore", &m), 0);
    assert_int_equal(m != 0, more);
}

/* ---- a 3.0 peer ----------------------------------------------------------------- */

static void test_zmtp30_push_delivers_to_a_zinc_pull(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    int fd = raw_peer(fx, pull);
    /* libzmq's pieces: zinc's signature, then its major, then the rest */
    uint8_t g[64] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0, 'N', 'U', 'L', 'L'};
    raw_expect(fd, g, 10, "signature");
    raw_write(fd, g, 10);
    raw_expect(fd, g + 10, 1, "major");
    raw_write(fd, g + 10, 54);
    uint8_t z[54];
    assert_true(raw_read(fd, z, sizeof z));
    assert_int_equal(z[0], 1); /* zinc is 3.1 */
    static const uint8_t ready[] = {0x04, 0x1A, 5,   'R', 'E', 'A', 'D', 'Y', 11,  'S',
                                    'o',  'c',  'k', 'e', 't', '-', 'T', 'y', 'p', 'e',
                                    0,    0,    0,   4,   'P', 'U', 'S', 'H'};
    raw_write(fd, ready, sizeof ready);
    raw_write(fd, (uint8_t[]){0x01, 0x02, 'h', 'i', 0x00, 0x03, '3', '.', '0'}, 9);
    recv_str(pull, "hi", true);
    recv_str(pull, "3.0", false);
    close(fd);
}

/* ---- PUSH/PULL ---------------------------------------------------------------- */

static void test_zmtp20_push_delivers_to_a_zinc_pull(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    int fd = raw_peer(fx, pull);
    wire_t w = {.n = 0};
    w_hello20(&w, ZINC_PUSH, "");
    w_frame20(&w, true, "two");
    w_frame20(&w, false, "frames");
    raw_write(fd, w.b, w.n);
    expect_zinc20(fd, ZINC_PULL, "");
    recv_str(pull, "two", true);
    recv_str(pull, "frames", false);
    close(fd);
}

static void test_zinc_push_delivers_to_a_zmtp10_pull(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    it_set_str(push, "routing_id", "pusher");
    int fd = raw_peer(fx, push);
    wire_t w = {.n = 0};
    w_frame10(&w, false, "");
    raw_write(fd, w.b, w.n);
    expect_zinc10(fd, "pusher");
    assert_int_equal(zinc_send(push, "a", 1, ZINC_MORE), 1);
    assert_int_equal(zinc_send(push, "bc", 2, 0), 2);
    expect_frame(fd, true, true, "a");
    expect_frame(fd, true, false, "bc");
    close(fd);
}

static void test_zmtp10_push_delivers_to_a_zinc_pull(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    int fd = raw_peer(fx, pull);
    wire_t w = {.n = 0};
    w_frame10(&w, false, "old-pusher");
    w_frame10(&w, true, "one");
    w_frame10(&w, false, "point-oh");
    raw_write(fd, w.b, w.n);
    expect_zinc10(fd, "");
    recv_str(pull, "one", true);
    recv_str(pull, "point-oh", false);
    close(fd);
}

/* ---- DEALER/ROUTER -------------------------------------------------------------- */

static void router_case(void **state, bool v10)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *router = it_socket(fx, ZINC_ROUTER);
    it_set_str(router, "routing_id", "rtr");
    int fd = raw_peer(fx, router);
    const char *id = v10 ? "dealer-1.0" : "dealer-2.0";
    wire_t w = {.n = 0};
    if (v10) {
        w_frame10(&w, false, id);
        w_frame10(&w, false, "ask");
    } else {
        w_hello20(&w, ZINC_DEALER, id);
        w_frame20(&w, false, "ask");
    }
    raw_write(fd, w.b, w.n);
    if (v10)
        expect_zinc10(fd, "rtr");
    else
        expect_zinc20(fd, ZINC_ROUTER, "rtr");
    /* the identity frame is the routing id */
    recv_str(router, id, true);
    recv_str(router, "ask", false);
    assert_int_equal(zinc_send(router, id, strlen(id), ZINC_MORE), (int)strlen(id));
    assert_int_equal(zinc_send(router, "answer", 6, 0), 6);
    expect_frame(fd, v10, false, "answer");
    close(fd);
}

static void test_zmtp20_dealer_identity_routes_at_a_zinc_router(void **state)
{
    router_case(state, false);
}

static void test_zmtp10_dealer_identity_routes_at_a_zinc_router(void **state)
{
    router_case(state, true);
}

/* ---- PUB/SUB ------------------------------------------------------------------------ */

/* A 1.0 SUB sends no subscriptions: zinc's PUB sends it everything (as
 * libzmq, a phantom subscription to all topics). */
static void test_zinc_pub_sends_everything_to_a_zmtp10_sub(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pub = it_socket(fx, ZINC_PUB);
    int fd = raw_peer(fx, pub);
    wire_t w = {.n = 0};
    w_frame10(&w, false, "");
    raw_write(fd, w.b, w.n);
    expect_zinc10(fd, "");
    /* a PUB drops what no subscription matches: send until the first one
     * arrives (the phantom subscription reached the socket), then more */
    int64_t deadline = it_now_ms() + RAW_MS;
    for (;;) {
        assert_int_equal(zinc_send(pub, "probe", 5, ZINC_DONTWAIT), 5);
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 20) > 0)
            break;
        if (it_now_ms() > deadline)
            fail_msg("no message reached the 1.0 SUB");
    }
    assert_int_equal(zinc_send(pub, "zzz", 3, ZINC_MORE), 3);
    assert_int_equal(zinc_send(pub, "last", 4, 0), 4);
    char got[64];
    for (;;) {
        bool more = raw_frame(fd, true, got, sizeof got);
        if (strcmp(got, "probe") == 0 && !more)
            continue;
        assert_string_equal(got, "zzz");
        assert_true(more);
        break;
    }
    expect_frame(fd, true, false, "last");
    close(fd);
}

/* A 2.0 PUB gets zinc's subscriptions as messages 0x01 + topic, and
 * filtering still happens at the SUB for what it sends anyway. */
static void test_zinc_sub_subscribes_a_zmtp20_pub_with_01_messages(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *sub = it_socket(fx, ZINC_SUB);
    it_set_str(sub, "subscribe", "weather");
    int fd = raw_peer(fx, sub);
    wire_t w = {.n = 0};
    w_hello20(&w, ZINC_PUB, "");
    raw_write(fd, w.b, w.n);
    expect_zinc20(fd, ZINC_SUB, "");
    /* a SUB sends subscriptions to a new pipe inside the application's
     * calls on it: call it until they come */
    char tmp[8];
    int64_t deadline = it_now_ms() + RAW_MS;
    for (;;) {
        (void)zinc_recv(sub, tmp, sizeof tmp, ZINC_DONTWAIT);
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 20) > 0)
            break;
        if (it_now_ms() > deadline)
            fail_msg("no subscription reached the 2.0 PUB");
    }
    expect_frame(fd, false, false, "\x01weather");
    w.n = 0;
    w_frame20(&w, false, "sport: 1-0");
    w_frame20(&w, false, "weather: rain");
    raw_write(fd, w.b, w.n);
    recv_str(sub, "weather: rain", false);
    it_set_str(sub, "unsubscribe", "weather");
    (void)zinc_recv(sub, tmp, sizeof tmp, ZINC_DONTWAIT);
    char cancel[16] = "\x00weather";
    uint8_t h[2];
    assert_true(raw_read(fd, h, 2));
    assert_int_equal(h[0], 0);
    assert_int_equal(h[1], 8);
    char body[8];
    assert_true(raw_read(fd, body, 8));
    assert_memory_equal(body, cancel, 8);
    close(fd);
}

/* ---- REQ/REP envelopes ------------------------------------------------------------ */

static void test_zmtp20_req_gets_its_envelope_back_from_a_zinc_rep(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *rep = it_socket(fx, ZINC_REP);
    int fd = raw_peer(fx, rep);
    wire_t w = {.n = 0};
    w_hello20(&w, ZINC_REQ, "req-2");
    w_frame20(&w, true, "");
    w_frame20(&w, false, "question");
    raw_write(fd, w.b, w.n);
    expect_zinc20(fd, ZINC_REP, "");
    recv_str(rep, "question", false);
    assert_int_equal(zinc_send(rep, "answer", 6, 0), 6);
    expect_frame(fd, false, true, "");
    expect_frame(fd, false, false, "answer");
    close(fd);
}

static void test_zinc_req_talks_to_a_zmtp10_rep(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *req = it_socket(fx, ZINC_REQ);
    int fd = raw_peer(fx, req);
    wire_t w = {.n = 0};
    w_frame10(&w, false, "rep-1");
    raw_write(fd, w.b, w.n);
    expect_zinc10(fd, "");
    assert_int_equal(zinc_send(req, "q", 1, 0), 1);
    expect_frame(fd, true, true, "");
    expect_frame(fd, true, false, "q");
    w.n = 0;
    w_frame10(&w, true, "");
    w_frame10(&w, false, "a");
    raw_write(fd, w.b, w.n);
    recv_str(req, "a", false);
    close(fd);
}

/* ---- security refuses older peers ---------------------------------------------------- */

/* PLAIN (client or server) cannot run below ZMTP 3.0: zinc closes at once,
 * before any identity, with a protocol error (mechanism mismatch), after
 * which a connecter does not redial. */
static void refused_case(void **state, bool v10, bool plain_server)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *s = it_socket(fx, ZINC_PULL);
    it_set_int(s, "reconnect_ivl", 20);
    if (plain_server)
        it_set_int(s, "plain_server", 1);
    else
        it_set_str(s, "plain_username", "user");
    bool connects = *(const int *)fx->param == ZINC_CONNECTS;
    char ep[256];
    int lfd = -1, fd;
    if (connects) {
        lfd = raw_listen_tcp(ep, sizeof ep);
        it_connect(s, ep);
        fd = raw_accept(lfd, RAW_MS);
        assert_true(fd >= 0);
    } else {
        it_bind(s, "tcp://127.0.0.1:*", ep, sizeof ep);
        fd = raw_connect_tcp(ep);
    }
    wire_t w = {.n = 0};
    if (v10)
        w_frame10(&w, false, "x");
    else
        w_hello20(&w, ZINC_PUSH, "x");
    w_frame10(&w, false, "never delivered");
    raw_write(fd, w.b, w.n);
    /* the signature, at most the major and type of a 2.0 greeting (queued
     * with the refusal), and never an identity frame */
    wire_t want = {.n = 0};
    w_sig(&want, 0);
    raw_expect(fd, want.b, want.n, "zinc's signature before the refusal");
    uint8_t rest[64];
    size_t nrest;
    if (!raw_closed_within(fd, RAW_MS, rest, sizeof rest, &nrest))
        fail_msg("zinc kept the connection of a ZMTP %s peer", v10 ? "1.0" : "2.0");
    static const uint8_t v20_rest[] = {0x03, ZINC_PULL};
    assert_true(nrest <= (v10 ? 0 : 2));
    if (nrest)
        assert_memory_equal(rest, v20_rest, nrest);
    close(fd);
    char buf[8];
    assert_int_equal(zinc_recv(s, buf, sizeof buf, ZINC_DONTWAIT), -1);
    if (connects) {
        /* a protocol error: no redial (a plain hang-up redials in 20 ms) */
        int again = raw_accept(lfd, 400);
        if (again >= 0) {
            close(again);
            fail_msg("zinc redialled after refusing an old peer");
        }
        close(lfd);
    }
}

static void test_plain_client_refuses_a_zmtp20_peer(void **state)
{
    refused_case(state, false, false);
}

static void test_plain_server_refuses_a_zmtp10_peer(void **state)
{
    refused_case(state, true, true);
}

#define BOTH(name, fn)                                                                             \
    {name " (zinc binds)", fn, &dir_binds, 1u << IT_TCP, 0},                                       \
    {                                                                                              \
        name " (zinc connects)", fn, &dir_connects, 1u << IT_TCP, 0                                \
    }

static const it_case_t cases[] = {
    BOTH("a ZMTP 3.0 PUSH delivers to a zinc PULL", test_zmtp30_push_delivers_to_a_zinc_pull),
    BOTH("a ZMTP 2.0 PUSH delivers to a zinc PULL", test_zmtp20_push_delivers_to_a_zinc_pull),
    BOTH("a zinc PUSH delivers to a ZMTP 1.0 PULL", test_zinc_push_delivers_to_a_zmtp10_pull),
    BOTH("a ZMTP 1.0 PUSH delivers to a zinc PULL", test_zmtp10_push_delivers_to_a_zinc_pull),
    BOTH("a ZMTP 2.0 DEALER's identity routes at a zinc ROUTER",
         test_zmtp20_dealer_identity_routes_at_a_zinc_router),
    BOTH("a ZMTP 1.0 DEALER's identity routes at a zinc ROUTER",
         test_zmtp10_dealer_identity_routes_at_a_zinc_router),
    BOTH("a zinc PUB sends everything to a ZMTP 1.0 SUB",
         test_zinc_pub_sends_everything_to_a_zmtp10_sub),
    BOTH("a zinc SUB subscribes a ZMTP 2.0 PUB with 0x01 messages",
         test_zinc_sub_subscribes_a_zmtp20_pub_with_01_messages),
    BOTH("a ZMTP 2.0 REQ gets its envelope back from a zinc REP",
         test_zmtp20_req_gets_its_envelope_back_from_a_zinc_rep),
    BOTH("a zinc REQ talks to a ZMTP 1.0 REP", test_zinc_req_talks_to_a_zmtp10_rep),
    BOTH("a PLAIN client refuses a ZMTP 2.0 peer", test_plain_client_refuses_a_zmtp20_peer),
    BOTH("a PLAIN server refuses a ZMTP 1.0 peer", test_plain_server_refuses_a_zmtp10_peer),
};

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return it_run("legacy", cases, sizeof cases / sizeof cases[0]);
}
