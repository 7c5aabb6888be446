/* bench_handshake: connections set up per second, each one a complete ZMTP
 * handshake. The server binds a ROUTER socket and echoes every message; the
 * client keeps --peers DEALER sockets in flight (16), each of which is made,
 * connected, sends one 1-octet message and, once the echo is back (so the
 * greeting, the mechanism's handshake and READY are done both ways), is
 * closed and replaced by a new one. --count handshakes are timed after
 * --warmup untimed ones; the run stops early after --max-secs.
 *
 * --mode curve (the default) or null: the mechanism. CURVE costs each side
 * X25519 work on HELLO, WELCOME, INITIATE and READY; NULL is the reference
 * row: what a handshake costs without cryptography (sockets, TCP connect,
 * greeting, READY). Every socket closes with linger 0.
 *
 * Output, one line on stdout (from the client):
 *   RESULT prog=handshake lib=zinc mech=curve transport=tcp pin=split parallel=16 n=...
 *          secs=... handshakes_per_s=... usec=... early=0 stalled=0
 * usec: mean time from a socket's creation to its echo. stalled=1: no
 * handshake completed for --timeout-ms (the run ends there).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_api.h"
#include "bench_common.h"
#include "bench_curve.h"

#define HS_PARALLEL 16 /* clients in flight unless --peers */

static bench_curve_keys_t hs_keys; /* made in main, before the roles */
static bool hs_curve;

static int hs_fail(void *s, const char *what)
{
    int err = errno;
    if (s)
        b_close(s);
    return bench_fail(what, b_strerror(err));
}

/* true once the client wrote its end byte, or ended (its pipe closed). */
static bool hs_client_finished(bench_run_t *r)
{
    struct pollfd pfd = {.fd = r->back_fd[0], .events = POLLIN};
    return poll(&pfd, 1, 0) == 1;
}

static int hs_server(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_ROUTER);
    if (!s)
        return hs_fail(NULL, "socket ROUTER");
    /* A short receive timeout, so that the end byte is seen promptly. */
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, RCVTIMEO, 50) != 0 ||
        B_SETI(s, SNDTIMEO, a->timeout_ms) != 0 || B_SETI(s, BACKLOG, 1024) != 0 ||
        (hs_curve && bench_curve_server(s, &hs_keys) != 0))
        return hs_fail(s, "setsockopt");
    if (b_bind(s, r->endpoint) != 0)
        return hs_fail(s, "bind");
    bench_ready(r);
    double idle_since = bench_now();
    for (;;) {
        int more;
        long n = b_echo(s, &more); /* identity, then the payload */
        if (n >= 0) {
            idle_since = bench_now();
            continue;
        }
        if (errno != EAGAIN)
            return hs_fail(s, "echo");
        if (hs_client_finished(r))
            break;
        /* The client ends on its own (its polls time out) and its end or
         * death shows on the pipe; this bound is a last resort. */
        if (bench_now() - idle_since > 4.0 * a->timeout_ms / 1000.0 + 2.0 * a->max_secs + 5.0) {
            b_close(s);
            return bench_fail("server", "no message from the client and no end");
        }
    }
    b_close(s);
    return 0;
}

typedef struct {
    void *s;
    double t0;
} hs_slot_t;

/* Makes slot i's socket, connects it and sends its one message. */
static int hs_open(bench_run_t *r, hs_slot_t *slot, b_pollitem_t *item)
{
    void *s = b_socket(r->ctx, B_DEALER);
    if (!s)
        return hs_fail(NULL, "socket DEALER");
    slot->t0 = bench_now();
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, SNDTIMEO, r->args->timeout_ms) != 0 ||
        (hs_curve && bench_curve_client(s, &hs_keys) != 0))
        return hs_fail(s, "setsockopt");
    if (b_connect(s, r->endpoint) != 0)
        return hs_fail(s, "connect");
    if (b_send_new(s, 1, 0) != 0)
        return hs_fail(s, "send");
    slot->s = s;
    *item = (b_pollitem_t){.socket = s, .fd = -1, .events = B_POLLIN};
    return 0;
}

static int hs_client(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    int p = (int)a->peers;
    hs_slot_t *slots = calloc((size_t)p, sizeof *slots);
    b_pollitem_t *items = calloc((size_t)p, sizeof *items);
    int rc = 1;
    if (!slots || !items) {
        bench_fail("client", "out of memory");
        goto out;
    }
    for (int i = 0; i < p; i++)
        if (hs_open(r, &slots[i], &items[i]) != 0)
            goto out;
    long total = a->warmup + a->count, done = 0, timed = 0;
    int live = p;     /* slots[0..live-1] are polled */
    int inflight = p; /* of which this many still have a socket */
    double t0 = 0, lat_sum = 0, deadline = 0;
    bool early = false, stalled = false;
    if (a->warmup == 0)
        t0 = bench_now(), deadline = t0 + a->max_secs;
    while (done < total && live > 0) {
        int n = b_poll(items, live, a->timeout_ms);
        if (n < 0) {
            hs_fail(NULL, "poll");
            goto out;
        }
        if (n == 0) {
            stalled = early = true;
            break;
        }
        for (int i = 0; i < live && !early; i++) {
            if (!(items[i].revents & B_POLLIN))
                continue;
            int more;
            if (b_recv_drop(slots[i].s, &more) != 1) {
                bench_fail("recv", "the echo is not the 1-octet message sent");
                goto out;
            }
            double now = bench_now();
            done++;
            if (done == a->warmup) {
                t0 = now;
                deadline = t0 + a->max_secs;
            } else if (done > a->warmup) {
                timed++;
                lat_sum += now - slots[i].t0;
                early = now > deadline && done < total;
            }
            b_close(slots[i].s);
            slots[i].s = NULL;
            inflight--;
            if (!early && done + inflight < total) {
                if (hs_open(r, &slots[i], &items[i]) != 0)
                    goto out;
                inflight++;
            }
        }
        /* Slots not reopened leave the poll set. */
        int kept = 0;
        for (int i = 0; i < live; i++) {
            if (!slots[i].s)
                continue;
            slots[kept] = slots[i];
            items[kept] = items[i];
            kept++;
        }
        for (int i = kept; i < live; i++)
            slots[i].s = NULL;
        live = kept;
        if (early)
            break;
    }
    double secs = timed ? bench_now() - t0 : 0;
    printf("RESULT prog=handshake lib=%s mech=%s transport=%s pin=%s parallel=%d n=%ld "
           "secs=%.6f handshakes_per_s=%.1f usec=%.1f early=%d stalled=%d\n",
           B_LIB, hs_curve ? "curve" : "null", a->transport, bench_pin_name(a->pin), p, timed, secs,
           secs > 0 ? (double)timed / secs : 0, timed ? lat_sum / (double)timed * 1e6 : 0, early,
           stalled);
    fflush(stdout);
    rc = 0;
out:
    if (slots)
        for (int i = 0; i < p; i++) /* closed slots are NULL */
            if (slots[i].s)
                b_close(slots[i].s);
    free(slots);
    free(items);
    char end = 'E';
    bench_tell_server(r, &end, 1);
    return rc;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_parse_args(argc, argv, &a, argv[0]);
    if (a.peers == 0)
        a.peers = HS_PARALLEL;
    if (strcmp(a.mode, "") == 0 || strcmp(a.mode, "curve") == 0)
        hs_curve = true;
    else if (strcmp(a.mode, "null") != 0)
        return bench_fail("--mode", "expected curve or null");
    if (hs_curve && strcmp(a.transport, "inproc") == 0)
        return bench_fail("--transport", "CURVE needs tcp or ipc (inproc has no mechanism)");
    if (hs_curve && !b_has_curve())
        return bench_fail(B_LIB, "built without CURVE");
    if (hs_curve && bench_curve_keys(&hs_keys) != 0)
        return bench_fail("libsodium", "sodium_init failed");
    return bench_run(&a, hs_server, hs_client, b_ctx_new, b_ctx_term);
}
