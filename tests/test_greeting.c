/* The ZMTP greeting: encode byte-exact, incremental parse, version choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "vectors.h"
#include "zinc.h"
#include "zmtp/greeting.h"

static void test_greeting_encode_null_is_the_31_vector(void **state)
{
    (void)state;
    uint8_t g[ZMTP_GREETING_SIZE];
    memset(g, 0xAA, sizeof g);
    zmtp_greeting_encode(g, "NULL", false);
    assert_memory_equal(g, zt_greeting_null_31, sizeof g);
}

static void test_greeting_encode_sets_as_server_and_pads_mechanism(void **state)
{
    (void)state;
    uint8_t g[ZMTP_GREETING_SIZE], want[ZMTP_GREETING_SIZE];
    zmtp_greeting_encode(g, "CURVE", true);
    memcpy(want, zt_greeting_null_31, sizeof want);
    memset(want + ZT_GREETING_MECHANISM, 0, ZMTP_MECHANISM_SIZE);
    memcpy(want + ZT_GREETING_MECHANISM, "CURVE", 5);
    want[ZT_GREETING_AS_SERVER] = 1;
    assert_memory_equal(g, want, sizeof g);
}

static void test_greeting_encode_truncates_a_mechanism_name_at_20_octets(void **state)
{
    (void)state;
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_encode(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", false);
    assert_memory_equal(g + ZT_GREETING_MECHANISM, "ABCDEFGHIJKLMNOPQRST", 20);
    assert_int_equal(g[ZT_GREETING_AS_SERVER], 0);
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct {
    int version;
    zi_err want;
    size_t want_used; /* total octets consumed when done */
} expect_t;

/* Feeds the pieces in order, as long as the parser asks for more. */
static zi_err parse_pieces(zmtp_greeting_parser_t *p, const uint8_t *const *piece,
                           const size_t *len, size_t npieces, size_t *total, zmtp_greeting_t *out)
{
    zi_err e = ZI_AGAIN;
    *total = 0;
    for (size_t i = 0; i < npieces && e == ZI_AGAIN; i++) {
        size_t used = 99;
        e = zmtp_greeting_parse(p, piece[i], len[i], &used, out);
        assert_true(used <= len[i]);
        if (e == ZI_AGAIN)
            assert_int_equal(used, len[i]);
        *total += used;
    }
    return e;
}

static void split_check(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    const expect_t *x = ctx;
    zmtp_greeting_parser_t p;
    zmtp_greeting_t g;
    memset(&g, 0, sizeof g);
    zmtp_greeting_parser_init(&p);
    const uint8_t *piece[2] = {a, b};
    size_t len[2] = {na, nb}, total;
    zi_err e = parse_pieces(&p, piece, len, 2, &total, &g);
    assert_int_equal(e, x->want);
    assert_int_equal(total, x->want_used);
    assert_int_equal(g.version, x->version);
    if (e == ZI_OK) {
        assert_string_equal(g.mechanism, "NULL");
        assert_false(g.as_server);
        assert_int_equal(g.major, 3);
    }
}

static void test_greeting_parse_31_at_every_split_point(void **state)
{
    (void)state;
    expect_t x = {ZMTP_V31, ZI_OK, 64};
    zt_for_each_split(zt_greeting_null_31, 64, split_check, &x);
}

static void test_greeting_parse_30_at_every_split_point(void **state)
{
    (void)state;
    expect_t x = {ZMTP_V30, ZI_OK, 64};
    zt_for_each_split(zt_greeting_null_30, 64, split_check, &x);
}

typedef struct {
    zmtp_greeting_parser_t p;
    zmtp_greeting_t g;
    zi_err e;
    size_t total;
} chunk_ctx_t;

static void chunk_feed(const uint8_t *chunk, size_t n, void *ctx)
{
    chunk_ctx_t *c = ctx;
    if (c->e != ZI_AGAIN)
        return;
    size_t used = 0;
    c->e = zmtp_greeting_parse(&c->p, chunk, n, &used, &c->g);
    assert_true(used <= n);
    c->total += used;
}

static void test_greeting_parse_in_random_chunkings(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        const uint8_t *v = seed & 1 ? zt_greeting_null_31 : zt_greeting_null_30;
        chunk_ctx_t c;
        memset(&c, 0, sizeof c);
        zmtp_greeting_parser_init(&c.p);
        c.e = ZI_AGAIN;
        zt_random_chunks(v, 64, seed, 1 + seed % 20, chunk_feed, &c);
        assert_int_equal(c.e, ZI_OK);
        assert_int_equal(c.total, 64);
        assert_int_equal(c.g.version, seed & 1 ? ZMTP_V31 : ZMTP_V30);
        assert_string_equal(c.g.mechanism, "NULL");
    }
}

static void test_greeting_parse_one_octet_at_a_time(void **state)
{
    (void)state;
    chunk_ctx_t c;
    memset(&c, 0, sizeof c);
    zmtp_greeting_parser_init(&c.p);
    c.e = ZI_AGAIN;
    zt_random_chunks(zt_greeting_null_31, 64, 7, 1, chunk_feed, &c);
    assert_int_equal(c.e, ZI_OK);
    assert_int_equal(c.total, 64);
    assert_int_equal(c.g.version, ZMTP_V31);
}

static void test_greeting_parse_stops_at_64_octets(void **state)
{
    (void)state;
    uint8_t buf[64 + 9];
    memcpy(buf, zt_greeting_null_31, 64);
    memcpy(buf + 64, zt_ready_dealer, 9);
    uint8_t *in = zt_guard_copy(buf, sizeof buf);
    zmtp_greeting_parser_t p;
    zmtp_greeting_t g;
    size_t used;
    zmtp_greeting_parser_init(&p);
    assert_int_equal(zmtp_greeting_parse(&p, in, sizeof buf, &used, &g), ZI_OK);
    assert_int_equal(used, 64);
    zt_guard_free(in);
}

static void test_greeting_parse_empty_input_needs_more(void **state)
{
    (void)state;
    zmtp_greeting_parser_t p;
    zmtp_greeting_t g;
    size_t used = 5;
    uint8_t *in = zt_guard_copy(NULL, 0);
    zmtp_greeting_parser_init(&p);
    assert_int_equal(zmtp_greeting_parse(&p, in, 0, &used, &g), ZI_AGAIN);
    assert_int_equal(used, 0);
    zt_guard_free(in);
}

/* Parses a whole buffer (in a guard copy) in one call. */
static zi_err parse_whole(const uint8_t *v, size_t n, size_t *used, zmtp_greeting_t *g)
{
    zmtp_greeting_parser_t p;
    zmtp_greeting_parser_init(&p);
    memset(g, 0, sizeof *g);
    uint8_t *in = zt_guard_copy(v, n);
    zi_err e = zmtp_greeting_parse(&p, in, n, used, g);
    zt_guard_free(in);
    return e;
}

static void test_greeting_v10_is_detected_after_the_first_octet(void **state)
{
    (void)state;
    zmtp_greeting_t g;
    size_t used;
    /* one octet is enough: it is the start of the peer's identity frame */
    assert_int_equal(parse_whole(zt_greeting_v10, 1, &used, &g), ZI_OK);
    assert_int_equal(used, 1);
    assert_int_equal(g.version, ZMTP_V10);
    assert_true(g.unversioned);
    assert_int_equal(g.socket_type, -1);
    /* and no more is taken when more is there */
    assert_int_equal(parse_whole(zt_greeting_v10, sizeof zt_greeting_v10, &used, &g), ZI_OK);
    assert_int_equal(used, 1);
    assert_int_equal(g.version, ZMTP_V10);
}

static void test_greeting_v10_is_detected_by_octet_9_bit_0(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_greeting_null_31, 64);
    v[9] = 0x7E;
    zmtp_greeting_t g;
    size_t used;
    assert_int_equal(parse_whole(v, 9, &used, &g), ZI_AGAIN);
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_int_equal(used, 10);
    assert_int_equal(g.version, ZMTP_V10);
    assert_true(g.unversioned);
}

/* Revision 0: a signature, then 1.0 framing (libzmq's handshake_v1_0). */
static void test_greeting_major_0_is_v10_after_its_socket_type(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_greeting_null_31, 64);
    v[ZT_GREETING_MAJOR] = 0;
    v[ZT_GREETING_MINOR] = ZINC_PUSH;
    zmtp_greeting_t g;
    size_t used;
    assert_int_equal(parse_whole(v, 11, &used, &g), ZI_AGAIN);
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_int_equal(used, 12);
    assert_int_equal(g.version, ZMTP_V10);
    assert_false(g.unversioned);
    assert_int_equal(g.socket_type, ZINC_PUSH);
}

static void test_greeting_v20_is_complete_after_12_octets_without_waiting(void **state)
{
    (void)state;
    zmtp_greeting_t g;
    size_t used;
    /* 10 and 11 octets: still undecided (the socket type is missing) */
    assert_int_equal(parse_whole(zt_greeting_v20, 10, &used, &g), ZI_AGAIN);
    assert_int_equal(used, 10);
    assert_int_equal(parse_whole(zt_greeting_v20, 11, &used, &g), ZI_AGAIN);
    assert_int_equal(used, 11);
    /* the socket-type octet completes it; nothing after it is taken */
    uint8_t more[20];
    memcpy(more, zt_greeting_v20, 12);
    memset(more + 12, 0xAB, 8);
    assert_int_equal(parse_whole(more, sizeof more, &used, &g), ZI_OK);
    assert_int_equal(used, 12);
    assert_int_equal(g.version, ZMTP_V20);
    assert_false(g.unversioned);
    assert_int_equal(g.socket_type, ZINC_DEALER);
}

static void test_greeting_v20_is_detected_when_fed_octet_by_octet(void **state)
{
    (void)state;
    zmtp_greeting_parser_t p;
    zmtp_greeting_t g;
    zmtp_greeting_parser_init(&p);
    for (size_t i = 0; i < sizeof zt_greeting_v20; i++) {
        size_t used;
        uint8_t *in = zt_guard_copy(zt_greeting_v20 + i, 1);
        zi_err e = zmtp_greeting_parse(&p, in, 1, &used, &g);
        zt_guard_free(in);
        assert_int_equal(used, 1);
        /* the staging points of ZMTP-NOTES.md "Greeting" */
        assert_int_equal(zmtp_greeting_peer_signed(&p), i >= 9);
        assert_int_equal(zmtp_greeting_peer_major(&p), i >= 10 ? 1 : -1);
        if (i < 11) {
            assert_int_equal(e, ZI_AGAIN);
        } else {
            assert_int_equal(e, ZI_OK);
            assert_int_equal(g.version, ZMTP_V20);
            assert_int_equal(g.socket_type, ZINC_DEALER);
        }
    }
}

static void test_greeting_signature_pads_with_identity_length_plus_one(void **state)
{
    (void)state;
    uint8_t sig[ZMTP_SIGNATURE_SIZE];
    static const uint8_t empty[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F};
    zmtp_greeting_signature(sig, 0);
    assert_memory_equal(sig, empty, sizeof empty);
    /* 299 octets: length 300 = 0x012C, a ZMTP 1.0 long header */
    static const uint8_t long_id[] = {0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x2C, 0x7F};
    zmtp_greeting_signature(sig, 299);
    assert_memory_equal(sig, long_id, sizeof long_id);
    /* it is still a versioned signature */
    zmtp_greeting_parser_t p;
    zmtp_greeting_parser_init(&p);
    zmtp_greeting_t g;
    size_t used;
    assert_int_equal(zmtp_greeting_parse(&p, sig, sizeof sig, &used, &g), ZI_AGAIN);
    assert_true(zmtp_greeting_peer_signed(&p));
}

static void test_greeting_major_above_3_is_treated_as_31(void **state)
{
    (void)state;
    static const uint8_t versions[][2] = {{4, 0}, {4, 7}, {0xFF, 0}, {3, 2}, {3, 0xFF}};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        uint8_t v[64];
        memcpy(v, zt_greeting_null_31, 64);
        v[ZT_GREETING_MAJOR] = versions[i][0];
        v[ZT_GREETING_MINOR] = versions[i][1];
        zmtp_greeting_t g;
        size_t used;
        assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
        assert_int_equal(used, 64);
        assert_int_equal(g.version, ZMTP_V31);
        assert_int_equal(g.major, versions[i][0]);
        assert_int_equal(g.minor, versions[i][1]);
    }
}

/* ZMTP-NOTES.md "Version choice": major 1 is 2.0, major 3 minor 0 is 3.0,
 * any other major is 3.1; libzmq has no 2.x revision 2 either. */
static void test_greeting_major_2_is_treated_as_31(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_greeting_null_31, 64);
    v[ZT_GREETING_MAJOR] = 2;
    v[ZT_GREETING_MINOR] = 0;
    zmtp_greeting_t g;
    size_t used;
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_int_equal(used, 64);
    assert_int_equal(g.version, ZMTP_V31);
}

static void test_greeting_as_server_is_recorded_not_checked(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_greeting_null_31, 64);
    zmtp_greeting_t g;
    size_t used;
    v[ZT_GREETING_AS_SERVER] = 1;
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_true(g.as_server);
    /* any other value is not an error (libzmq never reads it) */
    v[ZT_GREETING_AS_SERVER] = 0x42;
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_false(g.as_server);
}

static void test_greeting_padding_and_filler_are_not_significant(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_greeting_null_31, 64);
    uint64_t rng = 42;
    zt_rand_bytes(&rng, v + 1, 8);
    zt_rand_bytes(&rng, v + 33, 31);
    zmtp_greeting_t g;
    size_t used;
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_int_equal(g.version, ZMTP_V31);
    assert_string_equal(g.mechanism, "NULL");
}

static void test_greeting_parses_other_mechanism_names(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_greeting_null_31, 64);
    memset(v + ZT_GREETING_MECHANISM, 0, ZMTP_MECHANISM_SIZE);
    memcpy(v + ZT_GREETING_MECHANISM, "PLAIN", 5);
    zmtp_greeting_t g;
    size_t used;
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_string_equal(g.mechanism, "PLAIN");
    /* 20 octets without a NUL: all of them */
    memcpy(v + ZT_GREETING_MECHANISM, "ABCDEFGHIJKLMNOPQRST", 20);
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_string_equal(g.mechanism, "ABCDEFGHIJKLMNOPQRST");
    /* empty */
    memset(v + ZT_GREETING_MECHANISM, 0, ZMTP_MECHANISM_SIZE);
    assert_int_equal(parse_whole(v, 64, &used, &g), ZI_OK);
    assert_string_equal(g.mechanism, "");
}

static void test_greeting_non_printable_mechanism_is_refused(void **state)
{
    (void)state;
    static const uint8_t bad[] = {0x01, 0x1F, 0x7F, 0x80, 0xFF};
    for (size_t i = 0; i < sizeof bad; i++) {
        uint8_t v[64];
        memcpy(v, zt_greeting_null_31, 64);
        v[ZT_GREETING_MECHANISM + 2] = bad[i];
        zmtp_greeting_t g;
        size_t used;
        assert_int_equal(parse_whole(v, 64, &used, &g), ZI_EPROTO);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting_encode_null_is_the_31_vector),
        cmocka_unit_test(test_greeting_encode_sets_as_server_and_pads_mechanism),
        cmocka_unit_test(test_greeting_encode_truncates_a_mechanism_name_at_20_octets),
        cmocka_unit_test(test_greeting_parse_31_at_every_split_point),
        cmocka_unit_test(test_greeting_parse_30_at_every_split_point),
        cmocka_unit_test(test_greeting_parse_in_random_chunkings),
        cmocka_unit_test(test_greeting_parse_one_octet_at_a_time),
        cmocka_unit_test(test_greeting_parse_stops_at_64_octets),
        cmocka_unit_test(test_greeting_parse_empty_input_needs_more),
        cmocka_unit_test(test_greeting_v10_is_detected_after_the_first_octet),
        cmocka_unit_test(test_greeting_v10_is_detected_by_octet_9_bit_0),
        cmocka_unit_test(test_greeting_major_0_is_v10_after_its_socket_type),
        cmocka_unit_test(test_greeting_v20_is_complete_after_12_octets_without_waiting),
        cmocka_unit_test(test_greeting_signature_pads_with_identity_length_plus_one),
        cmocka_unit_test(test_greeting_v20_is_detected_when_fed_octet_by_octet),
        cmocka_unit_test(test_greeting_major_above_3_is_treated_as_31),
        cmocka_unit_test(test_greeting_major_2_is_treated_as_31),
        cmocka_unit_test(test_greeting_as_server_is_recorded_not_checked),
        cmocka_unit_test(test_greeting_padding_and_filler_are_not_significant),
        cmocka_unit_test(test_greeting_parses_other_mechanism_names),
        cmocka_unit_test(test_greeting_non_printable_mechanism_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
