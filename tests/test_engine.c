/* The ZMTP engine as a whole: byte streams in any chunking, frames with
 * their flags and metadata, flow control, subscriptions, commands after the
 * handshake, output under partial writes, zero copy, and every malformed
 * input of ZMTP-NOTES.md ending in one error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "testutil.h"
#include "vectors.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/greeting.h"

/* ---- helpers ---------------------------------------------------------- */

typedef struct {
    uint8_t *b;
    size_t n, cap;
} sbuf_t;

static void sb_put(sbuf_t *s, const void *p, size_t n)
{
    if (s->n + n > s->cap) {
        s->cap = (s->n + n) * 2 + 64;
        s->b = realloc(s->b, s->cap);
        assert_non_null(s->b);
    }
    if (n)
        memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void sb_frame(sbuf_t *s, uint8_t flags, size_t size, uint8_t seed)
{
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, flags, size);
    sb_put(s, hdr, hlen);
    size_t at = s->n;
    if (s->n + size > s->cap) {
        s->cap = (s->n + size) * 2;
        s->b = realloc(s->b, s->cap);
        assert_non_null(s->b);
    }
    zt_fill_pattern(s->b + at, size, seed);
    s->n += size;
}

/* Feeds everything in a guard copy; returns what was consumed. */
static size_t feed_guarded(zmtp_engine_t *e, const uint8_t *p, size_t n)
{
    uint8_t *g = zt_guard_copy(p, n);
    size_t used = zmtp_engine_feed(e, g, n);
    zt_guard_free(g);
    return used;
}

/* A DEALER engine (maxmsgsize 1000) that completed the handshake with a
 * ROUTER peer, its own greeting and READY already written. */
static void ready_dealer(zt_peer_t *p, const uint8_t *greeting)
{
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.maxmsgsize = 1000;
    zt_peer_init(p, &cfg, 0);
    assert_int_equal(feed_guarded(p->eng, greeting, 64), 64);
    assert_int_equal(feed_guarded(p->eng, zt_ready_router, sizeof zt_ready_router),
                     sizeof zt_ready_router);
    assert_true(zmtp_engine_is_ready(p->eng));
    zt_discard_output(p->eng);
}

typedef struct {
    int calls;
} freed_t;

static void count_free(void *data, void *hint)
{
    (void)data;
    ((freed_t *)hint)->calls++;
}

/* ---- the first octets ------------------------------------------------- */

/* ZMTP-NOTES.md "Greeting": the signature at once, the major after the
 * peer's signature, the rest after the peer's major, as libzmq. */
static void test_engine_offers_its_greeting_in_libzmq_pieces(void **state)
{
    (void)state;
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_DEALER);
    assert_int_equal(zmtp_engine_out_pending(p.eng), 10);
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, 10);
    assert_memory_equal(out, zt_greeting_null_31, 10);
    free(out);
    /* nine octets of the peer's signature: nothing more */
    assert_int_equal(feed_guarded(p.eng, zt_greeting_null_31, 9), 9);
    assert_int_equal(zmtp_engine_out_pending(p.eng), 0);
    assert_int_equal(feed_guarded(p.eng, zt_greeting_null_31 + 9, 1), 1);
    out = zt_drain(p.eng, &len);
    assert_int_equal(len, 1);
    assert_int_equal(out[0], 3);
    free(out);
    assert_int_equal(feed_guarded(p.eng, zt_greeting_null_31 + 10, 1), 1);
    out = zt_drain(p.eng, &len);
    assert_int_equal(len, 53);
    assert_memory_equal(out, zt_greeting_null_31 + 11, 53);
    free(out);
    assert_int_equal(zmtp_engine_peer_version(p.eng), 0);
    assert_false(zmtp_engine_is_ready(p.eng));
    zt_peer_fini(&p);
}

/* A whole greeting in one piece gets ours whole: no round trip is added. */
static void test_engine_offers_all_of_its_greeting_after_a_whole_peer_greeting(void **state)
{
    (void)state;
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_DEALER);
    assert_int_equal(feed_guarded(p.eng, zt_greeting_null_31, 64), 64);
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, 64 + sizeof zt_ready_dealer);
    assert_memory_equal(out, zt_greeting_null_31, 64);
    assert_memory_equal(out + 64, zt_ready_dealer, sizeof zt_ready_dealer);
    free(out);
    zt_peer_fini(&p);
}

static void test_engine_sends_ready_once_the_peer_greeting_is_complete(void **state)
{
    (void)state;
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_DEALER);
    zt_discard_output(p.eng);
    assert_int_equal(feed_guarded(p.eng, zt_greeting_null_31, 63), 63);
    /* the rest of our greeting, and no READY yet */
    assert_int_equal(zmtp_engine_out_pending(p.eng), 54);
    zt_discard_output(p.eng);
    assert_int_equal(feed_guarded(p.eng, zt_greeting_null_31 + 63, 1), 1);
    assert_int_equal(zmtp_engine_peer_version(p.eng), ZMTP_V31);
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, sizeof zt_ready_dealer);
    assert_memory_equal(out, zt_ready_dealer, len);
    free(out);
    assert_false(zmtp_engine_is_ready(p.eng));
    assert_null(zmtp_engine_peer_meta(p.eng));
    assert_int_equal(feed_guarded(p.eng, zt_ready_router, sizeof zt_ready_router),
                     sizeof zt_ready_router);
    assert_true(zmtp_engine_is_ready(p.eng));
    assert_int_equal(p.ready, 1);
    zt_peer_fini(&p);
}

/* ---- one peer stream in every chunking --------------------------------- */

/* What a DEALER peer with Identity "peer-7" sends: greeting, READY, then
 * frames of two messages with commands in between. */
static sbuf_t peer_stream(void)
{
    static const uint8_t empty_more[] = {0x01, 0x00};
    static const uint8_t x_last[] = {0x00, 0x01, 'x'};
    static const uint8_t foo_cmd[] = {0x04, 0x04, 0x03, 'F', 'O', 'O'};
    sbuf_t s = {NULL, 0, 0};
    sb_put(&s, zt_greeting_null_31, 64);
    sb_put(&s, zt_ready_dealer_id, sizeof zt_ready_dealer_id);
    sb_put(&s, zt_frame_hello_more, sizeof zt_frame_hello_more);
    sb_put(&s, empty_more, sizeof empty_more);
    sb_frame(&s, ZMTP_FLAG_MORE, 255, 1);
    sb_put(&s, zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx);
    sb_frame(&s, 0, 256, 2);
    sb_put(&s, zt_subscribe_topic, sizeof zt_subscribe_topic);
    sb_put(&s, x_last, sizeof x_last);
    sb_put(&s, foo_cmd, sizeof foo_cmd);
    sb_put(&s, zt_frame_empty, sizeof zt_frame_empty);
    return s;
}

/* What the ROUTER engine must make of it. */
static void check_peer_stream_result(zt_peer_t *p)
{
    assert_int_equal(p->errors, 0);
    assert_int_equal(p->ready, 1);
    assert_int_equal(p->subs, 1);
    assert_true(p->sub_last);
    assert_int_equal(p->topic_len, 5);
    assert_memory_equal(p->topic, "topic", 5);
    static const struct {
        size_t size;
        int seed; /* -1: literal */
        const char *lit;
        bool more;
    } want[] = {
        {5, -1, "hello", true}, {0, -1, "", true},   {255, 1, NULL, true},
        {256, 2, NULL, false},  {1, -1, "x", false}, {0, -1, "", false},
    };
    assert_int_equal(p->nframes, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < p->nframes; i++) {
        zinc_frame_t *f = p->frames[i];
        assert_int_equal(zinc_frame_size(f), want[i].size);
        assert_int_equal(zinc_frame_more(f), want[i].more);
        if (want[i].seed < 0) {
            if (want[i].size)
                assert_memory_equal(zinc_frame_data(f), want[i].lit, want[i].size);
        } else {
            uint8_t b[256];
            zt_fill_pattern(b, want[i].size, (uint8_t)want[i].seed);
            assert_memory_equal(zinc_frame_data(f), b, want[i].size);
        }
        assert_string_equal(zinc_frame_meta(f, "Socket-Type"), "DEALER");
        assert_string_equal(zinc_frame_meta(f, "Identity"), "peer-7");
        assert_null(zinc_frame_meta(f, "User-Id"));
    }
    /* our output: greeting, READY, and the PONG echoing the context */
    size_t len;
    uint8_t *out = zt_drain(p->eng, &len);
    assert_int_equal(len, 64 + sizeof zt_ready_router + sizeof zt_pong_ctx);
    assert_memory_equal(out, zt_greeting_null_31, 64);
    assert_memory_equal(out + 64, zt_ready_router, sizeof zt_ready_router);
    assert_memory_equal(out + 64 + sizeof zt_ready_router, zt_pong_ctx, sizeof zt_pong_ctx);
    free(out);
}

static void stream_split(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    (void)ctx;
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_ROUTER);
    assert_int_equal(zmtp_engine_feed(p.eng, a, na), na);
    assert_int_equal(zmtp_engine_feed(p.eng, b, nb), nb);
    check_peer_stream_result(&p);
    zt_peer_fini(&p);
}

static void test_engine_delivers_the_same_frames_at_every_split_point(void **state)
{
    (void)state;
    sbuf_t s = peer_stream();
    zt_for_each_split(s.b, s.n, stream_split, NULL);
    free(s.b);
}

static void stream_chunk(const uint8_t *chunk, size_t n, void *ctx)
{
    zt_peer_t *p = ctx;
    assert_int_equal(zmtp_engine_feed(p->eng, chunk, n), n);
}

static void test_engine_delivers_the_same_frames_in_random_chunkings(void **state)
{
    (void)state;
    sbuf_t s = peer_stream();
    /* each chunk is its own guard mapping: tiny chunkings are few */
    for (uint64_t seed = 1; seed <= 120; seed++) {
        zt_peer_t p;
        zt_peer_init_type(&p, ZINC_ROUTER);
        zt_random_chunks(s.b, s.n, seed, seed <= 30 ? 1 + seed % 5 : 1 + seed % 97, stream_chunk,
                         &p);
        check_peer_stream_result(&p);
        zt_peer_fini(&p);
    }
    free(s.b);
}

static void test_engine_on_frame_refusal_stops_input_until_resume(void **state)
{
    (void)state;
    sbuf_t s = peer_stream();
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_ROUTER);
    p.refuse = 1;
    size_t head = 64 + sizeof zt_ready_dealer_id + sizeof zt_frame_hello_more;
    uint8_t *g = zt_guard_copy(s.b, s.n);
    /* stops right after the refused frame */
    assert_int_equal(zmtp_engine_feed(p.eng, g, s.n), head);
    assert_int_equal(p.refused, 1);
    assert_int_equal(p.nframes, 0);
    /* nothing is consumed while the frame is pending */
    assert_int_equal(zmtp_engine_feed(p.eng, g + head, s.n - head), 0);
    size_t wlen = 1;
    assert_null(zmtp_engine_recv_window(p.eng, &wlen));
    assert_int_equal(wlen, 0);
    /* still full: stays pending */
    p.refuse = 1;
    assert_false(zmtp_engine_resume(p.eng));
    assert_int_equal(p.nframes, 0);
    /* room again */
    assert_true(zmtp_engine_resume(p.eng));
    assert_int_equal(p.nframes, 1);
    assert_true(zmtp_engine_resume(p.eng)); /* nothing pending: harmless */
    assert_int_equal(p.nframes, 1);
    assert_int_equal(zmtp_engine_feed(p.eng, g + head, s.n - head), s.n - head);
    zt_guard_free(g);
    assert_int_equal(p.refused, 2);
    check_peer_stream_result(&p);
    zt_peer_fini(&p);
    free(s.b);
}

static void test_engine_frees_a_refused_frame_it_still_holds(void **state)
{
    (void)state;
    sbuf_t s = peer_stream();
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_ROUTER);
    p.refuse = -1;
    assert_true(feed_guarded(p.eng, s.b, s.n) < s.n);
    assert_false(zmtp_engine_resume(p.eng));
    zt_peer_fini(&p); /* the leak checkers watch the pending frame */
    free(s.b);
}

static void test_engine_receives_a_large_body_through_the_window(void **state)
{
    (void)state;
    const size_t size = 200000;
    sbuf_t s = {NULL, 0, 0};
    sb_put(&s, zt_greeting_null_31, 64);
    sb_put(&s, zt_ready_dealer, sizeof zt_ready_dealer);
    sb_frame(&s, ZMTP_FLAG_MORE, size, 9);
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_ROUTER);
    size_t len = 1;
    assert_null(zmtp_engine_recv_window(p.eng, &len)); /* greeting: no window */
    assert_int_equal(len, 0);
    size_t head = 64 + sizeof zt_ready_dealer + 9 + 100;
    assert_int_equal(feed_guarded(p.eng, s.b, head), head);
    uint8_t *w = zmtp_engine_recv_window(p.eng, &len);
    assert_non_null(w);
    assert_int_equal(len, size - 100);
    memcpy(w, s.b + head, 50000);
    zmtp_engine_feed_direct(p.eng, 50000);
    assert_int_equal(p.nframes, 0);
    uint8_t *w2 = zmtp_engine_recv_window(p.eng, &len);
    assert_ptr_equal(w2, w + 50000);
    assert_int_equal(len, size - 100 - 50000);
    memcpy(w2, s.b + head + 50000, len);
    zmtp_engine_feed_direct(p.eng, len);
    assert_int_equal(p.nframes, 1);
    zinc_frame_t *f = p.frames[0];
    assert_ptr_equal((const uint8_t *)zinc_frame_data(f) + 100, w); /* in place */
    assert_int_equal(zinc_frame_size(f), size);
    assert_true(zinc_frame_more(f));
    assert_memory_equal(zinc_frame_data(f), s.b + 64 + sizeof zt_ready_dealer + 9, size);
    assert_string_equal(zinc_frame_meta(f, "Socket-Type"), "DEALER");
    assert_null(zmtp_engine_recv_window(p.eng, &len));
    /* and the byte stream goes on */
    assert_int_equal(feed_guarded(p.eng, zt_frame_empty, 2), 2);
    assert_int_equal(p.nframes, 2);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
    free(s.b);
}

/* ---- subscriptions ---------------------------------------------------- */

static void subscribe_output(const uint8_t *greeting, const uint8_t *want_sub,
                             const uint8_t *want_cancel, size_t want_len, int version)
{
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_SUB);
    zt_peer_t p;
    zt_peer_init(&p, &cfg, 0);
    static const uint8_t topic[] = {'t', 'o', 'p', 'i', 'c'};
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, true, topic, 5), ZI_EINVAL);
    assert_int_equal(feed_guarded(p.eng, greeting, 64), 64);
    assert_int_equal(feed_guarded(p.eng, zt_ready_pub, sizeof zt_ready_pub), sizeof zt_ready_pub);
    assert_true(zmtp_engine_is_ready(p.eng));
    assert_int_equal(zmtp_engine_peer_version(p.eng), version);
    zt_discard_output(p.eng);
    size_t len;
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, true, topic, 5), ZI_OK);
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want_sub, len);
    free(out);
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, false, topic, 5), ZI_OK);
    out = zt_drain(p.eng, &len);
    assert_memory_equal(out, want_cancel, len);
    free(out);
    zt_peer_fini(&p);
}

static void test_engine_subscribes_a_30_peer_with_a_message_frame(void **state)
{
    (void)state;
    subscribe_output(zt_greeting_null_30, zt_subscribe_msg_topic, zt_cancel_msg_topic,
                     sizeof zt_subscribe_msg_topic, ZMTP_V30);
}

static void test_engine_subscribes_a_31_peer_with_a_subscribe_command(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_SUB);
    subscribe_output(zt_greeting_null_31, zt_subscribe_topic, zt_cancel_topic,
                     sizeof zt_subscribe_topic, ZMTP_V31);
}

static void test_engine_subscribe_and_cancel_commands_call_on_subscribe(void **state)
{
    (void)state;
    static const uint8_t empty_sub[] = {0x04, 0x0a, 0x09, 'S', 'U', 'B',
                                        'S',  'C',  'R',  'I', 'B', 'E'};
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_XPUB);
    feed_guarded(p.eng, zt_greeting_null_31, 64);
    feed_guarded(p.eng, zt_ready_sub, sizeof zt_ready_sub);
    assert_true(zmtp_engine_is_ready(p.eng));
    feed_guarded(p.eng, zt_subscribe_topic, sizeof zt_subscribe_topic);
    assert_int_equal(p.subs, 1);
    assert_true(p.sub_last);
    assert_int_equal(p.topic_len, 5);
    assert_memory_equal(p.topic, "topic", 5);
    feed_guarded(p.eng, zt_cancel_topic, sizeof zt_cancel_topic);
    assert_int_equal(p.subs, 2);
    assert_false(p.sub_last);
    assert_memory_equal(p.topic, "topic", 5);
    feed_guarded(p.eng, empty_sub, sizeof empty_sub);
    assert_int_equal(p.subs, 3);
    assert_true(p.sub_last);
    assert_int_equal(p.topic_len, 0);
    assert_int_equal(p.nframes, 0);
    /* a 3.0-style subscription message is an ordinary frame for the pattern */
    feed_guarded(p.eng, zt_subscribe_msg_topic, sizeof zt_subscribe_msg_topic);
    assert_int_equal(p.subs, 3);
    assert_int_equal(p.nframes, 1);
    assert_memory_equal(zinc_frame_data(p.frames[0]), "\x01topic", 6);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

/* ---- commands after the handshake ------------------------------------- */

static void test_engine_ignores_unknown_commands_after_ready(void **state)
{
    (void)state;
    static const uint8_t foo[] = {0x04, 0x06, 0x03, 'F', 'O', 'O', 'b', 'a'};
    static const uint8_t join[] = {0x04, 0x06, 0x04, 'J', 'O', 'I', 'N', 'g'};
    static const uint8_t hello[] = {0x04, 0x06, 0x05, 'H', 'E', 'L', 'L', 'O'};
    zt_peer_t p;
    ready_dealer(&p, zt_greeting_null_31);
    feed_guarded(p.eng, foo, sizeof foo);
    feed_guarded(p.eng, join, sizeof join);
    feed_guarded(p.eng, hello, sizeof hello);
    feed_guarded(p.eng, zt_ready_router, sizeof zt_ready_router); /* a second READY */
    feed_guarded(p.eng, zt_pong_ctx, sizeof zt_pong_ctx);
    assert_int_equal(feed_guarded(p.eng, zt_frame_hello_more, 7), 7);
    assert_int_equal(p.errors, 0);
    assert_int_equal(p.nframes, 1);
    assert_int_equal(zmtp_engine_out_pending(p.eng), 0); /* nothing answered */
    zt_peer_fini(&p);
}

static void test_engine_answers_ping_with_pong_echoing_the_context(void **state)
{
    (void)state;
    zt_peer_t p;
    ready_dealer(&p, zt_greeting_null_31);
    feed_guarded(p.eng, zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx);
    feed_guarded(p.eng, zt_ping_bare, sizeof zt_ping_bare);
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, sizeof zt_pong_ctx + sizeof zt_pong_bare);
    assert_memory_equal(out, zt_pong_ctx, sizeof zt_pong_ctx);
    assert_memory_equal(out + sizeof zt_pong_ctx, zt_pong_bare, sizeof zt_pong_bare);
    free(out);
    zt_peer_fini(&p);
}

static void test_engine_error_after_ready_ends_the_connection(void **state)
{
    (void)state;
    sbuf_t s = {NULL, 0, 0};
    sb_put(&s, zt_frame_hello_more, 7);
    sb_put(&s, zt_error_400, sizeof zt_error_400);
    sb_put(&s, zt_frame_empty, 2);
    zt_peer_t p;
    ready_dealer(&p, zt_greeting_null_31);
    assert_int_equal(feed_guarded(p.eng, s.b, s.n), 7 + sizeof zt_error_400);
    assert_int_equal(p.nframes, 1);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.err.err, ZI_EPEER);
    assert_false(p.err.handshake);
    assert_true(zmtp_engine_failed(p.eng));
    assert_false(zmtp_engine_is_ready(p.eng));
    zt_peer_fini(&p);
    free(s.b);
}

/* ---- sending ---------------------------------------------------------- */

static void test_engine_send_before_ready_is_refused_and_releases_the_frame(void **state)
{
    (void)state;
    static uint8_t data[10];
    freed_t fr = {0};
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_DEALER);
    zinc_frame_t *f = zinc_frame_new_zerocopy(data, sizeof data, count_free, &fr, false);
    assert_int_equal(zmtp_engine_send(p.eng, f, false), ZI_EINVAL);
    assert_int_equal(fr.calls, 1);
    assert_int_equal(zmtp_engine_out_pending(p.eng), 10);
    zt_peer_fini(&p);
}

/* Sends the frames of the partial-write test. */
enum { PW_NFRAMES = 9 };
static const size_t pw_sizes[PW_NFRAMES] = {0, 5, 255, 256, 8192, 8193, 100000, 1, 70000};

static void pw_send(zmtp_engine_t *e, size_t i, uint8_t **data, freed_t *fr)
{
    zinc_frame_t *f = zinc_frame_new_zerocopy(data[i], pw_sizes[i], count_free, fr, false);
    assert_int_equal(zmtp_engine_send(e, f, i % 3 != 2), ZI_OK);
}

/* One write of at most k octets. */
static void write_once(zmtp_engine_t *e, size_t k, sbuf_t *out)
{
    struct iovec iov[4];
    int n = zmtp_engine_output(e, iov, 4);
    size_t got = 0;
    for (int i = 0; i < n && got < k; i++) {
        size_t take = iov[i].iov_len < k - got ? iov[i].iov_len : k - got;
        sb_put(out, iov[i].iov_base, take);
        got += take;
    }
    zmtp_engine_written(e, got);
}

static void test_engine_output_is_identical_under_partial_writes(void **state)
{
    (void)state;
    uint8_t *data[PW_NFRAMES];
    for (size_t i = 0; i < PW_NFRAMES; i++) {
        data[i] = malloc(pw_sizes[i] + 1);
        zt_fill_pattern(data[i], pw_sizes[i], (uint8_t)i);
    }
    /* the reference: everything sent, then written at once */
    freed_t fr = {0};
    zt_peer_t p;
    ready_dealer(&p, zt_greeting_null_31);
    for (size_t i = 0; i < PW_NFRAMES; i++)
        pw_send(p.eng, i, data, &fr);
    size_t ref_len;
    uint8_t *ref = zt_drain(p.eng, &ref_len);
    zt_peer_fini(&p);
    assert_int_equal(fr.calls, PW_NFRAMES);
    /* the reference is the ZMTP framing of the frames */
    sbuf_t want = {NULL, 0, 0};
    for (size_t i = 0; i < PW_NFRAMES; i++) {
        uint8_t hdr[ZMTP_HEADER_MAX];
        sb_put(&want, hdr, zmtp_header_encode(hdr, i % 3 != 2 ? ZMTP_FLAG_MORE : 0, pw_sizes[i]));
        sb_put(&want, data[i], pw_sizes[i]);
    }
    assert_int_equal(ref_len, want.n);
    assert_memory_equal(ref, want.b, want.n);

    static const size_t ks[] = {1, 2, 3, 7, 9, 100, 1000, 4096, 8191, 8200, 65536, 1 << 20};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        fr.calls = 0;
        ready_dealer(&p, zt_greeting_null_31);
        sbuf_t out = {NULL, 0, 0};
        /* sends interleaved with writes of at most k octets */
        for (size_t i = 0; i < PW_NFRAMES; i++) {
            pw_send(p.eng, i, data, &fr);
            write_once(p.eng, ks[j], &out);
        }
        while (zmtp_engine_out_pending(p.eng) > 0)
            write_once(p.eng, ks[j], &out);
        assert_int_equal(out.n, ref_len);
        assert_memory_equal(out.b, ref, ref_len);
        assert_int_equal(fr.calls, PW_NFRAMES);
        zt_peer_fini(&p);
        free(out.b);
    }
    free(ref);
    free(want.b);
    for (size_t i = 0; i < PW_NFRAMES; i++)
        free(data[i]);
}

static void test_engine_frames_above_out_batch_size_go_out_zero_copy(void **state)
{
    (void)state;
    static uint8_t small[1000], big[1001];
    zt_fill_pattern(small, sizeof small, 1);
    zt_fill_pattern(big, sizeof big, 2);
    freed_t fs = {0}, fb = {0};
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_PUSH);
    cfg.out_batch_size = 1000;
    zt_peer_t p;
    zt_peer_init(&p, &cfg, 0);
    feed_guarded(p.eng, zt_greeting_null_31, 64);
    static const uint8_t pull_ready[] = {0x04, 0x1a, 0x05, 'R', 'E', 'A', 'D', 'Y', 0x0b, 'S',
                                         'o',  'c',  'k',  'e', 't', '-', 'T', 'y', 'p',  'e',
                                         0,    0,    0,    4,   'P', 'U', 'L', 'L'};
    feed_guarded(p.eng, pull_ready, sizeof pull_ready);
    assert_true(zmtp_engine_is_ready(p.eng));
    zt_discard_output(p.eng);

    /* up to out_batch_size: copied, released at once */
    assert_int_equal(
        zmtp_engine_send(
            p.eng, zinc_frame_new_zerocopy(small, sizeof small, count_free, &fs, false), true),
        ZI_OK);
    assert_int_equal(fs.calls, 1);
    /* above: the iovec points at the frame's own data */
    assert_int_equal(
        zmtp_engine_send(p.eng, zinc_frame_new_zerocopy(big, sizeof big, count_free, &fb, false),
                         false),
        ZI_OK);
    assert_int_equal(fb.calls, 0);
    struct iovec iov[8];
    int n = zmtp_engine_output(p.eng, iov, 8);
    assert_int_equal(n, 2);
    assert_int_equal(iov[0].iov_len, 9 + sizeof small + 9);
    assert_ptr_equal(iov[1].iov_base, big);
    assert_int_equal(iov[1].iov_len, sizeof big);
    for (int i = 0; i < n; i++)
        assert_true(iov[i].iov_base != small);
    /* released only when its last octet is written */
    zmtp_engine_written(p.eng, iov[0].iov_len + sizeof big - 1);
    assert_int_equal(fb.calls, 0);
    zmtp_engine_written(p.eng, 1);
    assert_int_equal(fb.calls, 1);
    /* unwritten at free time: released by the engine, once */
    assert_int_equal(
        zmtp_engine_send(p.eng, zinc_frame_new_zerocopy(big, sizeof big, count_free, &fb, false),
                         false),
        ZI_OK);
    zt_peer_fini(&p);
    assert_int_equal(fb.calls, 2);
}

/* ---- after an error ---------------------------------------------------- */

static void test_engine_calls_on_error_at_most_once_and_then_stays_silent(void **state)
{
    (void)state;
    static const uint8_t bad[] = {0xF8, 0x00};
    zt_peer_t p;
    ready_dealer(&p, zt_greeting_null_31);
    assert_int_equal(feed_guarded(p.eng, bad, sizeof bad), 1);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.err.err, ZI_EPROTO);
    assert_false(p.err.handshake);
    /* more input, of any kind, is not consumed */
    assert_int_equal(feed_guarded(p.eng, bad, sizeof bad), 0);
    assert_int_equal(feed_guarded(p.eng, zt_frame_hello_more, 7), 0);
    assert_int_equal(feed_guarded(p.eng, zt_error_400, sizeof zt_error_400), 0);
    size_t len = 1;
    assert_null(zmtp_engine_recv_window(p.eng, &len));
    zmtp_engine_feed_direct(p.eng, 10);
    /* timers are over */
    assert_int_equal(zmtp_engine_tick(p.eng, 1000000000), INT64_MAX);
    assert_true(zmtp_engine_resume(p.eng));
    /* sending is refused and the frame released */
    freed_t fr = {0};
    static uint8_t d[4];
    assert_int_equal(
        zmtp_engine_send(p.eng, zinc_frame_new_zerocopy(d, 4, count_free, &fr, false), false),
        ZI_EINVAL);
    assert_int_equal(fr.calls, 1);
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, true, d, 4), ZI_EINVAL);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.nframes, 0);
    assert_true(zmtp_engine_failed(p.eng));
    zt_peer_fini(&p);
}

/* ---- malformed input: every case ends in one error --------------------- */

/* PRE_V20/PRE_V10: a 2.0 / 1.0 peer that is ready (identity sent). */
enum prefix { PRE_NONE, PRE_GREETING, PRE_READY, PRE_V20, PRE_V10 };

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define VEC(v) v, sizeof v
#define ANY_PROTOCOL 0xFFFFFFFFu

typedef struct {
    const char *what;
    enum prefix prefix;
    int patch_at; /* greeting octet to patch with patch_val, or -1 */
    uint8_t patch_val;
    const uint8_t *tail;
    size_t tail_len;
    zi_err err;
    uint32_t protocol;
} bad_case_t;

/* clang-format off */
static const bad_case_t bad_cases[] = {
    /* greeting */
    {"signature octet 0 not 0xFF: a 1.0 length of 0", PRE_GREETING, 0, 0x00, NULL, 0, ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    /* ZMTP 1.0 peers (RFC 13) */
    {"1.0 length 0", PRE_NONE, -1, 0, BYTES(0x00), ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"1.0 long length 0", PRE_NONE, -1, 0, BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"1.0 identity of 300 octets", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x2D, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"1.0 identity of 255 octets + 1 (short length)", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x01, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"1.0 revision-0 identity of 300 octets", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x00, 0x08,
           0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x2D, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"1.0 frame above maxmsgsize", PRE_V10, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0x03, 0xEA, 0x00), ZI_EMSGSIZE, ANY_PROTOCOL},
    {"1.0 frame length 2^64-1", PRE_V10, -1, 0,
     BYTES(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00), ZI_EMSGSIZE, ANY_PROTOCOL},
    {"1.0 length 0 after the identity", PRE_V10, -1, 0, BYTES(0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    /* ZMTP 2.0 peers (RFC 15) */
    {"2.0 identity of 300 octets", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x01, 0x05,
           0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x2C), ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"2.0 identity with a command flag", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x01, 0x05, 0x04, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"2.0 peer of an incompatible type", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x01, ZINC_PUB, 0x00, 0x00), ZI_ESOCKTYPE,
     ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"2.0 peer of an unknown type", PRE_NONE, -1, 0,
     BYTES(0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x01, 99, 0x00, 0x00), ZI_ESOCKTYPE,
     ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"2.0 command frame", PRE_V20, -1, 0, VEC(zt_ping_bare), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"2.0 reserved flag bit", PRE_V20, -1, 0, BYTES(0x08, 0x01, 'x'), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED},
    {"2.0 frame above maxmsgsize", PRE_V20, -1, 0, BYTES(0x02, 0, 0, 0, 0, 0, 0, 0x03, 0xE9),
     ZI_EMSGSIZE, ANY_PROTOCOL},
    {"non-printable mechanism", PRE_GREETING, 13, 0x01, NULL, 0, ZI_EPROTO, ANY_PROTOCOL},
    {"mechanism mismatch", PRE_GREETING, 12, 'P', NULL, 0, ZI_EMECH,
     ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH},
    /* handshake */
    {"message frame before READY", PRE_GREETING, -1, 0, VEC(zt_frame_hello_more), ZI_EPROTO,
     ANY_PROTOCOL},
    {"reserved flag bit in handshake", PRE_GREETING, -1, 0, BYTES(0x0C, 0x00), ZI_EPROTO,
     ANY_PROTOCOL},
    {"command with MORE", PRE_GREETING, -1, 0, BYTES(0x05, 0x01, 'x'), ZI_EPROTO, ANY_PROTOCOL},
    {"PING before READY", PRE_GREETING, -1, 0, VEC(zt_ping_ttl_ctx), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND},
    {"SUBSCRIBE before READY", PRE_GREETING, -1, 0, VEC(zt_subscribe_topic), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND},
    {"ERROR during the handshake", PRE_GREETING, -1, 0, VEC(zt_error_400), ZI_EAUTH,
     ANY_PROTOCOL},
    {"malformed ERROR", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x09, 5, 'E', 'R', 'R', 'O', 'R', 9, '4', '0'), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR},
    {"READY without metadata", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x06, 5, 'R', 'E', 'A', 'D', 'Y'), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"READY with a trailing octet", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x1d, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T',
           'y', 'p', 'e', 0, 0, 0, 6, 'R', 'O', 'U', 'T', 'E', 'R', 0x00),
     ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"READY value length past the end", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x17, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T',
           'y', 'p', 'e', 0, 0, 0, 0xFF, 'R'),
     ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"READY with a duplicate property", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x32, 5, 'R', 'E', 'A', 'D', 'Y',
           11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 6, 'R', 'O', 'U',
           'T', 'E', 'R',
           11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 6, 'R', 'O', 'U',
           'T', 'E', 'R'),
     ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"READY with an empty property name", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x0b, 5, 'R', 'E', 'A', 'D', 'Y', 0, 0, 0, 0, 0), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"READY with a bad name character", PRE_GREETING, -1, 0,
     BYTES(0x04, 0x0d, 5, 'R', 'E', 'A', 'D', 'Y', 2, 'X', ' ', 0, 0, 0, 0), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"READY from an incompatible type", PRE_GREETING, -1, 0, VEC(zt_ready_pub), ZI_ESOCKTYPE,
     ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA},
    {"empty command body", PRE_GREETING, -1, 0, BYTES(0x04, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED},
    {"empty command name", PRE_GREETING, -1, 0, BYTES(0x04, 0x01, 0x00), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED},
    {"command name past the end", PRE_GREETING, -1, 0, BYTES(0x04, 0x02, 0x05, 'R'), ZI_EPROTO,
     ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED},
    {"command above ZMTP_COMMAND_MAX", PRE_GREETING, -1, 0,
     BYTES(0x06, 0, 0, 0, 0, 0, 0x10, 0x00, 0x01), ZI_EMSGSIZE, ANY_PROTOCOL},
    {"command size 2^64-1", PRE_GREETING, -1, 0,
     BYTES(0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), ZI_EMSGSIZE, ANY_PROTOCOL},
    /* after the handshake (maxmsgsize 1000) */
    {"reserved flag bit", PRE_READY, -1, 0, BYTES(0x10, 0x00), ZI_EPROTO, ANY_PROTOCOL},
    {"all reserved flag bits", PRE_READY, -1, 0, BYTES(0xF8, 0x01, 'x'), ZI_EPROTO,
     ANY_PROTOCOL},
    {"command with MORE after ready", PRE_READY, -1, 0, BYTES(0x05, 0x01, 'x'), ZI_EPROTO,
     ANY_PROTOCOL},
    {"frame above maxmsgsize", PRE_READY, -1, 0, BYTES(0x02, 0, 0, 0, 0, 0, 0, 0x03, 0xE9),
     ZI_EMSGSIZE, ANY_PROTOCOL},
    {"frame size 2^63", PRE_READY, -1, 0, BYTES(0x02, 0x80, 0, 0, 0, 0, 0, 0, 0), ZI_EMSGSIZE,
     ANY_PROTOCOL},
    {"frame size 2^64-1", PRE_READY, -1, 0,
     BYTES(0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), ZI_EMSGSIZE, ANY_PROTOCOL},
    {"PING with 17 octets of context", PRE_READY, -1, 0,
     BYTES(0x04, 0x18, 4, 'P', 'I', 'N', 'G', 0, 1, 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c',
           'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c'),
     ZI_EPROTO, ANY_PROTOCOL},
    {"PING without a whole TTL", PRE_READY, -1, 0, BYTES(0x04, 0x06, 4, 'P', 'I', 'N', 'G', 0),
     ZI_EPROTO, ANY_PROTOCOL},
    {"ERROR after ready", PRE_READY, -1, 0, VEC(zt_error_400), ZI_EPEER, ANY_PROTOCOL},
    {"empty command name after ready", PRE_READY, -1, 0, BYTES(0x04, 0x01, 0x00), ZI_EPROTO,
     ANY_PROTOCOL},
    {"command above ZMTP_COMMAND_MAX after ready", PRE_READY, -1, 0,
     BYTES(0x06, 0, 0, 0, 0, 0, 0x10, 0x00, 0x01), ZI_EMSGSIZE, ANY_PROTOCOL},
};
/* clang-format on */

static sbuf_t bad_stream(const bad_case_t *c)
{
    sbuf_t s = {NULL, 0, 0};
    if (c->prefix == PRE_GREETING || c->prefix == PRE_READY) {
        uint8_t g[64];
        memcpy(g, zt_greeting_null_31, 64);
        if (c->patch_at >= 0)
            g[c->patch_at] = c->patch_val;
        sb_put(&s, g, 64);
    }
    if (c->prefix == PRE_READY)
        sb_put(&s, zt_ready_router, sizeof zt_ready_router);
    if (c->prefix == PRE_V20) {
        sb_put(&s, zt_greeting_v20, sizeof zt_greeting_v20);
        sb_put(&s, zt_frame_empty, sizeof zt_frame_empty); /* identity */
    }
    if (c->prefix == PRE_V10)
        sb_put(&s, zt_greeting_v10, sizeof zt_greeting_v10); /* identity */
    sb_put(&s, c->tail, c->tail_len);
    return s;
}

static zt_peer_t *bad_engine(void)
{
    static zt_peer_t p;
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.maxmsgsize = 1000;
    zt_peer_init(&p, &cfg, 0);
    return &p;
}

static const bad_case_t *bad_current;

static void bad_check(zt_peer_t *p)
{
    const bad_case_t *c = bad_current;
    if (p->errors != 1)
        fail_msg("%s: %d errors", c->what, p->errors);
    if (p->err.err != c->err)
        fail_msg("%s: error %s, wanted %s", c->what, zi_err_str(p->err.err), zi_err_str(c->err));
    if (c->protocol != ANY_PROTOCOL && p->err.protocol != c->protocol)
        fail_msg("%s: protocol 0x%x", c->what, (unsigned)p->err.protocol);
    assert_int_equal(p->err.handshake,
                     c->prefix != PRE_READY && c->prefix != PRE_V20 && c->prefix != PRE_V10);
    assert_non_null(p->err.reason);
    assert_true(zmtp_engine_failed(p->eng));
    assert_int_equal(p->nframes, 0);
    /* silence afterwards */
    assert_int_equal(feed_guarded(p->eng, zt_frame_hello_more, 7), 0);
    zmtp_engine_tick(p->eng, 1000000);
    assert_int_equal(p->errors, 1);
    zt_peer_fini(p);
}

static void bad_split(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    (void)ctx;
    zt_peer_t *p = bad_engine();
    if (zmtp_engine_feed(p->eng, a, na) < na)
        assert_true(zmtp_engine_failed(p->eng));
    else
        (void)zmtp_engine_feed(p->eng, b, nb);
    bad_check(p);
}

static void test_engine_every_malformed_case_ends_in_one_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        bad_current = &bad_cases[i];
        const bad_case_t *c = bad_current;
        /* a short command frame in the table says its own size right */
        if (c->tail_len >= 2 && c->tail[0] == ZMTP_FLAG_COMMAND)
            assert_int_equal(c->tail[1] + 2, c->tail_len);
        sbuf_t s = bad_stream(bad_current);
        /* whole */
        zt_peer_t *p = bad_engine();
        assert_true(feed_guarded(p->eng, s.b, s.n) <= s.n);
        bad_check(p);
        /* every split point */
        zt_for_each_split(s.b, s.n, bad_split, NULL);
        /* one octet at a time */
        p = bad_engine();
        uint8_t *one = zt_guard_copy("", 1);
        for (size_t k = 0; k < s.n && !zmtp_engine_failed(p->eng); k++) {
            one[0] = s.b[k];
            assert_int_equal(zmtp_engine_feed(p->eng, one, 1), 1);
        }
        zt_guard_free(one);
        bad_check(p);
        free(s.b);
    }
}

static void stream_chunk_any(const uint8_t *chunk, size_t n, void *ctx)
{
    zt_peer_t *p = ctx;
    size_t used = zmtp_engine_feed(p->eng, chunk, n);
    assert_true(used == n || zmtp_engine_failed(p->eng));
}

static void test_engine_survives_random_garbage_after_each_prefix(void **state)
{
    (void)state;
    /* not a proof, a smoke test: random octets never crash the engine and
     * never produce more than one error */
    uint64_t rng = 99;
    for (int round = 0; round < 1200; round++) {
        sbuf_t s = {NULL, 0, 0};
        int prefix = round % 3;
        if (prefix >= 1)
            sb_put(&s, zt_greeting_null_31, 64);
        if (prefix == 2)
            sb_put(&s, zt_ready_router, sizeof zt_ready_router);
        uint8_t junk[64];
        size_t n = 1 + (size_t)(zt_rand(&rng) % sizeof junk);
        zt_rand_bytes(&rng, junk, n);
        if (round % 2)
            junk[0] &= 0x07; /* keep the flags valid now and then */
        sb_put(&s, junk, n);
        zt_peer_t *p = bad_engine();
        zt_random_chunks(s.b, s.n, (uint64_t)round, 24, stream_chunk_any, p);
        assert_true(p->errors <= 1);
        zmtp_engine_tick(p->eng, 100000000);
        assert_true(p->errors <= 1);
        /* the handshake timer at the latest, unless the octets were a 1.0
         * peer's identity frame (RFC 13: almost any short frame is one) */
        if (prefix == 1 || (prefix == 0 && !p->ready))
            assert_int_equal(p->errors, 1);
        zt_peer_fini(p);
        free(s.b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_offers_its_greeting_in_libzmq_pieces),
        cmocka_unit_test(test_engine_offers_all_of_its_greeting_after_a_whole_peer_greeting),
        cmocka_unit_test(test_engine_sends_ready_once_the_peer_greeting_is_complete),
        cmocka_unit_test(test_engine_delivers_the_same_frames_at_every_split_point),
        cmocka_unit_test(test_engine_delivers_the_same_frames_in_random_chunkings),
        cmocka_unit_test(test_engine_on_frame_refusal_stops_input_until_resume),
        cmocka_unit_test(test_engine_frees_a_refused_frame_it_still_holds),
        cmocka_unit_test(test_engine_receives_a_large_body_through_the_window),
        cmocka_unit_test(test_engine_subscribes_a_30_peer_with_a_message_frame),
        cmocka_unit_test(test_engine_subscribes_a_31_peer_with_a_subscribe_command),
        cmocka_unit_test(test_engine_subscribe_and_cancel_commands_call_on_subscribe),
        cmocka_unit_test(test_engine_ignores_unknown_commands_after_ready),
        cmocka_unit_test(test_engine_answers_ping_with_pong_echoing_the_context),
        cmocka_unit_test(test_engine_error_after_ready_ends_the_connection),
        cmocka_unit_test(test_engine_send_before_ready_is_refused_and_releases_the_frame),
        cmocka_unit_test(test_engine_output_is_identical_under_partial_writes),
        cmocka_unit_test(test_engine_frames_above_out_batch_size_go_out_zero_copy),
        cmocka_unit_test(test_engine_calls_on_error_at_most_once_and_then_stays_silent),
        cmocka_unit_test(test_engine_every_malformed_case_ends_in_one_error),
        cmocka_unit_test(test_engine_survives_random_garbage_after_each_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
