/* The frame codec: decoder and header encoders, ZMTP 3.x, 2.0 and 1.0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "vectors.h"
#include "zmtp/codec.h"

#define MIB ((size_t)1 << 20)

/* ---- helpers ---------------------------------------------------------- */

typedef struct {
    uint8_t flags;
    size_t size;
    uint8_t seed;
} spec_t;

/* A stream of frames per spec (bodies from zt_fill_pattern); free it. */
static uint8_t *build_stream(const spec_t *spec, size_t n, size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += ZMTP_HEADER_MAX + spec[i].size;
    uint8_t *buf = malloc(total ? total : 1);
    assert_non_null(buf);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        pos += zmtp_header_encode(buf + pos, spec[i].flags, spec[i].size);
        zt_fill_pattern(buf + pos, spec[i].size, spec[i].seed);
        pos += spec[i].size;
    }
    *len = pos;
    return buf;
}

typedef struct {
    zmtp_decoder_t dec;
    const spec_t *spec;
    size_t nspec;
    size_t got; /* frames checked */
    zi_err last;
} run_t;

static void run_init(run_t *r, const spec_t *spec, size_t n, int64_t maxmsgsize)
{
    memset(r, 0, sizeof *r);
    zmtp_decoder_init(&r->dec, maxmsgsize);
    r->spec = spec;
    r->nspec = n;
    r->last = ZI_AGAIN;
}

static void run_check_frame(run_t *r, zinc_frame_t *f)
{
    assert_true(r->got < r->nspec);
    const spec_t *s = &r->spec[r->got++];
    assert_int_equal(zinc_frame_size(f), s->size);
    assert_int_equal(zi_frame_is_more(f), (s->flags & ZMTP_FLAG_MORE) != 0);
    assert_int_equal((f->flags & ZI_FRAME_COMMAND) != 0, (s->flags & ZMTP_FLAG_COMMAND) != 0);
    const uint8_t *d = zinc_frame_data(f);
    for (size_t i = 0; i < s->size; i++)
        if (d[i] != (uint8_t)(i * 7 + s->seed))
            fail_msg("frame %zu octet %zu differs", r->got - 1, i);
    zinc_frame_unref(f);
}

/* Feeds one chunk completely (the decoder stops after each frame). */
static void run_feed(run_t *r, const uint8_t *in, size_t n)
{
    size_t pos = 0;
    do {
        size_t used = 0;
        zinc_frame_t *f = NULL;
        zi_err e = zmtp_decoder_feed(&r->dec, in + pos, n - pos, &used, &f);
        assert_true(used <= n - pos);
        pos += used;
        r->last = e;
        if (e == ZI_OK) {
            assert_non_null(f);
            run_check_frame(r, f);
        } else {
            assert_int_equal(e, ZI_AGAIN);
            assert_null(f);
            assert_int_equal(pos, n);
        }
    } while (pos < n);
}

static void run_finish(run_t *r)
{
    assert_int_equal(r->got, r->nspec);
    size_t len = 1;
    assert_null(zmtp_decoder_window(&r->dec, &len));
    assert_int_equal(len, 0);
    zmtp_decoder_fini(&r->dec);
}

static void split_feed(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    const run_t *tmpl = ctx;
    run_t r;
    run_init(&r, tmpl->spec, tmpl->nspec, -1);
    run_feed(&r, a, na);
    run_feed(&r, b, nb);
    run_finish(&r);
}

static void chunk_feed(const uint8_t *chunk, size_t n, void *ctx)
{
    run_feed(ctx, chunk, n);
}

/* One octet at a time, each in the same one-octet guard copy. */
static void feed_octets(run_t *r, const uint8_t *data, size_t n)
{
    uint8_t *one = zt_guard_copy("", 1);
    for (size_t i = 0; i < n; i++) {
        one[0] = data[i];
        run_feed(r, one, 1);
    }
    zt_guard_free(one);
}

static void check_all_chunkings(const spec_t *spec, size_t nspec, bool every_split, int nrandom)
{
    size_t len;
    uint8_t *stream = build_stream(spec, nspec, &len);
    run_t r;
    if (every_split) {
        run_t tmpl = {.spec = spec, .nspec = nspec};
        zt_for_each_split(stream, len, split_feed, &tmpl);
    }
    for (int seed = 1; seed <= nrandom; seed++) {
        run_init(&r, spec, nspec, -1);
        /* tiny chunks for small streams; large streams get one-octet
         * feeding below instead of a guard mapping per tiny chunk */
        size_t tiny = len < 4096 ? 3 : 1000;
        size_t max = seed % 3 == 0 ? tiny : seed % 3 == 1 ? 300 : 70000;
        zt_random_chunks(stream, len, (uint64_t)seed, max, chunk_feed, &r);
        run_finish(&r);
    }
    run_init(&r, spec, nspec, -1);
    feed_octets(&r, stream, len);
    run_finish(&r);
    /* and all at once */
    run_init(&r, spec, nspec, -1);
    uint8_t *g = zt_guard_copy(stream, len);
    run_feed(&r, g, len);
    zt_guard_free(g);
    run_finish(&r);
    free(stream);
}

/* ---- decoding sizes in every chunking ---------------------------------- */

static void test_decoder_frame_of_0_octets_in_every_chunking(void **state)
{
    (void)state;
    spec_t s[] = {{0, 0, 0}};
    check_all_chunkings(s, 1, true, 20);
}

static void test_decoder_frame_of_1_octet_in_every_chunking(void **state)
{
    (void)state;
    spec_t s[] = {{0, 1, 3}};
    check_all_chunkings(s, 1, true, 20);
}

static void test_decoder_frame_of_255_octets_in_every_chunking(void **state)
{
    (void)state;
    spec_t s[] = {{0, 255, 5}};
    check_all_chunkings(s, 1, true, 50);
}

static void test_decoder_frame_of_256_octets_in_every_chunking(void **state)
{
    (void)state;
    spec_t s[] = {{0, 256, 9}};
    check_all_chunkings(s, 1, true, 50);
}

static void test_decoder_frame_of_65536_octets_in_many_chunkings(void **state)
{
    (void)state;
    spec_t s[] = {{0, 65536, 11}};
    check_all_chunkings(s, 1, false, 30);
}

static void test_decoder_frame_of_1_mib_in_many_chunkings(void **state)
{
    (void)state;
    spec_t s[] = {{ZMTP_FLAG_MORE, MIB, 13}};
    check_all_chunkings(s, 1, false, 6);
}

static void test_decoder_mixed_stream_keeps_more_and_command_flags(void **state)
{
    (void)state;
    spec_t s[] = {
        {ZMTP_FLAG_COMMAND, 6, 1}, {ZMTP_FLAG_MORE, 0, 0},      {ZMTP_FLAG_MORE, 1, 2},
        {ZMTP_FLAG_MORE, 255, 3},  {ZMTP_FLAG_MORE, 256, 4},    {0, 300, 5},
        {ZMTP_FLAG_COMMAND, 0, 0}, {ZMTP_FLAG_COMMAND, 300, 6}, {0, 0, 0},
    };
    check_all_chunkings(s, sizeof s / sizeof s[0], true, 100);
}

static void test_decoder_stops_after_each_frame_and_reports_what_it_used(void **state)
{
    (void)state;
    uint8_t buf[sizeof zt_frame_hello_more + sizeof zt_frame_empty];
    memcpy(buf, zt_frame_hello_more, sizeof zt_frame_hello_more);
    memcpy(buf + sizeof zt_frame_hello_more, zt_frame_empty, sizeof zt_frame_empty);
    uint8_t *in = zt_guard_copy(buf, sizeof buf);
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(zmtp_decoder_feed(&d, in, sizeof buf, &used, &f), ZI_OK);
    assert_int_equal(used, sizeof zt_frame_hello_more);
    assert_int_equal(zinc_frame_size(f), 5);
    assert_memory_equal(zinc_frame_data(f), "hello", 5);
    assert_true(zinc_frame_more(f));
    zinc_frame_unref(f);
    assert_int_equal(zmtp_decoder_feed(&d, in + used, sizeof buf - used, &used, &f), ZI_OK);
    assert_int_equal(used, 2);
    assert_int_equal(zinc_frame_size(f), 0);
    assert_false(zinc_frame_more(f));
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
    zt_guard_free(in);
}

/* ---- header variants and malformed headers ---------------------------- */

/* Feeds buf (guard copy) until a frame, an error or the end. */
static zi_err decode_one(zmtp_decoder_t *d, const uint8_t *buf, size_t n, size_t *used,
                         zinc_frame_t **f)
{
    uint8_t *in = zt_guard_copy(buf, n);
    zi_err e = zmtp_decoder_feed(d, in, n, used, f);
    zt_guard_free(in);
    return e;
}

static void test_decoder_accepts_long_header_with_a_small_size(void **state)
{
    (void)state;
    /* RFC 23 says send LONG only for sizes above 255; a peer that uses it
     * for a small one is understood (libzmq's decoder accepts it too). */
    static const uint8_t v[] = {0x03, 0, 0, 0, 0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, v, sizeof v, &used, &f), ZI_OK);
    assert_int_equal(used, sizeof v);
    assert_int_equal(zinc_frame_size(f), 5);
    assert_true(zinc_frame_more(f));
    assert_memory_equal(zinc_frame_data(f), "hello", 5);
    zinc_frame_unref(f);
    /* LONG with size 0 */
    static const uint8_t z[] = {0x02, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(decode_one(&d, z, sizeof z, &used, &f), ZI_OK);
    assert_int_equal(zinc_frame_size(f), 0);
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
}

static void test_decoder_rejects_each_reserved_flag_bit(void **state)
{
    (void)state;
    for (int bit = 3; bit < 8; bit++) {
        uint8_t v[] = {(uint8_t)(1u << bit), 0};
        zmtp_decoder_t d;
        zmtp_decoder_init(&d, -1);
        size_t used;
        zinc_frame_t *f = (zinc_frame_t *)1;
        assert_int_equal(decode_one(&d, v, sizeof v, &used, &f), ZI_EPROTO);
        assert_null(f);
        assert_int_equal(used, 1);
        zmtp_decoder_fini(&d);
    }
}

static void test_decoder_rejects_command_with_more(void **state)
{
    (void)state;
    static const uint8_t v[] = {ZMTP_FLAG_COMMAND | ZMTP_FLAG_MORE, 1, 'x'};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, v, sizeof v, &used, &f), ZI_EPROTO);
    assert_null(f);
    zmtp_decoder_fini(&d);
}

static void test_decoder_rejects_message_frame_while_commands_only(void **state)
{
    (void)state;
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    d.commands_only = true;
    size_t used;
    zinc_frame_t *f;
    /* a command is fine */
    assert_int_equal(decode_one(&d, zt_ready_dealer, sizeof zt_ready_dealer, &used, &f), ZI_OK);
    assert_int_equal(used, sizeof zt_ready_dealer);
    assert_true(f->flags & ZI_FRAME_COMMAND);
    zinc_frame_unref(f);
    /* a message frame is not, and nothing is allocated for it */
    assert_int_equal(decode_one(&d, zt_frame_hello_more, sizeof zt_frame_hello_more, &used, &f),
                     ZI_EPROTO);
    assert_int_equal(used, 1);
    assert_null(f);
    zmtp_decoder_fini(&d);
}

static void test_decoder_accepts_frame_exactly_at_maxmsgsize(void **state)
{
    (void)state;
    spec_t s[] = {{0, 300, 1}};
    size_t len;
    uint8_t *stream = build_stream(s, 1, &len);
    run_t r;
    run_init(&r, s, 1, 300);
    uint8_t *g = zt_guard_copy(stream, len);
    run_feed(&r, g, len);
    zt_guard_free(g);
    run_finish(&r);
    free(stream);
}

static void test_decoder_rejects_frame_above_maxmsgsize_after_the_header(void **state)
{
    (void)state;
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, 0, 301);
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, 300);
    size_t used;
    zinc_frame_t *f;
    /* the header alone decides: no body octet is needed or read */
    assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
    assert_int_equal(used, hlen);
    assert_null(f);
    zmtp_decoder_fini(&d);
    /* short header too */
    zmtp_decoder_init(&d, 10);
    hlen = zmtp_header_encode(hdr, ZMTP_FLAG_MORE, 11);
    assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
    zmtp_decoder_fini(&d);
    /* maxmsgsize 0: only empty frames */
    zmtp_decoder_init(&d, 0);
    assert_int_equal(decode_one(&d, zt_frame_empty, 2, &used, &f), ZI_OK);
    zinc_frame_unref(f);
    hlen = zmtp_header_encode(hdr, 0, 1);
    assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
    zmtp_decoder_fini(&d);
}

static void test_decoder_refuses_huge_size_before_allocating(void **state)
{
    (void)state;
    /* 2^62 would make malloc fail (ENOMEM); above maxmsgsize it must be
     * refused as too large before any allocation is tried. */
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, 0, (uint64_t)1 << 62);
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, (int64_t)MIB);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
    assert_null(f);
    zmtp_decoder_fini(&d);
}

static void test_decoder_refuses_sizes_that_do_not_fit_int64_without_a_limit(void **state)
{
    (void)state;
    const uint64_t sizes[] = {(uint64_t)INT64_MAX + 1, UINT64_MAX, (uint64_t)1 << 63 | 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t hdr[ZMTP_HEADER_MAX];
        size_t hlen = zmtp_header_encode(hdr, 0, sizes[i]);
        zmtp_decoder_t d;
        zmtp_decoder_init(&d, -1);
        size_t used;
        zinc_frame_t *f;
        assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
        zmtp_decoder_fini(&d);
    }
}

static void test_decoder_refuses_command_above_command_max_whatever_maxmsgsize(void **state)
{
    (void)state;
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, ZMTP_FLAG_COMMAND, (uint64_t)ZMTP_COMMAND_MAX + 1);
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
    assert_int_equal(used, hlen);
    zmtp_decoder_fini(&d);
    /* huge command sizes too */
    hlen = zmtp_header_encode(hdr, ZMTP_FLAG_COMMAND, UINT64_MAX);
    zmtp_decoder_init(&d, -1);
    assert_int_equal(decode_one(&d, hdr, hlen, &used, &f), ZI_EMSGSIZE);
    zmtp_decoder_fini(&d);
}

static void test_decoder_accepts_command_exactly_at_command_max(void **state)
{
    (void)state;
    spec_t s[] = {{ZMTP_FLAG_COMMAND, ZMTP_COMMAND_MAX, 3}};
    size_t len;
    uint8_t *stream = build_stream(s, 1, &len);
    run_t r;
    run_init(&r, s, 1, 10); /* maxmsgsize does not apply to commands */
    run_feed(&r, stream, len);
    run_finish(&r);
    free(stream);
}

static void test_decoder_fini_releases_a_partial_body(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x00, 10, 'a', 'b', 'c'};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, v, sizeof v, &used, &f), ZI_AGAIN);
    assert_int_equal(used, sizeof v);
    assert_null(f);
    zmtp_decoder_fini(&d); /* leak checkers see the frame freed */
    zmtp_decoder_fini(&d); /* and a second fini is harmless */
}

/* ---- direct window receive ------------------------------------------- */

static void test_decoder_window_receives_the_body_straight_into_the_frame(void **state)
{
    (void)state;
    const size_t size = 100000;
    uint8_t *body = malloc(size);
    assert_non_null(body);
    zt_fill_pattern(body, size, 77);
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, ZMTP_FLAG_MORE, size);

    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t len = 1;
    /* no window before the header */
    assert_null(zmtp_decoder_window(&d, &len));
    assert_int_equal(len, 0);
    assert_null(zmtp_decoder_advance(&d, 5));

    /* header plus the first 10 body octets through feed */
    uint8_t first[ZMTP_HEADER_MAX + 10];
    memcpy(first, hdr, hlen);
    memcpy(first + hlen, body, 10);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, first, hlen + 10, &used, &f), ZI_AGAIN);
    assert_int_equal(used, hlen + 10);

    uint8_t *w = zmtp_decoder_window(&d, &len);
    assert_non_null(w);
    assert_int_equal(len, size - 10);
    uint8_t *start = w - 10; /* where the frame's data begins */
    size_t have = 10;
    uint64_t rng = 5;
    while (have < size) {
        w = zmtp_decoder_window(&d, &len);
        assert_ptr_equal(w, start + have);
        assert_int_equal(len, size - have);
        size_t n = 1 + (size_t)(zt_rand(&rng) % 9000);
        if (n > len)
            n = len;
        memcpy(w, body + have, n);
        have += n;
        f = zmtp_decoder_advance(&d, n);
        if (have < size)
            assert_null(f);
    }
    assert_non_null(f);
    assert_ptr_equal(zinc_frame_data(f), start); /* received in place: no copy */
    assert_int_equal(zinc_frame_size(f), size);
    assert_true(zinc_frame_more(f));
    assert_memory_equal(zinc_frame_data(f), body, size);
    zinc_frame_unref(f);

    /* the decoder is back at a frame boundary */
    assert_null(zmtp_decoder_window(&d, &len));
    assert_int_equal(decode_one(&d, zt_frame_empty, 2, &used, &f), ZI_OK);
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
    free(body);
}

static void test_decoder_advance_past_the_body_is_clamped(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x00, 4};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used, len;
    zinc_frame_t *f;
    assert_int_equal(decode_one(&d, v, sizeof v, &used, &f), ZI_AGAIN);
    uint8_t *w = zmtp_decoder_window(&d, &len);
    assert_int_equal(len, 4);
    memcpy(w, "abcd", 4);
    f = zmtp_decoder_advance(&d, 1000);
    assert_non_null(f);
    assert_int_equal(zinc_frame_size(f), 4);
    assert_memory_equal(zinc_frame_data(f), "abcd", 4);
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
}

/* ---- ZMTP 1.0 and 2.0 framing (RFC 13, RFC 15) -------------------------- */

static const struct {
    size_t size;
    bool more;
} v1_spec[] = {{0, true}, {1, false}, {253, true}, {254, false}, {255, true}, {300, false}};

static uint8_t *v1_stream(size_t *len)
{
    uint8_t *buf = malloc(4096);
    assert_non_null(buf);
    size_t pos = 0;
    for (size_t i = 0; i < ZT_LEN(v1_spec); i++) {
        pos += zmtp_header_encode_v1(buf + pos, v1_spec[i].more, v1_spec[i].size);
        zt_fill_pattern(buf + pos, v1_spec[i].size, (uint8_t)i);
        pos += v1_spec[i].size;
    }
    *len = pos;
    return buf;
}

typedef struct {
    zmtp_decoder_t dec;
    size_t got;
} v1_run_t;

static void v1_feed(v1_run_t *r, const uint8_t *in, size_t n)
{
    size_t pos = 0;
    while (pos < n) {
        size_t used;
        zinc_frame_t *f = NULL;
        zi_err e = zmtp_decoder_feed(&r->dec, in + pos, n - pos, &used, &f);
        pos += used;
        if (e == ZI_AGAIN) {
            assert_int_equal(pos, n);
            break;
        }
        assert_int_equal(e, ZI_OK);
        assert_true(r->got < ZT_LEN(v1_spec));
        size_t i = r->got++;
        assert_int_equal(zinc_frame_size(f), v1_spec[i].size);
        assert_int_equal(zi_frame_is_more(f), v1_spec[i].more);
        assert_false(f->flags & ZI_FRAME_COMMAND);
        uint8_t want[300];
        zt_fill_pattern(want, v1_spec[i].size, (uint8_t)i);
        if (v1_spec[i].size)
            assert_memory_equal(zinc_frame_data(f), want, v1_spec[i].size);
        zinc_frame_unref(f);
    }
}

static void v1_split(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    (void)ctx;
    v1_run_t r = {.got = 0};
    zmtp_decoder_init(&r.dec, -1);
    r.dec.framing = ZMTP_FRAMING_V1;
    v1_feed(&r, a, na);
    v1_feed(&r, b, nb);
    assert_int_equal(r.got, ZT_LEN(v1_spec));
    zmtp_decoder_fini(&r.dec);
}

static void test_decoder_v1_frames_at_every_split_point(void **state)
{
    (void)state;
    size_t len;
    uint8_t *s = v1_stream(&len);
    zt_for_each_split(s, len, v1_split, NULL);
    free(s);
}

static zi_err v1_decode_one(const uint8_t *in, size_t n, int64_t maxmsgsize, size_t *used)
{
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, maxmsgsize);
    d.framing = ZMTP_FRAMING_V1;
    zinc_frame_t *f = NULL;
    uint8_t *g = zt_guard_copy(in, n);
    zi_err e = zmtp_decoder_feed(&d, g, n, used, &f);
    zt_guard_free(g);
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
    return e;
}

static void test_decoder_v1_rejects_a_length_without_its_flags_octet(void **state)
{
    (void)state;
    size_t used;
    static const uint8_t zero[] = {0x00, 0x00};
    assert_int_equal(v1_decode_one(zero, sizeof zero, -1, &used), ZI_EPROTO);
    assert_int_equal(used, 1);
    static const uint8_t long_zero[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x00};
    assert_int_equal(v1_decode_one(long_zero, sizeof long_zero, -1, &used), ZI_EPROTO);
    assert_int_equal(used, 9);
}

static void test_decoder_v1_checks_the_body_against_maxmsgsize_before_allocating(void **state)
{
    (void)state;
    size_t used;
    /* length 11 = flags + 10 octets: at the limit 10, above the limit 9 */
    uint8_t f11[12] = {11, 0x00};
    assert_int_equal(v1_decode_one(f11, sizeof f11, 10, &used), ZI_OK);
    assert_int_equal(v1_decode_one(f11, 2, 9, &used), ZI_EMSGSIZE);
    static const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
    assert_int_equal(v1_decode_one(huge, sizeof huge, -1, &used), ZI_EMSGSIZE);
    /* flags other than MORE are ignored, as libzmq's v1 decoder does */
    uint8_t odd[] = {2, 0xFE, 'x'};
    assert_int_equal(v1_decode_one(odd, sizeof odd, -1, &used), ZI_OK);
}

static void test_header_encode_v1_counts_the_flags_octet(void **state)
{
    (void)state;
    uint8_t h[ZMTP_V1_HEADER_MAX];
    static const uint8_t empty[] = {0x01, 0x00};
    assert_int_equal(zmtp_header_encode_v1(h, false, 0), 2);
    assert_memory_equal(h, empty, 2);
    static const uint8_t more253[] = {0xFE, 0x01};
    assert_int_equal(zmtp_header_encode_v1(h, true, 253), 2);
    assert_memory_equal(h, more253, 2);
    /* 254 octets: length 255 needs the 0xFF escape and 8 octets */
    static const uint8_t b254[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x00};
    assert_int_equal(zmtp_header_encode_v1(h, false, 254), 10);
    assert_memory_equal(h, b254, 10);
}

static void test_decoder_v2_has_no_commands(void **state)
{
    (void)state;
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    d.framing = ZMTP_FRAMING_V2;
    static const uint8_t cmd[] = {0x04, 0x01, 'x'};
    size_t used;
    zinc_frame_t *f = NULL;
    assert_int_equal(zmtp_decoder_feed(&d, cmd, sizeof cmd, &used, &f), ZI_EPROTO);
    assert_null(f);
    zmtp_decoder_fini(&d);
    /* MORE and LONG are as in 3.x */
    zmtp_decoder_init(&d, -1);
    d.framing = ZMTP_FRAMING_V2;
    static const uint8_t msg[] = {0x03, 0, 0, 0, 0, 0, 0, 0, 1, 'y'};
    assert_int_equal(zmtp_decoder_feed(&d, msg, sizeof msg, &used, &f), ZI_OK);
    assert_true(zi_frame_is_more(f));
    assert_int_equal(zinc_frame_size(f), 1);
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
}

/* ---- header encoder -------------------------------------------------- */

static void test_header_encode_255_is_two_octets(void **state)
{
    (void)state;
    uint8_t h[ZMTP_HEADER_MAX];
    assert_int_equal(zmtp_header_encode(h, 0, 255), 2);
    assert_memory_equal(h, zt_hdr_255, 2);
    assert_int_equal(zmtp_header_encode(h, 0, 0), 2);
    assert_memory_equal(h, zt_frame_empty, 2);
}

static void test_header_encode_256_is_nine_octets(void **state)
{
    (void)state;
    uint8_t h[ZMTP_HEADER_MAX];
    assert_int_equal(zmtp_header_encode(h, 0, 256), 9);
    assert_memory_equal(h, zt_hdr_256, 9);
    static const uint8_t big[] = {0x03, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    assert_int_equal(zmtp_header_encode(h, ZMTP_FLAG_MORE, 0x0102030405060708ull), 9);
    assert_memory_equal(h, big, 9);
}

static void test_header_encode_keeps_flags_and_clears_long_for_small_sizes(void **state)
{
    (void)state;
    uint8_t h[ZMTP_HEADER_MAX];
    assert_int_equal(zmtp_header_encode(h, ZMTP_FLAG_MORE | ZMTP_FLAG_LONG, 5), 2);
    assert_int_equal(h[0], ZMTP_FLAG_MORE);
    assert_int_equal(h[1], 5);
    assert_int_equal(zmtp_header_encode(h, ZMTP_FLAG_COMMAND, 300), 9);
    assert_int_equal(h[0], ZMTP_FLAG_COMMAND | ZMTP_FLAG_LONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoder_frame_of_0_octets_in_every_chunking),
        cmocka_unit_test(test_decoder_frame_of_1_octet_in_every_chunking),
        cmocka_unit_test(test_decoder_frame_of_255_octets_in_every_chunking),
        cmocka_unit_test(test_decoder_frame_of_256_octets_in_every_chunking),
        cmocka_unit_test(test_decoder_frame_of_65536_octets_in_many_chunkings),
        cmocka_unit_test(test_decoder_frame_of_1_mib_in_many_chunkings),
        cmocka_unit_test(test_decoder_mixed_stream_keeps_more_and_command_flags),
        cmocka_unit_test(test_decoder_stops_after_each_frame_and_reports_what_it_used),
        cmocka_unit_test(test_decoder_accepts_long_header_with_a_small_size),
        cmocka_unit_test(test_decoder_rejects_each_reserved_flag_bit),
        cmocka_unit_test(test_decoder_rejects_command_with_more),
        cmocka_unit_test(test_decoder_rejects_message_frame_while_commands_only),
        cmocka_unit_test(test_decoder_accepts_frame_exactly_at_maxmsgsize),
        cmocka_unit_test(test_decoder_rejects_frame_above_maxmsgsize_after_the_header),
        cmocka_unit_test(test_decoder_refuses_huge_size_before_allocating),
        cmocka_unit_test(test_decoder_refuses_sizes_that_do_not_fit_int64_without_a_limit),
        cmocka_unit_test(test_decoder_refuses_command_above_command_max_whatever_maxmsgsize),
        cmocka_unit_test(test_decoder_accepts_command_exactly_at_command_max),
        cmocka_unit_test(test_decoder_fini_releases_a_partial_body),
        cmocka_unit_test(test_decoder_window_receives_the_body_straight_into_the_frame),
        cmocka_unit_test(test_decoder_advance_past_the_body_is_clamped),
        cmocka_unit_test(test_decoder_v1_frames_at_every_split_point),
        cmocka_unit_test(test_decoder_v1_rejects_a_length_without_its_flags_octet),
        cmocka_unit_test(test_decoder_v1_checks_the_body_against_maxmsgsize_before_allocating),
        cmocka_unit_test(test_header_encode_v1_counts_the_flags_octet),
        cmocka_unit_test(test_decoder_v2_has_no_commands),
        cmocka_unit_test(test_header_encode_255_is_two_octets),
        cmocka_unit_test(test_header_encode_256_is_nine_octets),
        cmocka_unit_test(test_header_encode_keeps_flags_and_clears_long_for_small_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
