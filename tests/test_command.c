/* ZMTP commands: parse and encode READY, ERROR, SUBSCRIBE, CANCEL, PING,
 * PONG; malformed bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "vectors.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"

/* Parses a command body (in a guard copy, kept in *g for the views). */
static zi_err parse_body(const uint8_t *body, size_t len, zmtp_command_t *cmd, uint8_t **g)
{
    *g = zt_guard_copy(body, len);
    return zmtp_command_parse(*g, len, cmd);
}

/* Parses a whole command frame vector (2-octet header). */
static zi_err parse_frame(const uint8_t *frame, size_t len, zmtp_command_t *cmd, uint8_t **g)
{
    assert_int_equal(frame[0], ZMTP_FLAG_COMMAND);
    assert_int_equal(frame[1], len - 2);
    return parse_body(frame + 2, len - 2, cmd, g);
}

static void expect_encoded(const zi_wbuf_t *b, const uint8_t *want, size_t len)
{
    assert_int_equal(b->len, len);
    assert_memory_equal(b->data, want, len);
}

/* ---- parsing ---------------------------------------------------------- */

static void test_command_parse_splits_ready_into_name_and_metadata(void **state)
{
    (void)state;
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_frame(zt_ready_dealer, sizeof zt_ready_dealer, &c, &g), ZI_OK);
    assert_int_equal(c.type, ZMTP_CMD_READY);
    assert_int_equal(c.name_len, 5);
    assert_memory_equal(c.name, "READY", 5);
    assert_ptr_equal(c.data, g + 6);
    assert_int_equal(c.len, 41 - 6);
    zt_guard_free(g);
}

static void test_command_parse_knows_every_command_name(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        zmtp_cmd_type_t type;
    } names[] = {
        {"READY", ZMTP_CMD_READY},         {"ERROR", ZMTP_CMD_ERROR},
        {"SUBSCRIBE", ZMTP_CMD_SUBSCRIBE}, {"CANCEL", ZMTP_CMD_CANCEL},
        {"PING", ZMTP_CMD_PING},           {"PONG", ZMTP_CMD_PONG},
        {"HELLO", ZMTP_CMD_HELLO},         {"WELCOME", ZMTP_CMD_WELCOME},
        {"INITIATE", ZMTP_CMD_INITIATE},   {"MESSAGE", ZMTP_CMD_MESSAGE},
        {"JOIN", ZMTP_CMD_JOIN},           {"LEAVE", ZMTP_CMD_LEAVE},
        {"FOO", ZMTP_CMD_UNKNOWN},         {"ready", ZMTP_CMD_UNKNOWN},
        {"READY1", ZMTP_CMD_UNKNOWN},      {"PIN", ZMTP_CMD_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint8_t body[32];
        size_t n = strlen(names[i].name);
        body[0] = (uint8_t)n;
        memcpy(body + 1, names[i].name, n);
        body[1 + n] = 'x';
        zmtp_command_t c;
        uint8_t *g;
        assert_int_equal(parse_body(body, n + 2, &c, &g), ZI_OK);
        assert_int_equal(c.type, names[i].type);
        assert_int_equal(c.name_len, n);
        assert_memory_equal(c.name, names[i].name, n);
        assert_int_equal(c.len, 1);
        assert_int_equal(c.data[0], 'x');
        zt_guard_free(g);
    }
}

static void test_command_parse_accepts_a_name_without_data(void **state)
{
    (void)state;
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_frame(zt_pong_bare, sizeof zt_pong_bare, &c, &g), ZI_OK);
    assert_int_equal(c.type, ZMTP_CMD_PONG);
    assert_int_equal(c.len, 0);
    zt_guard_free(g);
}

static void test_command_parse_rejects_an_empty_body(void **state)
{
    (void)state;
    zmtp_command_t c;
    uint8_t *g;
    assert_int_not_equal(parse_body(NULL, 0, &c, &g), ZI_OK);
    zt_guard_free(g);
}

static void test_command_parse_rejects_an_empty_name(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x00, 'R', 'E', 'A', 'D', 'Y'};
    zmtp_command_t c;
    uint8_t *g;
    assert_int_not_equal(parse_body(v, sizeof v, &c, &g), ZI_OK);
    zt_guard_free(g);
    assert_int_not_equal(parse_body(v, 1, &c, &g), ZI_OK);
    zt_guard_free(g);
}

static void test_command_parse_rejects_a_name_running_past_the_end(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x05, 'R', 'E', 'A', 'D'};
    zmtp_command_t c;
    uint8_t *g;
    assert_int_not_equal(parse_body(v, sizeof v, &c, &g), ZI_OK);
    zt_guard_free(g);
    static const uint8_t w[] = {0xFF, 'X'};
    assert_int_not_equal(parse_body(w, sizeof w, &c, &g), ZI_OK);
    zt_guard_free(g);
    /* every truncation of a valid command whose cut falls inside the name */
    for (size_t k = 1; k < 6; k++) {
        assert_int_not_equal(parse_body(zt_ready_dealer + 2, k, &c, &g), ZI_OK);
        zt_guard_free(g);
    }
}

/* ---- PING ------------------------------------------------------------- */

static void test_command_ping_parse_gives_ttl_and_context(void **state)
{
    (void)state;
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_frame(zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx, &c, &g), ZI_OK);
    assert_int_equal(c.type, ZMTP_CMD_PING);
    uint16_t ttl;
    const uint8_t *ctx;
    size_t ctx_len;
    assert_int_equal(zmtp_ping_parse(&c, &ttl, &ctx, &ctx_len), ZI_OK);
    assert_int_equal(ttl, 10);
    assert_int_equal(ctx_len, 4);
    assert_memory_equal(ctx, "ctx1", 4);
    zt_guard_free(g);
    assert_int_equal(parse_frame(zt_ping_bare, sizeof zt_ping_bare, &c, &g), ZI_OK);
    assert_int_equal(zmtp_ping_parse(&c, &ttl, &ctx, &ctx_len), ZI_OK);
    assert_int_equal(ttl, 0);
    assert_int_equal(ctx_len, 0);
    zt_guard_free(g);
}

/* A PING body: name, TTL 0x1234, ctx_len octets of context. */
static size_t ping_body(uint8_t *b, size_t ctx_len)
{
    b[0] = 4;
    memcpy(b + 1, "PING", 4);
    b[5] = 0x12;
    b[6] = 0x34;
    memset(b + 7, 'c', ctx_len);
    return 7 + ctx_len;
}

static void test_command_ping_with_16_octets_of_context_is_accepted(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t n = ping_body(b, 16);
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_body(b, n, &c, &g), ZI_OK);
    uint16_t ttl;
    const uint8_t *ctx;
    size_t ctx_len;
    assert_int_equal(zmtp_ping_parse(&c, &ttl, &ctx, &ctx_len), ZI_OK);
    assert_int_equal(ttl, 0x1234);
    assert_int_equal(ctx_len, 16);
    zt_guard_free(g);
}

static void test_command_ping_with_more_than_16_octets_of_context_is_rejected(void **state)
{
    (void)state;
    for (size_t extra = 17; extra < 40; extra += 11) {
        uint8_t b[64];
        size_t n = ping_body(b, extra);
        zmtp_command_t c;
        uint8_t *g;
        assert_int_equal(parse_body(b, n, &c, &g), ZI_OK);
        uint16_t ttl;
        const uint8_t *ctx;
        size_t ctx_len;
        assert_int_not_equal(zmtp_ping_parse(&c, &ttl, &ctx, &ctx_len), ZI_OK);
        zt_guard_free(g);
    }
}

static void test_command_ping_without_a_full_ttl_is_rejected(void **state)
{
    (void)state;
    uint8_t b[64];
    ping_body(b, 0);
    for (size_t n = 5; n < 7; n++) {
        zmtp_command_t c;
        uint8_t *g;
        assert_int_equal(parse_body(b, n, &c, &g), ZI_OK);
        uint16_t ttl;
        const uint8_t *ctx;
        size_t ctx_len;
        assert_int_not_equal(zmtp_ping_parse(&c, &ttl, &ctx, &ctx_len), ZI_OK);
        zt_guard_free(g);
    }
}

/* ---- ERROR ------------------------------------------------------------ */

static void test_command_error_parse_gives_the_reason(void **state)
{
    (void)state;
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_frame(zt_error_400, sizeof zt_error_400, &c, &g), ZI_OK);
    assert_int_equal(c.type, ZMTP_CMD_ERROR);
    const uint8_t *r;
    size_t rl;
    assert_int_equal(zmtp_error_parse(&c, &r, &rl), ZI_OK);
    assert_int_equal(rl, 3);
    assert_memory_equal(r, "400", 3);
    zt_guard_free(g);
}

static void test_command_error_parse_accepts_an_empty_reason(void **state)
{
    (void)state;
    static const uint8_t v[] = {5, 'E', 'R', 'R', 'O', 'R', 0};
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_body(v, sizeof v, &c, &g), ZI_OK);
    const uint8_t *r;
    size_t rl = 99;
    assert_int_equal(zmtp_error_parse(&c, &r, &rl), ZI_OK);
    assert_int_equal(rl, 0);
    zt_guard_free(g);
}

static void test_command_error_parse_must_consume_the_body_exactly(void **state)
{
    (void)state;
    /* reason length shorter than what follows: trailing octets */
    static const uint8_t trailing[] = {5, 'E', 'R', 'R', 'O', 'R', 2, '4', '0', '0'};
    /* longer: runs past the end */
    static const uint8_t past[] = {5, 'E', 'R', 'R', 'O', 'R', 4, '4', '0', '0'};
    /* no length at all */
    static const uint8_t none[] = {5, 'E', 'R', 'R', 'O', 'R'};
    const struct {
        const uint8_t *v;
        size_t n;
        zi_err want;
    } cases[] = {
        {trailing, sizeof trailing, ZI_ETRAILING},
        {past, sizeof past, ZI_ETRUNC},
        {none, sizeof none, ZI_ETRUNC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zmtp_command_t c;
        uint8_t *g;
        assert_int_equal(parse_body(cases[i].v, cases[i].n, &c, &g), ZI_OK);
        const uint8_t *r;
        size_t rl;
        assert_int_equal(zmtp_error_parse(&c, &r, &rl), cases[i].want);
        zt_guard_free(g);
    }
}

/* ---- encoding --------------------------------------------------------- */

static void test_command_encode_ready_is_the_dealer_vector(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    /* the metadata part of the vector, after header and name */
    assert_int_equal(zmtp_command_encode(&b, "READY", zt_ready_dealer + 8, 35), ZI_OK);
    expect_encoded(&b, zt_ready_dealer, sizeof zt_ready_dealer);
    zi_wbuf_fini(&b);
}

static void test_command_encode_subscribe_and_cancel(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zmtp_command_encode(&b, "SUBSCRIBE", "topic", 5), ZI_OK);
    expect_encoded(&b, zt_subscribe_topic, sizeof zt_subscribe_topic);
    zi_wbuf_reset(&b);
    assert_int_equal(zmtp_command_encode(&b, "CANCEL", "topic", 5), ZI_OK);
    expect_encoded(&b, zt_cancel_topic, sizeof zt_cancel_topic);
    zi_wbuf_fini(&b);
}

static void test_command_encode_ping_and_pong(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zmtp_ping_encode(&b, 10, "ctx1", 4), ZI_OK);
    expect_encoded(&b, zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx);
    zi_wbuf_reset(&b);
    assert_int_equal(zmtp_ping_encode(&b, 0, NULL, 0), ZI_OK);
    expect_encoded(&b, zt_ping_bare, sizeof zt_ping_bare);
    zi_wbuf_reset(&b);
    assert_int_equal(zmtp_command_encode(&b, "PONG", "ctx1", 4), ZI_OK);
    expect_encoded(&b, zt_pong_ctx, sizeof zt_pong_ctx);
    zi_wbuf_reset(&b);
    assert_int_equal(zmtp_command_encode(&b, "PONG", NULL, 0), ZI_OK);
    expect_encoded(&b, zt_pong_bare, sizeof zt_pong_bare);
    zi_wbuf_fini(&b);
}

static void test_command_encode_ping_refuses_more_than_16_octets_of_context(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zmtp_ping_encode(&b, 1, "0123456789abcdefg", 17), ZI_EINVAL);
    assert_int_equal(b.len, 0);
    assert_int_equal(zmtp_ping_encode(&b, 1, "0123456789abcdef", 16), ZI_OK);
    assert_int_equal(b.len, 2 + 5 + 2 + 16);
    zi_wbuf_fini(&b);
}

static void test_command_encode_error(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zmtp_error_encode(&b, "400"), ZI_OK);
    expect_encoded(&b, zt_error_400, sizeof zt_error_400);
    zi_wbuf_fini(&b);
}

static void test_command_encode_error_truncates_reason_to_255_octets(void **state)
{
    (void)state;
    char reason[400];
    memset(reason, 'r', sizeof reason - 1);
    reason[sizeof reason - 1] = '\0';
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zmtp_error_encode(&b, reason), ZI_OK);
    /* 1 + 5 + 1 + 255 = 262 > 255: long header */
    assert_int_equal(b.len, 9 + 262);
    zmtp_command_t c;
    uint8_t *g;
    assert_int_equal(parse_body(b.data + 9, 262, &c, &g), ZI_OK);
    const uint8_t *r;
    size_t rl;
    assert_int_equal(zmtp_error_parse(&c, &r, &rl), ZI_OK);
    assert_int_equal(rl, 255);
    zt_guard_free(g);
    zi_wbuf_fini(&b);
}

static void test_command_encode_uses_a_long_header_above_255_octets(void **state)
{
    (void)state;
    uint8_t data[300];
    memset(data, 'd', sizeof data);
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zmtp_command_encode(&b, "JOIN", data, sizeof data), ZI_OK);
    static const uint8_t hdr[] = {0x06, 0, 0, 0, 0, 0, 0, 0x01, 0x31}; /* 305 */
    assert_int_equal(b.len, 9 + 305);
    assert_memory_equal(b.data, hdr, 9);
    /* and the decoder reads it back */
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    size_t used;
    zinc_frame_t *f;
    assert_int_equal(zmtp_decoder_feed(&d, b.data, b.len, &used, &f), ZI_OK);
    assert_int_equal(used, b.len);
    zmtp_command_t c;
    assert_int_equal(zmtp_command_parse(zinc_frame_data(f), zinc_frame_size(f), &c), ZI_OK);
    assert_int_equal(c.type, ZMTP_CMD_JOIN);
    assert_int_equal(c.len, sizeof data);
    zinc_frame_unref(f);
    zmtp_decoder_fini(&d);
    zi_wbuf_fini(&b);
}

static void test_command_encode_refuses_empty_and_overlong_names(void **state)
{
    (void)state;
    char name[257];
    memset(name, 'N', 256);
    name[256] = '\0';
    zi_wbuf_t b;
    zi_wbuf_init(&b, 4096);
    assert_int_equal(zmtp_command_encode(&b, "", NULL, 0), ZI_EINVAL);
    assert_int_equal(zmtp_command_encode(&b, name, NULL, 0), ZI_EINVAL);
    assert_int_equal(b.len, 0);
    name[255] = '\0';
    assert_int_equal(zmtp_command_encode(&b, name, NULL, 0), ZI_OK);
    assert_int_equal(b.len, 9 + 256);
    zi_wbuf_fini(&b);
}

static void test_command_encode_into_a_full_buffer_leaves_it_unchanged(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 20);
    assert_int_equal(zi_wbuf_put(&b, "xyz", 3), ZI_OK);
    assert_int_equal(zmtp_command_encode(&b, "SUBSCRIBE", "topic", 5), ZI_OK); /* 3 + 17 */
    assert_int_equal(b.len, 20);
    zi_wbuf_reset(&b);
    assert_int_equal(zi_wbuf_put(&b, "xyzw", 4), ZI_OK);
    assert_int_equal(zmtp_command_encode(&b, "SUBSCRIBE", "topic", 5), ZI_EFULL);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "xyzw", 4);
    zi_wbuf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_parse_splits_ready_into_name_and_metadata),
        cmocka_unit_test(test_command_parse_knows_every_command_name),
        cmocka_unit_test(test_command_parse_accepts_a_name_without_data),
        cmocka_unit_test(test_command_parse_rejects_an_empty_body),
        cmocka_unit_test(test_command_parse_rejects_an_empty_name),
        cmocka_unit_test(test_command_parse_rejects_a_name_running_past_the_end),
        cmocka_unit_test(test_command_ping_parse_gives_ttl_and_context),
        cmocka_unit_test(test_command_ping_with_16_octets_of_context_is_accepted),
        cmocka_unit_test(test_command_ping_with_more_than_16_octets_of_context_is_rejected),
        cmocka_unit_test(test_command_ping_without_a_full_ttl_is_rejected),
        cmocka_unit_test(test_command_error_parse_gives_the_reason),
        cmocka_unit_test(test_command_error_parse_accepts_an_empty_reason),
        cmocka_unit_test(test_command_error_parse_must_consume_the_body_exactly),
        cmocka_unit_test(test_command_encode_ready_is_the_dealer_vector),
        cmocka_unit_test(test_command_encode_subscribe_and_cancel),
        cmocka_unit_test(test_command_encode_ping_and_pong),
        cmocka_unit_test(test_command_encode_ping_refuses_more_than_16_octets_of_context),
        cmocka_unit_test(test_command_encode_error),
        cmocka_unit_test(test_command_encode_error_truncates_reason_to_255_octets),
        cmocka_unit_test(test_command_encode_uses_a_long_header_above_255_octets),
        cmocka_unit_test(test_command_encode_refuses_empty_and_overlong_names),
        cmocka_unit_test(test_command_encode_into_a_full_buffer_leaves_it_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
