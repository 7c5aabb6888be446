/* The option store a socket embeds, context options and context defaults. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/ctxopts.h"
#include "core/optset.h"
#include "zinc.h"

/* ---- helpers ------------------------------------------------------------ */

static zi_optset_t *new_set(int type)
{
    zi_optset_t *os = test_malloc(sizeof *os);
    assert_int_equal(zi_optset_init(os, type), 0);
    return os;
}

static void free_set(zi_optset_t *os)
{
    zi_optset_fini(os);
    test_free(os);
}

static int64_t get_int(zi_optset_t *os, const char *name)
{
    int64_t v = 0;
    if (zi_optset_get_int(os, name, &v) != 0)
        fail_msg("get %s: %s", name, zinc_last_error_detail());
    return v;
}

static const char *get_text(zi_optset_t *os, const char *name)
{
    static char buf[512];
    size_t len = sizeof buf;
    if (zi_optset_get_text(os, name, buf, &len) != 0)
        fail_msg("get %s: %s", name, zinc_last_error_detail());
    assert_int_equal(len, strlen(buf));
    return buf;
}

static void set_text_ok(zi_optset_t *os, const char *name, const char *value)
{
    if (zi_optset_set_text(os, name, value) != 0)
        fail_msg("set %s=%s: %s", name, value, zinc_last_error_detail());
}

/* The call failed with err and a detail containing `words`. */
#define assert_fails(call, err, words)                                                             \
    do {                                                                                           \
        errno = 0;                                                                                 \
        assert_int_equal((call), -1);                                                              \
        assert_int_equal(errno, (err));                                                            \
        if (!strstr(zinc_last_error_detail(), (words)))                                            \
            fail_msg("detail '%s' lacks '%s'", zinc_last_error_detail(), (words));                 \
    } while (0)

/* ---- initial values ----------------------------------------------------- */

static void test_init_uses_libzmq_defaults_per_socket_type(void **state)
{
    (void)state;
    for (int t = 0; t <= ZINC_CHANNEL; t++) {
        zi_optset_t *os = new_set(t);
        assert_int_equal(get_int(os, "type"), t);
        assert_int_equal(get_int(os, "sndhwm"), 1000);
        assert_int_equal(get_int(os, "rcvhwm"), 1000);
        assert_int_equal(get_int(os, "linger"),
                         (t == ZINC_SUB || t == ZINC_XSUB || t == ZINC_DISH) ? 0 : -1);
        assert_int_equal(get_int(os, "reconnect_ivl"), 100);
        assert_int_equal(get_int(os, "maxmsgsize"), -1);
        assert_int_equal(get_int(os, "mechanism"), 0);
        assert_int_equal(zi_optset_int(os, ZI_OPT_THREAD_SAFE),
                         t >= ZINC_SERVER && t != ZINC_DGRAM);
        if (t != ZINC_STREAM)
            assert_int_equal(get_int(os, "handshake_ivl"), 30000);
        free_set(os);
    }
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_string_equal(get_text(os, "routing_id"), "");
    assert_string_equal(get_text(os, "last_endpoint"), "");
    assert_string_equal(get_text(os, "heartbeat_timeout"), "-1");
    assert_string_equal(get_text(os, "affinity"), "0");
    free_set(os);
}

static void test_init_rejects_unknown_socket_type(void **state)
{
    (void)state;
    zi_optset_t os;
    assert_fails(zi_optset_init(&os, 21), EINVAL, "socket type 21");
    assert_fails(zi_optset_init(&os, -1), EINVAL, "socket type -1");
}

/* ---- the error rules ---------------------------------------------------- */

static void test_set_unknown_option_fails_einval_with_suggestion(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_fails(zi_optset_set_text(os, "sndhmw", "5"), EINVAL,
                 "unknown option 'sndhmw' (did you mean sndhwm?)");
    assert_fails(zi_optset_set_int(os, "lingr", 5), EINVAL, "did you mean linger");
    assert_fails(zi_optset_set_bytes(os, "nothing_like_it", "x", 1), EINVAL,
                 "unknown option 'nothing_like_it'");
    int64_t v;
    assert_fails(zi_optset_get_int(os, "rcvtimo", &v), EINVAL, "rcvtimeo");
    free_set(os);
}

static void test_set_readonly_option_fails_einval(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    const char *ro[] = {"events", "fd", "type", "rcvmore", "last_endpoint", "mechanism"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        char words[64];
        snprintf(words, sizeof words, "%s is read-only", ro[i]);
        assert_fails(zi_optset_set_text(os, ro[i], "1"), EINVAL, words);
        assert_fails(zi_optset_set_int(os, ro[i], 1), EINVAL, words);
    }
    assert_int_equal(get_int(os, "type"), ZINC_DEALER);
    free_set(os);
}

static void test_get_writeonly_option_fails_einval(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_ROUTER);
    int64_t v;
    char buf[16];
    size_t len = sizeof buf;
    assert_fails(zi_optset_get_int(os, "router_mandatory", &v), EINVAL,
                 "router_mandatory is write-only");
    assert_fails(zi_optset_get_text(os, "router_handover", buf, &len), EINVAL, "write-only");
    assert_fails(zi_optset_get_bytes(os, "connect_routing_id", buf, &len), EINVAL, "write-only");
    free_set(os);
    os = new_set(ZINC_SUB);
    assert_fails(zi_optset_get_text(os, "subscribe", buf, &len), EINVAL, "subscribe is write-only");
    free_set(os);
}

static void test_set_option_not_applicable_to_socket_type_fails_einval(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_fails(zi_optset_set_int(os, "router_mandatory", 1), EINVAL,
                 "router_mandatory does not apply to DEALER sockets (only to ROUTER)");
    assert_fails(zi_optset_set_int(os, "req_relaxed", 1), EINVAL, "only to REQ");
    assert_fails(zi_optset_set_text(os, "blocky", "0"), EINVAL,
                 "blocky is not a socket option (it is a context option)");
    free_set(os);
    os = new_set(ZINC_XSUB);
    assert_fails(zi_optset_set_text(os, "subscribe", ""), EINVAL,
                 "subscribe does not apply to XSUB sockets (only to SUB, XPUB)");
    free_set(os);
    os = new_set(ZINC_STREAM);
    assert_fails(zi_optset_set_int(os, "handshake_ivl", 10), EINVAL, "only to all but STREAM");
    int64_t v;
    assert_fails(zi_optset_get_int(os, "handshake_ivl", &v), EINVAL, "does not apply");
    free_set(os);
}

static void test_set_unimplemented_option_fails_enotsup(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_PUSH);
    assert_fails(zi_optset_set_int(os, "rate", 200), ENOTSUP, "rate is not implemented");
    assert_fails(zi_optset_set_int(os, "recovery_ivl", 1), ENOTSUP,
                 "recovery_ivl is not implemented");
    assert_fails(zi_optset_set_text(os, "gssapi_server", "1"), ENOTSUP, "not implemented");
    assert_fails(zi_optset_set_text(os, "tos", "0"), ENOTSUP, "not implemented");
    int64_t v = 7;
    assert_fails(zi_optset_get_int(os, "rate", &v), ENOTSUP, "not implemented");
    assert_int_equal(v, 7);
    /* Nothing was stored: the value is untouched. */
    assert_int_equal(zi_optset_int(os, ZI_OPT_RATE), 100);
    /* The value is not even looked at before ENOTSUP. */
    assert_fails(zi_optset_set_text(os, "rate", "garbage"), ENOTSUP, "not implemented");
    free_set(os);
}

static void test_set_wrong_type_fails_einval(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_fails(zi_optset_set_int(os, "routing_id", 5), EINVAL,
                 "routing_id: wrong type: it takes octets, not an integer");
    assert_fails(zi_optset_set_bytes(os, "linger", "\0\0\0\0", 4), EINVAL,
                 "linger: wrong type: it takes an integer, not octets");
    assert_fails(zi_optset_set_bytes(os, "immediate", "1", 1), EINVAL, "a boolean");
    int64_t v;
    char buf[8];
    size_t len = sizeof buf;
    assert_fails(zi_optset_get_int(os, "routing_id", &v), EINVAL, "wrong type");
    assert_fails(zi_optset_get_bytes(os, "linger", buf, &len), EINVAL, "wrong type");
    free_set(os);
}

static void test_set_out_of_range_fails_einval(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_fails(zi_optset_set_int(os, "linger", -2), EINVAL,
                 "linger: -2 is out of range -1..2147483647");
    assert_fails(zi_optset_set_int(os, "linger", (int64_t)INT_MAX + 1), EINVAL, "out of range");
    assert_fails(zi_optset_set_text(os, "sndhwm", "-1"), EINVAL, "out of range 0..");
    assert_fails(zi_optset_set_int(os, "tcp_keepalive", 2), EINVAL, "out of range -1..1");
    assert_fails(zi_optset_set_int(os, "tcp_keepalive", -2), EINVAL, "out of range -1..1");
    assert_fails(zi_optset_set_int(os, "heartbeat_ttl", 6553600), EINVAL, "0..6553599");
    assert_fails(zi_optset_set_int(os, "maxmsgsize", -2), EINVAL, "out of range");
    assert_fails(zi_optset_set_int(os, "affinity", -1), EINVAL, "negative");
    assert_fails(zi_optset_set_text(os, "affinity", "-1"), EINVAL, "negative");
    /* Nothing changed. */
    assert_int_equal(get_int(os, "linger"), -1);
    assert_int_equal(get_int(os, "sndhwm"), 1000);
    free_set(os);
}

static void test_range_edges_are_accepted(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    static const struct {
        const char *name;
        int64_t v;
    } edges[] = {
        {"linger", -1},
        {"linger", INT_MAX},
        {"tcp_keepalive", -1},
        {"tcp_keepalive", 1},
        {"heartbeat_ttl", 0},
        {"heartbeat_ttl", 6553599},
        {"sndhwm", 0},
        {"rcvhwm", INT_MAX},
        {"maxmsgsize", INT64_MAX},
        {"maxmsgsize", -1},
        {"heartbeat_timeout", -1},
        {"reconnect_ivl", -1},
        {"affinity", INT64_MAX},
        {"backlog", 0},
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        if (zi_optset_set_int(os, edges[i].name, edges[i].v) != 0)
            fail_msg("%s=%lld: %s", edges[i].name, (long long)edges[i].v, zinc_last_error_detail());
        assert_int_equal(get_int(os, edges[i].name), edges[i].v);
    }
    set_text_ok(os, "affinity", "18446744073709551615");
    assert_string_equal(get_text(os, "affinity"), "18446744073709551615");
    assert_fails(zi_optset_set_text(os, "affinity", "18446744073709551616"), EINVAL, "too large");
    set_text_ok(os, "maxmsgsize", "9223372036854775807");
    assert_fails(zi_optset_set_text(os, "maxmsgsize", "9223372036854775808"), EINVAL, "too large");
    assert_fails(zi_optset_set_text(os, "maxmsgsize", "-9223372036854775809"), EINVAL, "too large");
    free_set(os);
}

static void test_set_text_refuses_malformed_integers(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_fails(zi_optset_set_text(os, "linger", "abc"), EINVAL,
                 "linger: value 'abc' is not an integer");
    const char *bad[] = {"", " 1", "1 ", "1.5", "0x", "--1", "+-1", "1e3", "12abc", "\t7"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_fails(zi_optset_set_text(os, "linger", bad[i]), EINVAL, "is not an integer");
    assert_fails(zi_optset_set_text(os, "linger", NULL), EINVAL, "no value");
    set_text_ok(os, "linger", "+250");
    assert_int_equal(get_int(os, "linger"), 250);
    set_text_ok(os, "linger", "0x10");
    assert_int_equal(get_int(os, "linger"), 16);
    set_text_ok(os, "linger", "-1");
    assert_int_equal(get_int(os, "linger"), -1);
    set_text_ok(os, "ZMQ_LINGER", "007");
    assert_int_equal(get_int(os, "linger"), 7);
    free_set(os);
}

static void test_bool_accepts_every_spelling_in_any_case(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    const char *on[] = {"1", "true", "TRUE", "yes", "Yes", "on", "ON"};
    const char *off[] = {"0", "false", "False", "no", "NO", "off", "oFF"};
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        set_text_ok(os, "immediate", off[i]);
        assert_string_equal(get_text(os, "immediate"), "0");
        set_text_ok(os, "immediate", on[i]);
        assert_string_equal(get_text(os, "immediate"), "1");
    }
    const char *bad[] = {"2", "-1", "maybe", "", "tru", "yes ", "01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_fails(zi_optset_set_text(os, "immediate", bad[i]), EINVAL, "is not a boolean");
    assert_fails(zi_optset_set_int(os, "ipv6", 2), EINVAL, "2 is not a boolean (0 or 1)");
    assert_int_equal(zi_optset_set_int(os, "ipv6", 1), 0);
    assert_int_equal(get_int(os, "ipv6"), 1);
    free_set(os);
}

/* ---- special options ---------------------------------------------------- */

static void test_hwm_sets_sndhwm_and_rcvhwm(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_PUSH);
    set_text_ok(os, "hwm", "5");
    assert_int_equal(get_int(os, "sndhwm"), 5);
    assert_int_equal(get_int(os, "rcvhwm"), 5);
    assert_int_equal(get_int(os, "hwm"), 5);
    assert_int_equal(zi_optset_set_int(os, "sndhwm", 7), 0);
    assert_int_equal(get_int(os, "hwm"), 7); /* reads sndhwm, as pyzmq */
    assert_int_equal(get_int(os, "rcvhwm"), 5);
    assert_fails(zi_optset_set_int(os, "hwm", -1), EINVAL, "hwm: -1 is out of range");
    assert_int_equal(get_int(os, "sndhwm"), 7);
    free_set(os);
}

static void test_routing_id_is_1_to_255_octets_not_starting_with_0(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    uint8_t id[256];
    memset(id, 'x', sizeof id);
    assert_fails(zi_optset_set_text(os, "identity", ""), EINVAL,
                 "routing_id: length 0 is outside 1..255 octets");
    assert_fails(zi_optset_set_bytes(os, "routing_id", id, 256), EINVAL, "length 256");
    assert_int_equal(zi_optset_set_bytes(os, "routing_id", id, 255), 0);
    assert_int_equal(strlen(get_text(os, "routing_id")), 255);
    assert_fails(zi_optset_set_bytes(os, "routing_id", "\0ab", 3), EINVAL,
                 "a first octet 0 is reserved");
    /* A NUL later on is fine: ids are octets. */
    assert_int_equal(zi_optset_set_bytes(os, "routing_id", "a\0b", 3), 0);
    uint8_t out[8];
    size_t len = sizeof out;
    assert_int_equal(zi_optset_get_bytes(os, "routing_id", out, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "a\0b", 3);
    char text[8];
    len = sizeof text;
    assert_int_equal(zi_optset_get_text(os, "routing_id", text, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(text, "a\0b\0", 4);
    free_set(os);

    os = new_set(ZINC_ROUTER);
    assert_fails(zi_optset_set_bytes(os, "connect_rid", "\0x", 2), EINVAL, "reserved");
    assert_fails(zi_optset_set_text(os, "connect_routing_id", ""), EINVAL, "length 0");
    set_text_ok(os, "connect_routing_id", "peer-1");
    size_t n;
    const uint8_t *p = zi_optset_bytes(os, ZI_OPT_CONNECT_ROUTING_ID, &n);
    assert_int_equal(n, 6);
    assert_memory_equal(p, "peer-1", 6);
    zi_optset_reset(os, ZI_OPT_CONNECT_ROUTING_ID); /* after the connect that used it */
    assert_null(zi_optset_bytes(os, ZI_OPT_CONNECT_ROUTING_ID, &n));
    assert_int_equal(n, 0);
    free_set(os);
}

static void test_text_round_trips(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_ROUTER);
    static const struct {
        const char *name, *in, *out;
    } cases[] = {
        {"linger", "0", "0"},
        {"sndhwm", "123", "123"},
        {"rcvtimeo", "-1", "-1"},
        {"maxmsgsize", "1099511627776", "1099511627776"},
        {"affinity", "0x8000000000000000", "9223372036854775808"},
        {"routing_id", "client-7", "client-7"},
        {"immediate", "on", "1"},
        {"ipv6", "false", "0"},
        {"tcp_keepalive_idle", "60", "60"},
        {"heartbeat_ivl", "250", "250"},
        {"heartbeat_ttl", "150", "150"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        set_text_ok(os, cases[i].name, cases[i].in);
        assert_string_equal(get_text(os, cases[i].name), cases[i].out);
        /* and the text read back sets the same value again */
        char again[64];
        snprintf(again, sizeof again, "%s", get_text(os, cases[i].name));
        set_text_ok(os, cases[i].name, again);
        assert_string_equal(get_text(os, cases[i].name), cases[i].out);
    }
    free_set(os);
}

static void test_get_text_short_buffer_reports_length_needed(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    set_text_ok(os, "routing_id", "abcdef");
    char buf[6];
    size_t len = sizeof buf;
    assert_fails(zi_optset_get_text(os, "routing_id", buf, &len), EINVAL, "needs 7 octets");
    assert_int_equal(len, 6);
    len = 7;
    char ok[7];
    assert_int_equal(zi_optset_get_text(os, "routing_id", ok, &len), 0);
    assert_string_equal(ok, "abcdef");
    len = 5;
    assert_fails(zi_optset_get_bytes(os, "routing_id", buf, &len), EINVAL, "6 octets");
    assert_int_equal(len, 6);
    len = 2;
    assert_fails(zi_optset_get_text(os, "linger", buf, &len), EINVAL, "needs 3 octets");
    assert_int_equal(len, 2);
    free_set(os);
}

/* ---- hooks -------------------------------------------------------------- */

typedef struct {
    int changed[ZI_OPT_COUNT];
    int actions;
    size_t action_len;
} hook_log_t;

static int hook_live(void *ctx, const zi_option_t *opt, zi_optval_t *out)
{
    (void)ctx;
    if (zi_option_index(opt) == ZI_OPT_EVENTS) {
        out->i = ZINC_POLLIN | ZINC_POLLOUT;
        return 1;
    }
    if (zi_option_index(opt) == ZI_OPT_LAST_ENDPOINT) {
        out->data = (const uint8_t *)"tcp://127.0.0.1:5555";
        out->len = strlen("tcp://127.0.0.1:5555");
        return 1;
    }
    if (zi_option_index(opt) == ZI_OPT_FD) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

static int hook_action(void *ctx, const zi_option_t *opt, const zi_optval_t *val)
{
    hook_log_t *log = ctx;
    assert_int_equal(zi_option_index(opt), ZI_OPT_SUBSCRIBE);
    log->actions++;
    log->action_len = val->len;
    return 0;
}

static void hook_changed(void *ctx, const zi_option_t *opt)
{
    hook_log_t *log = ctx;
    log->changed[zi_option_index(opt)]++;
}

static const zi_optset_hooks_t hooks = {hook_live, hook_action, hook_changed};

static void test_live_hook_answers_readonly_values(void **state)
{
    (void)state;
    hook_log_t log;
    memset(&log, 0, sizeof log);
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_int_equal(get_int(os, "events"), 0); /* no hook yet: the stand-in */
    zi_optset_set_hooks(os, &hooks, &log);
    assert_int_equal(get_int(os, "events"), ZINC_POLLIN | ZINC_POLLOUT);
    assert_string_equal(get_text(os, "last_endpoint"), "tcp://127.0.0.1:5555");
    assert_int_equal(get_int(os, "rcvmore"), 0); /* hook says "use the stored value" */
    int64_t v;
    assert_fails(zi_optset_get_int(os, "fd", &v), EBADF, "fd: the socket could not report it");
    free_set(os);
}

static void test_changed_hook_hears_each_stored_row(void **state)
{
    (void)state;
    hook_log_t log;
    memset(&log, 0, sizeof log);
    zi_optset_t *os = new_set(ZINC_DEALER);
    zi_optset_set_hooks(os, &hooks, &log);
    set_text_ok(os, "hwm", "10");
    assert_int_equal(log.changed[ZI_OPT_SNDHWM], 1);
    assert_int_equal(log.changed[ZI_OPT_RCVHWM], 1);
    set_text_ok(os, "linger", "5");
    assert_int_equal(log.changed[ZI_OPT_LINGER], 1);
    assert_int_equal(zi_optset_set_text(os, "linger", "x"), -1);
    assert_int_equal(log.changed[ZI_OPT_LINGER], 1);
    free_set(os);
}

static void test_action_options_go_to_the_socket_not_the_store(void **state)
{
    (void)state;
    hook_log_t log;
    memset(&log, 0, sizeof log);
    zi_optset_t *os = new_set(ZINC_SUB);
    const zi_option_t *sub = zi_option_at(ZI_OPT_SUBSCRIBE);
    zi_optval_t v;
    assert_int_equal(zi_option_parse_text(sub, "topic", &v), 0);
    assert_fails(zi_optset_apply(os, sub, &v), ENOTSUP, "subscribe needs a socket");
    zi_optset_set_hooks(os, &hooks, &log);
    assert_int_equal(zi_optset_apply(os, sub, &v), 0);
    assert_int_equal(log.actions, 1);
    assert_int_equal(log.action_len, 5);
    assert_null(zi_optset_bytes(os, ZI_OPT_SUBSCRIBE, NULL));
    free_set(os);
}

/* ---- derived values, as libzmq (through the validated path) -------------- */

static void apply_text(zi_optset_t *os, zi_opt_index i, const char *text)
{
    zi_optval_t v;
    if (zi_option_parse_text(zi_option_at(i), text, &v) != 0)
        fail_msg("%s: %s", zi_option_at(i)->name, zinc_last_error_detail());
    assert_int_equal(zi_optset_apply(os, zi_option_at(i), &v), 0);
}

static int64_t value_of(zi_optset_t *os, zi_opt_index i)
{
    zi_optval_t v;
    zi_optset_value(os, zi_option_at(i), &v);
    return v.i;
}

static void test_security_options_select_the_mechanism(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    apply_text(os, ZI_OPT_PLAIN_USERNAME, "admin");
    assert_int_equal(get_int(os, "mechanism"), 1);
    assert_int_equal(value_of(os, ZI_OPT_PLAIN_SERVER), 0);
    apply_text(os, ZI_OPT_PLAIN_SERVER, "1");
    assert_int_equal(value_of(os, ZI_OPT_PLAIN_SERVER), 1);
    apply_text(os, ZI_OPT_CURVE_SERVERKEY, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    assert_int_equal(get_int(os, "mechanism"), 2);
    assert_int_equal(value_of(os, ZI_OPT_PLAIN_SERVER), 0);
    assert_int_equal(value_of(os, ZI_OPT_CURVE_SERVER), 0); /* a serverkey makes a client */
    apply_text(os, ZI_OPT_CURVE_SERVER, "1");
    assert_int_equal(value_of(os, ZI_OPT_CURVE_SERVER), 1);
    apply_text(os, ZI_OPT_CURVE_SERVER, "0");
    assert_int_equal(get_int(os, "mechanism"), 0);
    apply_text(os, ZI_OPT_PLAIN_PASSWORD, "secret");
    assert_int_equal(get_int(os, "mechanism"), 1);
    apply_text(os, ZI_OPT_PLAIN_PASSWORD, "");
    assert_int_equal(get_int(os, "mechanism"), 0);

    char buf[41];
    size_t len = sizeof buf;
    assert_int_equal(zi_optset_format(os, zi_option_at(ZI_OPT_CURVE_SERVERKEY), buf, &len), 0);
    assert_string_equal(buf, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    len = sizeof buf;
    assert_int_equal(zi_optset_format(os, zi_option_at(ZI_OPT_CURVE_SECRETKEY), buf, &len), 0);
    assert_string_equal(buf, "0000000000000000000000000000000000000000"); /* unset: zeros */
    free_set(os);
}

static void test_ipv4only_is_the_inverse_of_ipv6(void **state)
{
    (void)state;
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_int_equal(value_of(os, ZI_OPT_IPV4ONLY), 1);
    apply_text(os, ZI_OPT_IPV4ONLY, "0");
    assert_int_equal(get_int(os, "ipv6"), 1);
    set_text_ok(os, "ipv6", "0");
    assert_int_equal(value_of(os, ZI_OPT_IPV4ONLY), 1);
    free_set(os);
}

static void test_string_options_take_one_trailing_nul_and_no_other(void **state)
{
    (void)state;
    const zi_option_t *o = zi_option_at(ZI_OPT_ZAP_DOMAIN);
    zi_optval_t v;
    assert_int_equal(zi_option_parse_bytes(o, "global", 7, &v), 0);
    assert_int_equal(v.len, 6);
    assert_fails(zi_option_parse_bytes(o, "glo\0bal", 7, &v), EINVAL,
                 "a string may not contain NUL octets");
    char long_name[300];
    memset(long_name, 'd', sizeof long_name);
    long_name[256] = '\0';
    assert_fails(zi_option_parse_text(o, long_name, &v), EINVAL, "length 256 is outside 0..255");
    assert_fails(zi_option_parse_text(zi_option_at(ZI_OPT_METADATA), "Y-key:v", &v), EINVAL,
                 "\"X-key:value\"");
    assert_fails(zi_option_parse_text(zi_option_at(ZI_OPT_METADATA), "X-key:", &v), EINVAL,
                 "X-key:value");
    assert_int_equal(zi_option_parse_text(zi_option_at(ZI_OPT_METADATA), "X-key:v", &v), 0);
}

/* ---- context options ---------------------------------------------------- */

static const char *ctx_text(zi_ctxopts_t *c, const char *name)
{
    static char buf[64];
    size_t len = sizeof buf;
    if (zi_ctxopts_get_text(c, name, buf, &len) != 0)
        fail_msg("get %s: %s", name, zinc_last_error_detail());
    return buf;
}

static void test_context_options_have_libzmq_defaults(void **state)
{
    (void)state;
    zi_ctxopts_t c;
    zi_ctxopts_init(&c);
    assert_string_equal(ctx_text(&c, "io_threads"), "1");
    assert_string_equal(ctx_text(&c, "ZMQ_MAX_SOCKETS"), "1023");
    assert_string_equal(ctx_text(&c, "socket_limit"), "65535");
    assert_string_equal(ctx_text(&c, "ipv6"), "0");
    assert_string_equal(ctx_text(&c, "blocky"), "1");
    assert_string_equal(ctx_text(&c, "max_msgsz"), "2147483647");
    assert_string_equal(ctx_text(&c, "msg_t_size"), "64");
    assert_string_equal(ctx_text(&c, "thread_name_prefix"), "");
    assert_int_equal(zi_ctxopts_int(&c, ZI_CTXOPT_IO_THREADS), 1);
}

static void test_context_options_check_access_range_and_implementation(void **state)
{
    (void)state;
    zi_ctxopts_t c;
    zi_ctxopts_init(&c);
    assert_int_equal(zi_ctxopts_set_text(&c, "io_threads", "0"), 0); /* inproc only */
    assert_fails(zi_ctxopts_set_text(&c, "io_threads", "-1"), EINVAL, "out of range");
    assert_fails(zi_ctxopts_set_int(&c, "max_sockets", 0), EINVAL, "out of range 1..");
    assert_fails(zi_ctxopts_set_int(&c, "socket_limit", 5), EINVAL, "socket_limit is read-only");
    assert_fails(zi_ctxopts_set_int(&c, "msg_t_size", 64), EINVAL, "read-only");
    assert_fails(zi_ctxopts_set_text(&c, "blocky", "maybe"), EINVAL, "not a boolean");
    assert_fails(zi_ctxopts_set_text(&c, "io_thread", "2"), EINVAL,
                 "unknown context option 'io_thread' (did you mean io_threads?)");
    char buf[8];
    size_t len = sizeof buf;
    assert_fails(zi_ctxopts_get_text(&c, "thread_priority", buf, &len), EINVAL, "write-only");
    assert_fails(zi_ctxopts_set_int(&c, "thread_sched_policy", 1), ENOTSUP, "not implemented");
    assert_int_equal(zi_ctxopts_set_text(&c, "thread_name_prefix", "0123456789abcdef"), 0);
    assert_string_equal(ctx_text(&c, "thread_name_prefix"), "0123456789abcdef");
    assert_fails(zi_ctxopts_set_text(&c, "thread_name_prefix", "0123456789abcdefg"), EINVAL,
                 "length 17");
    int64_t v;
    assert_fails(zi_ctxopts_get_int(&c, "thread_name_prefix", &v), EINVAL, "wrong type");
    assert_int_equal(zi_ctxopts_set_int(&c, "blocky", 0), 0);
    assert_int_equal(zi_ctxopts_get_int(&c, "blocky", &v), 0);
    assert_int_equal(v, 0);
}

/* ---- context defaults ---------------------------------------------------- */

static void test_ctx_defaults_apply_in_the_order_set(void **state)
{
    (void)state;
    zi_ctx_defaults_t d;
    zi_ctx_defaults_init(&d);
    assert_int_equal(zi_ctx_defaults_set(&d, "hwm", "10"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "sndhwm", "20"), 0);
    zi_optset_t *os = new_set(ZINC_PUSH);
    assert_int_equal(zi_ctx_defaults_apply(&d, os), 0);
    assert_int_equal(get_int(os, "sndhwm"), 20);
    assert_int_equal(get_int(os, "rcvhwm"), 10);
    free_set(os);
    zi_ctx_defaults_fini(&d);

    zi_ctx_defaults_init(&d);
    assert_int_equal(zi_ctx_defaults_set(&d, "sndhwm", "20"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "hwm", "10"), 0);
    os = new_set(ZINC_PUSH);
    assert_int_equal(zi_ctx_defaults_apply(&d, os), 0);
    assert_int_equal(get_int(os, "sndhwm"), 10);
    free_set(os);
    zi_ctx_defaults_fini(&d);
}

static void test_ctx_defaults_replace_a_name_in_place(void **state)
{
    (void)state;
    zi_ctx_defaults_t d;
    zi_ctx_defaults_init(&d);
    assert_int_equal(zi_ctx_defaults_set(&d, "sndhwm", "20"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "hwm", "10"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "SNDHWM", "30"), 0);
    assert_int_equal(zi_ctx_defaults_count(&d), 2);
    zi_optval_t v;
    assert_ptr_equal(zi_ctx_defaults_at(&d, 0, &v), zi_option_at(ZI_OPT_SNDHWM));
    assert_int_equal(v.i, 30);
    assert_ptr_equal(zi_ctx_defaults_at(&d, 1, NULL), zi_option_at(ZI_OPT_HWM));
    assert_null(zi_ctx_defaults_at(&d, 2, NULL));
    zi_optset_t *os = new_set(ZINC_PUSH);
    assert_int_equal(zi_ctx_defaults_apply(&d, os), 0);
    assert_int_equal(get_int(os, "sndhwm"), 10); /* hwm still comes after */
    free_set(os);
    /* An alias is the same option. */
    assert_int_equal(zi_ctx_defaults_set(&d, "identity", "a"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "routing_id", "bb"), 0);
    assert_int_equal(zi_ctx_defaults_count(&d), 3);
    zi_ctx_defaults_fini(&d);
}

static void test_ctx_defaults_skip_options_not_applicable_to_the_socket(void **state)
{
    (void)state;
    zi_ctx_defaults_t d;
    zi_ctx_defaults_init(&d);
    assert_int_equal(zi_ctx_defaults_set(&d, "router_mandatory", "1"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "req_relaxed", "1"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "linger", "0"), 0);
    zi_optset_t *dealer = new_set(ZINC_DEALER);
    assert_int_equal(zi_ctx_defaults_apply(&d, dealer), 0);
    assert_int_equal(zi_optset_int(dealer, ZI_OPT_ROUTER_MANDATORY), 0);
    assert_int_equal(zi_optset_int(dealer, ZI_OPT_REQ_RELAXED), 0);
    assert_int_equal(get_int(dealer, "linger"), 0);
    free_set(dealer);
    zi_optset_t *router = new_set(ZINC_ROUTER);
    assert_int_equal(zi_ctx_defaults_apply(&d, router), 0);
    assert_int_equal(zi_optset_int(router, ZI_OPT_ROUTER_MANDATORY), 1);
    assert_int_equal(zi_optset_int(router, ZI_OPT_REQ_RELAXED), 0);
    free_set(router);
    zi_optset_t *req = new_set(ZINC_REQ);
    assert_int_equal(zi_ctx_defaults_apply(&d, req), 0);
    assert_int_equal(zi_optset_int(req, ZI_OPT_REQ_RELAXED), 1);
    free_set(req);
    zi_ctx_defaults_fini(&d);
}

static void test_ctx_defaults_refuse_malformed_values_when_set(void **state)
{
    (void)state;
    zi_ctx_defaults_t d;
    zi_ctx_defaults_init(&d);
    assert_fails(zi_ctx_defaults_set(&d, "linger", "abc"), EINVAL,
                 "linger: value 'abc' is not an integer");
    assert_fails(zi_ctx_defaults_set(&d, "linger", "-5"), EINVAL, "out of range");
    assert_fails(zi_ctx_defaults_set(&d, "routing_id", ""), EINVAL, "length 0");
    assert_fails(zi_ctx_defaults_set(&d, "immediate", "perhaps"), EINVAL, "not a boolean");
    assert_fails(zi_ctx_defaults_set(&d, "lingr", "0"), EINVAL, "did you mean linger");
    assert_fails(zi_ctx_defaults_set(&d, "events", "1"), EINVAL, "events is read-only");
    assert_fails(zi_ctx_defaults_set(&d, "blocky", "0"), EINVAL, "context option");
    assert_fails(zi_ctx_defaults_set(&d, "rate", "10"), ENOTSUP, "rate is not implemented");
    assert_int_equal(zi_ctx_defaults_count(&d), 0);
    /* A refused value leaves an earlier one in place. */
    assert_int_equal(zi_ctx_defaults_set(&d, "linger", "5"), 0);
    assert_fails(zi_ctx_defaults_set(&d, "linger", "x"), EINVAL, "not an integer");
    char buf[8];
    size_t len = sizeof buf;
    assert_int_equal(zi_ctx_defaults_get(&d, "linger", buf, &len), 0);
    assert_string_equal(buf, "5");
    zi_ctx_defaults_fini(&d);
}

static void test_ctx_defaults_can_be_read_and_removed(void **state)
{
    (void)state;
    zi_ctx_defaults_t d;
    zi_ctx_defaults_init(&d);
    assert_int_equal(zi_ctx_defaults_set(&d, "linger", "0"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "routing_id", "worker"), 0);
    assert_int_equal(zi_ctx_defaults_set(&d, "immediate", "yes"), 0);
    char buf[16];
    size_t len = sizeof buf;
    assert_int_equal(zi_ctx_defaults_get(&d, "ZMQ_IDENTITY", buf, &len), 0);
    assert_string_equal(buf, "worker");
    len = sizeof buf;
    assert_int_equal(zi_ctx_defaults_get(&d, "immediate", buf, &len), 0);
    assert_string_equal(buf, "1");
    len = sizeof buf;
    assert_fails(zi_ctx_defaults_get(&d, "sndhwm", buf, &len), ENOENT,
                 "no context default is set for sndhwm");
    assert_fails(zi_ctx_defaults_get(&d, "sndhmw", buf, &len), EINVAL, "unknown option");

    assert_int_equal(zi_ctx_defaults_remove(&d, "routing_id"), 0);
    assert_int_equal(zi_ctx_defaults_count(&d), 2);
    assert_ptr_equal(zi_ctx_defaults_at(&d, 0, NULL), zi_option_at(ZI_OPT_LINGER));
    assert_ptr_equal(zi_ctx_defaults_at(&d, 1, NULL), zi_option_at(ZI_OPT_IMMEDIATE));
    assert_fails(zi_ctx_defaults_remove(&d, "routing_id"), ENOENT, "no context default");
    len = sizeof buf;
    assert_fails(zi_ctx_defaults_get(&d, "routing_id", buf, &len), ENOENT, "routing_id");
    zi_optset_t *os = new_set(ZINC_DEALER);
    assert_int_equal(zi_ctx_defaults_apply(&d, os), 0);
    assert_string_equal(get_text(os, "routing_id"), "");
    assert_int_equal(get_int(os, "immediate"), 1);
    free_set(os);
    zi_ctx_defaults_fini(&d);
}

static void test_ctx_set_sends_context_options_and_defaults_their_way(void **state)
{
    (void)state;
    zi_ctxopts_t c;
    zi_ctx_defaults_t d;
    zi_ctxopts_init(&c);
    zi_ctx_defaults_init(&d);
    assert_int_equal(zi_ctx_set_text(&c, &d, "io_threads", "2"), 0);
    assert_int_equal(zi_ctx_set_text(&c, &d, "ipv6", "1"), 0);
    assert_int_equal(zi_ctx_set_text(&c, &d, "linger", "0"), 0);
    assert_int_equal(zi_ctxopts_int(&c, ZI_CTXOPT_IO_THREADS), 2);
    assert_int_equal(zi_ctx_defaults_count(&d), 1);
    char buf[8];
    size_t len = sizeof buf;
    assert_int_equal(zi_ctx_get_text(&c, &d, "linger", buf, &len), 0);
    assert_string_equal(buf, "0");
    len = sizeof buf;
    assert_int_equal(zi_ctx_get_text(&c, &d, "IO_THREADS", buf, &len), 0);
    assert_string_equal(buf, "2");
    assert_fails(zi_ctx_set_text(&c, &d, "io_thread", "2"), EINVAL,
                 "unknown option 'io_thread' (did you mean io_threads");
    len = sizeof buf;
    assert_fails(zi_ctx_get_text(&c, &d, "lingr", buf, &len), EINVAL, "did you mean linger");

    /* A new socket inherits the context's ipv6, then the defaults. */
    zi_optset_t *os = new_set(ZINC_DEALER);
    zi_ctxopts_seed(&c, os);
    assert_int_equal(zi_ctx_defaults_apply(&d, os), 0);
    assert_int_equal(get_int(os, "ipv6"), 1);
    assert_int_equal(get_int(os, "linger"), 0);
    free_set(os);
    zi_ctx_defaults_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_uses_libzmq_defaults_per_socket_type),
        cmocka_unit_test(test_init_rejects_unknown_socket_type),
        cmocka_unit_test(test_set_unknown_option_fails_einval_with_suggestion),
        cmocka_unit_test(test_set_readonly_option_fails_einval),
        cmocka_unit_test(test_get_writeonly_option_fails_einval),
        cmocka_unit_test(test_set_option_not_applicable_to_socket_type_fails_einval),
        cmocka_unit_test(test_set_unimplemented_option_fails_enotsup),
        cmocka_unit_test(test_set_wrong_type_fails_einval),
        cmocka_unit_test(test_set_out_of_range_fails_einval),
        cmocka_unit_test(test_range_edges_are_accepted),
        cmocka_unit_test(test_set_text_refuses_malformed_integers),
        cmocka_unit_test(test_bool_accepts_every_spelling_in_any_case),
        cmocka_unit_test(test_hwm_sets_sndhwm_and_rcvhwm),
        cmocka_unit_test(test_routing_id_is_1_to_255_octets_not_starting_with_0),
        cmocka_unit_test(test_text_round_trips),
        cmocka_unit_test(test_get_text_short_buffer_reports_length_needed),
        cmocka_unit_test(test_live_hook_answers_readonly_values),
        cmocka_unit_test(test_changed_hook_hears_each_stored_row),
        cmocka_unit_test(test_action_options_go_to_the_socket_not_the_store),
        cmocka_unit_test(test_security_options_select_the_mechanism),
        cmocka_unit_test(test_ipv4only_is_the_inverse_of_ipv6),
        cmocka_unit_test(test_string_options_take_one_trailing_nul_and_no_other),
        cmocka_unit_test(test_context_options_have_libzmq_defaults),
        cmocka_unit_test(test_context_options_check_access_range_and_implementation),
        cmocka_unit_test(test_ctx_defaults_apply_in_the_order_set),
        cmocka_unit_test(test_ctx_defaults_replace_a_name_in_place),
        cmocka_unit_test(test_ctx_defaults_skip_options_not_applicable_to_the_socket),
        cmocka_unit_test(test_ctx_defaults_refuse_malformed_values_when_set),
        cmocka_unit_test(test_ctx_defaults_can_be_read_and_removed),
        cmocka_unit_test(test_ctx_set_sends_context_options_and_defaults_their_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
