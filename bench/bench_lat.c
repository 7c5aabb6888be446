/* bench_lat: round-trip latency, halved. The server binds and echoes every
 * message back; the client connects, makes --warmup untimed round trips, then
 * times --count round trips of --size octets (stopping early after
 * --max-secs) and reports half the mean round trip.
 *
 * Pattern (--mode): "reqrep" (REQ client, REP server), "dealer" (DEALER to
 * DEALER ping-pong), or "auto" (the default): REQ/REP when this library
 * builds REQ, else DEALER/DEALER. "probe" prints which "auto" would choose
 * and exits; the runner uses it so both libraries run the same pattern.
 * A zero-size message tells the server to stop.
 *
 * Output, one line on stdout:
 *   RESULT prog=lat lib=zinc pattern=REQ/REP transport=tcp size=1 pin=split n=... secs=...
 *          usec=... early=0
 */
#include <stdio.h>
#include <string.h>

#include "bench_api.h"
#include "bench_common.h"

static bool lat_reqrep; /* chosen in main, before any role runs */

static int lat_fail(void *s, const char *what)
{
    int err = errno;
    if (s)
        b_close(s);
    return bench_fail(what, b_strerror(err));
}

static void *lat_socket(bench_run_t *r, int type)
{
    void *s = b_socket(r->ctx, type);
    if (!s)
        return NULL;
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, RCVTIMEO, r->args->timeout_ms) != 0 ||
        B_SETI(s, SNDTIMEO, r->args->timeout_ms) != 0) {
        int err = errno;
        b_close(s);
        errno = err;
        return NULL;
    }
    return s;
}

static int lat_server(bench_run_t *r)
{
    void *s = lat_socket(r, lat_reqrep ? B_REP : B_DEALER);
    if (!s)
        return lat_fail(NULL, "server socket");
    if (b_bind(s, r->endpoint) != 0)
        return lat_fail(s, "bind");
    bench_ready(r);
    for (;;) {
        int more;
        long n = b_echo(s, &more);
        if (n < 0)
            return lat_fail(s, "echo");
        if (n == 0 && !more)
            break;
    }
    b_close(s);
    return 0;
}

/* One round trip: 0, or -1 with errno. */
static int lat_round_trip(void *s, size_t size)
{
    int more;
    if (b_send_new(s, size, 0) != 0)
        return -1;
    long n = b_recv_drop(s, &more);
    if (n < 0)
        return -1;
    if ((size_t)n != size || more) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

static int lat_client(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = lat_socket(r, lat_reqrep ? B_REQ : B_DEALER);
    if (!s)
        return lat_fail(NULL, "client socket");
    if (b_connect(s, r->endpoint) != 0)
        return lat_fail(s, "connect");
    for (long i = 0; i < a->warmup; i++)
        if (lat_round_trip(s, a->size) != 0)
            return lat_fail(s, "warm-up round trip");
    double t0 = bench_now();
    double deadline = t0 + a->max_secs;
    long mask = a->size >= 16384 ? 0 : 63;
    long done = 0;
    bool early = false;
    while (done < a->count) {
        if (lat_round_trip(s, a->size) != 0)
            return lat_fail(s, "round trip");
        done++;
        if ((done & mask) == 0 && bench_now() > deadline) {
            early = true;
            break;
        }
    }
    double secs = bench_now() - t0;
    if (lat_round_trip(s, 0) != 0) /* tells the server to stop */
        return lat_fail(s, "stop round trip");
    b_close(s);
    printf("RESULT prog=lat lib=%s pattern=%s transport=%s size=%zu pin=%s n=%ld secs=%.6f "
           "usec=%.3f early=%d\n",
           B_LIB, lat_reqrep ? "REQ/REP" : "DEALER/DEALER", a->transport, a->size,
           bench_pin_name(a->pin), done, secs, secs / (2.0 * (double)done) * 1e6, early);
    fflush(stdout);
    return 0;
}

/* true when this library builds REQ sockets. */
static bool lat_has_req(void)
{
    void *ctx = b_ctx_new();
    if (!ctx)
        return false;
    void *s = b_socket(ctx, B_REQ);
    if (s)
        b_close(s);
    b_ctx_term(ctx);
    return s != NULL;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    a.mode = "";
    bench_parse_args(argc, argv, &a, argv[0]);
    if (strcmp(a.mode, "probe") == 0) {
        printf("%s\n", lat_has_req() ? "reqrep" : "dealer");
        return 0;
    }
    if (strcmp(a.mode, "reqrep") == 0)
        lat_reqrep = true;
    else if (strcmp(a.mode, "dealer") == 0)
        lat_reqrep = false;
    else if (strcmp(a.mode, "") == 0 || strcmp(a.mode, "auto") == 0)
        lat_reqrep = lat_has_req();
    else
        return bench_fail("--mode", "expected auto, reqrep, dealer or probe");
    if (a.size == 0)
        return bench_fail("--size", "latency needs at least 1 octet");
    return bench_run(&a, lat_server, lat_client, b_ctx_new, b_ctx_term);
}
