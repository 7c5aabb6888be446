/* bench_thr: PUSH/PULL throughput. The server binds a PULL socket and counts
 * messages; the client connects a PUSH socket and sends --count messages of
 * --size octets. The rate is measured at the receiver, from the first message
 * to the last (as libzmq's local_thr does), and the run stops early after
 * --max-secs, reporting what arrived by then. The sender keeps its socket
 * open until the receiver is done, so the end of the stream never depends on
 * how a library lingers on close.
 *
 * Output, one line on stdout:
 *   RESULT prog=thr lib=zinc transport=tcp size=64 pin=split hwm=1000 n=... secs=...
 *          msgs_per_s=... mb_per_s=... early=0 stalled=0 max_gap_ms=...
 * stalled=1: the stream paused for THR_STALL_MS or more before --count
 * arrived (a lost wake-up in the library, or a sender that died), so the rate
 * says nothing about speed. After --timeout-ms without a message the run
 * ends, measured up to the last message before the pause.
 */
#include <stdio.h>
#include <string.h>

#include "bench_api.h"
#include "bench_common.h"

#define THR_STALL_MS 250.0

/* Both libraries get the same high-water marks; large messages get fewer,
 * so that one run never queues more than about 64 MiB per direction. */
static int thr_hwm(size_t size)
{
    size_t hwm = (64u << 20) / (size ? size : 1);
    if (hwm > 1000)
        hwm = 1000;
    if (hwm < 16)
        hwm = 16;
    return (int)hwm;
}

static int thr_fail(void *s, const char *what)
{
    int err = errno;
    if (s)
        b_close(s);
    return bench_fail(what, b_strerror(err));
}

static int thr_server(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_PULL);
    if (!s)
        return thr_fail(NULL, "socket PULL");
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, RCVTIMEO, a->timeout_ms) != 0 ||
        B_SETI(s, RCVHWM, thr_hwm(a->size)) != 0)
        return thr_fail(s, "setsockopt");
    if (b_bind(s, r->endpoint) != 0)
        return thr_fail(s, "bind");
    bench_ready(r);

    int more;
    long n = b_recv_drop(s, &more);
    if (n < 0)
        return thr_fail(s, "first recv");
    double t0 = bench_now();
    double deadline = t0 + a->max_secs;
    /* The clock is read every 16 messages (every message from 16 KiB up):
     * the longest gap between two reads tells a stall from a slow stream. */
    long mask = a->size >= 16384 ? 0 : 15;
    long got = 1;
    bool early = false, stalled = false;
    double last = t0, max_gap = 0;
    while (got < a->count) {
        n = b_recv_drop(s, &more);
        if (n < 0 && errno == EAGAIN) {
            /* Nothing for timeout_ms: measured up to the last clock read. */
            stalled = early = true;
            max_gap = (double)a->timeout_ms / 1000.0;
            break;
        }
        if (n < 0)
            return thr_fail(s, "recv");
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
    if (max_gap * 1000.0 >= THR_STALL_MS)
        stalled = true;
    bench_done(r);
    b_close(s);
    if (early)
        atomic_store(&r->stop, true);
    /* got - 1 messages arrived after the clock started. */
    double rate = got > 1 && secs > 0 ? (double)(got - 1) / secs : 0;
    printf("RESULT prog=thr lib=%s transport=%s size=%zu pin=%s hwm=%d n=%ld secs=%.6f "
           "msgs_per_s=%.1f mb_per_s=%.2f early=%d stalled=%d max_gap_ms=%.1f\n",
           B_LIB, a->transport, a->size, bench_pin_name(a->pin), thr_hwm(a->size), got, secs, rate,
           rate * (double)a->size / 1e6, early, stalled, max_gap * 1000.0);
    fflush(stdout);
    return 0;
}

static int thr_client(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_PUSH);
    if (!s)
        return thr_fail(NULL, "socket PUSH");
    if (B_SETI(s, LINGER, a->timeout_ms) != 0 || B_SETI(s, SNDTIMEO, a->timeout_ms) != 0 ||
        B_SETI(s, SNDHWM, thr_hwm(a->size)) != 0)
        return thr_fail(s, "setsockopt");
    if (b_connect(s, r->endpoint) != 0)
        return thr_fail(s, "connect");
    for (long i = 0; i < a->count; i++) {
        if (atomic_load_explicit(&r->stop, memory_order_relaxed))
            break;
        if (b_send_new(s, a->size, 0) != 0) {
            if (atomic_load(&r->stop))
                break;
            return thr_fail(s, "send");
        }
    }
    /* Close only once the receiver has the stream (see bench_wait_done). */
    if (!atomic_load(&r->stop))
        bench_wait_done(r);
    b_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_parse_args(argc, argv, &a, argv[0]);
    return bench_run(&a, thr_server, thr_client, b_ctx_new, b_ctx_term);
}
