/* What tracking costs: ns per zero-copy send over inproc PUSH/PULL, without
 * and with a tracker (issue 5's target: under 0.2 us more per tracked
 * message, everything included).
 *
 * Each run has three timed phases on one thread, so two shared cores do not
 * blur the numbers with thread hand-offs:
 *   send     make a zero-copy frame (and take its tracker), send it
 *            (hwm 0: nothing blocks, copy_threshold 0: nothing is copied);
 *   release  receive every frame and drop it: the last reference goes, the
 *            free function runs and the tracker finishes;
 *   free     check each tracker is done and free it.
 * The best of several rounds is printed. Usage: bench_tracker [messages]
 * [size]. Not a test.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "zinc.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void noop_free(void *data, void *hint)
{
    (void)data;
    (void)hint;
}

typedef struct {
    double send, release, free;
} cost_t;

static int run(zinc_socket_t *push, zinc_socket_t *pull, bool track, size_t n, void *buf,
               size_t size, zinc_tracker_t **trackers, cost_t *out)
{
    int64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        zinc_frame_t *f = zinc_frame_new_zerocopy(buf, size, noop_free, NULL, track);
        if (!f)
            return -1;
        if (track)
            trackers[i] = zinc_frame_tracker(f);
        if (zinc_send_frame(push, f, 0) != 0)
            return -1;
    }
    int64_t t1 = now_ns();
    for (size_t i = 0; i < n; i++) {
        zinc_frame_t *f = zinc_recv_frame(pull, ZINC_DONTWAIT);
        if (!f)
            return -1;
        zinc_frame_unref(f);
    }
    int64_t t2 = now_ns();
    for (size_t i = 0; track && i < n; i++) {
        if (!zinc_tracker_done(trackers[i]))
            return -1;
        zinc_tracker_free(trackers[i]);
    }
    int64_t t3 = now_ns();
    *out = (cost_t){(double)(t1 - t0) / (double)n, (double)(t2 - t1) / (double)n,
                    (double)(t3 - t2) / (double)n};
    return 0;
}

static double total(const cost_t *c)
{
    return c->send + c->release + c->free;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    size_t size = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
    if (n == 0)
        n = 1;
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *pull = zinc_socket_new(ctx, ZINC_PULL), *push = zinc_socket_new(ctx, ZINC_PUSH);
    void *buf = calloc(1, size ? size : 1);
    zinc_tracker_t **trackers = calloc(n, sizeof *trackers);
    if (!pull || !push || !buf || !trackers || zinc_set_int(pull, "linger", 0) != 0 ||
        zinc_set_int(push, "linger", 0) != 0 || zinc_set_int(push, "hwm", 0) != 0 ||
        zinc_set_int(pull, "hwm", 0) != 0 || zinc_set_int(push, "copy_threshold", 0) != 0 ||
        zinc_bind(pull, "inproc://bench-tracker") != 0 ||
        zinc_connect(push, "inproc://bench-tracker") != 0) {
        fprintf(stderr, "setup: %s\n", zinc_strerror(errno));
        return 1;
    }
    cost_t best[2] = {{1e18, 1e18, 1e18}, {1e18, 1e18, 1e18}};
    for (int round = 0; round < 5; round++)
        for (int track = 0; track < 2; track++) {
            cost_t c;
            if (run(push, pull, track, n, buf, size, trackers, &c) != 0) {
                fprintf(stderr, "run: %s\n", zinc_strerror(errno));
                return 1;
            }
            if (total(&c) < total(&best[track]))
                best[track] = c;
        }
    printf("zero-copy sends of %zu octets over inproc PUSH/PULL, %zu per run, best of 5\n", size,
           n);
    printf("%-10s %10s %10s %10s %10s   (ns per message)\n", "", "send", "release", "free",
           "total");
    const char *names[2] = {"untracked", "tracked"};
    for (int k = 0; k < 2; k++)
        printf("%-10s %10.1f %10.1f %10.1f %10.1f\n", names[k], best[k].send, best[k].release,
               best[k].free, total(&best[k]));
    double extra = total(&best[1]) - total(&best[0]);
    printf("tracking costs %.1f ns more per message (target: < 200 ns): %s\n", extra,
           extra < 200 ? "met" : "NOT met");
    free(trackers);
    free(buf);
    zinc_socket_close(push);
    zinc_socket_close(pull);
    zinc_ctx_term(ctx);
    return 0;
}
