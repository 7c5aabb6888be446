/* Property lists: case-insensitive lookup, replacement, octet values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/props.h"

static void props_set_str(zi_props_t *p, const char *name, const char *value)
{
    assert_int_equal(zi_props_set(p, name, strlen(name), value, strlen(value)), ZI_OK);
}

static void test_props_new_list_is_empty(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    assert_non_null(p);
    assert_int_equal(zi_props_count(p), 0);
    assert_null(zi_props_get(p, "Socket-Type", NULL));
    zi_props_unref(p);
}

static void test_props_get_returns_value_and_length(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    props_set_str(p, "Socket-Type", "DEALER");
    size_t len = 0;
    const char *v = zi_props_get(p, "Socket-Type", &len);
    assert_string_equal(v, "DEALER");
    assert_int_equal(len, 6);
    zi_props_unref(p);
}

static void test_props_lookup_ignores_case(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    props_set_str(p, "Socket-Type", "ROUTER");
    assert_string_equal(zi_props_get(p, "socket-type", NULL), "ROUTER");
    assert_string_equal(zi_props_get(p, "SOCKET-TYPE", NULL), "ROUTER");
    assert_string_equal(zi_props_get(p, "sOcKeT-tYpE", NULL), "ROUTER");
    zi_props_unref(p);
}

/* Names must match in full: no prefix or extension of a name matches it. */
static void test_props_lookup_needs_the_whole_name(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    props_set_str(p, "Identity", "abc");
    assert_null(zi_props_get(p, "Ident", NULL));
    assert_null(zi_props_get(p, "Identity2", NULL));
    assert_null(zi_props_get(p, "", NULL));
    zi_props_unref(p);
}

static void test_props_set_replaces(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    props_set_str(p, "Identity", "first");
    props_set_str(p, "User-Id", "bob");
    props_set_str(p, "IDENTITY", "second");
    assert_int_equal(zi_props_count(p), 2);
    size_t len;
    assert_string_equal(zi_props_get(p, "identity", &len), "second");
    assert_int_equal(len, 6);
    /* The replaced property keeps its place. */
    const char *name, *value;
    zi_props_at(p, 0, &name, &value, &len);
    assert_string_equal(name, "Identity");
    assert_string_equal(value, "second");
    zi_props_unref(p);
}

static void test_props_at_keeps_insertion_order(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    char name[16], value[16];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "X-Prop-%d", i);
        snprintf(value, sizeof value, "v%d", i);
        props_set_str(p, name, value);
    }
    assert_int_equal(zi_props_count(p), 40);
    for (size_t i = 0; i < 40; i++) {
        const char *n, *v;
        size_t len;
        zi_props_at(p, i, &n, &v, &len);
        snprintf(name, sizeof name, "X-Prop-%zu", i);
        snprintf(value, sizeof value, "v%zu", i);
        assert_string_equal(n, name);
        assert_string_equal(v, value);
        assert_int_equal(len, strlen(value));
    }
    zi_props_unref(p);
}

/* Values are octets: embedded NULs survive, and a NUL follows the value. */
static void test_props_values_are_octets_with_trailing_nul(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    static const char raw[5] = {'a', '\0', 'b', '\xff', '\0'};
    assert_int_equal(zi_props_set(p, "X-Bin", 5, raw, 5), ZI_OK);
    assert_int_equal(zi_props_set(p, "X-Empty", 7, NULL, 0), ZI_OK);
    size_t len;
    const char *v = zi_props_get(p, "x-bin", &len);
    assert_int_equal(len, 5);
    assert_memory_equal(v, raw, 5);
    assert_int_equal(v[5], '\0');
    v = zi_props_get(p, "X-Empty", &len);
    assert_non_null(v);
    assert_int_equal(len, 0);
    assert_string_equal(v, "");
    zi_props_unref(p);
}

/* Names come from the wire with a length, not a NUL. */
static void test_props_set_uses_name_len_not_nul(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    assert_int_equal(zi_props_set(p, "User-IdGARBAGE", 7, "alice", 5), ZI_OK);
    assert_string_equal(zi_props_get(p, "user-id", NULL), "alice");
    assert_null(zi_props_get(p, "User-IdGARBAGE", NULL));
    zi_props_unref(p);
}

/* A name with a NUL inside cannot be stored: kept as a C string it would be
 * cut at the NUL and answer lookups for another name ("User-Id\0x" would
 * pass for "User-Id"). */
static void test_props_set_rejects_name_with_nul(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    assert_int_equal(zi_props_set(p, "User-Id\0x", 9, "mallory", 7), ZI_EINVAL);
    assert_int_equal(zi_props_set(p, "\0", 1, "v", 1), ZI_EINVAL);
    assert_int_equal(zi_props_count(p), 0);
    assert_null(zi_props_get(p, "User-Id", NULL));
    zi_props_unref(p);
}

static void test_props_get_tolerates_null(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    props_set_str(p, "A", "1");
    assert_null(zi_props_get(NULL, "A", NULL));
    assert_null(zi_props_get(p, NULL, NULL));
    assert_int_equal(zi_props_count(NULL), 0);
    zi_props_unref(NULL);
    zi_props_unref(p);
}

static void test_props_set_rejects_unrepresentable_value_length(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    assert_int_equal(zi_props_set(p, "A", 1, "x", SIZE_MAX), ZI_EINVAL);
    assert_int_equal(zi_props_count(p), 0);
    zi_props_unref(p);
}

/* The list lives until its last reference goes (ASan checks the frees). */
static void test_props_ref_keeps_list_alive(void **state)
{
    (void)state;
    zi_props_t *p = zi_props_new();
    props_set_str(p, "Socket-Type", "PUB");
    zi_props_t *q = zi_props_ref(p);
    assert_ptr_equal(q, p);
    zi_props_unref(p);
    assert_string_equal(zi_props_get(q, "Socket-Type", NULL), "PUB");
    zi_props_unref(q);
    assert_null(zi_props_ref(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_new_list_is_empty),
        cmocka_unit_test(test_props_get_returns_value_and_length),
        cmocka_unit_test(test_props_lookup_ignores_case),
        cmocka_unit_test(test_props_lookup_needs_the_whole_name),
        cmocka_unit_test(test_props_set_replaces),
        cmocka_unit_test(test_props_at_keeps_insertion_order),
        cmocka_unit_test(test_props_values_are_octets_with_trailing_nul),
        cmocka_unit_test(test_props_set_uses_name_len_not_nul),
        cmocka_unit_test(test_props_set_rejects_name_with_nul),
        cmocka_unit_test(test_props_get_tolerates_null),
        cmocka_unit_test(test_props_set_rejects_unrepresentable_value_length),
        cmocka_unit_test(test_props_ref_keeps_list_alive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
