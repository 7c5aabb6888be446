/* The engine with older peers: ZMTP 2.0 (RFC 15) and 1.0 (RFC 13, with and
 * without a signature), as libzmq 4.3 downgrades. Every peer stream is fed
 * whole, split at every octet and one octet at a time; what the engine sends
 * is compared octet for octet. Malformed and truncated old streams end in
 * exactly one error; security refuses old peers with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "harness.h"
#include "testutil.h"
#include "vectors.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/greeting.h"

/* ---- byte strings ------------------------------------------------------- */

typedef struct {
    uint8_t b[4096];
    size_t n;
} buf_t;

static void put(buf_t *s, const void *p, size_t n)
{
    assert_true(s->n + n <= sizeof s->b);
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void put_sig(buf_t *s, size_t id_len)
{
    uint8_t sig[ZMTP_SIGNATURE_SIZE];
    zmtp_greeting_signature(sig, id_len);
    put(s, sig, sizeof sig);
}

static void put_v2_frame(buf_t *s, bool more, const void *p, size_t n)
{
    uint8_t h[ZMTP_HEADER_MAX];
    put(s, h, zmtp_header_encode(h, more ? ZMTP_FLAG_MORE : 0, n));
    put(s, p, n);
}

static void put_v1_frame(buf_t *s, bool more, const void *p, size_t n)
{
    uint8_t h[ZMTP_V1_HEADER_MAX];
    put(s, h, zmtp_header_encode_v1(h, more, n));
    put(s, p, n);
}

static uint8_t big[300];

/* The messages every old peer sends after its identity: ["hello", 255
 * octets], [300 octets] (a long frame in either framing), [""]. */
static void put_traffic(buf_t *s, bool v1)
{
    void (*fr)(buf_t *, bool, const void *, size_t) = v1 ? put_v1_frame : put_v2_frame;
    fr(s, true, "hello", 5);
    fr(s, false, big, 255);
    fr(s, false, big, 300);
    fr(s, false, "", 0);
}

static void check_traffic(const zt_peer_t *p)
{
    static const size_t sizes[] = {5, 255, 300, 0};
    static const bool more[] = {true, false, false, false};
    assert_int_equal(p->nframes, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(zinc_frame_size(p->frames[i]), sizes[i]);
        assert_int_equal(zinc_frame_more(p->frames[i]), more[i]);
    }
    assert_memory_equal(zinc_frame_data(p->frames[0]), "hello", 5);
    assert_memory_equal(zinc_frame_data(p->frames[2]), big, 300);
}

/* ---- running one peer stream in every chunking ---------------------------- */

typedef struct {
    zmtp_config_t cfg;
    const buf_t *want_out; /* what the engine must have written at the end */
    void (*check)(zt_peer_t *p, void *arg);
    void *arg;
} run_t;

static void run_check(const run_t *r, zt_peer_t *p)
{
    size_t len;
    uint8_t *out = zt_drain(p->eng, &len);
    if (r->want_out) {
        assert_int_equal(len, r->want_out->n);
        assert_memory_equal(out, r->want_out->b, len);
    }
    free(out);
    r->check(p, r->arg);
    zt_peer_fini(p);
}

static void run_split(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    const run_t *r = ctx;
    zt_peer_t p;
    zt_peer_init(&p, &r->cfg, 0);
    size_t used = zmtp_engine_feed(p.eng, a, na);
    if (used == na)
        used += zmtp_engine_feed(p.eng, b, nb);
    run_check(r, &p);
}

static void run_everywhere(const run_t *r, const buf_t *in)
{
    zt_for_each_split(in->b, in->n, run_split, (void *)r);
    /* One octet at a time, writing out after each: the pieces of our
     * greeting come out in order and add up to the same bytes. */
    zt_peer_t p;
    zt_peer_init(&p, &r->cfg, 0);
    uint8_t *out = NULL;
    size_t len = 0;
    uint8_t *one = zt_guard_copy("", 1);
    for (size_t k = 0; k < in->n && !zmtp_engine_failed(p.eng); k++) {
        one[0] = in->b[k];
        assert_int_equal(zmtp_engine_feed(p.eng, one, 1), 1);
        zt_drain_into(p.eng, 0, &out, &len);
    }
    zt_guard_free(one);
    zt_drain_into(p.eng, 0, &out, &len);
    if (r->want_out) {
        assert_int_equal(len, r->want_out->n);
        assert_memory_equal(out, r->want_out->b, len);
    }
    free(out);
    run_t r2 = *r;
    r2.want_out = NULL;
    run_check(&r2, &p);
}

/* ---- ZMTP 2.0 ---------------------------------------------------------- */

static void check_v20_router_peer(zt_peer_t *p, void *arg)
{
    (void)arg;
    assert_int_equal(p->errors, 0);
    assert_int_equal(p->ready, 1);
    assert_int_equal(zmtp_engine_peer_version(p->eng), ZMTP_V20);
    size_t len;
    const char *id = zi_props_get(p->ready_meta, "Identity", &len);
    assert_non_null(id);
    assert_int_equal(len, 6);
    assert_memory_equal(id, "peer-7", 6);
    assert_string_equal(zi_props_get(p->ready_meta, "Socket-Type", NULL), "ROUTER");
    check_traffic(p);
    assert_string_equal(zinc_frame_meta(p->frames[0], "Socket-Type"), "ROUTER");
    assert_string_equal(zinc_frame_meta(p->frames[0], "Identity"), "peer-7");
    assert_int_equal(p->subs, 0);
}

/* RFC 15: signature, revision, socket type, identity frame, 2.0 frames. We
 * answer signature, major 3 (sent before the peer's revision is known, as
 * libzmq's), our socket type and our identity frame. */
static void test_legacy_20_peer_is_answered_in_20_at_every_split(void **state)
{
    (void)state;
    buf_t in = {.n = 0};
    put_sig(&in, 6);
    put(&in, (uint8_t[]){0x01, ZINC_ROUTER}, 2);
    put_v2_frame(&in, false, "peer-7", 6);
    put_traffic(&in, false);
    buf_t want = {.n = 0};
    put_sig(&want, 2);
    put(&want, (uint8_t[]){0x03, ZINC_DEALER}, 2);
    put_v2_frame(&want, false, "me", 2);
    run_t r = {.want_out = &want, .check = check_v20_router_peer};
    zmtp_config_defaults(&r.cfg, ZINC_DEALER);
    r.cfg.routing_id = (const uint8_t *)"me";
    r.cfg.routing_id_len = 2;
    run_everywhere(&r, &in);
}

static void test_legacy_20_messages_go_out_in_20_framing(void **state)
{
    (void)state;
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_PUSH);
    zt_discard_output(p.eng);
    assert_int_equal(zmtp_engine_feed(p.eng, zt_greeting_v20, 10), 10);
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, 1); /* the major, after the peer's signature */
    free(out);
    uint8_t rest[] = {0x01, ZINC_PULL, 0x00, 0x00};
    assert_int_equal(zmtp_engine_feed(p.eng, rest, sizeof rest), sizeof rest);
    assert_true(zmtp_engine_is_ready(p.eng));
    zt_discard_output(p.eng); /* socket type, identity frame */
    assert_int_equal(zmtp_engine_send(p.eng, zinc_frame_new("ab", 2), true), ZI_OK);
    assert_int_equal(zmtp_engine_send(p.eng, zinc_frame_new(big, 300), false), ZI_OK);
    out = zt_drain(p.eng, &len);
    buf_t want = {.n = 0};
    put_v2_frame(&want, true, "ab", 2);
    put_v2_frame(&want, false, big, 300);
    assert_int_equal(len, want.n);
    assert_memory_equal(out, want.b, len);
    free(out);
    zt_peer_fini(&p);
}

/* ---- ZMTP 1.0 ---------------------------------------------------------- */

static void check_v10_dealer_peer(zt_peer_t *p, void *arg)
{
    size_t want_len = (size_t)(uintptr_t)arg;
    assert_int_equal(p->errors, 0);
    assert_int_equal(p->ready, 1);
    assert_int_equal(zmtp_engine_peer_version(p->eng), ZMTP_V10);
    size_t len;
    const char *id = zi_props_get(p->ready_meta, "Identity", &len);
    assert_non_null(id);
    assert_int_equal(len, want_len);
    for (size_t i = 0; i < len; i++)
        assert_int_equal((uint8_t)id[i], (uint8_t)('a' + i % 26));
    /* RFC 13 has no socket type */
    assert_null(zi_props_get(p->ready_meta, "Socket-Type", NULL));
    check_traffic(p);
    assert_int_equal(p->subs, 0);
}

/* A 1.0 peer sends no greeting: its identity frame comes first. Our
 * signature was the header of our identity frame, so its body follows, then
 * 1.0 frames. With an identity of 254 octets or more the peer's first octet
 * is 0xFF, and only octet 9 (flags, bit 0 clear) shows the version. */
static void test_legacy_10_peer_gets_the_identity_body_after_the_signature(void **state)
{
    (void)state;
    static const size_t id_lens[] = {0, 6, 253, 254, 255};
    for (size_t i = 0; i < sizeof id_lens / sizeof id_lens[0]; i++) {
        uint8_t id[255];
        for (size_t k = 0; k < id_lens[i]; k++)
            id[k] = (uint8_t)('a' + k % 26);
        buf_t in = {.n = 0};
        put_v1_frame(&in, false, id, id_lens[i]);
        put_traffic(&in, true);
        buf_t want = {.n = 0};
        put_sig(&want, 3);
        put(&want, "rtr", 3);
        run_t r = {.check = check_v10_dealer_peer, .arg = (void *)(uintptr_t)id_lens[i]};
        r.want_out = &want;
        zmtp_config_defaults(&r.cfg, ZINC_ROUTER);
        r.cfg.routing_id = (const uint8_t *)"rtr";
        r.cfg.routing_id_len = 3;
        run_everywhere(&r, &in);
    }
}

static void test_legacy_10_messages_go_out_in_10_framing(void **state)
{
    (void)state;
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_PAIR);
    assert_int_equal(zmtp_engine_feed(p.eng, zt_greeting_v10, 2), 2);
    assert_true(zmtp_engine_is_ready(p.eng));
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    /* no identity set: the signature (length 1 = flags only) is all */
    assert_int_equal(len, 10);
    assert_memory_equal(out, zt_greeting_null_31, 10);
    free(out);
    assert_int_equal(zmtp_engine_send(p.eng, zinc_frame_new("ab", 2), true), ZI_OK);
    assert_int_equal(zmtp_engine_send(p.eng, zinc_frame_new(big, 253), false), ZI_OK);
    assert_int_equal(zmtp_engine_send(p.eng, zinc_frame_new(big, 254), false), ZI_OK);
    out = zt_drain(p.eng, &len);
    static const uint8_t head_ab[] = {0x03, 0x01, 'a', 'b'};
    static const uint8_t head_253[] = {0xFE, 0x00};
    static const uint8_t head_254[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x00};
    assert_int_equal(len, 4 + 2 + 253 + 10 + 254);
    assert_memory_equal(out, head_ab, 4);
    assert_memory_equal(out + 4, head_253, 2);
    assert_memory_equal(out + 4 + 2 + 253, head_254, 10);
    free(out);
    zt_peer_fini(&p);
}

static void check_rev0_peer(zt_peer_t *p, void *arg)
{
    (void)arg;
    assert_int_equal(p->errors, 0);
    assert_int_equal(p->ready, 1);
    assert_int_equal(zmtp_engine_peer_version(p->eng), ZMTP_V10);
    assert_string_equal(zi_props_get(p->ready_meta, "Identity", NULL), "old");
    check_traffic(p);
}

/* Revision 0 (libzmq's handshake_v1_0): a 12-octet greeting, then 1.0
 * framing from both sides, identity frames with their headers. */
static void test_legacy_revision_0_peer_speaks_10_framing_after_12_octets(void **state)
{
    (void)state;
    buf_t in = {.n = 0};
    put_sig(&in, 3);
    put(&in, (uint8_t[]){0x00, ZINC_PUSH}, 2);
    put_v1_frame(&in, false, "old", 3);
    put_traffic(&in, true);
    buf_t want = {.n = 0};
    put_sig(&want, 0);
    put(&want, (uint8_t[]){0x03, ZINC_PULL}, 2);
    put_v1_frame(&want, false, "", 0);
    run_t r = {.want_out = &want, .check = check_rev0_peer};
    zmtp_config_defaults(&r.cfg, ZINC_PULL);
    run_everywhere(&r, &in);
}

/* ---- pub-sub ------------------------------------------------------------ */

/* libzmq: to a 1.0 SUB (which sends no subscriptions) a PUB behaves as if
 * it had subscribed to everything. Not to a 2.0 SUB, which does send them. */
static void test_legacy_pub_gives_a_10_sub_one_phantom_subscription(void **state)
{
    (void)state;
    static const int types[] = {ZINC_PUB, ZINC_XPUB, ZINC_SUB, ZINC_PUSH};
    for (size_t i = 0; i < 4; i++) {
        zt_peer_t p;
        zt_peer_init_type(&p, types[i]);
        assert_int_equal(zmtp_engine_feed(p.eng, zt_greeting_v10, 2), 2);
        assert_int_equal(p.ready, 1);
        bool pub = types[i] == ZINC_PUB || types[i] == ZINC_XPUB;
        assert_int_equal(p.subs, pub ? 1 : 0);
        if (pub) {
            assert_true(p.sub_last);
            assert_int_equal(p.topic_len, 0);
        }
        zt_peer_fini(&p);
    }
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_PUB);
    uint8_t v20_sub[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, ZINC_SUB, 0x00, 0x00};
    assert_int_equal(zmtp_engine_feed(p.eng, v20_sub, sizeof v20_sub), sizeof v20_sub);
    assert_int_equal(p.ready, 1);
    assert_int_equal(p.subs, 0);
    /* a 2.0 SUB's subscription is a message, as from a 3.0 peer */
    uint8_t sub_msg[] = {0x00, 0x04, 0x01, 'a', 'b', 'c'};
    assert_int_equal(zmtp_engine_feed(p.eng, sub_msg, sizeof sub_msg), sizeof sub_msg);
    assert_int_equal(p.nframes, 1);
    assert_memory_equal(zinc_frame_data(p.frames[0]), sub_msg + 2, 4);
    zt_peer_fini(&p);
}

static void test_legacy_subscriptions_to_older_pubs_are_01_messages(void **state)
{
    (void)state;
    /* 2.0 */
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_SUB);
    uint8_t v20_pub[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, ZINC_PUB, 0x00, 0x00};
    assert_int_equal(zmtp_engine_feed(p.eng, v20_pub, sizeof v20_pub), sizeof v20_pub);
    zt_discard_output(p.eng);
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, true, (const uint8_t *)"topic", 5), ZI_OK);
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, false, (const uint8_t *)"topic", 5), ZI_OK);
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, 16);
    assert_memory_equal(out, zt_subscribe_msg_topic, 8);
    assert_memory_equal(out + 8, zt_cancel_msg_topic, 8);
    free(out);
    zt_peer_fini(&p);
    /* 1.0: the same message in 1.0 framing */
    zt_peer_init_type(&p, ZINC_SUB);
    assert_int_equal(zmtp_engine_feed(p.eng, zt_greeting_v10, 2), 2);
    zt_discard_output(p.eng);
    assert_int_equal(zmtp_engine_send_subscribe(p.eng, true, (const uint8_t *)"topic", 5), ZI_OK);
    out = zt_drain(p.eng, &len);
    static const uint8_t v1_sub[] = {0x07, 0x00, 0x01, 't', 'o', 'p', 'i', 'c'};
    assert_int_equal(len, sizeof v1_sub);
    assert_memory_equal(out, v1_sub, len);
    free(out);
    zt_peer_fini(&p);
}

/* ---- heartbeats -------------------------------------------------------- */

/* PING is ZMTP 3.1: an older peer would take it for a message. */
static void test_legacy_no_ping_goes_to_older_peers(void **state)
{
    (void)state;
    for (int v = 0; v < 2; v++) {
        zmtp_config_t cfg;
        zmtp_config_defaults(&cfg, ZINC_DEALER);
        cfg.heartbeat_ivl = 100;
        cfg.heartbeat_ttl = 1000;
        cfg.heartbeat_timeout = 200;
        zt_peer_t p;
        zt_peer_init(&p, &cfg, 0);
        if (v == 0)
            assert_int_equal(zmtp_engine_feed(p.eng, zt_greeting_v10, 2), 2);
        else {
            uint8_t g[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, ZINC_ROUTER, 0x00, 0x00};
            assert_int_equal(zmtp_engine_feed(p.eng, g, sizeof g), sizeof g);
        }
        assert_true(zmtp_engine_is_ready(p.eng));
        zt_discard_output(p.eng);
        for (int64_t now = 0; now <= 60000; now += 50)
            assert_int_equal(zmtp_engine_tick(p.eng, now), INT64_MAX);
        assert_int_equal(zmtp_engine_out_pending(p.eng), 0);
        assert_int_equal(p.errors, 0);
        zt_peer_fini(&p);
    }
}

/* ---- security refuses older peers ---------------------------------------- */

typedef struct {
    const char *what;
    enum zmtp_mechanism mech;
    bool as_server;
    const char *zap_domain;
} sec_case_t;

static const sec_case_t sec_cases[] = {
    {"PLAIN client", ZMTP_MECH_PLAIN, false, ""},
    {"PLAIN server", ZMTP_MECH_PLAIN, true, ""},
    {"CURVE client", ZMTP_MECH_CURVE, false, ""},
    {"CURVE server", ZMTP_MECH_CURVE, true, ""},
    {"NULL with a ZAP domain", ZMTP_MECH_NULL, false, "global"},
};

static const sec_case_t *sec_current;

static void sec_check(zt_peer_t *p, void *arg)
{
    (void)arg;
    if (p->errors != 1)
        fail_msg("%s: %d errors", sec_current->what, p->errors);
    assert_int_equal(p->ready, 0);
    assert_int_equal(p->err.err, ZI_EMECH);
    assert_int_equal(p->err.protocol, ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
    assert_true(p->err.handshake);
    assert_non_null(strstr(p->err.reason, sec_current->zap_domain[0] ? "ZAP" : "mechanism"));
    assert_non_null(strstr(p->err.reason,
                           zmtp_engine_peer_version(p->eng) == ZMTP_V20 ? "ZMTP 2.0" : "ZMTP 1.0"));
}

static void test_legacy_security_refuses_older_peers_with_a_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sec_cases / sizeof sec_cases[0]; i++) {
        sec_current = &sec_cases[i];
        for (int v = 0; v < 2; v++) {
            buf_t in = {.n = 0};
            buf_t want = {.n = 0};
            put_sig(&want, 0);
            if (v == 0) {
                put_v1_frame(&in, false, "x", 1);
                put_traffic(&in, true);
            } else {
                put_sig(&in, 0);
                put(&in, (uint8_t[]){0x01, ZINC_ROUTER}, 2);
                put_v2_frame(&in, false, "", 0);
                put_traffic(&in, false);
                /* the major and our socket type went before the refusal,
                 * no identity after it */
                put(&want, (uint8_t[]){0x03, ZINC_DEALER}, 2);
            }
            run_t r = {.want_out = &want, .check = sec_check};
            zmtp_config_defaults(&r.cfg, ZINC_DEALER);
            r.cfg.mechanism = sec_current->mech;
            r.cfg.as_server = sec_current->as_server;
            memcpy(r.cfg.zap_domain, sec_current->zap_domain, strlen(sec_current->zap_domain));
            memcpy(r.cfg.plain_username, "u", 1);
            r.cfg.plain_username_len = 1;
            run_everywhere(&r, &in);
        }
    }
}

/* ---- truncated old streams: the handshake timer ends them, once ----------- */

static void test_legacy_truncated_streams_end_in_one_timeout(void **state)
{
    (void)state;
    buf_t v1 = {.n = 0}, v2 = {.n = 0};
    put_v1_frame(&v1, false, big, 254); /* long identity: 0xFF form */
    put_sig(&v2, 6);
    put(&v2, (uint8_t[]){0x01, ZINC_ROUTER}, 2);
    put_v2_frame(&v2, false, "peer-7", 6);
    const buf_t *streams[] = {&v1, &v2};
    for (size_t s = 0; s < 2; s++) {
        for (size_t cut = 0; cut < streams[s]->n; cut++) {
            zmtp_config_t cfg;
            zmtp_config_defaults(&cfg, ZINC_DEALER);
            cfg.handshake_ivl = 1000;
            zt_peer_t p;
            zt_peer_init(&p, &cfg, 0);
            uint8_t *g = zt_guard_copy(streams[s]->b, cut);
            assert_int_equal(zmtp_engine_feed(p.eng, g, cut), cut);
            zt_guard_free(g);
            assert_int_equal(p.errors, 0);
            assert_false(zmtp_engine_is_ready(p.eng));
            zmtp_engine_tick(p.eng, 999);
            assert_int_equal(p.errors, 0);
            zmtp_engine_tick(p.eng, 1000);
            assert_int_equal(p.errors, 1);
            assert_int_equal(p.err.err, ZI_ETIMEDOUT);
            zmtp_engine_tick(p.eng, 5000);
            assert_int_equal(p.errors, 1);
            zt_peer_fini(&p);
        }
    }
}

/* ---- zinc to zinc still meets in 3.1 ------------------------------------- */

static void test_legacy_two_engines_still_meet_in_31(void **state)
{
    (void)state;
    zt_peer_t a, b;
    zt_peer_init_type(&a, ZINC_DEALER);
    zt_peer_init_type(&b, ZINC_ROUTER);
    zt_pump(&a, &b);
    assert_true(zmtp_engine_is_ready(a.eng) && zmtp_engine_is_ready(b.eng));
    assert_int_equal(zmtp_engine_peer_version(a.eng), ZMTP_V31);
    assert_int_equal(zmtp_engine_peer_version(b.eng), ZMTP_V31);
    zt_peer_fini(&a);
    zt_peer_fini(&b);
}

int main(void)
{
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_20_peer_is_answered_in_20_at_every_split),
        cmocka_unit_test(test_legacy_20_messages_go_out_in_20_framing),
        cmocka_unit_test(test_legacy_10_peer_gets_the_identity_body_after_the_signature),
        cmocka_unit_test(test_legacy_10_messages_go_out_in_10_framing),
        cmocka_unit_test(test_legacy_revision_0_peer_speaks_10_framing_after_12_octets),
        cmocka_unit_test(test_legacy_pub_gives_a_10_sub_one_phantom_subscription),
        cmocka_unit_test(test_legacy_subscriptions_to_older_pubs_are_01_messages),
        cmocka_unit_test(test_legacy_no_ping_goes_to_older_peers),
        cmocka_unit_test(test_legacy_security_refuses_older_peers_with_a_reason),
        cmocka_unit_test(test_legacy_truncated_streams_end_in_one_timeout),
        cmocka_unit_test(test_legacy_two_engines_still_meet_in_31),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
