/* ZMTP metadata: byte-exact encoding of the READY vector, and the parser's
 * refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "vectors.h"
#include "util/cursor.h"
#include "zinc.h"
#include "zmtp/command.h"
#include "zmtp/mech.h"
#include "zmtp/metadata.h"

/* The metadata of zt_ready_dealer: after header (2), name length and name. */
#define READY_META (zt_ready_dealer + 8)
#define READY_META_LEN (sizeof zt_ready_dealer - 8)

/* Parses p (in a guard copy) into a fresh list; returns it in *out. */
static zi_err parse(const uint8_t *p, size_t len, zi_props_t **out)
{
    uint8_t *g = zt_guard_copy(p, len);
    *out = zi_props_new();
    assert_non_null(*out);
    zi_err e = zmtp_metadata_parse(g, len, *out);
    zt_guard_free(g);
    return e;
}

static void expect_refused(const uint8_t *p, size_t len)
{
    zi_props_t *props;
    assert_int_not_equal(parse(p, len, &props), ZI_OK);
    zi_props_unref(props);
}

/* A buffer built property by property. */
typedef struct {
    uint8_t b[1024];
    size_t n;
} raw_t;

static void raw_prop(raw_t *r, const char *name, size_t name_len, const char *value,
                     uint32_t value_len, size_t value_octets)
{
    r->b[r->n++] = (uint8_t)name_len;
    memcpy(r->b + r->n, name, name_len);
    r->n += name_len;
    zi_put_u32be(r->b + r->n, value_len);
    r->n += 4;
    memcpy(r->b + r->n, value, value_octets);
    r->n += value_octets;
}

/* ---- encoding --------------------------------------------------------- */

static void test_metadata_put_builds_the_43_octet_dealer_ready(void **state)
{
    (void)state;
    zi_wbuf_t meta, cmd;
    zi_wbuf_init(&meta, 1024);
    zi_wbuf_init(&cmd, 1024);
    assert_int_equal(zmtp_metadata_put(&meta, "Socket-Type", "DEALER", 6), ZI_OK);
    assert_int_equal(zmtp_metadata_put(&meta, "Identity", NULL, 0), ZI_OK);
    assert_int_equal(meta.len, READY_META_LEN);
    assert_memory_equal(meta.data, READY_META, READY_META_LEN);
    assert_int_equal(zmtp_command_encode(&cmd, "READY", meta.data, meta.len), ZI_OK);
    assert_int_equal(cmd.len, 43);
    assert_memory_equal(cmd.data, zt_ready_dealer, 43);
    zi_wbuf_fini(&meta);
    zi_wbuf_fini(&cmd);
}

/* A mechanism header with just what zmtp_mech_put_metadata reads. */
static zi_err mech_ready(const zmtp_config_t *cfg, zi_wbuf_t *cmd)
{
    zmtp_mech_t m;
    memset(&m, 0, sizeof m);
    m.cfg = cfg;
    zi_wbuf_t meta;
    zi_wbuf_init(&meta, 4096);
    zi_err e = zmtp_mech_put_metadata(&m, &meta);
    if (e == ZI_OK)
        e = zmtp_command_encode(cmd, "READY", meta.data, meta.len);
    zi_wbuf_fini(&meta);
    return e;
}

static void test_metadata_mech_put_gives_the_dealer_and_router_vectors(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zi_wbuf_t cmd;
    zi_wbuf_init(&cmd, 4096);
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    assert_int_equal(mech_ready(&cfg, &cmd), ZI_OK);
    assert_int_equal(cmd.len, sizeof zt_ready_dealer);
    assert_memory_equal(cmd.data, zt_ready_dealer, sizeof zt_ready_dealer);
    zi_wbuf_reset(&cmd);
    zmtp_config_defaults(&cfg, ZINC_ROUTER);
    assert_int_equal(mech_ready(&cfg, &cmd), ZI_OK);
    assert_memory_equal(cmd.data, zt_ready_router, sizeof zt_ready_router);
    zi_wbuf_reset(&cmd);
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.routing_id = (const uint8_t *)"peer-7";
    cfg.routing_id_len = 6;
    assert_int_equal(mech_ready(&cfg, &cmd), ZI_OK);
    assert_int_equal(cmd.len, sizeof zt_ready_dealer_id);
    assert_memory_equal(cmd.data, zt_ready_dealer_id, sizeof zt_ready_dealer_id);
    zi_wbuf_fini(&cmd);
}

static void test_metadata_mech_put_sends_no_identity_from_pub_or_sub(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zi_wbuf_t cmd;
    zi_wbuf_init(&cmd, 4096);
    zmtp_config_defaults(&cfg, ZINC_PUB);
    cfg.routing_id = (const uint8_t *)"ignored";
    cfg.routing_id_len = 7;
    assert_int_equal(mech_ready(&cfg, &cmd), ZI_OK);
    assert_int_equal(cmd.len, sizeof zt_ready_pub);
    assert_memory_equal(cmd.data, zt_ready_pub, sizeof zt_ready_pub);
    zi_wbuf_reset(&cmd);
    zmtp_config_defaults(&cfg, ZINC_SUB);
    assert_int_equal(mech_ready(&cfg, &cmd), ZI_OK);
    assert_memory_equal(cmd.data, zt_ready_sub, sizeof zt_ready_sub);
    zi_wbuf_fini(&cmd);
}

static void test_metadata_mech_put_appends_extra_properties_in_order(void **state)
{
    (void)state;
    zi_props_t *extra = zi_props_new();
    assert_int_equal(zi_props_set(extra, "X-Color", 7, "blue", 4), ZI_OK);
    assert_int_equal(zi_props_set(extra, "X-Empty", 7, "", 0), ZI_OK);
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_PUSH);
    cfg.extra_metadata = extra;
    zi_wbuf_t cmd;
    zi_wbuf_init(&cmd, 4096);
    assert_int_equal(mech_ready(&cfg, &cmd), ZI_OK);
    zmtp_command_t c;
    assert_int_equal(zmtp_command_parse(cmd.data + 2, cmd.len - 2, &c), ZI_OK);
    raw_t want = {.n = 0};
    raw_prop(&want, "Socket-Type", 11, "PUSH", 4, 4);
    raw_prop(&want, "X-Color", 7, "blue", 4, 4);
    raw_prop(&want, "X-Empty", 7, "", 0, 0);
    assert_int_equal(c.len, want.n);
    assert_memory_equal(c.data, want.b, want.n);
    zi_wbuf_fini(&cmd);
    zi_props_unref(extra);
}

static void test_metadata_put_refuses_bad_names_and_sizes(void **state)
{
    (void)state;
    char name[257];
    memset(name, 'n', 256);
    name[256] = '\0';
    zi_wbuf_t b;
    zi_wbuf_init(&b, 4096);
    assert_int_equal(zmtp_metadata_put(&b, "", "v", 1), ZI_EINVAL);
    assert_int_equal(zmtp_metadata_put(&b, name, "v", 1), ZI_EINVAL);
    /* the size is checked before the value is touched */
    assert_int_equal(zmtp_metadata_put(&b, "X-Big", "v", (size_t)UINT32_MAX + 1), ZI_EINVAL);
    assert_int_equal(b.len, 0);
    name[255] = '\0';
    assert_int_equal(zmtp_metadata_put(&b, name, "v", 1), ZI_OK);
    assert_int_equal(b.len, zmtp_metadata_size(255, 1));
    zi_wbuf_fini(&b);
}

static void test_metadata_put_into_a_full_buffer_leaves_it_unchanged(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 20);
    assert_int_equal(zmtp_metadata_put(&b, "Identity", "abc", 3), ZI_OK); /* 16 */
    assert_int_equal(zmtp_metadata_put(&b, "Identity", "abc", 3), ZI_EFULL);
    assert_int_equal(b.len, 16);
    zi_wbuf_fini(&b);
}

/* ---- parsing ---------------------------------------------------------- */

static void test_metadata_parse_reads_the_ready_vector(void **state)
{
    (void)state;
    zi_props_t *p;
    assert_int_equal(parse(READY_META, READY_META_LEN, &p), ZI_OK);
    assert_int_equal(zi_props_count(p), 2);
    size_t len;
    assert_string_equal(zi_props_get(p, "Socket-Type", &len), "DEALER");
    assert_int_equal(len, 6);
    assert_string_equal(zi_props_get(p, "Identity", &len), "");
    assert_int_equal(len, 0);
    zi_props_unref(p);
}

static void test_metadata_lookup_ignores_case(void **state)
{
    (void)state;
    zi_props_t *p;
    assert_int_equal(parse(READY_META, READY_META_LEN, &p), ZI_OK);
    assert_string_equal(zi_props_get(p, "socket-type", NULL), "DEALER");
    assert_string_equal(zi_props_get(p, "SOCKET-TYPE", NULL), "DEALER");
    assert_non_null(zi_props_get(p, "iDENTITY", NULL));
    assert_null(zi_props_get(p, "Socket-Typ", NULL));
    assert_null(zi_props_get(p, "Socket-Types", NULL));
    zi_props_unref(p);
    /* a peer that spells the name in lower case is understood */
    raw_t r = {.n = 0};
    raw_prop(&r, "socket-type", 11, "PUB", 3, 3);
    assert_int_equal(parse(r.b, r.n, &p), ZI_OK);
    assert_string_equal(zi_props_get(p, "Socket-Type", NULL), "PUB");
    zi_props_unref(p);
}

static void test_metadata_parse_of_nothing_is_an_empty_list(void **state)
{
    (void)state;
    zi_props_t *p;
    assert_int_equal(parse(NULL, 0, &p), ZI_OK);
    assert_int_equal(zi_props_count(p), 0);
    zi_props_unref(p);
}

static void test_metadata_values_keep_binary_octets_and_length(void **state)
{
    (void)state;
    raw_t r = {.n = 0};
    raw_prop(&r, "X-Bin", 5, "a\0b\xff", 4, 4);
    zi_props_t *p;
    assert_int_equal(parse(r.b, r.n, &p), ZI_OK);
    size_t len;
    const char *v = zi_props_get(p, "x-bin", &len);
    assert_int_equal(len, 4);
    assert_memory_equal(v, "a\0b\xff", 4);
    assert_int_equal(v[4], '\0');
    zi_props_unref(p);
}

static void test_metadata_trailing_octets_are_an_error(void **state)
{
    (void)state;
    uint8_t b[READY_META_LEN + 8];
    memcpy(b, READY_META, READY_META_LEN);
    memset(b + READY_META_LEN, 0, 8);
    for (size_t extra = 1; extra <= 8; extra++)
        expect_refused(b, READY_META_LEN + extra);
}

static void test_metadata_every_cut_inside_a_property_is_an_error(void **state)
{
    (void)state;
    /* 0 and 22 (after Socket-Type) and 35 (the end) are property boundaries */
    for (size_t k = 0; k <= READY_META_LEN; k++) {
        zi_props_t *p;
        zi_err e = parse(READY_META, k, &p);
        if (k == 0 || k == 22 || k == READY_META_LEN)
            assert_int_equal(e, ZI_OK);
        else
            assert_int_not_equal(e, ZI_OK);
        zi_props_unref(p);
    }
}

static void test_metadata_value_length_past_the_end_is_an_error(void **state)
{
    (void)state;
    const uint32_t lens[] = {7, 100, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        raw_t r = {.n = 0};
        raw_prop(&r, "Socket-Type", 11, "DEALER", lens[i], 6);
        expect_refused(r.b, r.n);
    }
}

static void test_metadata_name_length_past_the_end_is_an_error(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x20, 'S', 'o', 'c', 'k'};
    expect_refused(v, sizeof v);
    static const uint8_t w[] = {0xFF};
    expect_refused(w, sizeof w);
}

static void test_metadata_empty_name_is_an_error(void **state)
{
    (void)state;
    raw_t r = {.n = 0};
    raw_prop(&r, "", 0, "v", 1, 1);
    expect_refused(r.b, r.n);
    /* after a good property too */
    raw_t s = {.n = 0};
    raw_prop(&s, "Socket-Type", 11, "PUB", 3, 3);
    raw_prop(&s, "", 0, "", 0, 0);
    expect_refused(s.b, s.n);
}

static void test_metadata_name_with_a_bad_character_is_an_error(void **state)
{
    (void)state;
    static const char *bad[] = {"X Y", "X:Y", "X/Y", "X\x80", "\x01", "X\0Y", "X=Y", "X@"};
    static const size_t bad_len[] = {3, 3, 3, 2, 1, 3, 3, 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        raw_t r = {.n = 0};
        raw_prop(&r, bad[i], bad_len[i], "v", 1, 1);
        expect_refused(r.b, r.n);
    }
    /* every allowed character class: ALPHA DIGIT - _ . + */
    raw_t ok = {.n = 0};
    raw_prop(&ok, "Xa-Z_0.9+", 9, "v", 1, 1);
    zi_props_t *p;
    assert_int_equal(parse(ok.b, ok.n, &p), ZI_OK);
    assert_string_equal(zi_props_get(p, "xA-z_0.9+", NULL), "v");
    zi_props_unref(p);
}

static void test_metadata_duplicate_name_is_an_error(void **state)
{
    (void)state;
    raw_t r = {.n = 0};
    raw_prop(&r, "Identity", 8, "a", 1, 1);
    raw_prop(&r, "Identity", 8, "b", 1, 1);
    expect_refused(r.b, r.n);
    /* names differ only in case: still the same name */
    raw_t s = {.n = 0};
    raw_prop(&s, "Socket-Type", 11, "PUB", 3, 3);
    raw_prop(&s, "SOCKET-TYPE", 11, "SUB", 3, 3);
    expect_refused(s.b, s.n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_put_builds_the_43_octet_dealer_ready),
        cmocka_unit_test(test_metadata_mech_put_gives_the_dealer_and_router_vectors),
        cmocka_unit_test(test_metadata_mech_put_sends_no_identity_from_pub_or_sub),
        cmocka_unit_test(test_metadata_mech_put_appends_extra_properties_in_order),
        cmocka_unit_test(test_metadata_put_refuses_bad_names_and_sizes),
        cmocka_unit_test(test_metadata_put_into_a_full_buffer_leaves_it_unchanged),
        cmocka_unit_test(test_metadata_parse_reads_the_ready_vector),
        cmocka_unit_test(test_metadata_lookup_ignores_case),
        cmocka_unit_test(test_metadata_parse_of_nothing_is_an_empty_list),
        cmocka_unit_test(test_metadata_values_keep_binary_octets_and_length),
        cmocka_unit_test(test_metadata_trailing_octets_are_an_error),
        cmocka_unit_test(test_metadata_every_cut_inside_a_property_is_an_error),
        cmocka_unit_test(test_metadata_value_length_past_the_end_is_an_error),
        cmocka_unit_test(test_metadata_name_length_past_the_end_is_an_error),
        cmocka_unit_test(test_metadata_empty_name_is_an_error),
        cmocka_unit_test(test_metadata_name_with_a_bad_character_is_an_error),
        cmocka_unit_test(test_metadata_duplicate_name_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
