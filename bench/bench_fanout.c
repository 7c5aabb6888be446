/* bench_fanout: one PUB, --peers SUB sockets (100 by default), --topics
 * topics (10,000). The server binds the PUB; the client connects the SUB
 * sockets, all in one process (one thread: tcp and ipc as a second process,
 * inproc as a second thread) and receives on them round-robin.
 *
 * Topics are "t" followed by the topic number in fixed width ("t00042"), at
 * the head of each --size-octet message; the publisher cycles through them
 * in order. Subscription shape (--mode):
 *   all     every SUB subscribes to the prefix "t": each message goes to
 *           every subscriber (fan-out --peers), one subscription per peer;
 *   spread  SUB i subscribes to the topics i, i + peers, i + 2 peers, ...
 *           (topics/peers each, 100 with the defaults): --topics distinct
 *           subscriptions at the publisher, each message to one subscriber.
 *
 * A run: every SUB also subscribes to "S" last; the publisher sends "S"
 * every 10 ms until the client says every SUB got one (so all subscriptions
 * are in place), then sends --count messages as fast as it can (stopping at
 * --max-secs) and says so. PUB drops a message for a subscriber whose queue
 * is at its high-water mark (1000 both sides, as libzmq's default) and never
 * blocks, so the client counts what arrives until nothing has come for
 * FAN_QUIET_MS after the publisher ended, and reports to the server.
 *
 * Output, one line on stdout (from the server):
 *   RESULT prog=fanout lib=zinc mode=all transport=tcp size=64 pin=split subs=100
 *          topics=10000 sent=... pub_secs=... pub_msgs_per_s=... delivered=...
 *          sub_secs=... delivered_per_s=... expected=... loss_pct=... min_per_sub=...
 *          max_per_sub=... stalled=0
 * pub_msgs_per_s: messages the publisher sent per second; delivered_per_s:
 * messages received per second over all subscribers (first to last);
 * expected: sent times the subscribers of each message; loss_pct: what PUB
 * dropped at the high-water mark. stalled=1: the subscribers received
 * nothing for --timeout-ms while the publisher was still sending.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_api.h"
#include "bench_common.h"

#define FAN_QUIET_MS 200.0
#define FAN_HWM 1000

static bool fan_all; /* the subscription shape, from --mode */

/* The client's report to the server. */
typedef struct {
    long delivered, min_per_sub, max_per_sub;
    double first, last; /* bench_now() of the first and last message */
    int stalled;
} fan_report_t;

static int fan_fail(void *s, const char *what)
{
    int err = errno;
    if (s)
        b_close(s);
    return bench_fail(what, b_strerror(err));
}

/* Digits of the largest topic number: every topic has that width. */
static int fan_width(long topics)
{
    int w = 1;
    for (long v = topics - 1; v >= 10; v /= 10)
        w++;
    return w;
}

static void fan_topic(char *out, long t, int width)
{
    out[0] = 't';
    for (int i = width; i >= 1; i--, t /= 10)
        out[i] = (char)('0' + t % 10);
}

static int fan_server(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    int width = fan_width(a->topics);
    char *topics = malloc((size_t)a->topics * (size_t)(width + 1));
    char *msg = calloc(1, a->size);
    void *s = NULL;
    int rc = 1;
    if (!topics || !msg) {
        bench_fail("server", "out of memory");
        goto out;
    }
    for (long t = 0; t < a->topics; t++)
        fan_topic(topics + t * (width + 1), t, width);
    s = b_socket(r->ctx, B_PUB);
    if (!s) {
        fan_fail(NULL, "socket PUB");
        goto out;
    }
    if (B_SETI(s, LINGER, 0) != 0 || B_SETI(s, SNDHWM, FAN_HWM) != 0) {
        fan_fail(NULL, "setsockopt");
        goto out;
    }
    if (b_bind(s, r->endpoint) != 0) {
        fan_fail(NULL, "bind");
        goto out;
    }
    bench_ready(r);

    /* Sync: "S" every 10 ms until the client has one on every SUB. */
    double sync_deadline = bench_now() + 3.0 * a->timeout_ms / 1000.0 + a->peers * 0.01;
    char yes = 0;
    for (;;) {
        if (b_send_copy(s, "S", 1, B_DONTWAIT) != 0 && errno != EAGAIN) {
            fan_fail(NULL, "send S");
            goto out;
        }
        if (bench_hear_client(r, &yes, 1, 10))
            break;
        if (bench_now() > sync_deadline) {
            bench_fail("server", "the subscribers never all saw the sync message");
            goto out;
        }
    }
    if (yes != 'Y') {
        bench_fail("server", "the client failed during the sync");
        goto out;
    }

    double t0 = bench_now(), deadline = t0 + a->max_secs;
    long sent = 0;
    while (sent < a->count) {
        memcpy(msg, topics + (sent % a->topics) * (width + 1), (size_t)width + 1);
        if (b_send_copy(s, msg, a->size, 0) != 0) {
            fan_fail(NULL, "send");
            goto out;
        }
        sent++;
        if ((sent & 255) == 0 && bench_now() > deadline)
            break;
    }
    double pub_secs = bench_now() - t0;
    bench_done(r);

    fan_report_t rep;
    if (!bench_hear_client(r, &rep, sizeof rep, 2 * a->timeout_ms + (int)(a->max_secs * 2000))) {
        bench_fail("server", "no report from the subscribers");
        goto out;
    }
    long fan = fan_all ? a->peers : 1;
    double expected = (double)sent * (double)fan;
    double sub_secs = rep.last - rep.first;
    /* first: the start of the first round that found messages; last: the
     * end of the last one. */
    double drate = sub_secs > 0 ? (double)rep.delivered / sub_secs : 0;
    printf("RESULT prog=fanout lib=%s mode=%s transport=%s size=%zu pin=%s subs=%ld topics=%ld "
           "sent=%ld pub_secs=%.6f pub_msgs_per_s=%.1f delivered=%ld sub_secs=%.6f "
           "delivered_per_s=%.1f expected=%.0f loss_pct=%.2f min_per_sub=%ld max_per_sub=%ld "
           "stalled=%d\n",
           B_LIB, fan_all ? "all" : "spread", a->transport, a->size, bench_pin_name(a->pin),
           a->peers, a->topics, sent, pub_secs, pub_secs > 0 ? (double)sent / pub_secs : 0,
           rep.delivered, sub_secs, drate, expected,
           expected > 0 ? 100.0 * (1.0 - (double)rep.delivered / expected) : 0, rep.min_per_sub,
           rep.max_per_sub, rep.stalled);
    fflush(stdout);
    rc = 0;
out:
    if (s)
        b_close(s);
    free(topics);
    free(msg);
    return rc;
}

/* Connects and subscribes SUB i (the shape of --mode, then "S"). */
static void *fan_sub_open(bench_run_t *r, long i, int width)
{
    const bench_args_t *a = r->args;
    void *s = b_socket(r->ctx, B_SUB);
    if (!s)
        return NULL;
    char topic[24];
    bool ok = B_SETI(s, LINGER, 0) == 0 && B_SETI(s, RCVHWM, FAN_HWM) == 0 &&
              b_connect(s, r->endpoint) == 0;
    if (ok && fan_all) {
        ok = B_SETB(s, SUBSCRIBE, "t", 1) == 0;
    } else {
        for (long t = i; ok && t < a->topics; t += a->peers) {
            fan_topic(topic, t, width);
            ok = B_SETB(s, SUBSCRIBE, topic, (size_t)width + 1) == 0;
        }
    }
    if (ok)
        ok = B_SETB(s, SUBSCRIBE, "S", 1) == 0;
    if (!ok) {
        int err = errno;
        b_close(s);
        errno = err;
        return NULL;
    }
    return s;
}

static int fan_client(bench_run_t *r)
{
    const bench_args_t *a = r->args;
    long n = a->peers;
    int width = fan_width(a->topics);
    void **subs = calloc((size_t)n, sizeof *subs);
    long *got = calloc((size_t)n, sizeof *got);
    bool *synced = calloc((size_t)n, sizeof *synced);
    b_pollitem_t *items = calloc((size_t)n + 1, sizeof *items);
    int rc = 1;
    if (!subs || !got || !synced || !items) {
        bench_fail("client", "out of memory");
        goto out;
    }
    for (long i = 0; i < n; i++) {
        subs[i] = fan_sub_open(r, i, width);
        if (!subs[i]) {
            fan_fail(NULL, "SUB socket");
            goto out;
        }
        items[i] = (b_pollitem_t){.socket = subs[i], .fd = -1, .events = B_POLLIN};
    }
    items[n] = (b_pollitem_t){.socket = NULL, .fd = bench_done_fd(r), .events = B_POLLIN};

    /* Sync: every SUB receives an "S". */
    long pending = n;
    double sync_deadline = bench_now() + 3.0 * a->timeout_ms / 1000.0 + (double)n * 0.01;
    while (pending > 0) {
        if (b_poll(items, (int)n, 10) < 0) {
            fan_fail(NULL, "poll");
            goto out;
        }
        for (long i = 0; i < n; i++) {
            char c = 0;
            int more;
            while (b_recv_copy(subs[i], &c, 1, B_DONTWAIT, &more) >= 0)
                if (c == 'S' && !synced[i]) {
                    synced[i] = true;
                    pending--;
                }
        }
        if (pending > 0 && bench_now() > sync_deadline) {
            fprintf(stderr, "error: %ld of %ld SUB sockets never saw the sync message\n", pending,
                    n);
            goto out;
        }
    }
    char yes = 'Y';
    if (!bench_tell_server(r, &yes, 1))
        goto out;

    /* Count until quiet after the publisher's end. */
    fan_report_t rep = {0};
    double last_any = bench_now(), give_up = last_any + 2.0 * a->max_secs + a->timeout_ms / 1e3;
    bool pub_done = false;
    for (;;) {
        long round = 0;
        double start = bench_now();
        for (long i = 0; i < n; i++) {
            for (int k = 0; k < 256; k++) {
                char c = 0;
                int more;
                if (b_recv_copy(subs[i], &c, 1, B_DONTWAIT, &more) < 0)
                    break;
                if (c != 't')
                    continue; /* a late sync message */
                got[i]++;
                round++;
            }
        }
        double now = bench_now();
        if (round) {
            if (rep.delivered == 0)
                rep.first = start;
            rep.delivered += round;
            rep.last = now;
            last_any = now;
            continue;
        }
        if (!pub_done)
            pub_done = bench_wait_done_for(r, 0);
        if (pub_done && (now - last_any) * 1000.0 >= FAN_QUIET_MS)
            break;
        if (!pub_done && (now - last_any) * 1000.0 >= a->timeout_ms) {
            rep.stalled = 1;
            break;
        }
        if (now > give_up) {
            rep.stalled = 1;
            break;
        }
        if (b_poll(items, (int)n + 1, 20) < 0) {
            fan_fail(NULL, "poll");
            goto out;
        }
    }
    rep.min_per_sub = rep.max_per_sub = got[0];
    for (long i = 1; i < n; i++) {
        if (got[i] < rep.min_per_sub)
            rep.min_per_sub = got[i];
        if (got[i] > rep.max_per_sub)
            rep.max_per_sub = got[i];
    }
    if (!bench_tell_server(r, &rep, sizeof rep))
        goto out;
    rc = 0;
out:
    if (subs)
        for (long i = 0; i < n; i++)
            if (subs[i])
                b_close(subs[i]);
    free(subs);
    free(got);
    free(synced);
    free(items);
    return rc;
}

int main(int argc, char **argv)
{
    bench_args_t a;
    bench_parse_args(argc, argv, &a, argv[0]);
    if (strcmp(a.mode, "") == 0 || strcmp(a.mode, "all") == 0)
        fan_all = true;
    else if (strcmp(a.mode, "spread") != 0)
        return bench_fail("--mode", "expected all or spread");
    if (a.peers == 0)
        a.peers = 100;
    if (a.topics == 0)
        a.topics = 10000;
    if (a.size < (size_t)fan_width(a.topics) + 1)
        return bench_fail("--size", "shorter than a topic");
    if (a.peers > 100000)
        return bench_fail("--peers", "at most 100000 subscribers");
    long need = a.peers * 3 + 256;
    if (bench_raise_nofile(need) < need)
        return bench_fail("RLIMIT_NOFILE", "too low for that many subscribers");
    return bench_run(&a, fan_server, fan_client, b_ctx_new, b_ctx_term);
}
