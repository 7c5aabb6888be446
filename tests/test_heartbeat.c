/* Heartbeats and the handshake timer, driven only by zmtp_engine_tick(now):
 * the engine reads no clock. */
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
#include "zmtp/greeting.h"

#define NEVER INT64_MAX

/* PING as the engine sends it: TTL in deciseconds, no context. */
static void ping_bytes(uint8_t out[9], uint16_t ttl_ds)
{
    static const uint8_t head[] = {0x04, 0x07, 0x04, 'P', 'I', 'N', 'G'};
    memcpy(out, head, sizeof head);
    out[7] = (uint8_t)(ttl_ds >> 8);
    out[8] = (uint8_t)ttl_ds;
}

static void feed(zt_peer_t *p, const uint8_t *v, size_t n)
{
    uint8_t *g = zt_guard_copy(v, n);
    assert_int_equal(zmtp_engine_feed(p->eng, g, n), n);
    zt_guard_free(g);
}

/* A DEALER created at t=0 that becomes ready at t=ready_at (ticked then),
 * its greeting and READY written. */
static void open_ready(zt_peer_t *p, int ivl, int ttl, int timeout, const uint8_t *greeting,
                       int64_t ready_at)
{
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.heartbeat_ivl = ivl;
    cfg.heartbeat_ttl = ttl;
    cfg.heartbeat_timeout = timeout;
    zt_peer_init(p, &cfg, 0);
    zmtp_engine_tick(p->eng, ready_at);
    feed(p, greeting, 64);
    feed(p, zt_ready_router, sizeof zt_ready_router);
    assert_true(zmtp_engine_is_ready(p->eng));
    zt_discard_output(p->eng);
}

static void expect_output(zt_peer_t *p, const uint8_t *want, size_t len)
{
    size_t got;
    uint8_t *out = zt_drain(p->eng, &got);
    assert_int_equal(got, len);
    if (len)
        assert_memory_equal(out, want, len);
    free(out);
}

static void test_heartbeat_ping_every_ivl_once_ready_with_ttl_in_deciseconds(void **state)
{
    (void)state;
    zt_peer_t p;
    uint8_t ping[9];
    ping_bytes(ping, 25); /* 2500 ms */
    open_ready(&p, 1000, 2500, -1, zt_greeting_null_31, 5000);
    assert_int_equal(zmtp_engine_tick(p.eng, 5000), 6000);
    assert_int_equal(zmtp_engine_tick(p.eng, 5999), 6000);
    expect_output(&p, NULL, 0);
    for (int64_t t = 6000; t <= 10000; t += 1000) {
        int64_t next = zmtp_engine_tick(p.eng, t);
        expect_output(&p, ping, sizeof ping);
        assert_int_equal(next, t + 1000);
        /* the peer answers */
        feed(&p, zt_pong_bare, sizeof zt_pong_bare);
        assert_int_equal(zmtp_engine_tick(p.eng, t + 500), t + 1000);
        expect_output(&p, NULL, 0);
    }
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_no_ping_before_ready(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.heartbeat_ivl = 100;
    zt_peer_t p;
    zt_peer_init(&p, &cfg, 0);
    zt_discard_output(p.eng);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), 30000); /* handshake_ivl */
    feed(&p, zt_greeting_null_31, 64);
    zt_discard_output(p.eng); /* our READY */
    assert_int_equal(zmtp_engine_tick(p.eng, 2000), 30000);
    expect_output(&p, NULL, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_ttl_is_clamped_to_65535_deciseconds(void **state)
{
    (void)state;
    zt_peer_t p;
    uint8_t ping[9];
    open_ready(&p, 1000, 10 * 1000 * 1000, -1, zt_greeting_null_31, 0);
    zmtp_engine_tick(p.eng, 1000);
    ping_bytes(ping, 0xFFFF);
    expect_output(&p, ping, sizeof ping);
    zt_peer_fini(&p);
    /* and without a ttl the PING says 0 */
    open_ready(&p, 1000, 0, -1, zt_greeting_null_31, 0);
    zmtp_engine_tick(p.eng, 1000);
    ping_bytes(ping, 0);
    expect_output(&p, ping, sizeof ping);
    zt_peer_fini(&p);
}

static void test_heartbeat_pong_echoes_the_ping_context(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 0, 0, -1, zt_greeting_null_31, 0);
    feed(&p, zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx);
    expect_output(&p, zt_pong_ctx, sizeof zt_pong_ctx);
    /* a context of 16 octets, the most there can be */
    static const uint8_t ping16[] = {0x04, 0x17, 0x04, 'P', 'I', 'N', 'G', 0,   0,
                                     '0',  '1',  '2',  '3', '4', '5', '6', '7', '8',
                                     '9',  'a',  'b',  'c', 'd', 'e', 'f'};
    static const uint8_t pong16[] = {0x04, 0x15, 0x04, 'P', 'O', 'N', 'G', '0', '1', '2', '3', '4',
                                     '5',  '6',  '7',  '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    feed(&p, ping16, sizeof ping16);
    expect_output(&p, pong16, sizeof pong16);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_silence_after_ping_times_out(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 1000, 0, 300, zt_greeting_null_31, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), 1300); /* PING; timeout next */
    assert_int_equal(zmtp_engine_tick(p.eng, 1299), 1300);
    assert_int_equal(p.errors, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 1300), NEVER);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.err.err, ZI_ETIMEDOUT);
    assert_false(p.err.handshake);
    assert_true(zmtp_engine_failed(p.eng));
    zt_peer_fini(&p);
}

static void test_heartbeat_timeout_defaults_to_the_interval(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 1000, 0, -1, zt_greeting_null_31, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), 2000);
    assert_int_equal(zmtp_engine_tick(p.eng, 1999), 2000);
    assert_int_equal(p.errors, 0);
    zmtp_engine_tick(p.eng, 2000);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.err.err, ZI_ETIMEDOUT);
    zt_peer_fini(&p);
}

static void test_heartbeat_timeout_zero_arms_no_timer(void **state)
{
    (void)state;
    /* as libzmq: a PING arms the timeout only when heartbeat_timeout > 0 */
    zt_peer_t p;
    open_ready(&p, 1000, 0, 0, zt_greeting_null_31, 0);
    uint8_t ping[9];
    ping_bytes(ping, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), 2000);
    expect_output(&p, ping, sizeof ping);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), 2000);
    assert_int_equal(zmtp_engine_tick(p.eng, 1500), 2000);
    zmtp_engine_tick(p.eng, 2000);
    expect_output(&p, ping, sizeof ping);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_any_input_cancels_the_timeout(void **state)
{
    (void)state;
    const uint8_t *inputs[] = {zt_pong_bare, zt_frame_hello_more, zt_ping_bare};
    const size_t lens[] = {sizeof zt_pong_bare, sizeof zt_frame_hello_more, sizeof zt_ping_bare};
    for (size_t i = 0; i < 3; i++) {
        zt_peer_t p;
        open_ready(&p, 1000, 0, 300, zt_greeting_null_31, 0);
        zmtp_engine_tick(p.eng, 1000); /* PING, timeout at 1300 */
        feed(&p, inputs[i], lens[i]);
        /* the input is stamped at the next tick: the timer is gone */
        assert_int_equal(zmtp_engine_tick(p.eng, 1300), 2000);
        assert_int_equal(p.errors, 0);
        /* the next PING arms it again */
        assert_int_equal(zmtp_engine_tick(p.eng, 2000), 2300);
        zmtp_engine_tick(p.eng, 2300);
        assert_int_equal(p.errors, 1);
        assert_int_equal(p.err.err, ZI_ETIMEDOUT);
        zt_peer_fini(&p);
    }
}

static void test_heartbeat_direct_input_cancels_the_timeout(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 1000, 0, 300, zt_greeting_null_31, 0);
    static const uint8_t hdr[] = {0x00, 100};
    feed(&p, hdr, sizeof hdr);
    zmtp_engine_tick(p.eng, 1000); /* PING, timeout at 1300 */
    size_t len;
    uint8_t *w = zmtp_engine_recv_window(p.eng, &len);
    assert_non_null(w);
    memset(w, 'z', 10);
    zmtp_engine_feed_direct(p.eng, 10);
    assert_int_equal(zmtp_engine_tick(p.eng, 1300), 2000);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_peer_ttl_ends_a_silent_connection(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 0, 0, -1, zt_greeting_null_31, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 100), NEVER);
    feed(&p, zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx); /* TTL 10 ds */
    /* armed at the next tick, for 1000 ms */
    assert_int_equal(zmtp_engine_tick(p.eng, 150), 1150);
    assert_int_equal(zmtp_engine_tick(p.eng, 1149), 1150);
    assert_int_equal(p.errors, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 1150), NEVER);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.err.err, ZI_ETIMEDOUT);
    assert_false(p.err.handshake);
    zt_peer_fini(&p);
}

static void test_heartbeat_input_within_the_peer_ttl_keeps_the_connection(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 0, 0, -1, zt_greeting_null_31, 0);
    zmtp_engine_tick(p.eng, 100);
    feed(&p, zt_ping_ttl_ctx, sizeof zt_ping_ttl_ctx);
    assert_int_equal(zmtp_engine_tick(p.eng, 150), 1150);
    feed(&p, zt_frame_hello_more, sizeof zt_frame_hello_more);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), NEVER);
    zmtp_engine_tick(p.eng, 100000);
    assert_int_equal(p.errors, 0);
    /* a PING without a TTL arms nothing */
    feed(&p, zt_ping_bare, sizeof zt_ping_bare);
    assert_int_equal(zmtp_engine_tick(p.eng, 100001), NEVER);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_handshake_ivl_elapsing_before_ready_times_out(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.handshake_ivl = 500;
    /* nothing at all, a partial greeting, a greeting without READY */
    const size_t sent[] = {0, 30, 64};
    for (size_t i = 0; i < 3; i++) {
        zt_peer_t p;
        zt_peer_init(&p, &cfg, 1000);
        assert_int_equal(zmtp_engine_tick(p.eng, 1000), 1500);
        if (sent[i])
            feed(&p, zt_greeting_null_31, sent[i]);
        assert_int_equal(zmtp_engine_tick(p.eng, 1499), 1500);
        assert_int_equal(p.errors, 0);
        assert_int_equal(zmtp_engine_tick(p.eng, 1500), NEVER);
        assert_int_equal(p.errors, 1);
        assert_int_equal(p.err.err, ZI_ETIMEDOUT);
        assert_true(p.err.handshake);
        zmtp_engine_tick(p.eng, 5000);
        assert_int_equal(p.errors, 1);
        zt_peer_fini(&p);
    }
}

static void test_heartbeat_handshake_timer_stops_once_ready(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.handshake_ivl = 500;
    zt_peer_t p;
    zt_peer_init(&p, &cfg, 0);
    zmtp_engine_tick(p.eng, 400);
    feed(&p, zt_greeting_null_31, 64);
    feed(&p, zt_ready_router, sizeof zt_ready_router);
    assert_int_equal(zmtp_engine_tick(p.eng, 499), NEVER);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000000), NEVER);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_handshake_ivl_zero_means_no_limit(void **state)
{
    (void)state;
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, ZINC_DEALER);
    cfg.handshake_ivl = 0;
    zt_peer_t p;
    zt_peer_init(&p, &cfg, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 0), NEVER);
    assert_int_equal(zmtp_engine_tick(p.eng, (int64_t)1 << 40), NEVER);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_no_pings_to_a_30_peer(void **state)
{
    (void)state;
    zt_peer_t p;
    open_ready(&p, 1000, 2000, 300, zt_greeting_null_30, 0);
    assert_int_equal(zmtp_engine_peer_version(p.eng), ZMTP_V30);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), NEVER);
    assert_int_equal(zmtp_engine_tick(p.eng, 100000), NEVER);
    expect_output(&p, NULL, 0);
    assert_int_equal(p.errors, 0);
    zt_peer_fini(&p);
}

static void test_heartbeat_tick_returns_the_earliest_deadline(void **state)
{
    (void)state;
    zt_peer_t p;
    /* ivl 1000, timeout 5000: after the first PING the next PING (2000)
     * comes before the timeout (6000) */
    open_ready(&p, 1000, 0, 5000, zt_greeting_null_31, 0);
    assert_int_equal(zmtp_engine_tick(p.eng, 0), 1000);
    assert_int_equal(zmtp_engine_tick(p.eng, 1000), 2000);
    /* the timeout armed by the first PING is kept, not pushed back */
    assert_int_equal(zmtp_engine_tick(p.eng, 2000), 3000);
    assert_int_equal(zmtp_engine_tick(p.eng, 5000), 6000);
    assert_int_equal(zmtp_engine_tick(p.eng, 6000), NEVER);
    assert_int_equal(p.err.err, ZI_ETIMEDOUT);
    zt_peer_fini(&p);
    /* ivl 1000, timeout 200, peer TTL 100 ms */
    open_ready(&p, 1000, 0, 200, zt_greeting_null_31, 0);
    static const uint8_t ping_ttl1[] = {0x04, 0x07, 0x04, 'P', 'I', 'N', 'G', 0x00, 0x01};
    feed(&p, ping_ttl1, sizeof ping_ttl1);
    assert_int_equal(zmtp_engine_tick(p.eng, 10), 110);
    zt_peer_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heartbeat_ping_every_ivl_once_ready_with_ttl_in_deciseconds),
        cmocka_unit_test(test_heartbeat_no_ping_before_ready),
        cmocka_unit_test(test_heartbeat_ttl_is_clamped_to_65535_deciseconds),
        cmocka_unit_test(test_heartbeat_pong_echoes_the_ping_context),
        cmocka_unit_test(test_heartbeat_silence_after_ping_times_out),
        cmocka_unit_test(test_heartbeat_timeout_defaults_to_the_interval),
        cmocka_unit_test(test_heartbeat_timeout_zero_arms_no_timer),
        cmocka_unit_test(test_heartbeat_any_input_cancels_the_timeout),
        cmocka_unit_test(test_heartbeat_direct_input_cancels_the_timeout),
        cmocka_unit_test(test_heartbeat_peer_ttl_ends_a_silent_connection),
        cmocka_unit_test(test_heartbeat_input_within_the_peer_ttl_keeps_the_connection),
        cmocka_unit_test(test_heartbeat_handshake_ivl_elapsing_before_ready_times_out),
        cmocka_unit_test(test_heartbeat_handshake_timer_stops_once_ready),
        cmocka_unit_test(test_heartbeat_handshake_ivl_zero_means_no_limit),
        cmocka_unit_test(test_heartbeat_no_pings_to_a_30_peer),
        cmocka_unit_test(test_heartbeat_tick_returns_the_earliest_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
