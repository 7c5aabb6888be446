/* The option table: lookup, iteration, suggestions, row invariants. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/options.h"
#include "zinc.h"

static const zinc_option_t *find(const char *name)
{
    const zinc_option_t *o = zinc_option_find(name);
    assert_non_null(o);
    return o;
}

static void test_find_is_case_insensitive(void **state)
{
    (void)state;
    const zinc_option_t *o = find("sndhwm");
    assert_ptr_equal(find("SNDHWM"), o);
    assert_ptr_equal(find("SndHwm"), o);
    assert_string_equal(zinc_option_name(o), "sndhwm");
    assert_int_equal(zinc_option_id(o), 23);
}

static void test_find_accepts_zmq_prefix_in_any_case(void **state)
{
    (void)state;
    const zinc_option_t *o = find("linger");
    assert_ptr_equal(find("ZMQ_LINGER"), o);
    assert_ptr_equal(find("zmq_linger"), o);
    assert_ptr_equal(find("Zmq_Linger"), o);
    assert_ptr_equal(find("ZMQ_IDENTITY"), find("routing_id"));
}

static void test_find_accepts_dash_for_underscore(void **state)
{
    (void)state;
    assert_ptr_equal(find("tcp-keepalive-idle"), find("tcp_keepalive_idle"));
}

static void test_find_resolves_aliases(void **state)
{
    (void)state;
    assert_ptr_equal(find("identity"), find("routing_id"));
    assert_ptr_equal(find("connect_rid"), find("connect_routing_id"));
    assert_ptr_equal(find("delay_attach_on_connect"), find("immediate"));
    assert_ptr_equal(find("fail_unroutable"), find("router_mandatory"));
    assert_ptr_equal(find("ROUTER_BEHAVIOR"), find("router_mandatory"));
    assert_string_equal(zinc_option_aliases(find("routing_id")), "identity");
    assert_string_equal(zinc_option_aliases(find("linger")), "");
}

static void test_find_unknown_fails_einval_with_suggestions(void **state)
{
    (void)state;
    errno = 0;
    assert_null(zinc_option_find("sndhmw"));
    assert_int_equal(errno, EINVAL);
    assert_string_equal(zinc_last_error_detail(), "unknown option 'sndhmw' (did you mean sndhwm?)");
    errno = 0;
    assert_null(zinc_option_find("qqqqqqqqqqqqqq"));
    assert_int_equal(errno, EINVAL);
    assert_string_equal(zinc_last_error_detail(), "unknown option 'qqqqqqqqqqqqqq'");
    assert_null(zinc_option_find("ZMQ_"));
    assert_null(zinc_option_find(""));
    assert_null(zinc_option_find(NULL));
    assert_null(zinc_option_find("linger "));
}

static void test_find_unknown_quotes_the_name_safely(void **state)
{
    (void)state;
    assert_null(zinc_option_find("bad\nname\x01"));
    assert_string_equal(zinc_last_error_detail(), "unknown option 'bad?name?'");
}

static void test_find_id_maps_libzmq_ids(void **state)
{
    (void)state;
    assert_ptr_equal(zinc_option_find_id(17), find("linger"));
    assert_ptr_equal(zinc_option_find_id(5), find("identity"));
    assert_ptr_equal(zinc_option_find_id(124), find("norm_push"));
    errno = 0;
    assert_null(zinc_option_find_id(-1));
    assert_int_equal(errno, EINVAL);
    assert_null(zinc_option_find_id(26));
    assert_null(zinc_option_find_id(125));
}

static void test_iterator_visits_every_row_exactly_once(void **state)
{
    (void)state;
    int n = 0, stable = 0, deprecated = 0, draft = 0, own = 0;
    const char *seen[ZI_OPT_COUNT];
    for (const zinc_option_t *o = zinc_option_next(NULL); o; o = zinc_option_next(o)) {
        assert_true(n < ZI_OPT_COUNT);
        for (int k = 0; k < n; k++)
            assert_string_not_equal(seen[k], zinc_option_name(o));
        seen[n++] = zinc_option_name(o);
        switch (zinc_option_status(o)) {
        case ZINC_OPT_STABLE:
            stable++;
            break;
        case ZINC_OPT_DEPRECATED:
            deprecated++;
            break;
        case ZINC_OPT_DRAFT:
            draft++;
            break;
        case ZINC_OPT_ZINC:
            own++;
            break;
        default:
            fail_msg("%s has no status", zinc_option_name(o));
        }
    }
    assert_int_equal(n, ZI_OPT_COUNT);
    assert_int_equal(stable, 76);
    assert_int_equal(deprecated, 5);
    assert_int_equal(draft, 32);
    assert_int_equal(own, 2);
    assert_true(n >= 76 + 5 + 32);
    assert_null(zinc_option_next(&zi_option_table[ZI_OPT_COUNT - 1]));
}

static bool name_is_canonical(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void test_every_row_is_complete(void **state)
{
    (void)state;
    for (int i = 0; i < ZI_OPT_COUNT; i++) {
        const zi_option_t *o = &zi_option_table[i];
        assert_non_null(o->name); /* a missing designated row would be all zero */
        assert_true(name_is_canonical(o->name));
        assert_non_null(o->doc);
        assert_true(strlen(o->doc) > 10);
        assert_non_null(o->def_text);
        assert_true(o->type >= ZINC_OPT_INT && o->type <= ZINC_OPT_CURVE_KEY);
        assert_true(o->access >= ZINC_OPT_READ && o->access <= ZINC_OPT_RW);
        assert_true(o->effect >= ZINC_OPT_IMMEDIATE && o->effect <= ZINC_OPT_NEXT_CONNECTION);
        assert_true(o->min <= o->max);
        assert_int_equal(o->types & ~ZI_ST_ALL, 0);
        assert_int_equal(o->alt_types & ~o->types, 0);
        if (o->flags & ZI_OPTF_LIVE)
            assert_int_equal(o->access, ZINC_OPT_READ);
        if (o->flags & ZI_OPTF_ACTION)
            assert_int_equal(o->access, ZINC_OPT_WRITE);
        for (int k = 0; k < i; k++) {
            if (o->id >= 0)
                assert_int_not_equal(o->id, zi_option_table[k].id);
            /* No name or alias may reach two rows. */
            assert_ptr_equal(zinc_option_find(o->name), o);
        }
        for (const char *a = o->aliases; a && *a;) {
            char alias[64];
            size_t n = strcspn(a, ",");
            assert_true(n < sizeof alias);
            memcpy(alias, a, n);
            alias[n] = '\0';
            assert_true(name_is_canonical(alias));
            assert_ptr_equal(zinc_option_find(alias), o);
            a += n + (a[n] == ',');
        }
    }
}

/* Rows whose default is "not set" although a set value must be longer. */
static bool default_outside_range_is_expected(const zi_option_t *o)
{
    static const char *const names[] = {"routing_id", "connect_routing_id", "gssapi_principal",
                                        "gssapi_service_principal"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(o->name, names[i]) == 0)
            return true;
    return false;
}

static void test_every_default_parses_under_its_own_type(void **state)
{
    (void)state;
    for (int i = 0; i < ZI_OPT_COUNT; i++) {
        const zi_option_t *o = &zi_option_table[i];
        if (o->flags & (ZI_OPTF_ACTION | ZI_OPTF_SOCKTYPE))
            continue; /* commands have no value; type's default is the socket's type */
        zi_optval_t v;
        if (zi_option_convert_text(o, o->def_text, &v) != 0)
            fail_msg("%s: default '%s' does not parse: %s", o->name, o->def_text,
                     zinc_last_error_detail());
        if (o->type != ZINC_OPT_BYTES && o->type != ZINC_OPT_STRING &&
            o->type != ZINC_OPT_CURVE_KEY && v.i != o->def)
            fail_msg("%s: default text '%s' differs from the numeric default", o->name,
                     o->def_text);
        int rc = zi_option_parse_text(o, o->def_text, &v);
        if (rc != 0 && !default_outside_range_is_expected(o))
            fail_msg("%s: default '%s' outside its own range: %s", o->name, o->def_text,
                     zinc_last_error_detail());
        /* Formatting the default gives the default text back. */
        char buf[64];
        size_t len = sizeof buf;
        if (zi_option_convert_text(o, o->def_text, &v) == 0) {
            assert_int_equal(zi_option_format(o, &v, buf, &len), 0);
            assert_string_equal(buf, o->def_text);
        }
        if (o->alt_types) {
            zi_optval_t alt;
            assert_int_equal(zi_option_parse_int(o, o->alt_def, &alt), 0);
        }
    }
}

static void test_defaults_match_libzmq_documentation(void **state)
{
    (void)state;
    static const struct {
        const char *name, *def;
    } docs[] = {
        {"sndhwm", "1000"},
        {"rcvhwm", "1000"},
        {"linger", "-1"},
        {"reconnect_ivl", "100"},
        {"reconnect_ivl_max", "0"},
        {"backlog", "100"},
        {"maxmsgsize", "-1"},
        {"rcvtimeo", "-1"},
        {"sndtimeo", "-1"},
        {"handshake_ivl", "30000"},
        {"heartbeat_ivl", "0"},
        {"heartbeat_ttl", "0"},
        {"heartbeat_timeout", "-1"},
        {"in_batch_size", "8192"},
        {"out_batch_size", "8192"},
        {"sndbuf", "-1"},
        {"rcvbuf", "-1"},
        {"tcp_keepalive", "-1"},
        {"mechanism", "0"},
        {"stream_notify", "1"},
        {"ipv4only", "1"},
        {"multicast_maxtpdu", "1500"},
        {"copy_threshold", "65536"},
        {"hwm", "1000"},
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        assert_string_equal(zinc_option_default_text(find(docs[i].name)), docs[i].def);
}

static void test_suggest_finds_near_names(void **state)
{
    (void)state;
    char buf[128];
    assert_int_equal(zinc_option_suggest("sndhmw", buf, sizeof buf), 1);
    assert_string_equal(buf, "sndhwm");
    assert_true(zinc_option_suggest("lnger", buf, sizeof buf) >= 1);
    assert_memory_equal(buf, "linger", 6);
    assert_true(zinc_option_suggest("RCVTIMO", buf, sizeof buf) >= 1);
    assert_memory_equal(buf, "rcvtimeo", 8);
    assert_true(zinc_option_suggest("identiy", buf, sizeof buf) >= 1);
    assert_memory_equal(buf, "routing_id", 10); /* found through its alias */
    assert_int_equal(zinc_option_suggest("tcp_keepalive_int", buf, sizeof buf), 3);
    assert_string_equal(buf, "tcp_keepalive_cnt, tcp_keepalive_intvl, tcp_keepalive_idle");
    assert_int_equal(zinc_option_suggest("plain_user", buf, sizeof buf), 1);
    assert_string_equal(buf, "plain_username"); /* a prefix */
    assert_int_equal(zinc_option_suggest("qqqqqqqqqqqqqq", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void test_suggest_truncates_at_a_name_boundary(void **state)
{
    (void)state;
    char buf[24];
    int n = zinc_option_suggest("tcp_keepalive_int", buf, sizeof buf);
    assert_int_equal(n, 1);
    assert_string_equal(buf, "tcp_keepalive_cnt");
    char tiny[3];
    assert_int_equal(zinc_option_suggest("sndhw", tiny, sizeof tiny), 0);
    assert_string_equal(tiny, "");
}

static void test_suggest_rejects_missing_arguments(void **state)
{
    (void)state;
    char buf[8];
    errno = 0;
    assert_int_equal(zinc_option_suggest(NULL, buf, sizeof buf), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(zinc_option_suggest("x", NULL, 8), -1);
    assert_int_equal(zinc_option_suggest("x", buf, 0), -1);
}

static void test_applies_to_follows_libzmq(void **state)
{
    (void)state;
    assert_true(zinc_option_applies_to(find("subscribe"), ZINC_SUB));
    assert_true(zinc_option_applies_to(find("subscribe"), ZINC_XPUB));
    assert_false(zinc_option_applies_to(find("subscribe"), ZINC_XSUB));
    assert_false(zinc_option_applies_to(find("unsubscribe"), ZINC_PUB));
    assert_true(zinc_option_applies_to(find("router_mandatory"), ZINC_ROUTER));
    assert_false(zinc_option_applies_to(find("router_mandatory"), ZINC_DEALER));
    assert_false(zinc_option_applies_to(find("router_mandatory"), ZINC_REP));
    int probe[] = {ZINC_ROUTER, ZINC_DEALER, ZINC_REQ};
    for (size_t i = 0; i < 3; i++)
        assert_true(zinc_option_applies_to(find("probe_router"), probe[i]));
    assert_false(zinc_option_applies_to(find("probe_router"), ZINC_REP));
    int conflate[] = {ZINC_PULL, ZINC_PUSH, ZINC_SUB, ZINC_PUB, ZINC_DEALER};
    for (size_t i = 0; i < 5; i++)
        assert_true(zinc_option_applies_to(find("conflate"), conflate[i]));
    assert_false(zinc_option_applies_to(find("conflate"), ZINC_ROUTER));
    assert_true(zinc_option_applies_to(find("xpub_verbose"), ZINC_XPUB));
    assert_false(zinc_option_applies_to(find("xpub_verbose"), ZINC_PUB));
    assert_true(zinc_option_applies_to(find("req_relaxed"), ZINC_REQ));
    assert_false(zinc_option_applies_to(find("req_correlate"), ZINC_DEALER));
    assert_true(zinc_option_applies_to(find("connect_routing_id"), ZINC_STREAM));
    assert_false(zinc_option_applies_to(find("handshake_ivl"), ZINC_STREAM));
    for (int t = 0; t <= ZINC_CHANNEL; t++) {
        assert_true(zinc_option_applies_to(find("linger"), t));
        assert_false(zinc_option_applies_to(find("blocky"), t));
    }
    assert_false(zinc_option_applies_to(find("linger"), -1));
    assert_false(zinc_option_applies_to(find("linger"), 21));
}

static void test_access_marks_readonly_and_writeonly_options(void **state)
{
    (void)state;
    const char *ro[] = {"events",        "fd",        "type",        "rcvmore",
                        "last_endpoint", "mechanism", "thread_safe", "topics_count"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        assert_int_equal(zinc_option_access(find(ro[i])), ZINC_OPT_READ);
    const char *wo[] = {"subscribe",       "unsubscribe",        "router_mandatory", "router_raw",
                        "probe_router",    "req_correlate",      "req_relaxed",      "xpub_verbose",
                        "router_handover", "connect_routing_id", "metadata"};
    for (size_t i = 0; i < sizeof wo / sizeof wo[0]; i++)
        assert_int_equal(zinc_option_access(find(wo[i])), ZINC_OPT_WRITE);
    assert_int_equal(zinc_option_access(find("linger")), ZINC_OPT_RW);
}

static void test_implemented_options_are_the_runtime_set(void **state)
{
    (void)state;
    static const char *const impl[] = {
        "linger",
        "sndhwm",
        "rcvhwm",
        "rcvtimeo",
        "sndtimeo",
        "routing_id",
        "reconnect_ivl",
        "reconnect_ivl_max",
        "backlog",
        "maxmsgsize",
        "immediate",
        "heartbeat_ivl",
        "heartbeat_ttl",
        "heartbeat_timeout",
        "handshake_ivl",
        "tcp_keepalive",
        "tcp_keepalive_cnt",
        "tcp_keepalive_idle",
        "tcp_keepalive_intvl",
        "ipv6",
        "last_endpoint",
        "rcvmore",
        "type",
        "events",
        "fd",
        "router_mandatory",
        "router_handover",
        "probe_router",
        "req_relaxed",
        "req_correlate",
        "connect_routing_id",
        "sndbuf",
        "rcvbuf",
        "affinity",
        "mechanism",
        "hwm", /* derived: only sets sndhwm and rcvhwm */
        "copy_threshold",
        /* publish-subscribe */
        "subscribe",
        "unsubscribe",
        "xpub_verbose",
        "xpub_verboser",
        "xpub_nodrop",
        "xpub_manual",
        "xpub_welcome_msg",
        "invert_matching",
        "only_first_subscribe",
        "conflate",
        "xsub_verbose_unsubscribe",
        "topics_count",
        "plain_server",
        "plain_username",
        "plain_password",
        "curve_server",
        "curve_publickey",
        "curve_secretkey",
        "curve_serverkey",
        "zap_domain",
        "zap_enforce_domain",
        /* STREAM */
        "stream_notify",
    };
    size_t n = sizeof impl / sizeof impl[0];
    for (size_t i = 0; i < n; i++)
        assert_true(zinc_option_implemented(find(impl[i])));
    size_t count = 0;
    for (const zinc_option_t *o = zinc_option_next(NULL); o; o = zinc_option_next(o))
        count += zinc_option_implemented(o);
    assert_int_equal(count, n);
    assert_false(zinc_option_implemented(find("rate")));
    assert_false(zinc_option_implemented(find("gssapi_server")));
}

static void test_takes_effect_follows_libzmq_manual(void **state)
{
    (void)state;
    const char *now[] = {"subscribe",        "unsubscribe",  "linger",        "router_handover",
                         "router_mandatory", "xpub_verbose", "xpub_verboser", "req_correlate",
                         "req_relaxed",      "sndhwm",       "rcvhwm"};
    for (size_t i = 0; i < sizeof now / sizeof now[0]; i++)
        assert_int_equal(zinc_option_takes_effect(find(now[i])), ZINC_OPT_IMMEDIATE);
    assert_int_equal(zinc_option_takes_effect(find("routing_id")), ZINC_OPT_NEXT_BIND_CONNECT);
    assert_int_equal(zinc_option_takes_effect(find("probe_router")), ZINC_OPT_NEXT_CONNECTION);
}

static void test_type_names_and_ranges(void **state)
{
    (void)state;
    assert_string_equal(zinc_option_type_name(ZINC_OPT_CURVE_KEY), "curve key");
    assert_string_equal(zinc_option_type_name(zinc_option_type(find("maxmsgsize"))), "int64");
    assert_string_equal(zinc_option_type_name(zinc_option_type(find("affinity"))), "uint64");
    assert_string_equal(zinc_option_type_name(99), "?");
    int64_t lo, hi;
    assert_int_equal(zinc_option_range(find("routing_id"), &lo, &hi), 0);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 255);
    assert_int_equal(zinc_option_range(find("tcp_keepalive"), &lo, &hi), 0);
    assert_int_equal(lo, -1);
    assert_int_equal(hi, 1);
    assert_int_equal(zinc_option_range(NULL, &lo, &hi), -1);
    assert_non_null(strstr(zinc_option_doc(find("linger")), "forever"));
}

static void test_types_text_names_socket_types(void **state)
{
    (void)state;
    char buf[160];
    assert_string_equal(zi_option_types_text(ZI_ST_ALL, buf, sizeof buf), "all");
    assert_string_equal(zi_option_types_text(0, buf, sizeof buf), "none");
    assert_string_equal(zi_option_types_text(ZI_ST_ALL & ~ZI_ST(ZINC_STREAM), buf, sizeof buf),
                        "all but STREAM");
    assert_string_equal(
        zi_option_types_text(ZI_ST(ZINC_ROUTER) | ZI_ST(ZINC_STREAM), buf, sizeof buf),
        "ROUTER, STREAM");
    char small[8];
    assert_string_equal(
        zi_option_types_text(ZI_ST(ZINC_ROUTER) | ZI_ST(ZINC_STREAM), small, sizeof small),
        "ROUTER,");
}

static void test_curve_key_text_forms(void **state)
{
    (void)state;
    /* RFC 26's example server public key and its octets. */
    static const uint8_t key[32] = {84, 252, 186, 36,  233, 50,  73,  150, 147, 22,  251,
                                    97, 124, 135, 43,  176, 193, 209, 255, 20,  128, 4,
                                    39, 197, 148, 203, 250, 207, 27,  194, 214, 82};
    const char *z85 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    const zi_option_t *o = zi_option_at(ZI_OPT_CURVE_SERVERKEY);
    zi_optval_t v;
    assert_int_equal(zi_option_parse_text(o, z85, &v), 0);
    assert_memory_equal(v.key, key, 32);
    char buf[41];
    size_t len = sizeof buf;
    assert_int_equal(zi_option_format(o, &v, buf, &len), 0);
    assert_int_equal(len, 40);
    assert_string_equal(buf, z85);

    assert_int_equal(zi_option_parse_bytes(o, key, 32, &v), 0);
    assert_memory_equal(v.key, key, 32);
    assert_int_equal(zi_option_parse_bytes(o, z85, 41, &v), 0); /* with its NUL */
    assert_memory_equal(v.key, key, 32);
    assert_int_equal(zi_option_parse_bytes(o, z85, 40, &v), 0);
    assert_memory_equal(v.key, key, 32);
    char raw[33] = "0123456789abcdef0123456789abcdef";
    assert_int_equal(zi_option_parse_text(o, raw, &v), 0);
    assert_memory_equal(v.key, raw, 32);

    errno = 0;
    assert_int_equal(zi_option_parse_text(o, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf", &v), -1);
    assert_int_equal(errno, EINVAL);
    assert_non_null(strstr(zinc_last_error_detail(), "not 39"));
    assert_int_equal(zi_option_parse_text(o, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\"", &v), -1);
    assert_non_null(strstr(zinc_last_error_detail(), "not a Z85-encoded key"));
    /* "#####" is 85^5 - 1, more than 32 bits. */
    assert_int_equal(zi_option_parse_text(o, "#####00000000000000000000000000000000000", &v), -1);
    assert_int_equal(zi_option_parse_bytes(o, key, 31, &v), -1);
    char z85_no_nul[41];
    memcpy(z85_no_nul, z85, 40);
    z85_no_nul[40] = 'x';
    assert_int_equal(zi_option_parse_bytes(o, z85_no_nul, 41, &v), -1);
}

static void *detail_thread(void *arg)
{
    (void)arg;
    assert_null(zinc_option_find("nothere"));
    return (void *)(intptr_t)(strstr(zinc_last_error_detail(), "nothere") != NULL);
}

static void test_last_error_detail_is_per_thread(void **state)
{
    (void)state;
    zi_set_detail("main thread %d", 1);
    pthread_t t;
    void *ok = NULL;
    assert_int_equal(pthread_create(&t, NULL, detail_thread, NULL), 0);
    assert_int_equal(pthread_join(t, &ok), 0);
    assert_true(ok != NULL);
    assert_string_equal(zinc_last_error_detail(), "main thread 1");
}

static void test_last_error_detail_truncates_long_text(void **state)
{
    (void)state;
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    zi_set_detail("%s", big);
    assert_int_equal(strlen(zinc_last_error_detail()), ZI_DETAIL_MAX - 1);
    char q[8];
    assert_string_equal(zi_detail_quote(q, sizeof q, "abcdefghij", 100), "abcd...");
    assert_string_equal(zi_detail_quote(q, sizeof q, "ab\tc", 100), "ab?c");
    assert_string_equal(zi_detail_quote(q, sizeof q, NULL, 100), "(null)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_is_case_insensitive),
        cmocka_unit_test(test_find_accepts_zmq_prefix_in_any_case),
        cmocka_unit_test(test_find_accepts_dash_for_underscore),
        cmocka_unit_test(test_find_resolves_aliases),
        cmocka_unit_test(test_find_unknown_fails_einval_with_suggestions),
        cmocka_unit_test(test_find_unknown_quotes_the_name_safely),
        cmocka_unit_test(test_find_id_maps_libzmq_ids),
        cmocka_unit_test(test_iterator_visits_every_row_exactly_once),
        cmocka_unit_test(test_every_row_is_complete),
        cmocka_unit_test(test_every_default_parses_under_its_own_type),
        cmocka_unit_test(test_defaults_match_libzmq_documentation),
        cmocka_unit_test(test_suggest_finds_near_names),
        cmocka_unit_test(test_suggest_truncates_at_a_name_boundary),
        cmocka_unit_test(test_suggest_rejects_missing_arguments),
        cmocka_unit_test(test_applies_to_follows_libzmq),
        cmocka_unit_test(test_access_marks_readonly_and_writeonly_options),
        cmocka_unit_test(test_implemented_options_are_the_runtime_set),
        cmocka_unit_test(test_takes_effect_follows_libzmq_manual),
        cmocka_unit_test(test_type_names_and_ranges),
        cmocka_unit_test(test_types_text_names_socket_types),
        cmocka_unit_test(test_curve_key_text_forms),
        cmocka_unit_test(test_last_error_detail_is_per_thread),
        cmocka_unit_test(test_last_error_detail_truncates_long_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
