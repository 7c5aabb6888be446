/* Pub-sub against the real thing: zinc's PUB, SUB, XPUB and XSUB with a
 * pyzmq (libzmq 4.3) peer in another process, over TCP, in both directions.
 * The peer is tests/peers/pyzmq_pubsub.py, driven one command line at a
 * time. libzmq speaks ZMTP 3.1, so zinc's subscriptions travel as SUBSCRIBE/
 * CANCEL commands one way and come back as them the other way; XPUBs on
 * both sides must still hand them to the application as 0x01/0x00 + topic.
 *
 * The whole program exits 77 (skipped) when $ZINC_PYTHON (default
 * /usr/bin/python3) cannot import zmq. Every wait is bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zinc.h"

#ifndef ZINC_PYZMQ_PUBSUB_DEFAULT
#define ZINC_PYZMQ_PUBSUB_DEFAULT "tests/peers/pyzmq_pubsub.py"
#endif

extern char **environ;

#define TIMEO 3000     /* ms: zinc's blocking calls */
#define LINE_WAIT 8000 /* ms: one answer from the peer */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* ---- the peer process ---------------------------------------------------- */

typedef struct {
    pid_t pid;
    int to, from; /* its stdin, its stdout */
    char line[4096];
} peer_t;

static pid_t spawn(char *const argv[], int *to, int *from, bool quiet)
{
    posix_spawn_file_actions_t fa;
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    pid_t pid = -1;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    if (to && (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0))
        goto out;
    if (to) {
        posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    }
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        pid = -1;
out:
    posix_spawn_file_actions_destroy(&fa);
    if (in[0] >= 0)
        close(in[0]);
    if (out[1] >= 0)
        close(out[1]);
    if (to && pid > 0) {
        *to = in[1];
        *from = out[0];
    } else {
        if (in[1] >= 0)
            close(in[1]);
        if (out[0] >= 0)
            close(out[0]);
    }
    return pid;
}

static int reap(pid_t pid, int64_t deadline)
{
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -1;
        }
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static bool python_has_zmq(void)
{
    char *argv[] = {(char *)env_or("ZINC_PYTHON", "/usr/bin/python3"), "-c", "import zmq", NULL};
    pid_t pid = spawn(argv, NULL, NULL, true);
    int st = pid > 0 ? reap(pid, now_ms() + 15000) : -1;
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The peer's next line (without the newline), or fails the test. */
static const char *peer_read(peer_t *p)
{
    size_t n = 0;
    int64_t deadline = now_ms() + LINE_WAIT;
    while (n + 1 < sizeof p->line) {
        int64_t left = deadline - now_ms();
        struct pollfd pfd = {p->from, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            fail_msg("the pyzmq peer did not answer in time");
        ssize_t got = read(p->from, p->line + n, 1);
        if (got <= 0)
            fail_msg("the pyzmq peer is gone");
        if (p->line[n] == '\n')
            break;
        n++;
    }
    p->line[n] = '\0';
    if (strncmp(p->line, "error", 5) == 0)
        fail_msg("pyzmq peer: %s", p->line);
    return p->line;
}

/* Sends a command line and returns the answer. */
static const char *peer_cmd(peer_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *peer_cmd(peer_t *p, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof buf - 1);
    buf[n++] = '\n';
    assert_int_equal(write(p->to, buf, (size_t)n), n);
    return peer_read(p);
}

/* Starts the peer: a TYPE socket that binds tcp://127.0.0.1:* (ep gets the
 * endpoint) or connects to ep, after setting `opt` ("--set=NAME=V", or
 * NULL). */
static void peer_start_opt(peer_t *p, const char *type, bool bind, char *ep, size_t cap,
                           const char *opt)
{
    char *argv[] = {(char *)env_or("ZINC_PYTHON", "/usr/bin/python3"),
                    (char *)env_or("ZINC_PYZMQ_PUBSUB", ZINC_PYZMQ_PUBSUB_DEFAULT),
                    (char *)type,
                    bind ? "bind" : "connect",
                    bind ? "tcp://127.0.0.1:*" : ep,
                    "--timeout=60",
                    (char *)opt,
                    NULL};
    memset(p, 0, sizeof *p);
    p->pid = spawn(argv, &p->to, &p->from, false);
    assert_true(p->pid > 0);
    const char *first = peer_read(p);
    if (bind)
        snprintf(ep, cap, "%s", first);
    else
        assert_string_equal(first, "connected");
}

static void peer_start(peer_t *p, const char *type, bool bind, char *ep, size_t cap)
{
    peer_start_opt(p, type, bind, ep, cap, NULL);
}

static void peer_stop(peer_t *p)
{
    static const char quit[] = "quit\n";
    assert_int_equal(write(p->to, quit, sizeof quit - 1), (ssize_t)(sizeof quit - 1));
    int st = reap(p->pid, now_ms() + 10000);
    close(p->to);
    close(p->from);
    assert_true(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Hex of data ("-" when empty), as the peer writes frames. */
static const char *hex(const void *data, size_t len)
{
    static char buf[4][1024];
    static int k;
    char *out = buf[k++ % 4];
    if (len == 0)
        return "-";
    assert_true(len * 2 < sizeof buf[0]);
    for (size_t i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", ((const uint8_t *)data)[i]);
    return out;
}

#define HEX(s) hex(s, sizeof(s) - 1)

/* ---- zinc side helpers -------------------------------------------------------- */

static zinc_socket_t *mk(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    assert_non_null(s);
    assert_int_equal(zinc_set_int(s, "linger", 0), 0);
    assert_int_equal(zinc_set_int(s, "rcvtimeo", TIMEO), 0);
    assert_int_equal(zinc_set_int(s, "sndtimeo", TIMEO), 0);
    return s;
}

static void bind_tcp(zinc_socket_t *s, char *ep, size_t cap)
{
    assert_int_equal(zinc_bind(s, "tcp://127.0.0.1:*"), 0);
    assert_int_equal(zinc_get(s, "last_endpoint", ep, &cap), 0);
}

static void expect(zinc_socket_t *s, const void *want, size_t len, bool more)
{
    char buf[512];
    int n = zinc_recv(s, buf, sizeof buf, 0);
    if (n < 0)
        fail_msg("recv: %s (wanted %s)", zinc_strerror(errno), hex(want, len));
    assert_int_equal(n, (int)len);
    assert_memory_equal(buf, want, len);
    int64_t m = -1;
    assert_int_equal(zinc_get_int(s, "rcvmore", &m), 0);
    assert_int_equal(m, more);
}

#define EXPECT(s, lit) expect(s, lit, sizeof(lit) - 1, false)

static void send_lit(zinc_socket_t *s, const void *data, size_t len, int flags)
{
    assert_int_equal(zinc_send(s, data, len, flags), (int)len);
}

#define SEND(s, lit, flags) send_lit(s, lit, sizeof(lit) - 1, flags)

static void wait_topics(zinc_socket_t *s, int64_t n)
{
    int64_t end = now_ms() + TIMEO, got = -1;
    while (zinc_get_int(s, "topics_count", &got) == 0 && got != n) {
        if (now_ms() > end)
            fail_msg("topics_count stays %lld, want %lld", (long long)got, (long long)n);
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The peer publishes "sync" + n until zinc's SUB s gets one of them, then
 * reads up to the last one sent: from then on the subscription is in place
 * and nothing of the probe is left in flight. */
static void sync_from_peer_pub(peer_t *p, zinc_socket_t *s)
{
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 20), 0);
    int sent = 0, seen = -1;
    int64_t end = now_ms() + TIMEO;
    while (seen < sent - 1 || sent == 0) {
        assert_true(now_ms() < end);
        if (seen < 0) {
            char msg[32];
            snprintf(msg, sizeof msg, "sync%d", sent++);
            assert_string_equal(peer_cmd(p, "send %s", hex(msg, strlen(msg))), "ok");
        }
        char buf[32];
        int n = zinc_recv(s, buf, sizeof buf - 1, 0);
        if (n > 0) {
            buf[n] = '\0';
            assert_int_equal(strncmp(buf, "sync", 4), 0);
            seen = (int)strtol(buf + 4, NULL, 10);
        }
    }
    assert_int_equal(zinc_set_int(s, "rcvtimeo", TIMEO), 0);
}

/* ---- PUB <-> SUB ----------------------------------------------------------------- */

static void test_zinc_sub_filters_a_pyzmq_pub(void **state)
{
    (void)state;
    peer_t p;
    char ep[256];
    peer_start(&p, "PUB", true, ep, sizeof ep);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = mk(ctx, ZINC_SUB);
    assert_int_equal(zinc_connect(s, ep), 0);
    assert_int_equal(zinc_set_bytes(s, "subscribe", "sync", 4), 0);
    assert_int_equal(zinc_set_bytes(s, "subscribe", "a", 1), 0);
    sync_from_peer_pub(&p, s);
    assert_string_equal(peer_cmd(&p, "send %s", HEX("a1")), "ok");
    assert_string_equal(peer_cmd(&p, "send %s", HEX("c1")), "ok");
    assert_string_equal(peer_cmd(&p, "send %s %s -", HEX("a2"), HEX("tail")), "ok");
    assert_string_equal(peer_cmd(&p, "send %s", HEX("b-end")), "ok");
    assert_string_equal(peer_cmd(&p, "send %s", HEX("a-end")), "ok");
    EXPECT(s, "a1");
    expect(s, "a2", 2, true);
    expect(s, "tail", 4, true);
    expect(s, "", 0, false);
    EXPECT(s, "a-end");
    /* Unsubscribed: libzmq stops sending "a" (a probe before a marker shows
     * whether the cancel is in effect yet). */
    assert_int_equal(zinc_set_bytes(s, "unsubscribe", "a", 1), 0);
    int64_t end = now_ms() + TIMEO;
    for (bool probe_seen = true; probe_seen;) {
        assert_true(now_ms() < end);
        assert_string_equal(peer_cmd(&p, "send %s", HEX("a-probe")), "ok");
        assert_string_equal(peer_cmd(&p, "send %s", HEX("sync-mark")), "ok");
        char buf[16];
        int n = zinc_recv(s, buf, sizeof buf, 0);
        probe_seen = n == 7 && memcmp(buf, "a-probe", 7) == 0;
        if (probe_seen)
            n = zinc_recv(s, buf, sizeof buf, 0);
        assert_int_equal(n, 9);
        assert_memory_equal(buf, "sync-mark", 9);
    }
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
    peer_stop(&p);
}

static void test_pyzmq_sub_filters_a_zinc_pub(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pub = mk(ctx, ZINC_PUB);
    char ep[256];
    bind_tcp(pub, ep, sizeof ep);
    peer_t p;
    peer_start(&p, "SUB", false, ep, sizeof ep);
    assert_string_equal(peer_cmd(&p, "sub %s", HEX("a")), "ok");
    assert_string_equal(peer_cmd(&p, "sub %s", HEX("b")), "ok");
    wait_topics(pub, 2); /* libzmq's SUBSCRIBE commands arrived */
    SEND(pub, "a1", 0);
    SEND(pub, "c1", 0);
    SEND(pub, "b1", ZINC_MORE);
    SEND(pub, "", 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 6131");
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 6231 -");
    assert_string_equal(peer_cmd(&p, "unsub %s", HEX("a")), "ok");
    wait_topics(pub, 1);
    SEND(pub, "a2", 0);
    SEND(pub, "b2", 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 6232");
    peer_stop(&p);
    zinc_socket_close(pub);
    zinc_ctx_term(ctx);
}

/* ---- XPUB <-> XSUB ---------------------------------------------------------------- */

static void test_pyzmq_xpub_sees_zinc_subscriptions_as_0x01_topic(void **state)
{
    (void)state;
    peer_t p;
    char ep[256];
    peer_start(&p, "XPUB", true, ep, sizeof ep);
    assert_string_equal(peer_cmd(&p, "set XPUB_VERBOSER 1"), "ok");
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = mk(ctx, ZINC_SUB), *x = mk(ctx, ZINC_XSUB);
    assert_int_equal(zinc_connect(s, ep), 0);
    assert_int_equal(zinc_connect(x, ep), 0);
    /* A SUB's subscribe option, and an XSUB's 0x01 message. */
    assert_int_equal(zinc_set_bytes(s, "subscribe", "top\0ic", 6), 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 01746f70006963");
    SEND(x, "\x01xs", 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 017873");
    assert_int_equal(zinc_set_bytes(s, "subscribe", "", 0), 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 01");
    /* Data flows down, filtered by libzmq; an XSUB does not filter. */
    assert_string_equal(peer_cmd(&p, "send %s %s", HEX("xs1"), HEX("more")), "ok");
    expect(x, "xs1", 3, true);
    EXPECT(x, "more");
    expect(s, "xs1", 3, true); /* s subscribed to everything */
    EXPECT(s, "more");
    /* Cancels, and an XSUB's own message upstream. */
    assert_int_equal(zinc_set_bytes(s, "unsubscribe", "top\0ic", 6), 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 00746f70006963");
    SEND(x, "\x00xs", 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 007873");
    SEND(x, "hello", ZINC_MORE);
    SEND(x, "up", 0);
    assert_string_equal(peer_cmd(&p, "recv 3000"), "msg 68656c6c6f 7570");
    zinc_socket_close(s);
    zinc_socket_close(x);
    zinc_ctx_term(ctx);
    peer_stop(&p);
}

static void test_zinc_xpub_sees_pyzmq_subscriptions_as_0x01_topic(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pub = mk(ctx, ZINC_XPUB);
    assert_int_equal(zinc_set_int(pub, "xpub_verbose", 1), 0);
    char ep[256];
    bind_tcp(pub, ep, sizeof ep);
    peer_t ps, px;
    peer_start(&ps, "SUB", false, ep, sizeof ep);
    peer_start(&px, "XSUB", false, ep, sizeof ep);
    assert_string_equal(peer_cmd(&ps, "sub %s", HEX("news")), "ok");
    EXPECT(pub, "\x01news");
    assert_string_equal(peer_cmd(&px, "send %s", HEX("\x01news")), "ok");
    EXPECT(pub, "\x01news"); /* verbose: again */
    assert_string_equal(peer_cmd(&px, "send %s",
                                 HEX("\x01"
                                     "bin\xff")),
                        "ok");
    expect(pub,
           "\x01"
           "bin\xff",
           5, false);
    /* Filtering at zinc's XPUB. */
    SEND(pub, "news-1", 0);
    SEND(pub, "other", 0);
    SEND(pub, "bin\xff!", ZINC_MORE);
    SEND(pub, "x", 0);
    assert_string_equal(peer_cmd(&ps, "recv 3000"), "msg 6e6577732d31");
    assert_string_equal(peer_cmd(&px, "recv 3000"), "msg 6e6577732d31");
    assert_string_equal(peer_cmd(&px, "recv 3000"), "msg 62696eff21 78");
    /* An XSUB's own message comes up as it is. */
    assert_string_equal(peer_cmd(&px, "send %s %s", HEX("hi"), HEX("there")), "ok");
    expect(pub, "hi", 2, true);
    EXPECT(pub, "there");
    /* Cancels: the SUB's, and the XSUB's by message. */
    assert_string_equal(peer_cmd(&ps, "unsub %s", HEX("news")), "ok");
    assert_string_equal(peer_cmd(&px, "send %s", HEX("\x00news")), "ok");
    EXPECT(pub, "\x00news");
    wait_topics(pub, 1);
    peer_stop(&ps);
    peer_stop(&px);
    /* The XSUB's departure cancels what it still held. */
    EXPECT(pub, "\x00"
                "bin\xff");
    zinc_socket_close(pub);
    zinc_ctx_term(ctx);
}

static void test_zinc_xsub_and_pyzmq_xpub_with_zinc_binding(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *x = mk(ctx, ZINC_XSUB);
    char ep[256];
    bind_tcp(x, ep, sizeof ep);
    /* Subscribed before the peer exists: sent when it connects. */
    SEND(x,
         "\x01"
         "early",
         0);
    peer_t p;
    peer_start(&p, "XPUB", false, ep, sizeof ep);
    /* The XSUB takes the new connection inside a call. */
    int64_t end = now_ms() + TIMEO;
    const char *got;
    for (;;) {
        assert_true(now_ms() < end);
        int64_t ev;
        assert_int_equal(zinc_get_int(x, "events", &ev), 0);
        got = peer_cmd(&p, "recv 20");
        if (strcmp(got, "timeout") != 0)
            break;
    }
    assert_string_equal(got, "msg 016561726c79");
    assert_string_equal(peer_cmd(&p, "send %s", HEX("early!")), "ok");
    EXPECT(x, "early!");
    peer_stop(&p);
    zinc_socket_close(x);
    zinc_ctx_term(ctx);
}

/* ---- conflate ------------------------------------------------------------------- */

enum { CONFLATE_BURST = 2000 };

static void test_zinc_conflate_sub_gets_the_last_of_a_pyzmq_pub_burst(void **state)
{
    (void)state;
    peer_t p;
    char ep[256];
    /* No hwm at the publisher: the burst's last message is never dropped. */
    peer_start_opt(&p, "PUB", true, ep, sizeof ep, "--set=SNDHWM=0");
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = mk(ctx, ZINC_SUB);
    assert_int_equal(zinc_set_int(s, "conflate", 1), 0);
    assert_int_equal(zinc_connect(s, ep), 0);
    assert_int_equal(zinc_set_bytes(s, "subscribe", "sync", 4), 0);
    assert_int_equal(zinc_set_bytes(s, "subscribe", "m", 1), 0);
    sync_from_peer_pub(&p, s);
    assert_string_equal(peer_cmd(&p, "burst %s %d", HEX("m"), CONFLATE_BURST), "ok");
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    /* Read until the last one: only a few (what was still in flight) come
     * before it, in order; nothing after it. */
    int got = 0, last = -1;
    while (last != CONFLATE_BURST - 1) {
        char buf[32];
        int n = zinc_recv(s, buf, sizeof buf - 1, 0);
        if (n < 0)
            fail_msg("the burst's last message never came (last %d)", last);
        assert_int_equal(n, 7);
        buf[n] = '\0';
        assert_int_equal(buf[0], 'm');
        int i = (int)strtol(buf + 1, NULL, 10);
        assert_true(i > last);
        last = i;
        got++;
    }
    assert_true(got < CONFLATE_BURST / 2);
    char buf[32];
    assert_int_equal(zinc_set_int(s, "rcvtimeo", 100), 0);
    assert_int_equal(zinc_recv(s, buf, sizeof buf, 0), -1);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
    peer_stop(&p);
}

static void test_pyzmq_conflate_sub_gets_the_last_of_a_zinc_pub_burst(void **state)
{
    (void)state;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pub = mk(ctx, ZINC_PUB);
    assert_int_equal(zinc_set_int(pub, "sndhwm", 0), 0);
    char ep[256];
    bind_tcp(pub, ep, sizeof ep);
    peer_t p;
    /* libzmq's conflating SUB keeps one subscription only (it conflates its
     * outbound queue too), so it has exactly one. */
    peer_start_opt(&p, "SUB", false, ep, sizeof ep, "--set=CONFLATE=1");
    assert_string_equal(peer_cmd(&p, "sub %s", HEX("m")), "ok");
    wait_topics(pub, 1);
    for (int i = 0; i < CONFLATE_BURST; i++) {
        char msg[16];
        int n = snprintf(msg, sizeof msg, "m%06d", i);
        assert_int_equal(zinc_send(pub, msg, (size_t)n, 0), n);
    }
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    char want[64];
    snprintf(want, sizeof want, "msg %s", hex("m001999", 7));
    int got = 0;
    for (;;) {
        const char *line = peer_cmd(&p, "recv 3000");
        assert_int_equal(strncmp(line, "msg 6d", 6), 0);
        got++;
        if (strcmp(line, want) == 0)
            break;
    }
    assert_true(got < CONFLATE_BURST / 2);
    assert_string_equal(peer_cmd(&p, "recv 100"), "timeout");
    peer_stop(&p);
    zinc_socket_close(pub);
    zinc_ctx_term(ctx);
}

int main(void)
{
    if (!python_has_zmq()) {
        fprintf(stderr, "skipped: %s cannot import zmq (install python3-zmq)\n",
                env_or("ZINC_PYTHON", "/usr/bin/python3"));
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zinc_sub_filters_a_pyzmq_pub),
        cmocka_unit_test(test_pyzmq_sub_filters_a_zinc_pub),
        cmocka_unit_test(test_pyzmq_xpub_sees_zinc_subscriptions_as_0x01_topic),
        cmocka_unit_test(test_zinc_xpub_sees_pyzmq_subscriptions_as_0x01_topic),
        cmocka_unit_test(test_zinc_xsub_and_pyzmq_xpub_with_zinc_binding),
        cmocka_unit_test(test_zinc_conflate_sub_gets_the_last_of_a_pyzmq_pub_burst),
        cmocka_unit_test(test_pyzmq_conflate_sub_gets_the_last_of_a_zinc_pub_burst),
    };
    if (getenv("ZT_FILTER"))
        cmocka_set_test_filter(getenv("ZT_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
