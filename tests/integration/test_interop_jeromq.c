/* Interop with a real ZMTP 2.0 peer: Debian's JeroMQ 0.3.6 (libjeromq-java),
 * whose StreamEngine has libzmq 3.2's 12-octet greeting. The peer
 * (tests/peers/JeromqPeer.java) is compiled with javac into a temporary
 * directory when the program starts, and runs in a child process per case.
 * Skipped (exit 77) when java, javac or /usr/share/java/jeromq.jar is
 * missing.
 */
#include "itest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define JEROMQ_JAR "/usr/share/java/jeromq.jar"

static char classes[256]; /* where JeromqPeer.class was compiled */

/* Starts the peer with args; its stdout (and stderr) as a stream. */
static FILE *peer_start(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec java -cp '%s:%s' JeromqPeer %s 2>&1", classes, JEROMQ_JAR,
             args);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    return f;
}

/* The next line of the peer's output within ms (without the newline);
 * false on timeout or end. */
static bool peer_line(FILE *f, char *buf, size_t cap, int ms)
{
    int64_t deadline = it_now_ms() + ms;
    for (;;) {
        int64_t left = deadline - it_now_ms();
        struct pollfd p = {fileno(f), POLLIN, 0};
        if (left <= 0)
            return false;
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return false;
        if (!fgets(buf, (int)cap, f))
            return false;
        buf[strcspn(buf, "\n")] = '\0';
        return true;
    }
}

static void peer_expect(FILE *f, const char *want)
{
    char line[512];
    if (!peer_line(f, line, sizeof line, 15000))
        fail_msg("JeroMQ peer: no line (wanted \"%s\")", want);
    if (strcmp(line, want) != 0)
        fail_msg("JeroMQ peer said \"%s\", wanted \"%s\"", line, want);
}

/* "PORT p" from a binding peer: the endpoint to connect to. */
static void peer_endpoint(FILE *f, char *ep, size_t cap)
{
    char line[512];
    int port;
    if (!peer_line(f, line, sizeof line, 15000) || sscanf(line, "PORT %d", &port) != 1)
        fail_msg("JeroMQ peer did not bind");
    snprintf(ep, cap, "tcp://127.0.0.1:%d", port);
}

static void peer_finish(FILE *f)
{
    int st = pclose(f);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void recv_str(zinc_socket_t *s, const char *want)
{
    char buf[256];
    int n = zinc_recv(s, buf, sizeof buf - 1, 0);
    if (n < 0)
        fail_msg("zinc_recv: %s (wanted \"%s\")", zinc_strerror(zinc_errno()), want);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

/* ---- cases ----------------------------------------------------------------------------- */

static void test_jeromq_push_is_a_zmtp20_peer_of_a_zinc_pull(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pull = it_socket(fx, ZINC_PULL);
    it_set_int(pull, "rcvtimeo", 15000);
    char ep[256], args[300];
    it_bind(pull, "tcp://127.0.0.1:*", ep, sizeof ep);
    snprintf(args, sizeof args, "push %s 3", ep);
    FILE *f = peer_start(args);
    for (int i = 0; i < 3; i++) {
        zinc_frame_t *fr = zinc_recv_frame(pull, 0);
        assert_non_null(fr);
        assert_memory_equal(zinc_frame_data(fr), "jeromq", 6);
        assert_true(zinc_frame_more(fr));
        /* the socket type came in the 2.0 greeting's octet */
        assert_string_equal(zinc_frame_meta(fr, "Socket-Type"), "PUSH");
        zinc_frame_unref(fr);
        char want[8];
        snprintf(want, sizeof want, "%d", i);
        recv_str(pull, want);
    }
    peer_expect(f, "DONE");
    peer_finish(f);
}

static void test_zinc_push_delivers_to_a_jeromq_pull(void **state)
{
    it_fx_t *fx = it_fx(state);
    FILE *f = peer_start("pull 2");
    char ep[256];
    peer_endpoint(f, ep, sizeof ep);
    zinc_socket_t *push = it_socket(fx, ZINC_PUSH);
    it_set_int(push, "sndtimeo", 15000);
    it_connect(push, ep);
    assert_int_equal(zinc_send(push, "zinc", 4, ZINC_MORE), 4);
    assert_int_equal(zinc_send(push, "one", 3, 0), 3);
    assert_int_equal(zinc_send(push, "two", 3, 0), 3);
    peer_expect(f, "MSG zinc|one");
    peer_expect(f, "MSG two");
    peer_expect(f, "DONE");
    peer_finish(f);
}

static void test_jeromq_dealer_identity_routes_at_a_zinc_router(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *router = it_socket(fx, ZINC_ROUTER);
    it_set_int(router, "rcvtimeo", 15000);
    char ep[256], args[300];
    it_bind(router, "tcp://127.0.0.1:*", ep, sizeof ep);
    snprintf(args, sizeof args, "dealer %s", ep);
    FILE *f = peer_start(args);
    recv_str(router, "jdealer");
    recv_str(router, "hello");
    assert_int_equal(zinc_send(router, "jdealer", 7, ZINC_MORE), 7);
    assert_int_equal(zinc_send(router, "world", 5, 0), 5);
    peer_expect(f, "MSG world");
    peer_expect(f, "DONE");
    peer_finish(f);
}

static void test_zinc_dealer_identity_reaches_a_jeromq_router(void **state)
{
    it_fx_t *fx = it_fx(state);
    FILE *f = peer_start("router");
    char ep[256];
    peer_endpoint(f, ep, sizeof ep);
    zinc_socket_t *dealer = it_socket(fx, ZINC_DEALER);
    it_set_int(dealer, "rcvtimeo", 15000);
    it_set_str(dealer, "routing_id", "zdealer");
    it_connect(dealer, ep);
    assert_int_equal(zinc_send(dealer, "ping", 4, 0), 4);
    peer_expect(f, "MSG zdealer|ping");
    recv_str(dealer, "echo:ping");
    peer_expect(f, "DONE");
    peer_finish(f);
}

/* JeroMQ's SUB sends its subscription as a 0x01 message (ZMTP 2.0): zinc's
 * PUB filters on it. */
static void test_jeromq_sub_gets_only_its_topic_from_a_zinc_pub(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *pub = it_socket(fx, ZINC_PUB);
    char ep[256], args[300];
    it_bind(pub, "tcp://127.0.0.1:*", ep, sizeof ep);
    snprintf(args, sizeof args, "sub %s A 3", ep);
    FILE *f = peer_start(args);
    char line[512];
    int got = 0;
    int64_t deadline = it_now_ms() + 15000;
    for (int i = 0; got < 3 && it_now_ms() < deadline; i++) {
        char m[32];
        int n = snprintf(m, sizeof m, "B %d", i);
        assert_int_equal(zinc_send(pub, m, (size_t)n, 0), n);
        n = snprintf(m, sizeof m, "A %d", i);
        assert_int_equal(zinc_send(pub, m, (size_t)n, 0), n);
        while (got < 3 && peer_line(f, line, sizeof line, 20)) {
            if (strncmp(line, "MSG A ", 6) != 0)
                fail_msg("JeroMQ SUB got \"%s\"", line);
            got++;
        }
    }
    assert_int_equal(got, 3);
    peer_expect(f, "DONE");
    peer_finish(f);
}

static void test_zinc_sub_gets_only_its_topic_from_a_jeromq_pub(void **state)
{
    it_fx_t *fx = it_fx(state);
    FILE *f = peer_start("pub");
    char ep[256];
    peer_endpoint(f, ep, sizeof ep);
    zinc_socket_t *sub = it_socket(fx, ZINC_SUB);
    it_set_int(sub, "rcvtimeo", 15000);
    it_set_str(sub, "subscribe", "A");
    it_connect(sub, ep);
    for (int i = 0; i < 5; i++) {
        char buf[64];
        int n = zinc_recv(sub, buf, sizeof buf - 1, 0);
        assert_true(n > 0);
        buf[n] = '\0';
        if (buf[0] != 'A')
            fail_msg("zinc SUB got \"%s\"", buf);
    }
    peer_expect(f, "DONE");
    peer_finish(f);
}

static void test_jeromq_req_gets_a_reply_from_a_zinc_rep(void **state)
{
    it_fx_t *fx = it_fx(state);
    zinc_socket_t *rep = it_socket(fx, ZINC_REP);
    it_set_int(rep, "rcvtimeo", 15000);
    char ep[256], args[300];
    it_bind(rep, "tcp://127.0.0.1:*", ep, sizeof ep);
    snprintf(args, sizeof args, "req %s", ep);
    FILE *f = peer_start(args);
    recv_str(rep, "question");
    assert_int_equal(zinc_send(rep, "answer", 6, 0), 6);
    peer_expect(f, "MSG answer");
    peer_expect(f, "DONE");
    peer_finish(f);
}

static const it_case_t cases[] = {
    {"a JeroMQ PUSH is a ZMTP 2.0 peer of a zinc PULL",
     test_jeromq_push_is_a_zmtp20_peer_of_a_zinc_pull, NULL, 1u << IT_TCP, 0},
    {"a zinc PUSH delivers to a JeroMQ PULL", test_zinc_push_delivers_to_a_jeromq_pull, NULL,
     1u << IT_TCP, 0},
    {"a JeroMQ DEALER's identity routes at a zinc ROUTER",
     test_jeromq_dealer_identity_routes_at_a_zinc_router, NULL, 1u << IT_TCP, 0},
    {"a zinc DEALER's identity reaches a JeroMQ ROUTER",
     test_zinc_dealer_identity_reaches_a_jeromq_router, NULL, 1u << IT_TCP, 0},
    {"a JeroMQ SUB gets only its topic from a zinc PUB",
     test_jeromq_sub_gets_only_its_topic_from_a_zinc_pub, NULL, 1u << IT_TCP, 0},
    {"a zinc SUB gets only its topic from a JeroMQ PUB",
     test_zinc_sub_gets_only_its_topic_from_a_jeromq_pub, NULL, 1u << IT_TCP, 0},
    {"a JeroMQ REQ gets a reply from a zinc REP", test_jeromq_req_gets_a_reply_from_a_zinc_rep,
     NULL, 1u << IT_TCP, 0},
};

/* Compiles the peer; false (with the reason on stderr) when it cannot be. */
static bool jeromq_prepare(void)
{
    const char *src = getenv("ZINC_JEROMQ_PEER");
    if (!src || access(src, R_OK) != 0) {
        fprintf(stderr, "skip: ZINC_JEROMQ_PEER (JeromqPeer.java) not set or unreadable\n");
        return false;
    }
    if (access(JEROMQ_JAR, R_OK) != 0) {
        fprintf(stderr, "skip: %s missing (Debian package libjeromq-java)\n", JEROMQ_JAR);
        return false;
    }
    if (system("command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skip: java or javac missing (a JDK, e.g. default-jdk-headless)\n");
        return false;
    }
    snprintf(classes, sizeof classes, "%s/zinc-jeromq-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(classes)) {
        fprintf(stderr, "skip: mkdtemp failed\n");
        return false;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "javac -nowarn -cp '%s' -d '%s' '%s'", JEROMQ_JAR, classes, src);
    if (system(cmd) != 0) {
        /* A JDK that is there but fails is a failure, not a skip. */
        fprintf(stderr, "javac failed: %s\n", cmd);
        exit(1);
    }
    return true;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!jeromq_prepare())
        return 77;
    int rc = it_run("jeromq", cases, sizeof cases / sizeof cases[0]);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", classes);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", classes);
    return rc;
}
