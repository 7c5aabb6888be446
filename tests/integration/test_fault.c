/* Fault tests over tcp and ipc: peers that die mid-message, send garbage or
 * stall in the handshake. zinc must drop only that connection (never a
 * partial message, never a crash or a hang), keep serving its other peers,
 * and redial a peer that comes back. Peers are raw sockets driven byte by
 * byte, and child processes running zinc (this program re-executed with
 * --child-...), killed with SIGKILL.
 */
#include "itest.h"
#include "../testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

extern char **environ;

enum { HANDSHAKE_IVL = 200, BIG = 64 << 20, TAG_BIG = 7777 };

/* ---- raw peers ---------------------------------------------------------------------- */

/* A ZMTP 3.1 NULL greeting and a READY announcing type (e.g. "PUSH"). */
static size_t raw_handshake(uint8_t *out, const char *type)
{
    memset(out, 0, 64);
    out[0] = 0xFF;
    out[9] = 0x7F;
    out[10] = 3;
    out[11] = 1;
    memcpy(out + 12, "NULL", 4);
    size_t n = 64;
    size_t tlen = strlen(type);
    size_t body = 1 + 5 + 1 + 11 + 4 + tlen;
    out[n++] = 0x04;
    out[n++] = (uint8_t)body;
    out[n++] = 5;
    memcpy(out + n, "READY", 5);
    n += 5;
    out[n++] = 11;
    memcpy(out + n, "Socket-Type", 11);
    n += 11;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = (uint8_t)tlen;
    memcpy(out + n, type, tlen);
    return n + tlen;
}

/* A blocking client socket connected to a zinc tcp or ipc endpoint. */
static int raw_connect(const char *ep)
{
    int fd;
    if (strncmp(ep, "tcp://", 6) == 0) {
        struct sockaddr_in sa = {.sin_family = AF_INET};
        char host[64];
        int port;
        assert_int_equal(sscanf(ep + 6, "%63[^:]:%d", host, &port), 2);
        assert_int_equal(inet_pton(AF_INET, host, &sa.sin_addr), 1);
        sa.sin_port = htons((uint16_t)port);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    } else {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        assert_true(strncmp(ep, "ipc://", 6) == 0 && strlen(ep + 6) < sizeof sa.sun_path);
        memcpy(sa.sun_path, ep + 6, strlen(ep + 6));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    }
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
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

/* Closes fd abruptly: a reset where the transport has one. */
static void raw_kill(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* Reads and discards until the peer closes: the time that took (ms), or -1
 * when it stays open for ms. */
static int64_t raw_wait_closed(int fd, int ms)
{
    int64_t t0 = it_now_ms(), deadline = t0 + ms;
    for (;;) {
        int64_t left = deadline - it_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc == 0)
            return -1;
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return it_now_ms() - t0;
    }
}

/* ---- a legitimate peer alongside ------------------------------------------------------ */

typedef struct {
    zinc_socket_t *pull; /* the zinc socket under attack */
    zinc_socket_t *push; /* a well-behaved peer */
    char ep[256];
    uint32_t next;
} server_t;

static void server_open(it_fx_t *fx, server_t *sv)
{
    memset(sv, 0, sizeof *sv);
    sv->pull = it_socket(fx, ZINC_PULL);
    it_set_int(sv->pull, "handshake_ivl", HANDSHAKE_IVL);
    char wild[256];
    it_ep_wild(fx->tran, wild, sizeof wild);
    it_bind(sv->pull, wild, sv->ep, sizeof sv->ep);
    sv->push = it_socket(fx, ZINC_PUSH);
    it_connect(sv->push, sv->ep);
}

/* The legitimate peer still gets n messages through, in order, and nothing
 * else arrives. */
static void server_check(server_t *sv, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        it_msg_t m;
        it_msg_make(&m, sv->next + i, 2, 300);
        assert_int_equal(it_send_msg(sv->push, &m, 0), 0);
    }
    for (uint32_t i = 0; i < n; i++) {
        it_msg_t m;
        assert_int_equal(it_recv_msg(sv->pull, &m, 0), 0);
        if (!it_msg_ok(&m, sv->next + i, 2, 300))
            fail_msg("message %u: %zu frames, first of %zu octets", sv->next + i, m.n,
                     m.n ? zinc_frame_size(m.f[0]) : 0);
        it_msg_clear(&m);
    }
    sv->next += n;
    it_expect_silence(sv->pull, 0);
}

/* ---- raw faults -------------------------------------------------------------------------- */

static void test_peer_dying_mid_message_delivers_nothing_of_it(void **state)
{
    it_fx_t *fx = it_fx(state);
    server_t sv;
    server_open(fx, &sv);
    server_check(&sv, 3);
    uint8_t hs[128];
    size_t n = raw_handshake(hs, "PUSH");
    for (int round = 0; round < 6; round++) {
        int fd = raw_connect(sv.ep);
        if (round % 2) {
            /* As a real (libzmq) peer: zinc's signature first; zinc sends
             * the rest of its greeting only once ours arrives. */
            uint8_t theirs[10];
            size_t got = 0;
            struct timeval tv = {2, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            while (got < sizeof theirs) {
                ssize_t r = recv(fd, theirs + got, sizeof theirs - got, 0);
                assert_true(r > 0);
                got += (size_t)r;
            }
            assert_int_equal(theirs[0], 0xFF);
        }
        /* Pipelined on even rounds: the handshake and the messages in one
         * go, and gone before zinc even answered. */
        raw_write(fd, hs, n);
        /* One whole message, then a 3-frame message cut in its second frame
         * (a long frame announcing 1 MiB, 1000 octets given). */
        static const uint8_t whole[] = {0x00, 3, 'o', 'n', 'e'};
        raw_write(fd, whole, sizeof whole);
        uint8_t cut[9 + 1000 + 3] = {0x01, 1, 'a', 0x03, 0, 0, 0, 0, 0, 0x10, 0, 0};
        raw_write(fd, cut, sizeof cut);
        if (round % 2)
            raw_kill(fd);
        else
            close(fd);
        /* The whole message arrives; the cut one never does. */
        char buf[8];
        assert_int_equal(zinc_recv(sv.pull, buf, sizeof buf, 0), 3);
        assert_memory_equal(buf, "one", 3);
        server_check(&sv, 2);
    }
}

static void test_garbage_closes_that_connection_only(void **state)
{
    it_fx_t *fx = it_fx(state);
    server_t sv;
    server_open(fx, &sv);
    server_check(&sv, 2);
    uint8_t hs[128];
    size_t n = raw_handshake(hs, "PUSH");
    uint8_t bad_mech[64];
    memcpy(bad_mech, hs, 64);
    memcpy(bad_mech + 12, "FOO\0", 4);
    uint8_t bad_type[128];
    size_t nbt = raw_handshake(bad_type, "PUB");
    uint8_t bad_ready[128] = {0};
    memcpy(bad_ready, hs, n);
    bad_ready[64 + 1] += 7; /* metadata with 2 stray octets at the end */
    uint8_t early[128];
    memcpy(early, hs, 64);
    memcpy(early + 64, "\x00\x01x", 3); /* a message before READY */
    uint64_t seed = 42;
    uint8_t noise[256];
    zt_rand_bytes(&seed, noise, sizeof noise);
    noise[0] = 0xFF; /* a ZMTP 3 signature, then noise */
    noise[9] = 0x7F;
    noise[10] = 3;
    static const char http[] = "GET / HTTP/1.1\r\nHost: zinc\r\n\r\n";
    const struct {
        const char *what;
        const void *data;
        size_t len;
    } garbage[] = {
        {"an HTTP request", http, sizeof http - 1},
        {"noise after a ZMTP 3 signature", noise, sizeof noise},
        {"an unknown mechanism", bad_mech, 64},
        {"an incompatible socket type", bad_type, nbt},
        {"a malformed READY", bad_ready, n + 7},
        {"a message before READY", early, 64 + 3},
    };
    int fds[sizeof garbage / sizeof garbage[0]];
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        fds[i] = raw_connect(sv.ep);
        raw_write(fds[i], garbage[i].data, garbage[i].len);
    }
    server_check(&sv, 5);
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        /* zinc hangs up (at the latest when handshake_ivl runs out). */
        if (raw_wait_closed(fds[i], 3000) < 0)
            fail_msg("zinc kept a connection that sent %s", garbage[i].what);
        close(fds[i]);
    }
    server_check(&sv, 5);
}

static void test_stalled_handshakes_time_out_without_disturbing_others(void **state)
{
    it_fx_t *fx = it_fx(state);
    server_t sv;
    server_open(fx, &sv);
    uint8_t hs[128];
    size_t n = raw_handshake(hs, "PUSH");
    enum { STALLERS = 12 };
    int fds[STALLERS];
    for (int i = 0; i < STALLERS; i++) {
        fds[i] = raw_connect(sv.ep);
        /* Nothing at all; half a signature; the greeting without READY;
         * the greeting and half the READY. */
        static const size_t cut[] = {0, 5, 64, 70};
        raw_write(fds[i], hs, cut[i % 4] < n ? cut[i % 4] : n);
    }
    int64_t t0 = it_now_ms();
    server_check(&sv, 5); /* at once, while they stall */
    assert_true(it_now_ms() - t0 < HANDSHAKE_IVL);
    for (int i = 0; i < STALLERS; i++) {
        int64_t took = raw_wait_closed(fds[i], 3000);
        if (took < 0)
            fail_msg("staller %d is still connected after 3 s (handshake_ivl %d)", i,
                     HANDSHAKE_IVL);
        close(fds[i]);
    }
    /* None was closed much before handshake_ivl. */
    assert_true(it_now_ms() - t0 >= HANDSHAKE_IVL - 50);
    server_check(&sv, 5);
}

/* ---- a connecter meeting a broken server ------------------------------------------------ */

/* A raw listener on the fixture's transport; its endpoint in ep. */
static int raw_listen(it_fx_t *fx, char *ep, size_t cap)
{
    int fd;
    if (fx->tran->id == IT_TCP) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
        socklen_t len = sizeof sa;
        assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
        snprintf(ep, cap, "tcp://127.0.0.1:%d", ntohs(sa.sin_port));
    } else {
        it_ep_wild(fx->tran, ep, cap);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path, ep + 6, strlen(ep + 6));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    }
    assert_int_equal(listen(fd, 16), 0);
    return fd;
}

/* Accepts for ms; each connection gets reply (if any) and is closed.
 * Returns how many connections came. */
static int raw_serve(int lfd, int ms, const void *reply, size_t len)
{
    int count = 0;
    int64_t deadline = it_now_ms() + ms;
    for (;;) {
        int64_t left = deadline - it_now_ms();
        if (left <= 0)
            return count;
        struct pollfd p = {lfd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        count++;
        if (len)
            (void)send(fd, reply, len, MSG_NOSIGNAL);
        /* Take what zinc sent, so that the close is a FIN, not a reset
         * that could discard the reply. */
        it_sleep_ms(5);
        char buf[512];
        while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
            ;
        close(fd);
    }
}

static void test_connecter_stops_redialling_after_a_protocol_error(void **state)
{
    it_fx_t *fx = it_fx(state);
    char ep[256];
    int lfd = raw_listen(fx, ep, sizeof ep);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    it_set_int(push, "reconnect_ivl", 20);
    it_connect(push, ep);
    /* A server that hangs up at once: zinc keeps redialling. */
    int plain = raw_serve(lfd, 300, NULL, 0);
    if (plain < 3)
        fail_msg("only %d connections in 300 ms with reconnect_ivl 20", plain);
    /* A server that answers with a wrong mechanism: zinc gives up, as
     * libzmq does after a handshake error. */
    uint8_t hs[128];
    raw_handshake(hs, "PULL");
    memcpy(hs + 12, "CURVE", 5);
    int bad = raw_serve(lfd, 300, hs, 64);
    int after = raw_serve(lfd, 300, NULL, 0);
    close(lfd);
    if (fx->tran->id == IT_IPC)
        unlink(ep + 6);
    if (bad < 1 || after > 0)
        fail_msg("%d connections met the bad server, %d came after it", bad, after);
}

/* ---- child processes running zinc ------------------------------------------------------ */

static pid_t spawn_self(char *const args[])
{
    char *argv[8] = {"/proc/self/exe"};
    for (int i = 0; args[i] && i < 6; i++)
        argv[i + 1] = args[i];
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ), 0);
    return pid;
}

static void kill_child(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

/* Waits for pid to exit by itself within ms; its exit status, or -1. */
static int wait_child(pid_t pid, int ms)
{
    int64_t deadline = it_now_ms() + ms;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (it_now_ms() > deadline) {
            kill_child(pid);
            return -1;
        }
        it_sleep_ms(10);
    }
}

static void test_child_killed_while_sending_leaves_the_rest_running(void **state)
{
    it_fx_t *fx = it_fx(state);
    server_t sv;
    server_open(fx, &sv);
    server_check(&sv, 2);
    pid_t pid = spawn_self((char *[]){"--child-push", sv.ep, NULL});
    /* Part of the child's 3-frame, 64 MiB message is on its way (or all of
     * it, on a fast day); kill it then. */
    it_sleep_ms(150);
    kill_child(pid);
    for (uint32_t i = 0; i < 5; i++) {
        it_msg_t m;
        it_msg_make(&m, sv.next + i, 2, 300);
        assert_int_equal(it_send_msg(sv.push, &m, 0), 0);
    }
    /* The well-behaved peer's messages all arrive, in order; of the child's
     * message, all or nothing. */
    uint32_t got = 0;
    bool big = false;
    while (got < 5) {
        it_msg_t m;
        assert_int_equal(it_recv_msg(sv.pull, &m, 0), 0);
        if (m.n == 3 && zinc_frame_size(m.f[0]) == 4 && it_frame_tag(m.f[0]) == TAG_BIG) {
            assert_false(big);
            assert_int_equal(zinc_frame_size(m.f[1]), BIG / 2);
            assert_int_equal(zinc_frame_size(m.f[2]), BIG / 2);
            big = true;
        } else {
            assert_true(it_msg_ok(&m, sv.next + got, 2, 300));
            got++;
        }
        it_msg_clear(&m);
    }
    sv.next += 5;
    it_expect_silence(sv.pull, 50);
    server_check(&sv, 3);
}

static void test_connecter_redials_a_child_that_was_killed_and_restarted(void **state)
{
    it_fx_t *fx = it_fx(state);
    char ep[256];
    it_ep_fixed(fx->tran, ep, sizeof ep);
    pid_t pid = spawn_self((char *[]){"--child-pull", ep, "forever", NULL});
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    it_set_int(push, "reconnect_ivl", 20);
    it_connect(push, ep);
    /* A big message goes out; the child dies while it arrives. */
    it_msg_t big;
    it_msg_make(&big, TAG_BIG, 1, BIG);
    assert_int_equal(it_send_msg(push, &big, 0), 0);
    it_sleep_ms(100);
    kill_child(pid);
    /* Let the I/O thread see the reset first: what the session already
     * handed to the dead connection (its output queue holds up to 1 MiB)
     * is gone with it, as libzmq loses its encoder's batch; only what waits
     * in the pipe is kept for the next peer, and that is what this checks.
     * Under load the messages below were otherwise written into the dying
     * socket now and then. */
    it_sleep_ms(500);
    /* Meanwhile zinc queues; the new child must get these, in order. */
    for (uint32_t i = 0; i < 5; i++) {
        it_msg_t m;
        it_msg_make(&m, 100 + i, 2, 5000);
        assert_int_equal(it_send_msg(push, &m, 0), 0);
    }
    pid = spawn_self((char *[]){"--child-pull", ep, "5", NULL});
    int status = wait_child(pid, 10000);
    if (status != 0)
        fail_msg("the restarted child exited with %d (0: it got the 5 messages)", status);
}

/* Child: connect a PUSH to ep and send a 3-frame message (the tag, then two
 * halves of BIG octets), then wait to be killed. */
static int child_push(const char *ep)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = zinc_socket_new(ctx, ZINC_PUSH);
    zinc_set_int(s, "linger", 0);
    zinc_set_int(s, "sndbuf", 65536);
    if (zinc_connect(s, ep) != 0)
        return 10;
    uint32_t tag = TAG_BIG;
    zinc_send(s, &tag, 4, ZINC_MORE);
    for (int i = 0; i < 2; i++) {
        zinc_frame_t *f = zinc_frame_new_size(BIG / 2);
        memset(zinc_frame_data_mut(f), 0xAB, BIG / 2);
        zinc_send_frame(s, f, i == 0 ? ZINC_MORE : 0);
    }
    sleep(30);
    return 11;
}

/* Child: bind a PULL at ep and receive; "forever", or until the messages
 * 100 .. 99 + n arrived in order (a first big message may come before them:
 * 0), else a status saying what went wrong. */
static int child_pull(const char *ep, const char *what)
{
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = zinc_socket_new(ctx, ZINC_PULL);
    zinc_set_int(s, "linger", 0);
    zinc_set_int(s, "rcvtimeo", strcmp(what, "forever") == 0 ? -1 : 8000);
    zinc_set_int(s, "rcvbuf", 65536);
    if (zinc_bind(s, ep) != 0)
        return 20;
    uint32_t want = strcmp(what, "forever") == 0 ? UINT32_MAX : (uint32_t)strtoul(what, NULL, 10);
    uint32_t got = 0;
    while (got < want) {
        zinc_frame_t *f = zinc_recv_frame(s, 0);
        if (!f) {
            fprintf(stderr, "child: %u of the messages by the timeout\n", got);
            return 21;
        }
        size_t size = zinc_frame_size(f);
        uint32_t tag = it_frame_tag(f);
        bool more = zinc_frame_more(f);
        zinc_frame_unref(f);
        if (got == 0 && size == BIG && tag == TAG_BIG && !more)
            continue; /* it was not yet on its way when the first child died */
        if (tag != 100 + got || !more)
            return 22;
        f = zinc_recv_frame(s, 0);
        if (!f || zinc_frame_more(f))
            return 23;
        zinc_frame_unref(f);
        got++;
    }
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
    return 0;
}

static const it_case_t cases[] = {
    {"a peer dying mid-message delivers nothing of that message",
     test_peer_dying_mid_message_delivers_nothing_of_it, NULL, IT_STREAM_TRANS, 0},
    {"garbage closes that connection only", test_garbage_closes_that_connection_only, NULL,
     IT_STREAM_TRANS, 0},
    {"stalled handshakes time out without disturbing other peers",
     test_stalled_handshakes_time_out_without_disturbing_others, NULL, IT_STREAM_TRANS, 0},
    {"a connecter stops redialling after a protocol error, not after a hang-up",
     test_connecter_stops_redialling_after_a_protocol_error, NULL, IT_STREAM_TRANS, 0},
    {"a zinc child killed while sending leaves the other peers running",
     test_child_killed_while_sending_leaves_the_rest_running, NULL, IT_STREAM_TRANS, 0},
    {"a connecter redials a zinc child that was killed and restarted",
     test_connecter_redials_a_child_that_was_killed_and_restarted, NULL, IT_STREAM_TRANS, 0},
};

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--child-push") == 0)
        return child_push(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "--child-pull") == 0)
        return child_pull(argv[2], argv[3]);
    signal(SIGPIPE, SIG_IGN);
    return it_run("faults", cases, sizeof cases / sizeof cases[0]);
}
