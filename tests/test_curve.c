/* The CURVE mechanism (RFC 25/26): the handshake between two engines in
 * both roles, fed at every split point and byte by byte; bad handshakes
 * (wrong keys, replayed nonces, truncated and oversized commands, bad boxes)
 * ending with libzmq's protocol-error codes and one on_error; MESSAGE round
 * trips with MORE from 0 octets to 1 MiB; commands sealed inside MESSAGE;
 * ZAP decisions; and, when the system python has pyzmq, interop with libzmq
 * over real sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pysec.h"
#include "sechelp.h"
#include "util/cursor.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"
#include "zmtp/greeting.h"
#include "zmtp/mech.h"

/* Offsets in a transcript, client to server: greeting, HELLO frame (2 +
 * 200), INITIATE frame (header + 257 + metadata). Server to client:
 * greeting, WELCOME (2 + 168), READY. */
#define HELLO_AT 64
#define HELLO_FRAME 202
#define WELCOME_AT 64
#define WELCOME_FRAME 170
#define INITIATE_AT (HELLO_AT + HELLO_FRAME)
#define READY_AT (WELCOME_AT + WELCOME_FRAME)

static void setup_pair(zt_sec_pair_t *p, zt_peer_t *c, zt_peer_t *s)
{
    zt_peer_init(c, &p->client, 0);
    zt_peer_init(s, &p->server, 0);
    zmtp_engine_set_zap(s->eng, zt_zap_fn);
    zt_zap_reset(false);
}

static void assert_failed_once(const zt_peer_t *p, zi_err err, uint32_t protocol)
{
    assert_int_equal(p->errors, 1);
    assert_int_equal(p->err.err, err);
    assert_int_equal(p->err.protocol, protocol);
    assert_non_null(p->err.reason);
    assert_int_equal(p->ready, 0);
    assert_true(zmtp_engine_failed(p->eng));
}

/* ---- complete handshakes ------------------------------------------------------- */

static void test_curve_handshake_completes_and_exchanges_metadata(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    p.client.routing_id = (const uint8_t *)"cli";
    p.client.routing_id_len = 3;
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    assert_int_equal(c.errors, 0);
    assert_int_equal(s.errors, 0);
    assert_int_equal(c.ready, 1);
    assert_int_equal(s.ready, 1);
    assert_string_equal(zi_props_get(s.ready_meta, "Socket-Type", NULL), "DEALER");
    assert_string_equal(zi_props_get(s.ready_meta, "Identity", NULL), "cli");
    assert_string_equal(zi_props_get(c.ready_meta, "Socket-Type", NULL), "ROUTER");
    /* Without a ZAP handler there is no User-Id (libzmq takes it from ZAP). */
    assert_null(zi_props_get(s.ready_meta, "User-Id", NULL));
    assert_int_equal(zt_zap.requests, 1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

static void test_curve_commands_have_their_rfc_sizes(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_PUSH, ZINC_PULL);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    /* HELLO: a 200-octet command; WELCOME: 168 */
    assert_true(t.c2s_len > INITIATE_AT);
    assert_int_equal(t.c2s[HELLO_AT], ZMTP_FLAG_COMMAND);
    assert_int_equal(t.c2s[HELLO_AT + 1], 200);
    assert_memory_equal(t.c2s + HELLO_AT + 2, "\x05HELLO\x01\x00", 8);
    assert_int_equal(t.s2c[WELCOME_AT], ZMTP_FLAG_COMMAND);
    assert_int_equal(t.s2c[WELCOME_AT + 1], 168);
    assert_memory_equal(t.s2c + WELCOME_AT + 2, "\x07WELCOME", 8);
    /* INITIATE: 257 + metadata ("Socket-Type" = "PUSH": 20 octets) */
    assert_int_equal(t.c2s[INITIATE_AT], ZMTP_FLAG_COMMAND | ZMTP_FLAG_LONG);
    assert_int_equal(zi_get_u64be(t.c2s + INITIATE_AT + 1), 257 + 20);
    assert_memory_equal(t.c2s + INITIATE_AT + 9, "\x08INITIATE", 9);
    assert_int_equal(t.c2s_len, INITIATE_AT + 9 + 257 + 20);
    /* READY: 30 + metadata ("Socket-Type" = "PULL") */
    assert_int_equal(t.s2c[READY_AT + 1], 30 + 20);
    assert_memory_equal(t.s2c + READY_AT + 2, "\x05READY", 6);
    assert_int_equal(t.s2c_len, READY_AT + 2 + 50);
    /* Short nonces: HELLO 1, INITIATE 2; READY 1. */
    assert_int_equal(zi_get_u64be(t.c2s + HELLO_AT + 2 + 112), 1);
    assert_int_equal(zi_get_u64be(t.c2s + INITIATE_AT + 9 + 105), 2);
    assert_int_equal(zi_get_u64be(t.s2c + READY_AT + 2 + 6), 1);
    zt_transcript_free(&t);
}

/* Feeds data[from, to) in one guard copy. */
static void feed_piece(zt_peer_t *p, const uint8_t *data, size_t from, size_t to)
{
    if (from >= to)
        return;
    uint8_t *g = zt_guard_copy(data + from, to - from);
    assert_int_equal(zmtp_engine_feed(p->eng, g, to - from), to - from);
    zt_guard_free(g);
}

typedef struct {
    zt_sec_pair_t *pair;
    const zt_transcript_t *t;
    bool server_side;
} split_ctx_t;

/* A fresh engine of one role, fed the other's transcript in two pieces,
 * must say exactly what it said in the transcript, and be ready. */
static void split_check(split_ctx_t *x, size_t k)
{
    zt_sec_pair_t *p = x->pair;
    p->client_rng = 1001;
    p->server_rng = 2002;
    zt_peer_t e;
    zt_peer_init(&e, x->server_side ? &p->server : &p->client, 0);
    const uint8_t *in = x->server_side ? x->t->c2s : x->t->s2c;
    size_t n = x->server_side ? x->t->c2s_len : x->t->s2c_len;
    feed_piece(&e, in, 0, k);
    feed_piece(&e, in, k, n);
    size_t len;
    uint8_t *out = zt_drain(e.eng, &len);
    const uint8_t *want = x->server_side ? x->t->s2c : x->t->c2s;
    size_t want_len = x->server_side ? x->t->s2c_len : x->t->c2s_len;
    assert_int_equal(e.errors, 0);
    assert_int_equal(e.ready, 1);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, len);
    free(out);
    zt_peer_fini(&e);
}

static void test_curve_handshake_survives_every_split_point_in_both_roles(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    for (int side = 0; side < 2; side++) {
        split_ctx_t x = {&p, &t, side == 1};
        size_t n = side ? t.c2s_len : t.s2c_len;
        for (size_t k = 0; k <= n; k++)
            split_check(&x, k);
    }
    zt_transcript_free(&t);
}

static void test_curve_handshake_fed_one_octet_at_a_time(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_REQ, ZINC_REP);
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    for (int round = 0; round < 50 && !(c.ready && s.ready); round++) {
        size_t lc, ls;
        uint8_t *oc = zt_drain(c.eng, &lc), *os = zt_drain(s.eng, &ls);
        for (size_t i = 0; i < lc; i++)
            feed_piece(&s, oc, i, i + 1);
        for (size_t i = 0; i < ls; i++)
            feed_piece(&c, os, i, i + 1);
        free(oc);
        free(os);
    }
    assert_int_equal(c.ready, 1);
    assert_int_equal(s.ready, 1);
    assert_int_equal(c.errors + s.errors, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

/* ---- bad handshakes ------------------------------------------------------------- */

/* A fresh engine of one role fed the transcript with one edit applied to
 * the command at `at` (offset of its frame): frame (header + body) replaced
 * by repl/repl_len. */
static void feed_edited(zt_sec_pair_t *p, const zt_transcript_t *t, bool server_side, size_t at,
                        size_t frame_len, const uint8_t *repl, size_t repl_len, zt_peer_t *e)
{
    p->client_rng = 1001;
    p->server_rng = 2002;
    zt_peer_init(e, server_side ? &p->server : &p->client, 0);
    const uint8_t *in = server_side ? t->c2s : t->s2c;
    feed_piece(e, in, 0, at);
    uint8_t *g = zt_guard_copy(repl, repl_len);
    zmtp_engine_feed(e->eng, g, repl_len);
    zt_guard_free(g);
    (void)frame_len;
}

/* A command frame with a 1-octet size header around body. */
static size_t short_frame(uint8_t *out, const uint8_t *body, size_t len)
{
    out[0] = ZMTP_FLAG_COMMAND;
    out[1] = (uint8_t)len;
    memcpy(out + 2, body, len);
    return len + 2;
}

static size_t long_frame(uint8_t *out, const uint8_t *body, size_t len)
{
    out[0] = ZMTP_FLAG_COMMAND | ZMTP_FLAG_LONG;
    zi_put_u64be(out + 1, len);
    memcpy(out + 9, body, len);
    return len + 9;
}

static void test_curve_server_rejects_hello_of_wrong_size_or_version(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    const uint8_t *hello = t.c2s + HELLO_AT + 2;
    uint8_t body[300], frame[310];
    /* truncated (199) and oversized (201) */
    for (int d = -1; d <= 1; d += 2) {
        size_t len = (size_t)(200 + d);
        memset(body, 0, sizeof body);
        memcpy(body, hello, len < 200 ? len : 200);
        zt_peer_t e;
        feed_edited(&p, &t, true, HELLO_AT, HELLO_FRAME, frame, short_frame(frame, body, len), &e);
        assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
        assert_true(e.err.handshake);
        zt_peer_fini(&e);
    }
    /* CurveZMQ version 2.0 */
    memcpy(body, hello, 200);
    body[6] = 2;
    zt_peer_t e;
    feed_edited(&p, &t, true, HELLO_AT, HELLO_FRAME, frame, short_frame(frame, body, 200), &e);
    assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    zt_peer_fini(&e);
    zt_transcript_free(&t);
}

static void test_curve_server_rejects_hello_with_a_bad_box(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    /* One flipped bit in the MAC, in the ciphertext, in C', in the nonce. */
    const size_t spots[] = {120, 150, 199, 80, 90, 119};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        uint8_t frame[HELLO_FRAME];
        memcpy(frame, t.c2s + HELLO_AT, HELLO_FRAME);
        frame[2 + spots[i]] ^= 0x10;
        zt_peer_t e;
        feed_edited(&p, &t, true, HELLO_AT, HELLO_FRAME, frame, sizeof frame, &e);
        assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
        /* nothing but the greeting went out: no WELCOME */
        size_t len;
        free(zt_drain(e.eng, &len));
        assert_int_equal(len, 64);
        zt_peer_fini(&e);
    }
    zt_transcript_free(&t);
}

static void test_curve_server_rejects_a_zero_client_transient_key(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    uint8_t frame[HELLO_FRAME];
    memcpy(frame, t.c2s + HELLO_AT, HELLO_FRAME);
    memset(frame + 2 + 80, 0, 32); /* C' = 0: a low-order point */
    zt_peer_t e;
    feed_edited(&p, &t, true, HELLO_AT, HELLO_FRAME, frame, sizeof frame, &e);
    assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    zt_peer_fini(&e);
    zt_transcript_free(&t);
}

static void test_curve_client_with_the_wrong_server_key_is_refused(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    zt_keypair_t other = zt_keypair(33);
    memcpy(p.client.curve_serverkey, other.pub, 32);
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    /* The server cannot open HELLO and closes without a word. */
    assert_failed_once(&s, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.ready, 0);
    assert_int_equal(zt_zap.requests, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

static void test_curve_client_whose_keys_do_not_match_fails_the_vouch(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    zt_keypair_t other = zt_keypair(44);
    memcpy(p.client.curve_publickey, other.pub, 32); /* not the secret's */
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    assert_failed_once(&s, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    assert_int_equal(c.ready, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

/* libzmq's way: a server given only curve_secretkey (curve_publickey left
 * unset) completes the handshake; one given another public key refuses the
 * vouch, which names its real key. */
static void test_curve_server_with_only_its_secret_key_accepts_a_client(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    memset(p.server.curve_publickey, 0, 32);
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    assert_int_equal(c.errors, 0);
    assert_int_equal(s.errors, 0);
    assert_int_equal(c.ready, 1);
    assert_int_equal(s.ready, 1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);

    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    zt_keypair_t other = zt_keypair(55);
    memcpy(p.server.curve_publickey, other.pub, 32);
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    assert_failed_once(&s, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
    assert_int_equal(c.ready, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

static void test_curve_client_rejects_welcome_of_wrong_size_or_box(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    const uint8_t *welcome = t.s2c + WELCOME_AT + 2;
    uint8_t body[200], frame[210];
    for (int d = -1; d <= 1; d += 2) {
        size_t len = (size_t)(168 + d);
        memset(body, 0, sizeof body);
        memcpy(body, welcome, len < 168 ? len : 168);
        zt_peer_t e;
        feed_edited(&p, &t, false, WELCOME_AT, WELCOME_FRAME, frame, short_frame(frame, body, len),
                    &e);
        assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
        zt_peer_fini(&e);
    }
    memcpy(body, welcome, 168);
    body[100] ^= 1;
    zt_peer_t e;
    feed_edited(&p, &t, false, WELCOME_AT, WELCOME_FRAME, frame, short_frame(frame, body, 168), &e);
    assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    zt_peer_fini(&e);
    zt_transcript_free(&t);
}

/* The server, fed the client's transcript with INITIATE replaced. */
static void initiate_check(zt_sec_pair_t *p, const zt_transcript_t *t, const uint8_t *body,
                           size_t len, zi_err err, uint32_t protocol)
{
    uint8_t *frame = malloc(len + 9);
    assert_non_null(frame);
    size_t n = len > 255 ? long_frame(frame, body, len) : short_frame(frame, body, len);
    zt_peer_t e;
    feed_edited(p, t, true, INITIATE_AT, t->c2s_len - INITIATE_AT, frame, n, &e);
    assert_failed_once(&e, err, protocol);
    /* no READY: the output is the greeting and WELCOME */
    size_t out;
    free(zt_drain(e.eng, &out));
    assert_int_equal(out, WELCOME_AT + WELCOME_FRAME);
    zt_peer_fini(&e);
    free(frame);
}

static void test_curve_server_rejects_bad_initiates(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    const uint8_t *init = t.c2s + INITIATE_AT + 9;
    size_t len = t.c2s_len - INITIATE_AT - 9;
    uint8_t body[1024];
    memcpy(body, init, len);
    /* truncated below 257 */
    initiate_check(&p, &t, body, 256, ZI_EPROTO,
                   ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    /* one octet more: the box no longer opens */
    body[len] = 0;
    initiate_check(&p, &t, body, len + 1, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* a cookie that is not ours */
    memcpy(body, init, len);
    body[9 + 40] ^= 4;
    initiate_check(&p, &t, body, len, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* a flipped bit in the box */
    memcpy(body, init, len);
    body[len - 1] ^= 0x80;
    initiate_check(&p, &t, body, len, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* the HELLO's nonce again: a replay */
    memcpy(body, init, len);
    zi_put_u64be(body + 9 + 96, 1);
    initiate_check(&p, &t, body, len, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    zt_transcript_free(&t);
}

static void test_curve_client_rejects_bad_readies(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    const uint8_t *ready = t.s2c + READY_AT + 2;
    size_t len = t.s2c_len - READY_AT - 2;
    uint8_t body[256], frame[300];
    struct {
        size_t len;
        size_t flip; /* 0: none */
        uint64_t nonce;
        uint32_t protocol;
    } cases[] = {
        {29, 0, 1, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY},
        {len, 20, 1, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC},
        {len + 1, 0, 1, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC},
        {len, 0, 0, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(body, 0, sizeof body);
        memcpy(body, ready, len);
        if (cases[i].flip)
            body[cases[i].flip] ^= 1;
        zi_put_u64be(body + 6, cases[i].nonce);
        zt_peer_t e;
        feed_edited(&p, &t, false, READY_AT, 0, frame, short_frame(frame, body, cases[i].len), &e);
        assert_failed_once(&e, ZI_EPROTO, cases[i].protocol);
        zt_peer_fini(&e);
    }
    zt_transcript_free(&t);
}

static void test_curve_unexpected_commands_fail_the_handshake(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    /* the server gets a READY where HELLO belongs; the client a HELLO where
     * WELCOME belongs */
    static const uint8_t ready[] = {0x04, 0x06, 0x05, 'R', 'E', 'A', 'D', 'Y'};
    zt_peer_t e;
    feed_edited(&p, &t, true, HELLO_AT, 0, ready, sizeof ready, &e);
    assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    zt_peer_fini(&e);
    feed_edited(&p, &t, false, WELCOME_AT, 0, t.c2s + HELLO_AT, HELLO_FRAME, &e);
    assert_failed_once(&e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    zt_peer_fini(&e);
    /* two clients, two servers */
    zt_peer_t a, b;
    zt_peer_init(&a, &p.client, 0);
    zt_peer_init(&b, &p.client, 0);
    zt_pump(&a, &b);
    assert_failed_once(&a, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    assert_failed_once(&b, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    zt_peer_fini(&a);
    zt_peer_fini(&b);
    zt_transcript_free(&t);
}

static void test_curve_oversized_command_is_refused_before_allocation(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    /* an INITIATE claiming 2 GiB */
    uint8_t hdr[9] = {ZMTP_FLAG_COMMAND | ZMTP_FLAG_LONG};
    zi_put_u64be(hdr + 1, (uint64_t)1 << 31);
    zt_peer_t e;
    feed_edited(&p, &t, true, INITIATE_AT, 0, hdr, sizeof hdr, &e);
    assert_int_equal(e.errors, 1);
    assert_int_equal(e.err.err, ZI_EMSGSIZE);
    zt_peer_fini(&e);
    zt_transcript_free(&t);
}

static void test_curve_error_from_the_server_is_reported_with_its_status(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_transcript_t t;
    zt_transcript(&p.client, &p.server, false, "200", &t);
    static const uint8_t err400[] = {0x04, 0x0a, 0x05, 'E', 'R', 'R', 'O', 'R', 3, '4', '0', '0'};
    zt_peer_t e;
    feed_edited(&p, &t, false, READY_AT, 0, err400, sizeof err400, &e);
    assert_failed_once(&e, ZI_EAUTH, 0);
    assert_int_equal(e.err.zap_status, 400);
    zt_peer_fini(&e);
    /* also in place of WELCOME; a reason that is not a status is EPEER */
    static const uint8_t errx[] = {0x04, 0x0a, 0x05, 'E', 'R', 'R', 'O', 'R', 3, 'b', 'a', 'd'};
    feed_edited(&p, &t, false, WELCOME_AT, 0, errx, sizeof errx, &e);
    assert_failed_once(&e, ZI_EPEER, 0);
    assert_int_equal(e.err.zap_status, 0);
    zt_peer_fini(&e);
    zt_transcript_free(&t);
}

/* ---- messages ------------------------------------------------------------------- */

static void ready_pair(zt_sec_pair_t *p, zt_peer_t *c, zt_peer_t *s)
{
    setup_pair(p, c, s);
    zt_pump(c, s);
    assert_int_equal(c->ready, 1);
    assert_int_equal(s->ready, 1);
}

static zinc_frame_t *pattern_frame(size_t n, unsigned salt)
{
    zinc_frame_t *f = zinc_frame_new_size(n);
    assert_non_null(f);
    uint8_t *d = zinc_frame_data_mut(f);
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)(i * 31 + salt);
    return f;
}

static void assert_pattern(const zinc_frame_t *f, size_t n, unsigned salt, bool more)
{
    assert_int_equal(zinc_frame_size(f), n);
    assert_int_equal(zinc_frame_more(f), more);
    const uint8_t *d = zinc_frame_data(f);
    for (size_t i = 0; i < n; i++)
        if (d[i] != (uint8_t)(i * 31 + salt))
            fail_msg("octet %zu of a %zu-octet frame differs", i, n);
}

static void test_curve_messages_round_trip_with_more_from_0_octets_to_1_mib(void **state)
{
    (void)state;
    static const size_t sizes[] = {0,   1,         2,    222,  223,   255,
                                   256, 8192 - 33, 8192, 8193, 65536, 1 << 20};
    const size_t n = sizeof sizes / sizeof sizes[0];
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_peer_t c, s;
    ready_pair(&p, &c, &s);
    zt_peer_t *from[2] = {&c, &s}, *to[2] = {&s, &c};
    for (int dir = 0; dir < 2; dir++) {
        /* one multipart message of every size, then each alone */
        for (size_t i = 0; i < n; i++)
            assert_int_equal(
                zmtp_engine_send(from[dir]->eng, pattern_frame(sizes[i], (unsigned)i), i + 1 < n),
                ZI_OK);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(zmtp_engine_send(from[dir]->eng, pattern_frame(sizes[i], 7), false),
                             ZI_OK);
        zt_pump(&c, &s);
        assert_int_equal(to[dir]->nframes, 2 * n);
        for (size_t i = 0; i < n; i++) {
            assert_pattern(to[dir]->frames[i], sizes[i], (unsigned)i, i + 1 < n);
            assert_pattern(to[dir]->frames[n + i], sizes[i], 7, false);
            /* every frame carries the connection's metadata */
            assert_non_null(zinc_frame_meta(to[dir]->frames[i], "Socket-Type"));
        }
        zt_peer_clear_frames(to[dir]);
    }
    assert_int_equal(c.errors + s.errors, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

static void test_curve_message_frames_are_sealed_with_outer_flags_zero(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_peer_t c, s;
    ready_pair(&p, &c, &s);
    static const char secret[] = "attack at dawn";
    assert_int_equal(zmtp_engine_send(c.eng, zinc_frame_new(secret, 14), true), ZI_OK);
    assert_int_equal(zmtp_engine_send(c.eng, pattern_frame(300, 1), false), ZI_OK);
    size_t len;
    uint8_t *out = zt_drain(c.eng, &len);
    /* frame 1: flags 0 (no MORE outside: it is inside), 14 + 33 octets,
     * MESSAGE, short nonce 3 (after HELLO 1 and INITIATE 2) */
    assert_int_equal(len, 2 + 47 + 9 + 333);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 47);
    assert_memory_equal(out + 2, "\x07MESSAGE", 8);
    assert_int_equal(zi_get_u64be(out + 10), 3);
    assert_null(memmem(out, len, "dawn", 4));
    /* frame 2: LONG, nonce 4 */
    assert_int_equal(out[49], ZMTP_FLAG_LONG);
    assert_int_equal(zi_get_u64be(out + 50), 333);
    assert_int_equal(zi_get_u64be(out + 58 + 8), 4);
    zmtp_engine_feed(s.eng, out, len);
    assert_int_equal(s.nframes, 2);
    assert_memory_equal(zinc_frame_data(s.frames[0]), secret, 14);
    assert_true(zinc_frame_more(s.frames[0]));
    free(out);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

/* One sealed MESSAGE from `from`, as bytes on the wire. */
static uint8_t *sealed_message(zt_peer_t *from, size_t size, size_t *len)
{
    assert_int_equal(zmtp_engine_send(from->eng, pattern_frame(size, 3), false), ZI_OK);
    return zt_drain(from->eng, len);
}

static void test_curve_replayed_message_nonce_is_an_invalid_sequence(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
    zt_peer_t c, s;
    ready_pair(&p, &c, &s);
    size_t l1, l2;
    uint8_t *m1 = sealed_message(&c, 10, &l1), *m2 = sealed_message(&c, 10, &l2);
    /* m2 then m1: a lower nonce */
    zmtp_engine_feed(s.eng, m2, l2);
    assert_int_equal(s.nframes, 1);
    zmtp_engine_feed(s.eng, m1, l1);
    assert_int_equal(s.errors, 1);
    assert_int_equal(s.err.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    assert_false(s.err.handshake);
    assert_int_equal(s.nframes, 1);
    zt_peer_fini(&s);
    /* the same message twice, to a new server */
    zt_peer_fini(&c);
    ready_pair(&p, &c, &s);
    free(m1);
    free(m2);
    m1 = sealed_message(&c, 0, &l1);
    zmtp_engine_feed(s.eng, m1, l1);
    zmtp_engine_feed(s.eng, m1, l1);
    assert_int_equal(s.nframes, 1);
    assert_int_equal(s.errors, 1);
    assert_int_equal(s.err.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    free(m1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

static void test_curve_bad_message_frames_end_the_connection(void **state)
{
    (void)state;
    struct {
        size_t at;    /* octet to change in the 10-octet message's frame */
        uint8_t xor ; /* 0: truncate the frame to `at` octets of body */
        uint32_t protocol;
    } cases[] = {
        {2 + 20, 1, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC},     /* MAC */
        {2 + 40, 1, ZINC_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC},     /* ciphertext */
        {2 + 3, 1, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND}, /* the name */
        {32, 0, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE},
        {8, 0, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE},
        {7, 0, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED},
        {0, 0, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zt_sec_pair_t p;
        zt_curve_configs(&p, ZINC_DEALER, ZINC_DEALER);
        zt_peer_t c, s;
        ready_pair(&p, &c, &s);
        size_t len;
        uint8_t *m = sealed_message(&s, 10, &len);
        assert_int_equal(len, 2 + 43);
        if (cases[i].xor) {
            m[cases[i].at] ^= cases[i].xor ;
        } else {
            m[1] = (uint8_t)cases[i].at;
            len = 2 + cases[i].at;
        }
        zmtp_engine_feed(c.eng, m, len);
        assert_int_equal(c.errors, 1);
        assert_int_equal(c.err.err, ZI_EPROTO);
        assert_int_equal(c.err.protocol, cases[i].protocol);
        assert_int_equal(c.nframes, 0);
        free(m);
        zt_peer_fini(&c);
        zt_peer_fini(&s);
    }
}

static void test_curve_ping_pong_and_subscriptions_travel_inside_message(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_SUB, ZINC_PUB);
    p.client.heartbeat_ivl = 100;
    p.client.heartbeat_ttl = 1000;
    zt_peer_t c, s;
    ready_pair(&p, &c, &s);
    assert_int_equal(zmtp_engine_send_subscribe(c.eng, true, (const uint8_t *)"topic", 5), ZI_OK);
    zmtp_engine_tick(c.eng, 150); /* PING */
    size_t len;
    uint8_t *out = zt_drain(c.eng, &len);
    /* two sealed frames, outer flags 0, no command name in clear */
    assert_int_equal(out[0], 0);
    assert_null(memmem(out, len, "SUBSCRIBE", 9));
    assert_null(memmem(out, len, "PING", 4));
    zmtp_engine_feed(s.eng, out, len);
    free(out);
    assert_int_equal(s.subs, 1);
    assert_true(s.sub_last);
    assert_int_equal(s.topic_len, 5);
    assert_memory_equal(s.topic, "topic", 5);
    assert_int_equal(s.nframes, 0);
    /* the PONG comes back sealed and keeps the connection alive */
    out = zt_drain(s.eng, &len);
    assert_true(len > 0);
    assert_null(memmem(out, len, "PONG", 4));
    zmtp_engine_feed(c.eng, out, len);
    free(out);
    assert_int_equal(zmtp_engine_tick(c.eng, 200) > 200, true);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.nframes, 0);
    assert_int_equal(zmtp_engine_send_subscribe(c.eng, false, (const uint8_t *)"topic", 5), ZI_OK);
    zt_pump(&c, &s);
    assert_int_equal(s.subs, 2);
    assert_false(s.sub_last);
    assert_int_equal(s.errors, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

/* ---- ZAP ------------------------------------------------------------------------ */

static void test_curve_zap_request_carries_the_client_key_and_200_sets_user_id(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    snprintf(p.server.zap_domain, sizeof p.server.zap_domain, "global");
    p.server.routing_id = (const uint8_t *)"srv";
    p.server.routing_id_len = 3;
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    zt_zap_reset(true);
    zt_pump(&c, &s);
    assert_true(zt_zap.pending);
    assert_int_equal(s.ready, 0);
    assert_int_equal(c.ready, 0);
    char b[64];
    assert_int_equal(zt_zap.nreq, 8);
    assert_int_equal(zt_zap.req[0]->size, 0);
    assert_string_equal(zt_zap_req_str(1, b, sizeof b), "1.0");
    assert_string_equal(zt_zap_req_str(2, b, sizeof b), "1");
    assert_string_equal(zt_zap_req_str(3, b, sizeof b), "global");
    assert_string_equal(zt_zap_req_str(4, b, sizeof b), "127.0.0.1");
    assert_string_equal(zt_zap_req_str(5, b, sizeof b), "srv");
    assert_string_equal(zt_zap_req_str(6, b, sizeof b), "CURVE");
    assert_int_equal(zt_zap.req[7]->size, 32);
    assert_memory_equal(zt_zap.req[7]->data, p.client.curve_publickey, 32);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(zinc_frame_more(zt_zap.req[i]), i < 7);
    zt_zap_answer(s.eng, "200", "alice");
    zt_pump(&c, &s);
    assert_int_equal(s.ready, 1);
    assert_int_equal(c.ready, 1);
    assert_string_equal(zi_props_get(s.ready_meta, "User-Id", NULL), "alice");
    assert_null(zi_props_get(c.ready_meta, "User-Id", NULL));
    assert_int_equal(zmtp_engine_send(c.eng, zinc_frame_new("x", 1), false), ZI_OK);
    zt_pump(&c, &s);
    assert_string_equal(zinc_frame_meta(s.frames[0], "User-Id"), "alice");
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    zt_zap_reset(false);
}

static void test_curve_zap_refusals_send_error_or_close(void **state)
{
    (void)state;
    static const struct {
        const char *status;
        int code;
        bool error_sent;
    } cases[] = {{"400", 400, true}, {"500", 500, true}, {"300", 300, false}};
    for (size_t i = 0; i < 3; i++) {
        zt_sec_pair_t p;
        zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
        zt_peer_t c, s;
        setup_pair(&p, &c, &s);
        zt_zap_reset(true);
        zt_pump_zap(&c, &s, cases[i].status, "");
        assert_failed_once(&s, ZI_EAUTH, 0);
        assert_int_equal(s.err.zap_status, cases[i].code);
        if (cases[i].error_sent) {
            assert_failed_once(&c, ZI_EAUTH, 0);
            assert_int_equal(c.err.zap_status, cases[i].code);
        } else {
            assert_int_equal(c.errors, 0);
            assert_int_equal(c.ready, 0);
        }
        zt_peer_fini(&c);
        zt_peer_fini(&s);
    }
    zt_zap_reset(false);
}

static void test_curve_without_zap_enforced_domain_closes_silently(void **state)
{
    (void)state;
    zt_sec_pair_t p;
    zt_curve_configs(&p, ZINC_DEALER, ZINC_ROUTER);
    p.server.zap_enforce_domain = true;
    snprintf(p.server.zap_domain, sizeof p.server.zap_domain, "dom");
    zt_peer_t c, s;
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    assert_failed_once(&s, ZI_EAUTH, 0);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.ready, 0);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    /* enforce without a domain: libzmq lets the client in */
    p.server.zap_domain[0] = '\0';
    setup_pair(&p, &c, &s);
    zt_pump(&c, &s);
    assert_int_equal(s.ready, 1);
    assert_int_equal(c.ready, 1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
}

/* ---- interop with libzmq (pyzmq) over real sockets ----------------------------- */

static void z85_key(const uint8_t key[32], char out[41])
{
    assert_non_null(zinc_z85_encode(out, key, 32));
}

typedef struct {
    zt_keypair_t server, client, py;
    char spub[41], ssec[41], cpub[41], csec[41], pypub[41], pysec[41];
} interop_keys_t;

static void interop_keys(interop_keys_t *k)
{
    k->server = zt_keypair(101);
    k->client = zt_keypair(102);
    k->py = zt_keypair(103);
    z85_key(k->server.pub, k->spub);
    z85_key(k->server.sec, k->ssec);
    z85_key(k->client.pub, k->cpub);
    z85_key(k->client.sec, k->csec);
    z85_key(k->py.pub, k->pypub);
    z85_key(k->py.sec, k->pysec);
}

/* A zinc CURVE client (DEALER) of the server key skey. */
static zinc_socket_t *curve_dealer(zinc_ctx_t *ctx, const interop_keys_t *k, const char *skey)
{
    zinc_socket_t *s = zt_sock(ctx, ZINC_DEALER);
    assert_int_equal(zinc_set(s, "curve_serverkey", skey), 0);
    assert_int_equal(zinc_set(s, "curve_publickey", k->cpub), 0);
    assert_int_equal(zinc_set(s, "curve_secretkey", k->csec), 0);
    int64_t mech = -1;
    assert_int_equal(zinc_get_int(s, "mechanism", &mech), 0);
    assert_int_equal(mech, 2);
    return s;
}

/* zinc client, pyzmq ROUTER server (with or without pyzmq's authenticator). */
static void curve_zinc_client_run(bool auth)
{
    if (!zt_pysec_available())
        skip();
    interop_keys_t k;
    interop_keys(&k);
    char args[512], ep[256];
    snprintf(args, sizeof args, "server curve %s '%s' '%s' '%s' expect", auth ? "auth" : "none",
             k.spub, k.ssec, auth ? k.cpub : "-");
    FILE *py = zt_pysec_start(args);
    zt_pysec_endpoint(py, ep, sizeof ep);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = curve_dealer(ctx, &k, k.spub);
    zt_connect(s, ep);
    zt_pysec_send(s);
    zt_pysec_recv(s, NULL, NULL);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_curve_zinc_client_talks_to_a_libzmq_server(void **state)
{
    (void)state;
    curve_zinc_client_run(false);
}

static void test_curve_zinc_client_passes_pyzmq_authenticator_with_its_key_as_user_id(void **state)
{
    (void)state;
    curve_zinc_client_run(true);
}

static void test_curve_libzmq_client_talks_to_a_zinc_server(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    interop_keys_t k;
    interop_keys(&k);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "curve_server", "1"), 0);
    assert_int_equal(zinc_set_bytes(s, "curve_publickey", k.server.pub, 32), 0);
    assert_int_equal(zinc_set_bytes(s, "curve_secretkey", k.server.sec, 32), 0);
    char ep[256], args[512];
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    snprintf(args, sizeof args, "client curve '%s' '%s' '%s' '%s' expect", ep, k.spub, k.pypub,
             k.pysec);
    FILE *py = zt_pysec_start(args);
    uint8_t id[255];
    size_t id_len;
    zt_pysec_recv(s, id, &id_len);
    /* no ZAP handler: any client key is let in, and there is no User-Id */
    zt_send(s, id, id_len, ZINC_MORE);
    zt_pysec_send(s);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

/* Heartbeats on both sides, an idle time of several timeouts: each side's
 * PINGs and PONGs travel sealed in MESSAGE boxes, and libzmq keeps the
 * connection (the second message comes from the same routing id). */
static void test_curve_heartbeats_with_libzmq_keep_an_idle_connection(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    interop_keys_t k;
    interop_keys(&k);
    char args[512], ep[256];
    snprintf(args, sizeof args, "server-hb curve none '%s' '%s' - expect", k.spub, k.ssec);
    FILE *py = zt_pysec_start(args);
    zt_pysec_endpoint(py, ep, sizeof ep);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = curve_dealer(ctx, &k, k.spub);
    assert_int_equal(zinc_set_int(s, "heartbeat_ivl", 50), 0);
    assert_int_equal(zinc_set_int(s, "heartbeat_timeout", 150), 0);
    assert_int_equal(zinc_set_int(s, "heartbeat_ttl", 500), 0);
    zt_connect(s, ep);
    zt_pysec_send(s);
    zt_pysec_recv(s, NULL, NULL);
    struct timespec idle = {0, 600 * 1000 * 1000};
    nanosleep(&idle, NULL);
    zt_pysec_send(s);
    zt_pysec_recv(s, NULL, NULL);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

static void test_curve_wrong_server_key_delivers_nothing_either_way(void **state)
{
    (void)state;
    if (!zt_pysec_available())
        skip();
    interop_keys_t k;
    interop_keys(&k);
    /* zinc client with the wrong server key -> libzmq server */
    char args[512], ep[256];
    snprintf(args, sizeof args, "server curve none '%s' '%s' - nothing", k.spub, k.ssec);
    FILE *py = zt_pysec_start(args);
    zt_pysec_endpoint(py, ep, sizeof ep);
    zinc_ctx_t *ctx = zinc_ctx_new();
    zinc_socket_t *s = curve_dealer(ctx, &k, k.pypub);
    zt_connect(s, ep);
    zt_send_to_refuser(s);
    zt_pysec_finish(py);
    zinc_socket_close(s);
    /* libzmq client with the wrong server key -> zinc server */
    s = zt_sock(ctx, ZINC_ROUTER);
    assert_int_equal(zinc_set(s, "curve_server", "1"), 0);
    assert_int_equal(zinc_set(s, "curve_publickey", k.spub), 0);
    assert_int_equal(zinc_set(s, "curve_secretkey", k.ssec), 0);
    zt_bind(s, ZT_TCP, ep, sizeof ep);
    snprintf(args, sizeof args, "client curve '%s' '%s' '%s' '%s' nothing", ep, k.cpub, k.pypub,
             k.pysec);
    py = zt_pysec_start(args);
    zt_pysec_finish(py);
    zt_recv_none(s);
    zinc_socket_close(s);
    zinc_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_handshake_completes_and_exchanges_metadata),
        cmocka_unit_test(test_curve_commands_have_their_rfc_sizes),
        cmocka_unit_test(test_curve_handshake_survives_every_split_point_in_both_roles),
        cmocka_unit_test(test_curve_handshake_fed_one_octet_at_a_time),
        cmocka_unit_test(test_curve_server_rejects_hello_of_wrong_size_or_version),
        cmocka_unit_test(test_curve_server_rejects_hello_with_a_bad_box),
        cmocka_unit_test(test_curve_server_rejects_a_zero_client_transient_key),
        cmocka_unit_test(test_curve_client_with_the_wrong_server_key_is_refused),
        cmocka_unit_test(test_curve_client_whose_keys_do_not_match_fails_the_vouch),
        cmocka_unit_test(test_curve_server_with_only_its_secret_key_accepts_a_client),
        cmocka_unit_test(test_curve_client_rejects_welcome_of_wrong_size_or_box),
        cmocka_unit_test(test_curve_server_rejects_bad_initiates),
        cmocka_unit_test(test_curve_client_rejects_bad_readies),
        cmocka_unit_test(test_curve_unexpected_commands_fail_the_handshake),
        cmocka_unit_test(test_curve_oversized_command_is_refused_before_allocation),
        cmocka_unit_test(test_curve_error_from_the_server_is_reported_with_its_status),
        cmocka_unit_test(test_curve_messages_round_trip_with_more_from_0_octets_to_1_mib),
        cmocka_unit_test(test_curve_message_frames_are_sealed_with_outer_flags_zero),
        cmocka_unit_test(test_curve_replayed_message_nonce_is_an_invalid_sequence),
        cmocka_unit_test(test_curve_bad_message_frames_end_the_connection),
        cmocka_unit_test(test_curve_ping_pong_and_subscriptions_travel_inside_message),
        cmocka_unit_test(test_curve_zap_request_carries_the_client_key_and_200_sets_user_id),
        cmocka_unit_test(test_curve_zap_refusals_send_error_or_close),
        cmocka_unit_test(test_curve_without_zap_enforced_domain_closes_silently),
        cmocka_unit_test(test_curve_zinc_client_talks_to_a_libzmq_server),
        cmocka_unit_test(test_curve_zinc_client_passes_pyzmq_authenticator_with_its_key_as_user_id),
        cmocka_unit_test(test_curve_libzmq_client_talks_to_a_zinc_server),
        cmocka_unit_test(test_curve_heartbeats_with_libzmq_keep_an_idle_connection),
        cmocka_unit_test(test_curve_wrong_server_key_delivers_nothing_either_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
