/* The NULL mechanism (RFC 37): READY both ways, the socket-type check, and
 * the handshake between two engines wired back to back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "sechelp.h"
#include "testutil.h"
#include "vectors.h"
#include "util/cursor.h"
#include "zinc.h"
#include "zmtp/greeting.h"
#include "zmtp/mech.h"
#include "zmtp/socktype.h"

/* ---- the mechanism on its own ----------------------------------------- */

typedef struct {
    zmtp_config_t cfg;
    zmtp_mech_t *m;
    uint8_t *guard; /* input of the last consume */
} mech_fixture_t;

static void mech_open(mech_fixture_t *f, int socket_type)
{
    memset(f, 0, sizeof *f);
    zmtp_config_defaults(&f->cfg, socket_type);
    const zmtp_mech_ops_t *ops = zmtp_mech_lookup(ZMTP_MECH_NULL);
    assert_ptr_equal(ops, &zmtp_mech_null);
    assert_string_equal(ops->name, "NULL");
    f->m = calloc(1, ops->size);
    assert_non_null(f->m);
    f->m->ops = ops;
    f->m->cfg = &f->cfg;
    f->m->peer_version = ZMTP_V31;
    f->m->peer = zi_props_new();
    assert_int_equal(ops->init(f->m), ZI_OK);
}

static void mech_close(mech_fixture_t *f)
{
    f->m->ops->fini(f->m);
    zi_props_unref(f->m->peer);
    free(f->m);
    zt_guard_free(f->guard);
}

/* Hands a command frame vector (2-octet header) to consume. */
static zi_err mech_consume(mech_fixture_t *f, const uint8_t *frame, size_t len)
{
    zt_guard_free(f->guard);
    f->guard = zt_guard_copy(frame + 2, len - 2);
    zmtp_command_t c;
    assert_int_equal(zmtp_command_parse(f->guard, len - 2, &c), ZI_OK);
    return f->m->ops->consume(f->m, &c);
}

static void mech_produce_ready(mech_fixture_t *f)
{
    zi_wbuf_t out;
    zi_wbuf_init(&out, 4096);
    assert_int_equal(f->m->ops->produce(f->m, &out), ZI_OK);
    assert_true(out.len > 0);
    zi_wbuf_fini(&out);
}

static void test_null_produce_sends_the_dealer_ready_vector_once(void **state)
{
    (void)state;
    mech_fixture_t f;
    mech_open(&f, ZINC_DEALER);
    zi_wbuf_t out;
    zi_wbuf_init(&out, 4096);
    assert_int_equal(f.m->ops->produce(f.m, &out), ZI_OK);
    assert_int_equal(out.len, sizeof zt_ready_dealer);
    assert_memory_equal(out.data, zt_ready_dealer, sizeof zt_ready_dealer);
    assert_false(f.m->ready);
    /* nothing more to say */
    assert_int_equal(f.m->ops->produce(f.m, &out), ZI_OK);
    assert_int_equal(out.len, sizeof zt_ready_dealer);
    zi_wbuf_fini(&out);
    mech_close(&f);
}

static void test_null_peer_ready_completes_the_handshake_and_records_metadata(void **state)
{
    (void)state;
    mech_fixture_t f;
    mech_open(&f, ZINC_ROUTER);
    mech_produce_ready(&f);
    assert_int_equal(mech_consume(&f, zt_ready_dealer_id, sizeof zt_ready_dealer_id), ZI_OK);
    assert_true(f.m->ready);
    size_t len;
    assert_string_equal(zi_props_get(f.m->peer, "Socket-Type", &len), "DEALER");
    assert_string_equal(zi_props_get(f.m->peer, "Identity", &len), "peer-7");
    assert_int_equal(len, 6);
    mech_close(&f);
}

static void test_null_second_ready_is_an_unexpected_command(void **state)
{
    (void)state;
    mech_fixture_t f;
    mech_open(&f, ZINC_DEALER);
    mech_produce_ready(&f);
    assert_int_equal(mech_consume(&f, zt_ready_router, sizeof zt_ready_router), ZI_OK);
    assert_int_equal(mech_consume(&f, zt_ready_router, sizeof zt_ready_router), ZI_EPROTO);
    assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    assert_true(f.m->fail.handshake);
    assert_non_null(f.m->fail.reason);
    mech_close(&f);
}

static void test_null_other_commands_during_the_handshake_are_unexpected(void **state)
{
    (void)state;
    const struct {
        const uint8_t *v;
        size_t n;
    } cmds[] = {
        {zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx},
        {zt_pong_ctx, sizeof zt_pong_ctx},
        {zt_subscribe_topic, sizeof zt_subscribe_topic},
        {zt_cancel_topic, sizeof zt_cancel_topic},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        mech_fixture_t f;
        mech_open(&f, ZINC_DEALER);
        mech_produce_ready(&f);
        assert_int_equal(mech_consume(&f, cmds[i].v, cmds[i].n), ZI_EPROTO);
        assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        assert_false(f.m->ready);
        mech_close(&f);
    }
}

static void test_null_peer_error_ends_the_handshake(void **state)
{
    (void)state;
    mech_fixture_t f;
    mech_open(&f, ZINC_DEALER);
    mech_produce_ready(&f);
    /* "400" is a ZAP status: refused by the peer's handler, as libzmq reads it */
    assert_int_equal(mech_consume(&f, zt_error_400, sizeof zt_error_400), ZI_EAUTH);
    assert_int_equal(f.m->fail.err, ZI_EAUTH);
    assert_int_equal(f.m->fail.zap_status, 400);
    assert_false(f.m->ready);
    mech_close(&f);
}

static void test_null_malformed_error_is_a_malformed_error_command(void **state)
{
    (void)state;
    static const uint8_t v[] = {0x04, 0x09, 5, 'E', 'R', 'R', 'O', 'R', 9, '4', '0'};
    mech_fixture_t f;
    mech_open(&f, ZINC_DEALER);
    mech_produce_ready(&f);
    assert_int_equal(mech_consume(&f, v, sizeof v), ZI_EPROTO);
    assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR);
    mech_close(&f);
}

/* READY with a metadata body built from (name, value) strings. */
static size_t ready_with(uint8_t *out, const char *const *kv, size_t n)
{
    size_t pos = 8;
    memcpy(out + 2, "\x05READY", 6);
    for (size_t i = 0; i < n; i += 2) {
        size_t nl = strlen(kv[i]), vl = strlen(kv[i + 1]);
        out[pos++] = (uint8_t)nl;
        memcpy(out + pos, kv[i], nl);
        pos += nl;
        zi_put_u32be(out + pos, (uint32_t)vl);
        pos += 4;
        memcpy(out + pos, kv[i + 1], vl);
        pos += vl;
    }
    assert_true(pos - 2 <= 255);
    out[0] = 0x04;
    out[1] = (uint8_t)(pos - 2);
    return pos;
}

static void test_null_ready_without_socket_type_is_invalid_metadata(void **state)
{
    (void)state;
    static const char *const kv[] = {"Identity", "x"};
    uint8_t v[256];
    size_t n = ready_with(v, kv, 2);
    mech_fixture_t f;
    mech_open(&f, ZINC_DEALER);
    mech_produce_ready(&f);
    assert_int_equal(mech_consume(&f, v, n), ZI_EPROTO);
    assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    mech_close(&f);
}

static void test_null_unknown_or_miscased_socket_type_is_refused(void **state)
{
    (void)state;
    /* the value is compared as libzmq does: exact spelling */
    static const char *const types[] = {"FOO", "dealer", "Router", "", "DEALER "};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const char *kv[] = {"Socket-Type", types[i]};
        uint8_t v[256];
        size_t n = ready_with(v, kv, 2);
        mech_fixture_t f;
        mech_open(&f, ZINC_DEALER);
        mech_produce_ready(&f);
        assert_int_equal(mech_consume(&f, v, n), ZI_ESOCKTYPE);
        assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
        mech_close(&f);
    }
}

static void test_null_incompatible_socket_type_is_refused(void **state)
{
    (void)state;
    mech_fixture_t f;
    mech_open(&f, ZINC_PUB);
    mech_produce_ready(&f);
    assert_int_equal(mech_consume(&f, zt_ready_dealer, sizeof zt_ready_dealer), ZI_ESOCKTYPE);
    assert_int_equal(f.m->fail.err, ZI_ESOCKTYPE);
    assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    assert_false(f.m->ready);
    mech_close(&f);
}

static void test_null_malformed_metadata_is_invalid_metadata(void **state)
{
    (void)state;
    uint8_t v[64];
    memcpy(v, zt_ready_dealer, sizeof zt_ready_dealer);
    v[1]++;
    v[sizeof zt_ready_dealer] = 0x00; /* one trailing octet */
    mech_fixture_t f;
    mech_open(&f, ZINC_DEALER);
    mech_produce_ready(&f);
    assert_int_equal(mech_consume(&f, v, sizeof zt_ready_dealer + 1), ZI_EPROTO);
    assert_int_equal(f.m->fail.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    mech_close(&f);
}

/* ---- two engines back to back ----------------------------------------- */

static void test_null_every_compatible_pair_completes_the_handshake(void **state)
{
    (void)state;
    int pairs = 0;
    for (int a = 0; a <= ZI_SOCKTYPE_MAX; a++)
        for (int b = 0; b <= ZI_SOCKTYPE_MAX; b++) {
            if (!zi_socktype_compatible(a, b))
                continue;
            pairs++;
            zt_peer_t pa, pb;
            zmtp_config_t ca, cb;
            zmtp_config_defaults(&ca, a);
            zmtp_config_defaults(&cb, b);
            ca.routing_id = (const uint8_t *)"id-a";
            ca.routing_id_len = 4;
            zt_peer_init(&pa, &ca, 0);
            zt_peer_init(&pb, &cb, 0);
            zt_pump(&pa, &pb);
            assert_int_equal(pa.errors, 0);
            assert_int_equal(pb.errors, 0);
            assert_int_equal(pa.ready, 1);
            assert_int_equal(pb.ready, 1);
            assert_true(zmtp_engine_is_ready(pa.eng));
            assert_true(zmtp_engine_is_ready(pb.eng));
            assert_int_equal(zmtp_engine_peer_version(pa.eng), ZMTP_V31);
            assert_ptr_equal(zmtp_engine_peer_meta(pa.eng), pa.ready_meta);
            assert_string_equal(zi_props_get(pa.ready_meta, "Socket-Type", NULL),
                                zi_socktype_name(b));
            assert_string_equal(zi_props_get(pb.ready_meta, "Socket-Type", NULL),
                                zi_socktype_name(a));
            /* Identity only from REQ, DEALER and ROUTER */
            const char *id = zi_props_get(pb.ready_meta, "Identity", NULL);
            if (zi_socktype_sends_identity(a))
                assert_string_equal(id, "id-a");
            else
                assert_null(id);
            if (zi_socktype_sends_identity(b))
                assert_string_equal(zi_props_get(pa.ready_meta, "Identity", NULL), "");
            zt_peer_fini(&pa);
            zt_peer_fini(&pb);
        }
    assert_int_equal(pairs, 2 * 17 - 5); /* 5 pairs are a type with itself */
}

static void test_null_incompatible_types_fail_on_both_sides(void **state)
{
    (void)state;
    for (int a = 0; a <= ZI_SOCKTYPE_MAX; a++)
        for (int b = 0; b <= ZI_SOCKTYPE_MAX; b++) {
            if (zi_socktype_compatible(a, b))
                continue;
            zt_peer_t pa, pb;
            zt_peer_init_type(&pa, a);
            zt_peer_init_type(&pb, b);
            zt_pump(&pa, &pb);
            zt_peer_t *both[2] = {&pa, &pb};
            for (int i = 0; i < 2; i++) {
                assert_int_equal(both[i]->errors, 1);
                assert_int_equal(both[i]->ready, 0);
                assert_int_equal(both[i]->err.err, ZI_ESOCKTYPE);
                assert_int_equal(both[i]->err.protocol, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
                assert_true(both[i]->err.handshake);
                assert_true(zmtp_engine_failed(both[i]->eng));
                assert_null(zmtp_engine_peer_meta(both[i]->eng));
            }
            zt_peer_fini(&pa);
            zt_peer_fini(&pb);
        }
}

static void test_null_extra_metadata_reaches_the_peer(void **state)
{
    (void)state;
    zi_props_t *extra = zi_props_new();
    assert_int_equal(zi_props_set(extra, "X-Color", 7, "blue", 4), ZI_OK);
    zmtp_config_t ca, cb;
    zmtp_config_defaults(&ca, ZINC_PUSH);
    zmtp_config_defaults(&cb, ZINC_PULL);
    ca.extra_metadata = extra;
    zt_peer_t pa, pb;
    zt_peer_init(&pa, &ca, 0);
    zi_props_unref(extra); /* the engine keeps its own reference */
    zt_peer_init(&pb, &cb, 0);
    zt_pump(&pa, &pb);
    assert_int_equal(pb.ready, 1);
    assert_string_equal(zi_props_get(pb.ready_meta, "x-color", NULL), "blue");
    zt_peer_fini(&pa);
    zt_peer_fini(&pb);
}

/* ---- ZAP for NULL (libzmq asks when a zap_domain is set) ------------------ */

static void null_zap_pair(zt_peer_t *c, zt_peer_t *s, const char *domain, bool enforce, bool bound)
{
    zmtp_config_t cc, sc;
    zmtp_config_defaults(&cc, ZINC_DEALER);
    zmtp_config_defaults(&sc, ZINC_ROUTER);
    snprintf(sc.zap_domain, sizeof sc.zap_domain, "%s", domain);
    sc.zap_enforce_domain = enforce;
    zt_peer_init(c, &cc, 0);
    zt_peer_init(s, &sc, 0);
    zmtp_engine_set_zap(s->eng, zt_zap_fn);
    zt_zap_reset(bound);
}

/* zt_pump, but the input the server does not take while ZAP thinks is kept
 * for it, as a session keeps it (the client's READY comes at once). */
typedef struct {
    uint8_t *buf;
    size_t len;
} held_t;

static void pump_held(zt_peer_t *c, zt_peer_t *s, held_t *h)
{
    for (int round = 0; round < 100; round++) {
        size_t lc, ls, used = 0;
        uint8_t *oc = zt_drain(c->eng, &lc);
        uint8_t *os = zt_drain(s->eng, &ls);
        if (lc) {
            h->buf = realloc(h->buf, h->len + lc);
            assert_non_null(h->buf);
            memcpy(h->buf + h->len, oc, lc);
            h->len += lc;
        }
        if (h->len) {
            used = zmtp_engine_feed(s->eng, h->buf, h->len);
            memmove(h->buf, h->buf + used, h->len - used);
            h->len -= used;
        }
        if (ls)
            zmtp_engine_feed(c->eng, os, ls);
        free(oc);
        free(os);
        if (lc == 0 && ls == 0 && used == 0)
            return;
    }
    fail_msg("pump_held: no quiescence");
}

static void test_null_with_a_zap_domain_sends_ready_only_after_zap_200(void **state)
{
    (void)state;
    zt_peer_t c, s;
    held_t h = {0};
    null_zap_pair(&c, &s, "global", false, true);
    pump_held(&c, &s, &h);
    assert_true(zt_zap.pending);
    assert_true(h.len > 0); /* the client's READY waits */
    assert_int_equal(s.ready + c.ready, 0);
    char buf[64];
    assert_int_equal(zt_zap.nreq, 7); /* no credentials */
    assert_string_equal(zt_zap_req_str(3, buf, sizeof buf), "global");
    assert_string_equal(zt_zap_req_str(6, buf, sizeof buf), "NULL");
    zt_zap_answer(s.eng, "200", "anon");
    pump_held(&c, &s, &h);
    assert_int_equal(h.len, 0);
    free(h.buf);
    assert_int_equal(s.ready, 1);
    assert_int_equal(c.ready, 1);
    assert_string_equal(zi_props_get(s.ready_meta, "User-Id", NULL), "anon");
    assert_int_equal(zt_zap.requests, 1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    zt_zap_reset(false);
}

static void test_null_zap_400_sends_error_and_300_closes_silently(void **state)
{
    (void)state;
    static const char *const status[] = {"400", "500", "300"};
    static const int code[] = {400, 500, 300};
    for (int i = 0; i < 3; i++) {
        zt_peer_t c, s;
        held_t h = {0};
        null_zap_pair(&c, &s, "d", false, true);
        pump_held(&c, &s, &h);
        zt_zap_answer(s.eng, status[i], "");
        pump_held(&c, &s, &h);
        free(h.buf);
        assert_int_equal(s.ready + c.ready, 0);
        assert_int_equal(s.errors, 1);
        assert_int_equal(s.err.err, ZI_EAUTH);
        assert_int_equal(s.err.zap_status, code[i]);
        if (i < 2) { /* the client reads ERROR "400" / "500" */
            assert_int_equal(c.errors, 1);
            assert_int_equal(c.err.err, ZI_EAUTH);
            assert_int_equal(c.err.zap_status, code[i]);
        } else {
            assert_int_equal(c.errors, 0);
        }
        zt_peer_fini(&c);
        zt_peer_fini(&s);
    }
    zt_zap_reset(false);
}

static void test_null_zap_domain_without_handler_goes_on_unless_enforced(void **state)
{
    (void)state;
    zt_peer_t c, s;
    null_zap_pair(&c, &s, "d", false, false);
    zt_pump(&c, &s);
    assert_int_equal(zt_zap.requests, 1);
    assert_int_equal(s.ready, 1);
    assert_int_equal(c.ready, 1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    null_zap_pair(&c, &s, "d", true, false);
    zt_pump(&c, &s);
    assert_int_equal(s.ready + c.ready, 0);
    assert_int_equal(s.errors, 1);
    assert_int_equal(s.err.err, ZI_EAUTH);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    /* no domain: ZAP is not asked */
    null_zap_pair(&c, &s, "", true, true);
    zt_pump(&c, &s);
    assert_int_equal(zt_zap.requests, 0);
    assert_int_equal(s.ready, 1);
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    zt_zap_reset(false);
}

/* A peer greeting with another mechanism. */
static void mismatch_check(const char *mechanism)
{
    uint8_t g[64];
    memcpy(g, zt_greeting_null_31, 64);
    memset(g + ZT_GREETING_MECHANISM, 0, ZMTP_MECHANISM_SIZE);
    memcpy(g + ZT_GREETING_MECHANISM, mechanism, strlen(mechanism));
    zt_peer_t p;
    zt_peer_init_type(&p, ZINC_DEALER);
    uint8_t *in = zt_guard_copy(g, 64);
    assert_int_equal(zmtp_engine_feed(p.eng, in, 64), 64);
    zt_guard_free(in);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.err.err, ZI_EMECH);
    assert_int_equal(p.err.protocol, ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
    assert_true(p.err.handshake);
    assert_non_null(p.err.reason);
    /* no READY is sent to a peer with another mechanism */
    size_t len;
    uint8_t *out = zt_drain(p.eng, &len);
    assert_int_equal(len, 64);
    free(out);
    zt_peer_fini(&p);
}

static void test_null_mechanism_mismatch_fails_the_handshake(void **state)
{
    (void)state;
    mismatch_check("PLAIN");
    mismatch_check("CURVE");
    mismatch_check("null");
    mismatch_check("NULLX");
    mismatch_check("");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_produce_sends_the_dealer_ready_vector_once),
        cmocka_unit_test(test_null_peer_ready_completes_the_handshake_and_records_metadata),
        cmocka_unit_test(test_null_second_ready_is_an_unexpected_command),
        cmocka_unit_test(test_null_other_commands_during_the_handshake_are_unexpected),
        cmocka_unit_test(test_null_peer_error_ends_the_handshake),
        cmocka_unit_test(test_null_malformed_error_is_a_malformed_error_command),
        cmocka_unit_test(test_null_ready_without_socket_type_is_invalid_metadata),
        cmocka_unit_test(test_null_unknown_or_miscased_socket_type_is_refused),
        cmocka_unit_test(test_null_incompatible_socket_type_is_refused),
        cmocka_unit_test(test_null_malformed_metadata_is_invalid_metadata),
        cmocka_unit_test(test_null_every_compatible_pair_completes_the_handshake),
        cmocka_unit_test(test_null_incompatible_types_fail_on_both_sides),
        cmocka_unit_test(test_null_extra_metadata_reaches_the_peer),
        cmocka_unit_test(test_null_with_a_zap_domain_sends_ready_only_after_zap_200),
        cmocka_unit_test(test_null_zap_400_sends_error_and_300_closes_silently),
        cmocka_unit_test(test_null_zap_domain_without_handler_goes_on_unless_enforced),
        cmocka_unit_test(test_null_mechanism_mismatch_fails_the_handshake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
