/* zinc demo: zinc at work on this machine, in a few seconds.
 *
 * 1. zinc to zinc: every socket pattern zinc builds, over tcp, ipc and
 *    inproc (a pattern not built yet is listed and skipped);
 * 2. zinc and a stock libzmq peer, both directions (zinc_demo_peer.c), when
 *    /usr/bin/python3 can import zmq;
 * 3. one throughput line (PUSH -> PULL over tcp, about a second) and one
 *    latency line (DEALER ping-pong over tcp).
 * Exit 0 only when every check that ran passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zinc_tool.h"

#define DEMO_TIMEOUT_MS 5000
#define DEMO_THR_MS 1000
#define DEMO_THR_SIZE 64
#define DEMO_LAT_MS 500
#define DEMO_LAT_MAX 50000

/* ---- zinc to zinc, per pattern -------------------------------------------- */

typedef struct {
    zinc_ctx_t *ctx;
    zinc_socket_t *a, *b; /* a binds, b connects */
    char *why;
    size_t cap;
} demo_run_t;

static bool demo_fail(demo_run_t *r, const char *what)
{
    snprintf(r->why, r->cap, "%s: %s", what, zinc_strerror(errno));
    return false;
}

/* Makes a (bound to ep) and b (connected to what a got). */
static bool demo_join(demo_run_t *r, int ta, int tb, const char *ep)
{
    char got[256];
    size_t len = sizeof got;
    r->a = zt_demo_socket(r->ctx, ta);
    if (!r->a)
        return demo_fail(r, zinc_socket_type_name(ta));
    r->b = zt_demo_socket(r->ctx, tb);
    if (!r->b)
        return demo_fail(r, zinc_socket_type_name(tb));
    if (tb == ZINC_DEALER && zinc_set(r->b, "routing_id", "dealer-1") != 0)
        return demo_fail(r, "routing_id");
    if (tb == ZINC_SUB && zinc_set(r->b, "subscribe", "A") != 0)
        return demo_fail(r, "subscribe");
    if (zinc_bind(r->a, ep) != 0)
        return demo_fail(r, "bind");
    if (zinc_get(r->a, "last_endpoint", got, &len) != 0)
        return demo_fail(r, "last_endpoint");
    if (zinc_connect(r->b, got) != 0)
        return demo_fail(r, "connect");
    return true;
}

static bool demo_send_all(demo_run_t *r, zinc_socket_t *s)
{
    for (int m = 0; m < ZT_DEMO_MESSAGES; m++)
        if (zt_demo_send(s, m, NULL) != 0)
            return demo_fail(r, "send");
    return true;
}

static bool demo_expect_all(demo_run_t *r, zinc_socket_t *s)
{
    for (int m = 0; m < ZT_DEMO_MESSAGES; m++)
        if (!zt_demo_expect(s, m, NULL, r->why, r->cap))
            return false;
    return true;
}

/* PAIR, DEALER: each side sends the set, the other checks it. */
static bool demo_both_ways(demo_run_t *r, int type, const char *ep)
{
    return demo_join(r, type, type, ep) && demo_send_all(r, r->b) && demo_expect_all(r, r->a) &&
           demo_send_all(r, r->a) && demo_expect_all(r, r->b);
}

static bool demo_pair(demo_run_t *r, const char *ep)
{
    return demo_both_ways(r, ZINC_PAIR, ep);
}

static bool demo_dealer(demo_run_t *r, const char *ep)
{
    return demo_both_ways(r, ZINC_DEALER, ep);
}

static bool demo_push(demo_run_t *r, const char *ep)
{
    return demo_join(r, ZINC_PULL, ZINC_PUSH, ep) && demo_send_all(r, r->b) &&
           demo_expect_all(r, r->a);
}

/* REQ/REP and DEALER/ROUTER: b asks, a checks (and the envelope) and
 * answers with the same message, b checks the answer. */
static bool demo_ask(demo_run_t *r, int ta, int tb, const char *ep)
{
    if (!demo_join(r, ta, tb, ep))
        return false;
    size_t env = ta == ZINC_ROUTER ? 1 : 0;
    for (int m = 0; m < ZT_DEMO_MESSAGES; m++) {
        zt_msg_t msg;
        if (zt_demo_send(r->b, m, NULL) != 0)
            return demo_fail(r, "send");
        if (zt_msg_recv(r->a, &msg) != 0)
            return demo_fail(r, "receive");
        bool ok = zt_demo_is(&msg, env, m, r->why, r->cap);
        if (ok && env &&
            (zinc_frame_size(msg.f[0]) != 8 || memcmp(zinc_frame_data(msg.f[0]), "dealer-1", 8))) {
            snprintf(r->why, r->cap, "the envelope is not the dealer's routing id");
            ok = false;
        }
        if (!ok) {
            zt_msg_clear(&msg);
            return false;
        }
        if (zt_msg_send(r->a, &msg, 0) != 0)
            return demo_fail(r, "reply");
        if (!zt_demo_expect(r->b, m, NULL, r->why, r->cap))
            return false;
    }
    return true;
}

static bool demo_reqrep(demo_run_t *r, const char *ep)
{
    return demo_ask(r, ZINC_REP, ZINC_REQ, ep);
}

static bool demo_router(demo_run_t *r, const char *ep)
{
    return demo_ask(r, ZINC_ROUTER, ZINC_DEALER, ep);
}

/* Receives text into buf (NUL-terminated). Its length, or -1. */
static int demo_recv_text(zinc_socket_t *s, char *buf, size_t cap, int flags)
{
    int n = zinc_recv(s, buf, cap - 1, flags);
    if (n >= 0)
        buf[(size_t)n < cap - 1 ? (size_t)n : cap - 1] = '\0';
    return n;
}

/* After the subscription reached the publisher (seen by the first "A"
 * message arriving), "B" messages are filtered out and "A" ones arrive. */
static bool demo_filtered(demo_run_t *r, zinc_socket_t *pub, zinc_socket_t *sub)
{
    char buf[64];
    int64_t until = zt_now_ms() + DEMO_TIMEOUT_MS;
    for (;;) {
        if (zinc_send(pub, "A-hello", 7, 0) < 0)
            return demo_fail(r, "publish");
        zt_sleep_ms(2);
        if (demo_recv_text(sub, buf, sizeof buf, ZINC_DONTWAIT) >= 0)
            break;
        if (errno != EAGAIN)
            return demo_fail(r, "receive");
        if (zt_now_ms() > until) {
            snprintf(r->why, r->cap, "the subscription never reached the publisher");
            return false;
        }
    }
    if (zinc_send(pub, "B-filtered", 10, 0) < 0 || zinc_send(pub, "A-data", 6, 0) < 0)
        return demo_fail(r, "publish");
    for (;;) {
        if (demo_recv_text(sub, buf, sizeof buf, 0) < 0)
            return demo_fail(r, "receive");
        if (buf[0] != 'A') {
            snprintf(r->why, r->cap, "'%s' passed the filter", buf);
            return false;
        }
        if (strcmp(buf, "A-data") == 0)
            return true;
    }
}

static bool demo_pubsub(demo_run_t *r, const char *ep)
{
    return demo_join(r, ZINC_PUB, ZINC_SUB, ep) && demo_filtered(r, r->a, r->b);
}

static bool demo_xpubxsub(demo_run_t *r, const char *ep)
{
    char buf[64];
    if (!demo_join(r, ZINC_XPUB, ZINC_XSUB, ep))
        return false;
    if (zinc_send(r->b, "\001A", 2, 0) < 0)
        return demo_fail(r, "subscribe");
    int n = demo_recv_text(r->a, buf, sizeof buf, 0);
    if (n < 0)
        return demo_fail(r, "receiving the subscription");
    if (n != 2 || memcmp(buf, "\001A", 2) != 0) {
        snprintf(r->why, r->cap, "the XPUB got %d octets, not the subscription", n);
        return false;
    }
    return demo_filtered(r, r->a, r->b);
}

/* STREAM: a plain TCP client talks to a zinc STREAM socket. */
static bool demo_stream(demo_run_t *r, const char *ep)
{
    char got[256];
    size_t len = sizeof got;
    r->a = zt_demo_socket(r->ctx, ZINC_STREAM);
    if (!r->a)
        return demo_fail(r, "STREAM");
    if (zinc_bind(r->a, ep) != 0 || zinc_get(r->a, "last_endpoint", got, &len) != 0)
        return demo_fail(r, "bind");
    const char *colon = strrchr(got, ':');
    int64_t port;
    if (!colon || !zt_parse_int(colon + 1, 1, 65535, &port)) {
        snprintf(r->why, r->cap, "no port in '%s'", got);
        return false;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        write(fd, "hello", 5) != 5) {
        snprintf(r->why, r->cap, "raw client: %s", strerror(errno));
        goto out;
    }
    zt_msg_t msg;
    for (;;) { /* the connect notice [id, ""] comes first */
        if (zt_msg_recv(r->a, &msg) != 0) {
            demo_fail(r, "receive");
            goto out;
        }
        if (msg.n == 2 && zinc_frame_size(msg.f[1]) > 0)
            break;
        zt_msg_clear(&msg);
    }
    if (zinc_frame_size(msg.f[1]) != 5 || memcmp(zinc_frame_data(msg.f[1]), "hello", 5) != 0) {
        snprintf(r->why, r->cap, "STREAM got %zu octets, not 'hello'", zinc_frame_size(msg.f[1]));
        zt_msg_clear(&msg);
        goto out;
    }
    if (zt_msg_send(r->a, &msg, 0) != 0) { /* echo: [id, "hello"] */
        demo_fail(r, "send");
        goto out;
    }
    char buf[16];
    size_t have = 0;
    while (have < 5) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n = poll(&p, 1, DEMO_TIMEOUT_MS) == 1 ? read(fd, buf + have, 5 - have) : -1;
        if (n <= 0) {
            snprintf(r->why, r->cap, "raw client: no echo");
            goto out;
        }
        have += (size_t)n;
    }
    ok = memcmp(buf, "hello", 5) == 0;
    if (!ok)
        snprintf(r->why, r->cap, "raw client: wrong echo");
out:
    if (fd >= 0)
        close(fd);
    return ok;
}

typedef struct {
    const char *label;
    int types[2];
    bool (*fn)(demo_run_t *r, const char *ep);
    bool tcp_only;
    const char *what;
} demo_pattern_t;

static const demo_pattern_t demo_patterns[] = {
    {"PAIR   <-> PAIR", {ZINC_PAIR, ZINC_PAIR}, demo_pair, false, "7 messages each way"},
    {"PUSH   --> PULL", {ZINC_PUSH, ZINC_PULL}, demo_push, false, "7 messages"},
    {"DEALER <-> DEALER", {ZINC_DEALER, ZINC_DEALER}, demo_dealer, false, "7 messages each way"},
    {"REQ    <-> REP", {ZINC_REQ, ZINC_REP}, demo_reqrep, false, "7 round trips"},
    {"DEALER <-> ROUTER",
     {ZINC_DEALER, ZINC_ROUTER},
     demo_router,
     false,
     "7 round trips, envelope"},
    {"PUB    --> SUB", {ZINC_PUB, ZINC_SUB}, demo_pubsub, false, "topic filter"},
    {"XPUB   <-> XSUB",
     {ZINC_XPUB, ZINC_XSUB},
     demo_xpubxsub,
     false,
     "subscription up, filtered data down"},
    {"STREAM <-> raw TCP", {ZINC_STREAM, ZINC_STREAM}, demo_stream, true, "plain TCP client"},
};

/* One line per pattern; returns the number of failures. */
static int demo_patterns_run(zinc_ctx_t *ctx, int *skipped)
{
    static const char *const transports[] = {"tcp", "ipc", "inproc"};
    int failures = 0, serial = 0;
    printf("zinc to zinc, each pattern over tcp, ipc and inproc "
           "(messages of 0 B to 1 MiB, multipart):\n");
    for (size_t i = 0; i < sizeof demo_patterns / sizeof demo_patterns[0]; i++) {
        const demo_pattern_t *p = &demo_patterns[i];
        printf("  %-20s", p->label);
        fflush(stdout);
        const char *missing = NULL;
        for (int k = 0; k < 2 && !missing; k++)
            if (!zt_type_built(ctx, p->types[k]))
                missing = zinc_socket_type_name(p->types[k]);
        if (missing) {
            printf(" not built yet (%s): skipped\n", missing);
            (*skipped)++;
            continue;
        }
        char why[3][256] = {"", "", ""};
        for (int t = 0; t < 3; t++) {
            if (p->tcp_only && t > 0) {
                printf(" %s %-4s", transports[t], "-");
                continue;
            }
            char ep[128];
            serial++;
            if (t == 0)
                snprintf(ep, sizeof ep, "tcp://127.0.0.1:*");
            else if (t == 1)
                snprintf(ep, sizeof ep, "ipc://@zinc-demo-%ld-%d", (long)getpid(), serial);
            else
                snprintf(ep, sizeof ep, "inproc://zinc-demo-%d", serial);
            demo_run_t r = {.ctx = ctx, .why = why[t], .cap = sizeof why[t]};
            bool ok = p->fn(&r, ep);
            if (r.a)
                zinc_socket_close(r.a);
            if (r.b)
                zinc_socket_close(r.b);
            printf(" %s %-4s", transports[t], ok ? "ok" : "FAIL");
            failures += !ok;
            fflush(stdout);
        }
        printf("  %s\n", p->what);
        for (int t = 0; t < 3; t++)
            if (why[t][0])
                printf("      %s: %s\n", transports[t], why[t]);
    }
    return failures;
}

/* ---- throughput and latency ----------------------------------------------- */

typedef struct {
    zinc_socket_t *s;
    int64_t count, t0, t1;
    int err;
} demo_thr_rx_t;

/* Receiver thread: counts messages until the empty one. */
static void *demo_thr_rx(void *arg)
{
    demo_thr_rx_t *rx = arg;
    uint8_t buf[DEMO_THR_SIZE];
    for (;;) {
        int n = zinc_recv(rx->s, buf, sizeof buf, 0);
        if (n < 0) {
            rx->err = errno;
            return NULL;
        }
        if (n == 0)
            return NULL;
        int64_t now = zt_now_us();
        if (rx->count++ == 0)
            rx->t0 = now;
        rx->t1 = now;
    }
}

static bool demo_throughput(zinc_ctx_t *ctx)
{
    char got[256], why[256] = "";
    size_t len = sizeof got;
    zinc_socket_t *pull = zt_demo_socket(ctx, ZINC_PULL), *push = zt_demo_socket(ctx, ZINC_PUSH);
    demo_thr_rx_t rx = {.s = pull};
    pthread_t th;
    bool started = false;
    int64_t sent = 0;
    if (!pull || !push || zinc_bind(pull, "tcp://127.0.0.1:*") != 0 ||
        zinc_get(pull, "last_endpoint", got, &len) != 0 || zinc_connect(push, got) != 0) {
        snprintf(why, sizeof why, "setting up: %s", zinc_strerror(errno));
        goto out;
    }
    if (pthread_create(&th, NULL, demo_thr_rx, &rx) != 0) {
        snprintf(why, sizeof why, "no thread");
        goto out;
    }
    started = true;
    uint8_t msg[DEMO_THR_SIZE];
    memset(msg, 'z', sizeof msg);
    int64_t end = zt_now_ms() + DEMO_THR_MS;
    while (zt_now_ms() < end) {
        for (int i = 0; i < 256; i++, sent++)
            if (zinc_send(push, msg, sizeof msg, 0) < 0) {
                snprintf(why, sizeof why, "send: %s", zinc_strerror(errno));
                goto out;
            }
    }
out:
    if (push && started && zinc_send(push, "", 0, 0) < 0 && !why[0])
        snprintf(why, sizeof why, "send: %s", zinc_strerror(errno));
    if (started)
        pthread_join(th, NULL);
    if (push)
        zinc_socket_close(push);
    if (pull)
        zinc_socket_close(pull);
    if (!why[0] && rx.err)
        snprintf(why, sizeof why, "receive: %s", zinc_strerror(rx.err));
    if (!why[0] && rx.count != sent)
        snprintf(why, sizeof why, "%lld sent, %lld received", (long long)sent, (long long)rx.count);
    if (why[0]) {
        printf("throughput: FAIL (%s)\n", why);
        return false;
    }
    double secs = (double)(rx.t1 - rx.t0) / 1e6;
    double rate = secs > 0 ? (double)(rx.count - 1) / secs : 0;
    printf("throughput: %.0f messages/s (%.0f MB/s), PUSH -> PULL over tcp, %d-octet messages, "
           "%lld in %.2f s\n",
           rate, rate * DEMO_THR_SIZE / 1e6, DEMO_THR_SIZE, (long long)rx.count, secs);
    return true;
}

/* Echo thread for the latency run: answers until the empty message. */
static void *demo_lat_echo(void *arg)
{
    zinc_socket_t *s = arg;
    char buf[16];
    for (;;) {
        int n = zinc_recv(s, buf, sizeof buf, 0);
        if (n <= 0 || zinc_send(s, buf, (size_t)n, 0) < 0)
            return NULL;
    }
}

static int demo_cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static bool demo_latency(zinc_ctx_t *ctx)
{
    char got[256], why[256] = "";
    size_t len = sizeof got;
    zinc_socket_t *srv = zt_demo_socket(ctx, ZINC_DEALER), *cli = zt_demo_socket(ctx, ZINC_DEALER);
    int64_t *rt = malloc(DEMO_LAT_MAX * sizeof *rt);
    size_t n = 0;
    pthread_t th;
    bool started = false;
    if (!srv || !cli || !rt || zinc_bind(srv, "tcp://127.0.0.1:*") != 0 ||
        zinc_get(srv, "last_endpoint", got, &len) != 0 || zinc_connect(cli, got) != 0) {
        snprintf(why, sizeof why, "setting up: %s", zinc_strerror(errno));
        goto out;
    }
    if (pthread_create(&th, NULL, demo_lat_echo, srv) != 0) {
        snprintf(why, sizeof why, "no thread");
        goto out;
    }
    started = true;
    char b = 'p';
    for (int warm = 0; warm < 200; warm++)
        if (zinc_send(cli, "p", 1, 0) < 0 || zinc_recv(cli, &b, 1, 0) != 1) {
            snprintf(why, sizeof why, "ping: %s", zinc_strerror(errno));
            goto out;
        }
    int64_t end = zt_now_ms() + DEMO_LAT_MS;
    while (n < DEMO_LAT_MAX && zt_now_ms() < end) {
        int64_t t0 = zt_now_us();
        if (zinc_send(cli, "p", 1, 0) < 0 || zinc_recv(cli, &b, 1, 0) != 1) {
            snprintf(why, sizeof why, "ping: %s", zinc_strerror(errno));
            goto out;
        }
        rt[n++] = zt_now_us() - t0;
    }
out:
    if (started) {
        if (zinc_send(cli, "", 0, 0) < 0)
            zinc_set_int(srv, "rcvtimeo", 0); /* ends the echo thread soon */
        pthread_join(th, NULL);
    }
    if (cli)
        zinc_socket_close(cli);
    if (srv)
        zinc_socket_close(srv);
    if (!why[0] && n == 0)
        snprintf(why, sizeof why, "no round trip");
    if (why[0]) {
        free(rt);
        printf("latency: FAIL (%s)\n", why);
        return false;
    }
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += rt[i];
    qsort(rt, n, sizeof *rt, demo_cmp_i64);
    printf("latency: %.1f us round trip (median; mean %.1f, 99%% under %.1f), DEALER ping-pong "
           "over tcp, 1-octet messages, %zu round trips\n",
           (double)rt[n / 2], (double)sum / (double)n, (double)rt[n * 99 / 100], n);
    free(rt);
    return true;
}

/* ---- the command ---------------------------------------------------------- */

static const char demo_usage[] =
    "usage: zinc demo\n"
    "  Shows zinc at work on this machine, in a few seconds: every socket pattern zinc\n"
    "  builds, zinc to zinc over tcp, ipc and inproc; zinc and a stock libzmq peer (pyzmq\n"
    "  in /usr/bin/python3, when it has zmq) exchanging messages both ways; then one\n"
    "  throughput line (PUSH -> PULL over tcp) and one latency line (DEALER ping-pong).\n"
    "  Exit status 0 only when every check that ran passed.\n";

int zt_demo_main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            fputs(demo_usage, stdout);
            return ZT_EXIT_OK;
        }
        fprintf(stderr, "zinc demo: unexpected argument '%s' (zinc demo --help)\n", argv[1]);
        return ZT_EXIT_USAGE;
    }
    int major, minor, patch;
    zinc_version(&major, &minor, &patch);
    printf("zinc %d.%d.%d demo: ZeroMQ's wire protocol (ZMTP 3.1) in C, without libzmq\n\n", major,
           minor, patch);
    zinc_ctx_t *ctx = zinc_ctx_new();
    if (!ctx) {
        fprintf(stderr, "zinc demo: %s\n", zinc_strerror(errno));
        return ZT_EXIT_RUNTIME;
    }
    int64_t t0 = zt_now_ms();
    int skipped = 0;
    int failures = demo_patterns_run(ctx, &skipped);
    printf("\n");
    fflush(stdout);
    failures += zt_demo_libzmq(ctx);
    printf("\n");
    fflush(stdout);
    failures += !demo_throughput(ctx);
    fflush(stdout);
    failures += !demo_latency(ctx);
    zinc_ctx_term(ctx);
    printf("\n");
    if (failures)
        printf("demo: %d check%s FAILED (%.1f s)\n", failures, failures == 1 ? "" : "s",
               (double)(zt_now_ms() - t0) / 1000);
    else
        printf("demo: everything worked (%.1f s)%s\n", (double)(zt_now_ms() - t0) / 1000,
               skipped ? "; the patterns not built yet were skipped" : "");
    return failures ? ZT_EXIT_RUNTIME : ZT_EXIT_OK;
}
