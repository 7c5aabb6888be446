/* bench_curve_thr: PUSH/PULL throughput with the CURVE mechanism, over tcp or
 * ipc (inproc has no mechanism). As bench_thr: the server binds a PULL
 * socket as a CURVE server and counts messages; the client connects a PUSH
 * socket as a CURVE client and sends --count messages of --size octets. The
 * rate is measured at the receiver, from the first message to the last (the
 * handshake is over by then), and the run stops early after --max-secs. The
 * sender keeps its socket open until the receiver is done.
 *
 * What it adds to bench_thr's figure is the cost of CURVE's per-message
 * box (crypto_box_afternm over every frame, one MESSAGE command each).
 *
 * Output, one line on stdout:
 *   RESULT prog=curve_thr lib=zinc transport=tcp size=64 pin=split hwm=1000 n=... secs=...
 *          msgs_per_s=... mb_per_s=... early=0 stalled=0 max_gap_ms=...
 * stalled=1 as in bench_thr: the stream paused for CTHR_STALL_MS or more.
 */
#include <stdio.h>
#include <string.h>

#include "bench_api.h"
#include "bench_common.h"
#include "bench_curve.h"

#define CTHR_STALL_MS 250.0

static bench_curve_keys_t cthr_keys; /* made in main, before the roles */

/* The same high-water marks as bench_thr (at most about 64 MiB queued). */
static int cthr_hwm(size_t size)
{
    size_t hwm = (64u << 20) / (size ? size : 1);
    if (hwm > 1000)
        hwm = 1000;
    if (hwm < 16)
        hwm = 16;
    return (int)hwm;
}

static int cthr_fail(void *s, const char *what)
{
    int err = errno;
    if (s)
        b_close(s);
    return bench_fail(what, b_strerror(err));
}

static int cthr_server(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_PULL);
    if (!s)
        return cthr_fail(NULL, "socket PULL");
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, RCVTIMEO, a->timeout_ms) != 0 ||
        B_SETI(s, RCVHWM, cthr_hwm(a->size)) != 0 || bench_curve_server(s, &cthr_keys) != 0)
        return cthr_fail(s, "setsockopt");
    if (b_bind(s, r->endpoint) != 0)
        return cthr_fail(s, "bind");
    bench_ready(r);

    int more;
    long n = b_recv_drop(s, &more);
    if (n < 0)
        return cthr_fail(s, "first recv (did the CURVE handshake complete?)");
    double t0 = bench_now();
    double deadline = t0 + a->max_secs;
    long mask = a->size >= 16384 ? 0 : 15;
    long got = 1;
    bool early = false, stalled = false;
    double last = t0, max_gap = 0;
    while (got < a->count) {
        n = b_recv_drop(s, &more);
        if (n < 0 && errno == EAGAIN) {
            stalled = early = true;
            max_gap = (double)a->timeout_ms / 1000.0;
            break;
        }
        if (n < 0)
            return cthr_fail(s, "recv");
        if ((size_t)n != a->size) {
            b_close(s);
            return bench_fail("recv", "unexpected message size");
        }
        got++;
        if ((got & mask) == 0) {
            double now = bench_now();
            if (now - last > max_gap)
                max_gap = now - last;
            last = now;
            if (now > deadline) {
                early = true;
                break;
            }
        }
    }
    double secs = (stalled ? last : bench_now()) - t0;
    if (max_gap * 1000.0 >= CTHR_STALL_MS)
        stalled = true;
    bench_done(r);
    b_close(s);
    if (early)
        atomic_store(&r->stop, true);
    double rate = got > 1 && secs > 0 ? (double)(got - 1) / secs : 0;
    printf("RESULT prog=curve_thr lib=%s transport=%s size=%zu pin=%s hwm=%d n=%ld secs=%.6f "
           "msgs_per_s=%.1f mb_per_s=%.2f early=%d stalled=%d max_gap_ms=%.1f\n",
           B_LIB, a->transport, a->size, bench_pin_name(a->pin), cthr_hwm(a->size), got, secs, rate,
           rate * (double)a->size / 1e6, early, stalled, max_gap * 1000.0);
    fflush(stdout);
    return 0;
}

static int cthr_client(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_PUSH);
    if (!s)
        return cthr_fail(NULL, "socket PUSH");
    if (B_SETI(s, LINGER, a->timeout_ms) != 0 || B_SETI(s, SNDTIMEO, a->timeout_ms) != 0 ||
        B_SETI(s, SNDHWM, cthr_hwm(a->size)) != 0 || bench_curve_client(s, &cthr_keys) != 0)
        return cthr_fail(s, "setsockopt");
    if (b_connect(s, r->endpoint) != 0)
        return cthr_fail(s, "connect");
    for (long i = 0; i < a->count; i++) {
        if (atomic_load_explicit(&r->stop, memory_order_relaxed))
            break;
        if (b_send_new(s, a->size, 0) != 0) {
            if (atomic_load(&r->stop))
                break;
            return cthr_fail(s, "send");
        }
    }
    if (!atomic_load(&r->stop))
        bench_wait_done(r);
    b_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_parse_args(argc, argv, &a, argv[0]);
    if (strcmp(a.transport, "inproc") == 0)
        return bench_fail("--transport", "CURVE needs tcp or ipc (inproc has no mechanism)");
    if (!b_has_curve())
        return bench_fail(B_LIB, "built without CURVE");
    if (bench_curve_keys(&cthr_keys) != 0)
        return bench_fail("libsodium", "sodium_init failed");
    return bench_run(&a, cthr_server, cthr_client, b_ctx_new, b_ctx_term);
}
