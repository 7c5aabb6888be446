/* STREAM (libzmq's ZMQ_STREAM) through real sockets: raw TCP (and ipc)
 * clients and servers made with plain system calls on one side, a zinc
 * STREAM socket on the other. Connect and disconnect notices, stream_notify,
 * data both ways up to 1 MiB, closing a connection with an empty frame,
 * EHOSTUNREACH, many clients, garbage and clients that vanish, a STREAM
 * socket dialling a raw server. Built with -DZT_PYZMQ, the same file also
 * checks zinc against pyzmq's STREAM socket in both roles.
 * Timeouts bound every blocking call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sockutil.h"
#include "testutil.h"

#define MIB (1024 * 1024)

static zinc_ctx_t *ctx_new(void)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    assert_non_null(ctx);
    return ctx;
}

static void set_timeouts(int fd)
{
    struct timeval tv = {5, 0};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
}

/* The port of a "tcp://127.0.0.1:PORT" endpoint. */
static int ep_port(const char *ep)
{
    const char *colon = strrchr(ep, ':');
    assert_non_null(colon);
    return (int)strtol(colon + 1, NULL, 10);
}

/* A plain TCP client connected to ep (a zinc tcp endpoint on 127.0.0.1). */
static int raw_connect(const char *ep)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ep_port(ep))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    set_timeouts(fd);
    return fd;
}

/* A plain TCP listener on 127.0.0.1; ep gets "tcp://127.0.0.1:PORT". */
static int raw_listen(char *ep, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(ep, cap, "tcp://127.0.0.1:%d", ntohs(sa.sin_port));
    set_timeouts(fd); /* accept waits at most that long */
    return fd;
}

static int raw_accept(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(fd >= 0);
    set_timeouts(fd);
    return fd;
}

static void raw_write(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

/* Reads exactly len octets (fails on a timeout or the end). */
static void raw_read_exact(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n <= 0)
            fail_msg("raw read: %s", n == 0 ? "end of stream" : strerror(errno));
        p += n;
        len -= (size_t)n;
    }
}

static void raw_expect(int fd, const char *text)
{
    char buf[256];
    size_t n = strlen(text);
    assert_true(n <= sizeof buf);
    raw_read_exact(fd, buf, n);
    assert_memory_equal(buf, text, n);
}

/* The peer closed: the next read gives the end of stream. */
static void raw_expect_eof(int fd)
{
    char c;
    assert_int_equal(read(fd, &c, 1), 0);
}

/* Closes with a reset (SO_LINGER 0): the peer sees ECONNRESET. */
static void raw_reset(int fd)
{
    struct linger lg = {1, 0};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    close(fd);
}

typedef struct {
    uint8_t id[256];
    size_t id_len;
    zinc_frame_t *data;
} smsg_t;

/* Receives one STREAM message: [id (MORE), data (last)]. */
static void recv_smsg(zinc_socket_t *s, smsg_t *m)
{
    m->id_len = zt_recv_any(s, m->id, sizeof m->id);
    assert_true(zt_rcvmore(s));
    m->data = zinc_recv_frame(s, 0);
    if (!m->data)
        fail_msg("recv data: %s", zinc_strerror(errno));
    assert_false(zinc_frame_more(m->data));
}

/* Receives a notice [id, empty] and returns the id in m. */
static void recv_notice(zinc_socket_t *s, smsg_t *m)
{
    recv_smsg(s, m);
    assert_int_equal(zinc_frame_size(m->data), 0);
    zinc_frame_unref(m->data);
    m->data = NULL;
}

/* Receives [id, data...] messages from the peer `id` until len octets of
 * data arrived (reads may split it), and checks them against want. */
static void recv_data(zinc_socket_t *s, const smsg_t *id, const void *want, size_t len)
{
    uint8_t *got = malloc(len ? len : 1);
    assert_non_null(got);
    size_t have = 0;
    while (have < len) {
        smsg_t m;
        recv_smsg(s, &m);
        assert_int_equal(m.id_len, id->id_len);
        assert_memory_equal(m.id, id->id, id->id_len);
        size_t n = zinc_frame_size(m.data);
        assert_true(n > 0 && have + n <= len);
        memcpy(got + have, zinc_frame_data(m.data), n);
        have += n;
        zinc_frame_unref(m.data);
    }
    assert_memory_equal(got, want, len);
    free(got);
}

static void send_to(zinc_socket_t *s, const smsg_t *id, const void *data, size_t len)
{
    assert_int_equal(zinc_send(s, id->id, id->id_len, ZINC_MORE), (int)id->id_len);
    assert_int_equal(zinc_send(s, data, len, 0), (int)len);
}

static zinc_socket_t *stream_bound(zinc_ctx_t *ctx, char *ep, size_t cap)
{
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    zt_bind(s, ZT_TCP, ep, cap);
    return s;
}

/* ---- notices ---------------------------------------------------------------- */

static void test_stream_notices_a_client_connecting_and_leaving(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    int fd = raw_connect(ep);
    smsg_t hello, bye;
    recv_notice(s, &hello);
    /* A generated id: 5 octets, the first 0 (as libzmq). */
    assert_int_equal(hello.id_len, 5);
    assert_int_equal(hello.id[0], 0);
    close(fd);
    recv_notice(s, &bye);
    assert_int_equal(bye.id_len, 5);
    assert_memory_equal(bye.id, hello.id, 5);
    zt_recv_none(s);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_stream_notify_off_gives_only_data(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    assert_int_equal(zinc_set(s, "stream_notify", "0"), 0);
    char ep[256];
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    int fd = raw_connect(ep);
    raw_write(fd, "abc", 3);
    smsg_t m;
    recv_smsg(s, &m);
    assert_int_equal(m.id_len, 5);
    assert_true(zinc_frame_size(m.data) > 0); /* the first message is data */
    size_t got = zinc_frame_size(m.data);
    zinc_frame_unref(m.data);
    if (got < 3)
        recv_data(s, &m, "abc" + got, 3 - got);
    close(fd);
    /* No disconnect notice either. */
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 300), 0);
    char buf[16];
    assert_int_equal(zinc_recv(s, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, EAGAIN);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* A client that came and went while the application was elsewhere: its
 * notices and data all arrive, even when `events` read the last notice
 * ahead of the pipe being done. */
static void test_stream_keeps_the_notices_of_a_client_already_gone(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    int fd = raw_connect(ep);
    raw_write(fd, "x", 1);
    close(fd);
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    smsg_t id;
    recv_notice(s, &id);
    recv_data(s, &id, "x", 1);
    assert_true(zt_events(s) & ZINC_POLLIN); /* the disconnect notice, read ahead */
    smsg_t bye;
    recv_notice(s, &bye);
    assert_memory_equal(bye.id, id.id, id.id_len);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* ---- data ------------------------------------------------------------------------ */

static void test_stream_moves_data_both_ways_untouched(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    int fd = raw_connect(ep);
    smsg_t id;
    recv_notice(s, &id);
    /* Bytes that would mean something to ZMTP go through as they are. */
    static const uint8_t greeting[] = {0xff, 0,    0, 0, 0,   0,   0,   0,
                                       1,    0x7f, 3, 1, 'N', 'U', 'L', 'L'};
    raw_write(fd, greeting, sizeof greeting);
    recv_data(s, &id, greeting, sizeof greeting);
    send_to(s, &id, "world", 5);
    send_to(s, &id, greeting, sizeof greeting);
    raw_expect(fd, "world");
    uint8_t back[sizeof greeting];
    raw_read_exact(fd, back, sizeof back);
    assert_memory_equal(back, greeting, sizeof greeting);
    close(fd);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

typedef struct {
    int fd;
    const uint8_t *out;
    size_t len;
} writer_t;

static void *writer_run(void *arg)
{
    writer_t *w = arg;
    size_t off = 0;
    while (off < w->len) {
        ssize_t n = send(w->fd, w->out + off, w->len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    return NULL;
}

static void test_stream_echoes_a_mebibyte_both_ways(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    int fd = raw_connect(ep);
    smsg_t id;
    recv_notice(s, &id);
    uint8_t *out = malloc(MIB), *back = malloc(MIB);
    assert_non_null(out);
    assert_non_null(back);
    uint64_t seed = 7;
    zt_rand_bytes(&seed, out, MIB);
    writer_t w = {fd, out, MIB};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer_run, &w), 0);
    /* Every chunk goes back as it came: zero-copy frames, both ways. */
    size_t have = 0, chunks = 0;
    size_t echoed_at_once = 0;
    while (have < MIB) {
        smsg_t m;
        recv_smsg(s, &m);
        assert_memory_equal(m.id, id.id, id.id_len);
        size_t n = zinc_frame_size(m.data);
        assert_true(n > 0 && have + n <= MIB);
        assert_memory_equal(zinc_frame_data(m.data), out + have, n);
        have += n;
        chunks++;
        assert_int_equal(zinc_send(s, id.id, id.id_len, ZINC_MORE), (int)id.id_len);
        assert_int_equal(zinc_send_frame(s, m.data, 0), 0);
        /* The client reads only after writing everything: keep its
         * receive side from filling up by reading some now. */
        if (have - echoed_at_once >= 256 * 1024) {
            size_t k = have - echoed_at_once;
            raw_read_exact(fd, back + echoed_at_once, k);
            echoed_at_once += k;
        }
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    raw_read_exact(fd, back + echoed_at_once, MIB - echoed_at_once);
    assert_memory_equal(back, out, MIB);
    assert_true(chunks >= 1);
    free(out);
    free(back);
    close(fd);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* ---- closing, errors --------------------------------------------------------------- */

static void test_stream_empty_frame_closes_that_connection_after_its_data(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    int a = raw_connect(ep);
    smsg_t ida, idb;
    recv_notice(s, &ida);
    int b = raw_connect(ep);
    recv_notice(s, &idb);
    send_to(s, &ida, "bye", 3);
    send_to(s, &ida, "", 0);
    raw_expect(a, "bye");
    raw_expect_eof(a);
    /* That id is gone; the other connection is not disturbed. */
    assert_int_equal(zinc_send(s, ida.id, ida.id_len, ZINC_MORE), -1);
    assert_int_equal(errno, EHOSTUNREACH);
    send_to(s, &idb, "still", 5);
    raw_expect(b, "still");
    /* A connection the application closed sends no disconnect notice. */
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 300), 0);
    char buf[16];
    assert_int_equal(zinc_recv(s, buf, sizeof buf, 0), -1);
    assert_int_equal(errno, EAGAIN);
    close(a);
    close(b);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_stream_unknown_routing_id_is_ehostunreach(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    static const uint8_t bogus[5] = {0, 1, 2, 3, 4};
    assert_int_equal(zinc_send(s, bogus, sizeof bogus, ZINC_MORE), -1);
    assert_int_equal(errno, EHOSTUNREACH);
    assert_int_equal(zinc_send(s, "nobody", 6, ZINC_MORE | ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EHOSTUNREACH);
    /* The socket goes on: a real peer is reached afterwards. */
    int fd = raw_connect(ep);
    smsg_t id;
    recv_notice(s, &id);
    send_to(s, &id, "ok", 2);
    raw_expect(fd, "ok");
    close(fd);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_stream_refuses_inproc(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    assert_int_equal(zinc_bind(s, "inproc://stream"), -1);
    assert_int_equal(errno, EPROTONOSUPPORT);
    assert_int_equal(zinc_connect(s, "inproc://stream"), -1);
    assert_int_equal(errno, EPROTONOSUPPORT);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* ---- many clients, bad clients ------------------------------------------------------ */

#define NCLIENTS 24

static void test_stream_serves_many_clients_each_by_its_id(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    int fds[NCLIENTS];
    smsg_t ids[NCLIENTS];
    for (int i = 0; i < NCLIENTS; i++) {
        fds[i] = raw_connect(ep);
        recv_notice(s, &ids[i]);
        for (int j = 0; j < i; j++)
            assert_false(ids[j].id_len == ids[i].id_len &&
                         memcmp(ids[j].id, ids[i].id, ids[i].id_len) == 0);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        char text[16];
        int n = snprintf(text, sizeof text, "client%02d", i);
        raw_write(fds[i], text, (size_t)n);
    }
    /* Each client's words come with its id, in whatever order. */
    int seen = 0;
    while (seen < NCLIENTS) {
        smsg_t m;
        recv_smsg(s, &m);
        int who = -1;
        for (int i = 0; i < NCLIENTS; i++)
            if (ids[i].id_len == m.id_len && memcmp(ids[i].id, m.id, m.id_len) == 0)
                who = i;
        assert_true(who >= 0);
        char want[24];
        snprintf(want, sizeof want, "client%02d", who);
        assert_int_equal(zinc_frame_size(m.data), 8); /* 8 octets, one write */
        assert_memory_equal(zinc_frame_data(m.data), want, 8);
        zinc_frame_unref(m.data);
        char reply[16];
        int n = snprintf(reply, sizeof reply, "ack%02d", who);
        send_to(s, &m, reply, (size_t)n);
        seen++;
    }
    for (int i = 0; i < NCLIENTS; i++) {
        char want[16];
        snprintf(want, sizeof want, "ack%02d", i);
        raw_expect(fds[i], want);
        close(fds[i]);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        smsg_t m;
        recv_notice(s, &m);
    }
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_stream_survives_garbage_and_clients_vanishing_midstream(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    /* Random bytes, a bogus huge ZMTP frame header, then a reset. */
    static const uint8_t huge[] = {0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t junk[4096];
    uint64_t seed = 99;
    zt_rand_bytes(&seed, junk, sizeof junk);
    memcpy(junk, huge, sizeof huge);
    for (int round = 0; round < 4; round++) {
        int fd = raw_connect(ep);
        smsg_t id;
        recv_notice(s, &id);
        raw_write(fd, junk, 9);
        raw_write(fd, junk + 9, sizeof junk - 9);
        recv_data(s, &id, junk, sizeof junk);
        /* Mid-stream: data queued towards it, then it is gone. */
        static uint8_t big[256 * 1024];
        if (round % 2)
            send_to(s, &id, big, sizeof big);
        raw_reset(fd);
        smsg_t bye;
        recv_notice(s, &bye);
        assert_memory_equal(bye.id, id.id, id.id_len);
        /* Sending to it now is harmless (dropped, or no such peer). */
        if (zinc_send(s, id.id, id.id_len, ZINC_MORE) == (int)id.id_len)
            assert_int_equal(zinc_send(s, "late", 4, 0), 4);
        else
            assert_int_equal(errno, EHOSTUNREACH);
    }
    /* A client that leaves in the middle of sending a lot. */
    int fd = raw_connect(ep);
    smsg_t id;
    recv_notice(s, &id);
    static uint8_t lots[512 * 1024];
    raw_write(fd, lots, sizeof lots);
    raw_reset(fd);
    for (;;) {
        smsg_t m;
        recv_smsg(s, &m);
        size_t n = zinc_frame_size(m.data);
        zinc_frame_unref(m.data);
        if (n == 0)
            break; /* the disconnect notice, after whatever arrived */
    }
    /* The socket still serves a newcomer. */
    fd = raw_connect(ep);
    recv_notice(s, &id);
    raw_write(fd, "fine", 4);
    recv_data(s, &id, "fine", 4);
    send_to(s, &id, "good", 4);
    raw_expect(fd, "good");
    close(fd);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* ---- connecting to a raw server ------------------------------------------------------- */

static void test_stream_dials_a_raw_tcp_server_with_connect_routing_id(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    int lfd = raw_listen(ep, sizeof ep);
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    assert_int_equal(zinc_set(s, "reconnect_ivl", "50"), 0);
    assert_int_equal(zinc_set(s, "connect_routing_id", "srv"), 0);
    assert_int_equal(zinc_connect(s, ep), 0);
    /* The id is known at once: data may be queued before the connection. */
    smsg_t srv = {.id = "srv", .id_len = 3};
    send_to(s, &srv, "early", 5);
    int fd = raw_accept(lfd);
    smsg_t m;
    recv_notice(s, &m);
    assert_int_equal(m.id_len, 3);
    assert_memory_equal(m.id, "srv", 3);
    raw_expect(fd, "early");
    raw_write(fd, "hi", 2);
    recv_data(s, &srv, "hi", 2);
    send_to(s, &srv, "yo", 2);
    raw_expect(fd, "yo");
    /* The server hangs up: a notice, then the connecter dials again and the
     * same id comes back with a new connection. */
    close(fd);
    recv_notice(s, &m);
    assert_memory_equal(m.id, "srv", 3);
    fd = raw_accept(lfd);
    recv_notice(s, &m);
    assert_memory_equal(m.id, "srv", 3);
    send_to(s, &srv, "again", 5);
    raw_expect(fd, "again");
    /* An empty frame closes it for good: no redial. */
    send_to(s, &srv, "", 0);
    raw_expect_eof(fd);
    close(fd);
    struct timeval tv = {0, 400 * 1000};
    assert_int_equal(setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    assert_int_equal(accept(lfd, NULL, NULL), -1);
    zinc_socket_close(s);
    close(lfd);
    zinc_ctx_term(ctx);
}

static void test_stream_dials_with_a_generated_id(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    int lfd = raw_listen(ep, sizeof ep);
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    assert_int_equal(zinc_connect(s, ep), 0);
    int fd = raw_accept(lfd);
    smsg_t m;
    recv_notice(s, &m);
    assert_int_equal(m.id_len, 5);
    assert_int_equal(m.id[0], 0);
    send_to(s, &m, "GET / HTTP/1.0\r\n\r\n", 18);
    raw_expect(fd, "GET / HTTP/1.0\r\n\r\n");
    close(fd);
    zinc_socket_close(s);
    close(lfd);
    zinc_ctx_term(ctx);
}

/* ---- ipc ---------------------------------------------------------------------------------- */

static void test_stream_works_over_ipc(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    char uri[64];
    snprintf(uri, sizeof uri, "ipc://@zt-stream-%ld", (long)getpid());
    assert_int_equal(zinc_bind(s, uri), 0);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *name = uri + strlen("ipc://@");
    size_t n = strlen(name);
    memcpy(sa.sun_path + 1, name, n); /* abstract: a leading NUL */
    assert_int_equal(connect(fd, (struct sockaddr *)&sa,
                             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)),
                     0);
    set_timeouts(fd);
    smsg_t id;
    recv_notice(s, &id);
    raw_write(fd, "over ipc", 8);
    recv_data(s, &id, "over ipc", 8);
    send_to(s, &id, "back", 4);
    raw_expect(fd, "back");
    close(fd);
    recv_notice(s, &id);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

#ifdef ZT_PYZMQ
/* ---- against pyzmq's STREAM (libzmq 4.3) ------------------------------------------------ */

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

/* The pyzmq side of both cases (tests/peers/pyzmq_stream.py). */
static FILE *start_peer(const char *role, const char *ep)
{
    const char *script = getenv("ZINC_PYZMQ_STREAM");
    assert_non_null(script);
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd, "timeout 30 %s %s %s %s", python(), script, role, ep);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    return p;
}

static void peer_done(FILE *p)
{
    char line[256] = "";
    char *got = fgets(line, sizeof line, p);
    int rc = pclose(p);
    assert_non_null(got);
    assert_string_equal(line, "ok\n");
    assert_int_equal(rc, 0);
}

/* pyzmq's STREAM dials zinc's: libzmq's raw engine and zinc's raw session
 * meet with no greeting on either side. The peer sends 3 octets and 200 KiB,
 * expects them back, then closes with an empty frame. */
static void test_pyzmq_stream_client_talks_to_a_zinc_stream_server(void **state)
{
    (void)state;
    if (!have_pyzmq())
        skip();
    zinc_ctx_t *ctx = ctx_new();
    char ep[256];
    zinc_socket_t *s = stream_bound(ctx, ep, sizeof ep);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 10000), 0);
    FILE *p = start_peer("client", ep);
    smsg_t id;
    recv_notice(s, &id);
    size_t total = 3 + 200 * 1024, have = 0;
    while (have < total) {
        smsg_t m;
        recv_smsg(s, &m);
        assert_memory_equal(m.id, id.id, id.id_len);
        size_t n = zinc_frame_size(m.data);
        assert_true(n > 0);
        have += n;
        assert_int_equal(zinc_send(s, id.id, id.id_len, ZINC_MORE), (int)id.id_len);
        assert_int_equal(zinc_send_frame(s, m.data, 0), 0);
    }
    assert_int_equal(have, total);
    recv_notice(s, &id); /* it closed */
    peer_done(p);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* zinc's STREAM dials pyzmq's: the peer echoes what it gets; zinc closes
 * with an empty frame and the peer sees the disconnect notice. */
static void test_zinc_stream_client_talks_to_a_pyzmq_stream_server(void **state)
{
    (void)state;
    if (!have_pyzmq())
        skip();
    char line[256];
    FILE *p = start_peer("server", "tcp://127.0.0.1:*");
    assert_non_null(fgets(line, sizeof line, p));
    line[strcspn(line, "\n")] = '\0';
    zinc_ctx_t *ctx = ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_STREAM);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 10000), 0);
    assert_int_equal(zinc_set(s, "connect_routing_id", "py"), 0);
    assert_int_equal(zinc_connect(s, line), 0);
    smsg_t id;
    recv_notice(s, &id);
    assert_memory_equal(id.id, "py", 2);
    uint8_t *data = malloc(300 * 1024);
    assert_non_null(data);
    uint64_t seed = 5;
    zt_rand_bytes(&seed, data, 300 * 1024);
    send_to(s, &id, "abc", 3);
    recv_data(s, &id, "abc", 3);
    send_to(s, &id, data, 300 * 1024);
    recv_data(s, &id, data, 300 * 1024);
    send_to(s, &id, "", 0);
    peer_done(p);
    free(data);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_notices_a_client_connecting_and_leaving),
        cmocka_unit_test(test_stream_notify_off_gives_only_data),
        cmocka_unit_test(test_stream_keeps_the_notices_of_a_client_already_gone),
        cmocka_unit_test(test_stream_moves_data_both_ways_untouched),
        cmocka_unit_test(test_stream_echoes_a_mebibyte_both_ways),
        cmocka_unit_test(test_stream_empty_frame_closes_that_connection_after_its_data),
        cmocka_unit_test(test_stream_unknown_routing_id_is_ehostunreach),
        cmocka_unit_test(test_stream_refuses_inproc),
        cmocka_unit_test(test_stream_serves_many_clients_each_by_its_id),
        cmocka_unit_test(test_stream_survives_garbage_and_clients_vanishing_midstream),
        cmocka_unit_test(test_stream_dials_a_raw_tcp_server_with_connect_routing_id),
        cmocka_unit_test(test_stream_dials_with_a_generated_id),
        cmocka_unit_test(test_stream_works_over_ipc),
#ifdef ZT_PYZMQ
        cmocka_unit_test(test_pyzmq_stream_client_talks_to_a_zinc_stream_server),
        cmocka_unit_test(test_zinc_stream_client_talks_to_a_pyzmq_stream_server),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
