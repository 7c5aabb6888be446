/* Socket-type names and the compatibility rules of ZMTP-NOTES.md. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "zinc.h"
#include "zmtp/socktype.h"

typedef struct {
    int a, b;
} pair_t;

/* ZMTP-NOTES.md "Socket-type compatibility", each pair once. */
static const pair_t notes_pairs[] = {
    {ZINC_PAIR, ZINC_PAIR},     {ZINC_PUB, ZINC_SUB},         {ZINC_PUB, ZINC_XSUB},
    {ZINC_XPUB, ZINC_SUB},      {ZINC_XPUB, ZINC_XSUB},       {ZINC_REQ, ZINC_REP},
    {ZINC_REQ, ZINC_ROUTER},    {ZINC_DEALER, ZINC_REP},      {ZINC_DEALER, ZINC_ROUTER},
    {ZINC_DEALER, ZINC_DEALER}, {ZINC_ROUTER, ZINC_ROUTER},   {ZINC_PUSH, ZINC_PULL},
    {ZINC_CLIENT, ZINC_SERVER}, {ZINC_RADIO, ZINC_DISH},      {ZINC_SCATTER, ZINC_GATHER},
    {ZINC_PEER, ZINC_PEER},     {ZINC_CHANNEL, ZINC_CHANNEL},
};

static bool in_notes(int a, int b)
{
    for (size_t i = 0; i < sizeof notes_pairs / sizeof notes_pairs[0]; i++)
        if ((notes_pairs[i].a == a && notes_pairs[i].b == b) ||
            (notes_pairs[i].a == b && notes_pairs[i].b == a))
            return true;
    return false;
}

static void test_socktype_every_pair_of_the_notes_is_compatible_both_ways(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof notes_pairs / sizeof notes_pairs[0]; i++) {
        int a = notes_pairs[i].a, b = notes_pairs[i].b;
        assert_true(zi_socktype_compatible(a, b));
        assert_true(zi_socktype_compatible(b, a));
        assert_true(zinc_socket_types_compatible(a, b));
        assert_true(zinc_socket_types_compatible(b, a));
    }
}

static void test_socktype_typical_mismatches_are_incompatible(void **state)
{
    (void)state;
    static const pair_t bad[] = {
        {ZINC_PUB, ZINC_PUB},   {ZINC_SUB, ZINC_SUB},       {ZINC_REQ, ZINC_REQ},
        {ZINC_REP, ZINC_REP},   {ZINC_REQ, ZINC_DEALER},    {ZINC_REP, ZINC_ROUTER},
        {ZINC_PUSH, ZINC_PUSH}, {ZINC_PULL, ZINC_PULL},     {ZINC_PAIR, ZINC_DEALER},
        {ZINC_PUB, ZINC_PULL},  {ZINC_XPUB, ZINC_XPUB},     {ZINC_CLIENT, ZINC_CLIENT},
        {ZINC_RADIO, ZINC_SUB}, {ZINC_STREAM, ZINC_STREAM}, {ZINC_DGRAM, ZINC_DGRAM},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(zi_socktype_compatible(bad[i].a, bad[i].b));
        assert_false(zi_socktype_compatible(bad[i].b, bad[i].a));
    }
}

static void test_socktype_matrix_is_exactly_the_pairs_of_the_notes(void **state)
{
    (void)state;
    for (int a = 0; a <= ZI_SOCKTYPE_MAX; a++)
        for (int b = 0; b <= ZI_SOCKTYPE_MAX; b++)
            assert_int_equal(zi_socktype_compatible(a, b), in_notes(a, b));
}

static void test_socktype_unknown_types_are_never_compatible(void **state)
{
    (void)state;
    const int odd[] = {-1, ZI_SOCKTYPE_MAX + 1, 1000, -1000};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        for (int t = 0; t <= ZI_SOCKTYPE_MAX; t++) {
            assert_false(zi_socktype_compatible(odd[i], t));
            assert_false(zi_socktype_compatible(t, odd[i]));
        }
}

static void test_socktype_names_round_trip_through_the_wire_spelling(void **state)
{
    (void)state;
    for (int t = 0; t <= ZI_SOCKTYPE_MAX; t++) {
        const char *n = zi_socktype_name(t);
        assert_non_null(n);
        assert_int_equal(zi_socktype_from_wire(n, strlen(n)), t);
        assert_string_equal(zinc_socket_type_name(t), n);
        assert_int_equal(zinc_socket_type_from_name(n), t);
    }
    assert_string_equal(zi_socktype_name(ZINC_DEALER), "DEALER");
    assert_string_equal(zi_socktype_name(ZINC_XSUB), "XSUB");
    assert_string_equal(zi_socktype_name(ZINC_CHANNEL), "CHANNEL");
}

static void test_socktype_unknown_numbers_have_no_name(void **state)
{
    (void)state;
    assert_null(zi_socktype_name(-1));
    assert_null(zi_socktype_name(ZI_SOCKTYPE_MAX + 1));
    errno = 0;
    assert_null(zinc_socket_type_name(99));
    assert_int_equal(errno, EINVAL);
}

static void test_socktype_wire_name_is_case_sensitive_and_length_bounded(void **state)
{
    (void)state;
    assert_int_equal(zi_socktype_from_wire("dealer", 6), -1);
    assert_int_equal(zi_socktype_from_wire("Dealer", 6), -1);
    /* only len octets are looked at */
    assert_int_equal(zi_socktype_from_wire("DEALERX", 6), ZINC_DEALER);
    assert_int_equal(zi_socktype_from_wire("DEALER", 5), -1);
    assert_int_equal(zi_socktype_from_wire("", 0), -1);
    assert_int_equal(zi_socktype_from_wire("PUBX", 4), -1);
}

static void test_socktype_public_lookup_ignores_case_and_knows_old_names(void **state)
{
    (void)state;
    assert_int_equal(zinc_socket_type_from_name("dealer"), ZINC_DEALER);
    assert_int_equal(zinc_socket_type_from_name("xPub"), ZINC_XPUB);
    assert_int_equal(zinc_socket_type_from_name("XREQ"), ZINC_DEALER);
    assert_int_equal(zinc_socket_type_from_name("xrep"), ZINC_ROUTER);
    errno = 0;
    assert_int_equal(zinc_socket_type_from_name("FOO"), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(zinc_socket_type_from_name(NULL), -1);
    assert_int_equal(errno, EINVAL);
}

static void test_socktype_only_req_dealer_router_send_identity(void **state)
{
    (void)state;
    for (int t = 0; t <= ZI_SOCKTYPE_MAX; t++)
        assert_int_equal(zi_socktype_sends_identity(t),
                         t == ZINC_REQ || t == ZINC_DEALER || t == ZINC_ROUTER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_socktype_every_pair_of_the_notes_is_compatible_both_ways),
        cmocka_unit_test(test_socktype_typical_mismatches_are_incompatible),
        cmocka_unit_test(test_socktype_matrix_is_exactly_the_pairs_of_the_notes),
        cmocka_unit_test(test_socktype_unknown_types_are_never_compatible),
        cmocka_unit_test(test_socktype_names_round_trip_through_the_wire_spelling),
        cmocka_unit_test(test_socktype_unknown_numbers_have_no_name),
        cmocka_unit_test(test_socktype_wire_name_is_case_sensitive_and_length_bounded),
        cmocka_unit_test(test_socktype_public_lookup_ignores_case_and_knows_old_names),
        cmocka_unit_test(test_socktype_only_req_dealer_router_send_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
