/* Transport conformance: high-water marks and multipart atomicity, for every
 * pattern pair whose sender blocks at the hwm (PAIR, PUSH, DEALER, ROUTER
 * with router_mandatory), over tcp, ipc and inproc: a sender stops at the
 * hwm (EAGAIN with DONTWAIT, after sndtimeo otherwise) and resumes when the
 * receiver drains; a multipart message is refused only at its first frame
 * and arrives whole or not at all, also when its sender closes half-way.
 * PUB drops at the hwm instead, and never blocks (also for every transport).
 */
#include "itest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

enum {
    HWM = 10,
    BUF = 4096,    /* sndbuf/rcvbuf: keep the kernel's share small */
    BIG = 16384,   /* octets per single-frame message */
    PART = 4096,   /* octets per frame of a 3-frame message */
    SETTLE_MS = 50 /* a full pipeline stays full this long */
};

static void tune_small(zinc_socket_t *s, int side)
{
    it_set_int(s, side == 0 ? "sndhwm" : "rcvhwm", HWM);
    it_set_int(s, "sndbuf", BUF);
    it_set_int(s, "rcvbuf", BUF);
}

/* it_link_join, then a read that finds the receiver's queue empty, which
 * returns the credit for the probe (and for the peer's metadata frame) at
 * once instead of after lwm messages. */
static void join_and_settle(it_link_t *l)
{
    it_link_join(l);
    it_expect_silence(l->s[1], 0);
}

static bool blocks_at_hwm(const it_fx_t *fx)
{
    return !(fx->pat->flags & (IT_LOCKSTEP | IT_HWM_DROPS));
}

/* Sends messages m = first, first + 1, ... until a send has waited SETTLE_MS
 * in vain (the pipeline is full), then checks that DONTWAIT gives EAGAIN.
 * For multipart messages only the first frame may be refused. Returns the
 * number sent. */
static uint32_t fill(it_link_t *l, uint32_t first, size_t nframes, size_t size)
{
    zinc_socket_t *s = l->s[0];
    bool router = l->pat->flags & IT_A_ROUTER;
    it_set_int(s, "sndtimeo", SETTLE_MS);
    uint32_t m = first;
    for (;; m++) {
        assert_true(m - first < 100000);
        it_msg_t msg;
        it_msg_make(&msg, m, nframes, size);
        size_t k = 0;
        if (router) {
            zinc_frame_t *id = zinc_frame_new(l->rid[1], 1);
            if (zinc_send_frame(s, id, ZINC_MORE) != 0) {
                assert_int_equal(errno, EAGAIN);
                zinc_frame_unref(id);
                it_msg_clear(&msg);
                break;
            }
        }
        if (zinc_send_frame(s, msg.f[0], nframes > 1 ? ZINC_MORE : 0) != 0) {
            assert_int_equal(errno, EAGAIN);
            assert_false(router); /* refused after the routing id */
            it_msg_clear(&msg);
            break;
        }
        for (k = 1; k < nframes; k++)
            if (zinc_send_frame(s, msg.f[k], (k + 1 < nframes ? ZINC_MORE : 0) | ZINC_DONTWAIT) !=
                0)
                fail_msg("frame %zu of message %u refused: %s", k, m, zinc_strerror(errno));
    }
    it_set_int(s, "sndtimeo", IT_IO_MS);
    it_msg_t extra;
    it_msg_make(&extra, 999999, nframes, size);
    assert_int_equal(it_link_send(l, 0, &extra, ZINC_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    return m - first;
}

static void drain(it_link_t *l, uint32_t first, uint32_t count, size_t nframes, size_t size)
{
    for (uint32_t i = 0; i < count; i++) {
        it_msg_t msg;
        assert_int_equal(it_link_recv(l, 1, &msg, 0), 0);
        if (!it_msg_ok(&msg, first + i, nframes, size))
            fail_msg("message %u: %zu frames, tag %u", first + i, msg.n,
                     msg.n ? it_frame_tag(msg.f[0]) : 0);
        it_msg_clear(&msg);
    }
    it_expect_silence(l->s[1], 0);
}

static void check_count(const it_fx_t *fx, uint32_t sent, size_t size)
{
    if (fx->tran->id == IT_INPROC) {
        /* inproc: the two hwms add up, exactly (as libzmq). */
        assert_int_equal(sent, 2 * HWM);
        return;
    }
    /* tcp/ipc: at least the sender's hwm; beyond that only what the
     * session's output batch (1 MiB) and the kernel buffers hold (tcp: small
     * ones; ipc: the system's, about 200 KiB each way). */
    size_t kernel = fx->tran->id == IT_TCP ? 2 * 8 * BUF : 2 * 256 * 1024;
    if (sent < HWM || sent > 2 * HWM + (1u << 20) / size + kernel / size + 8)
        fail_msg("%u messages of %zu octets went out with hwm %d", sent, size, HWM);
}

static void test_sender_stops_at_the_hwm_and_resumes(void **state)
{
    it_fx_t *fx = it_fx(state);
    if (!blocks_at_hwm(fx)) {
        print_message("[ skipped ] this sender does not block at the hwm\n");
        skip();
    }
    fx->tune = tune_small;
    it_link_t l;
    it_link_open_fx(fx, &l);
    join_and_settle(&l);
    uint32_t sent = fill(&l, 0, 1, BIG);
    check_count(fx, sent, BIG);
    /* Full: a blocking send gives up after sndtimeo. */
    it_set_int(l.s[0], "sndtimeo", 100);
    it_msg_t extra;
    it_msg_make(&extra, 999999, 1, BIG);
    int64_t t0 = it_now_ms();
    assert_int_equal(it_link_send(&l, 0, &extra, 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(it_now_ms() - t0 >= 90);
    it_set_int(l.s[0], "sndtimeo", IT_IO_MS);
    /* Everything arrives, in order, and the sender may go on. */
    drain(&l, 0, sent, 1, BIG);
    uint32_t again = fill(&l, sent, 1, BIG);
    check_count(fx, again, BIG);
    drain(&l, sent, again, 1, BIG);
}

typedef struct {
    it_link_t *l;
    uint32_t count;
    int delay_ms;
    int result; /* 0 when every message arrived whole */
} drainer_t;

static void *drainer_main(void *arg)
{
    drainer_t *d = arg;
    it_sleep_ms(d->delay_ms);
    d->result = 0;
    for (uint32_t i = 0; i < d->count && d->result == 0; i++) {
        it_msg_t msg;
        if (it_recv_msg(d->l->s[1], &msg, 0) != 0)
            d->result = -1;
        else
            it_msg_clear(&msg);
    }
    return NULL;
}

static void test_blocked_send_wakes_when_the_receiver_drains(void **state)
{
    it_fx_t *fx = it_fx(state);
    if (!blocks_at_hwm(fx) || (fx->pat->flags & IT_B_ROUTER)) {
        print_message("[ skipped ] for senders that block, to a plain receiver\n");
        skip();
    }
    fx->tune = tune_small;
    it_link_t l;
    it_link_open_fx(fx, &l);
    join_and_settle(&l);
    uint32_t sent = fill(&l, 0, 1, BIG);
    /* Another thread drains everything a little later; meanwhile this send
     * blocks (sndtimeo is 3 s) and must complete once there is room. */
    drainer_t d = {&l, sent + 1, 100, -1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, drainer_main, &d), 0);
    it_msg_t msg;
    it_msg_make(&msg, sent, 1, BIG);
    int64_t t0 = it_now_ms();
    int rc = it_link_send(&l, 0, &msg, 0);
    int64_t took = it_now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(rc, 0);
    assert_true(took < IT_IO_MS);
    assert_int_equal(d.result, 0);
}

static void test_multipart_is_whole_under_hwm_pressure(void **state)
{
    it_fx_t *fx = it_fx(state);
    if (!blocks_at_hwm(fx)) {
        print_message("[ skipped ] this sender does not block at the hwm\n");
        skip();
    }
    fx->tune = tune_small;
    it_link_t l;
    it_link_open_fx(fx, &l);
    join_and_settle(&l);
    uint32_t sent = fill(&l, 0, 3, PART);
    check_count(fx, sent, 3 * PART);
    drain(&l, 0, sent, 3, PART);
}

static void test_message_cut_by_close_never_arrives(void **state)
{
    it_fx_t *fx = it_fx(state);
    if (fx->pat->flags & (IT_LOCKSTEP | IT_PUBSUB | IT_A_ROUTER)) {
        print_message("[ skipped ] for plain senders\n");
        skip();
    }
    it_link_t l;
    it_link_open_fx(fx, &l);
    it_link_join(&l);
    it_set_int(l.s[0], "linger", 2000);
    for (uint32_t m = 0; m < 5; m++) {
        it_msg_t msg;
        it_msg_make(&msg, m, 3, 100);
        assert_int_equal(it_link_send(&l, 0, &msg, 0), 0);
    }
    /* Two frames of three, then close. */
    for (uint32_t i = 0; i < 2; i++)
        assert_int_equal(zinc_send_frame(l.s[0], it_frame(5, i, 100), ZINC_MORE), 0);
    it_close(fx, l.s[0]);
    for (uint32_t m = 0; m < 5; m++) {
        it_msg_t msg;
        assert_int_equal(it_link_recv(&l, 1, &msg, 0), 0);
        assert_true(it_msg_ok(&msg, m, 3, 100));
        it_msg_clear(&msg);
    }
    it_expect_silence(l.s[1], 100);
}

/* PUB: a burst far beyond what the pipeline holds never blocks (every send,
 * DONTWAIT or not, returns at once); what arrives is whole and in order, and
 * at least the publisher's hwm of it (inproc: exactly the two hwms added, as
 * libzmq). The earlier form of this case expected got >= HWM from a DONTWAIT
 * receive loop right after the burst, and after a join whose probes had not
 * returned their credit: it saw 8 of 10 over tcp and ipc, with messages
 * still in flight and two hwm slots held by the probes' credit. libzmq
 * (pyzmq 4.3.4, sndhwm = rcvhwm = 10, 2 x 2 KiB messages) shows the same
 * thing: 9 arrive over tcp and ipc (the probe's credit is never returned
 * there), 19 over inproc; with hwm 1000 over tcp its I/O thread drains during
 * the burst and ~18000 of 20000 arrive. So: settle the credit first, then
 * receive until the link goes quiet, and expect at least the sender's hwm
 * (no upper bound over tcp/ipc beyond the burst itself). */
static void test_pub_drops_at_the_hwm_and_never_blocks(void **state)
{
    it_fx_t *fx = it_fx(state);
    if (!(fx->pat->flags & IT_HWM_DROPS)) {
        print_message("[ skipped ] for senders that drop\n");
        skip();
    }
    fx->tune = tune_small;
    it_link_t l;
    it_link_open_fx(fx, &l);
    join_and_settle(&l);
    /* More than every buffer on the way holds (the pipes, the session's
     * 1 MiB output batch, the kernel's), so some must be dropped. */
    enum {
        SIZE = 2048,
        TOTAL = 2 * HWM + (1 << 20) / (2 * SIZE) + 2 * 256 * 1024 / (2 * SIZE) + 600
    };
    for (uint32_t m = 0; m < TOTAL; m++) {
        it_msg_t msg;
        it_msg_make(&msg, m, 2, SIZE);
        assert_int_equal(it_link_send(&l, 0, &msg, ZINC_DONTWAIT), 0);
    }
    /* A blocking send at the hwm does not wait either. */
    it_set_int(l.s[0], "sndtimeo", -1);
    it_msg_t extra;
    it_msg_make(&extra, TOTAL, 2, SIZE);
    int64_t t0 = it_now_ms();
    assert_int_equal(it_link_send(&l, 0, &extra, 0), 0);
    assert_true(it_now_ms() - t0 < IT_IO_MS);
    it_set_int(l.s[0], "sndtimeo", IT_IO_MS);
    /* Whatever arrives is whole and in order; some was dropped. */
    it_set_int(l.s[1], "rcvtimeo", 500);
    uint32_t got = 0, last = 0;
    it_msg_t msg;
    while (it_link_recv(&l, 1, &msg, 0) == 0) {
        assert_int_equal(msg.n, 2);
        uint32_t m = it_frame_tag(msg.f[0]);
        assert_true(it_msg_ok(&msg, m, 2, SIZE));
        assert_true(got == 0 || m > last);
        last = m;
        got++;
        it_msg_clear(&msg);
    }
    assert_int_equal(errno, EAGAIN);
    if (fx->tran->id == IT_INPROC)
        assert_int_equal(got, 2 * HWM);
    else
        assert_true(got >= HWM);
    assert_true(got < TOTAL + 1);
}

static const it_case_t cases[] = {
    {"sender stops at the hwm (EAGAIN) and resumes after a drain",
     test_sender_stops_at_the_hwm_and_resumes, NULL, IT_ALL_TRANS, IT_A_BINDS | IT_B_BINDS},
    {"a send blocked at the hwm completes when the receiver drains",
     test_blocked_send_wakes_when_the_receiver_drains, NULL, IT_ALL_TRANS, IT_B_BINDS},
    {"multipart messages stay whole under hwm pressure", test_multipart_is_whole_under_hwm_pressure,
     NULL, IT_ALL_TRANS, IT_A_BINDS | IT_B_BINDS},
    {"a message cut short by close never arrives", test_message_cut_by_close_never_arrives, NULL,
     IT_ALL_TRANS, IT_B_BINDS},
    {"pub drops at the hwm and never blocks", test_pub_drops_at_the_hwm_and_never_blocks, NULL,
     IT_ALL_TRANS, IT_A_BINDS},
};

int main(void)
{
    return it_run("hwm and atomicity", cases, sizeof cases / sizeof cases[0]);
}
