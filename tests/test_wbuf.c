/* Bounded write buffer: growth, the hard maximum, big-endian writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "util/wbuf.h"

static void test_wbuf_starts_empty_without_allocating(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 100);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 100);
    zi_wbuf_fini(&b);
}

static void test_wbuf_put_appends_and_grows(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1 << 20);
    uint8_t chunk[100];
    for (size_t i = 0; i < 50; i++) {
        memset(chunk, (int)i, sizeof chunk);
        assert_int_equal(zi_wbuf_put(&b, chunk, sizeof chunk), ZI_OK);
    }
    assert_int_equal(b.len, 5000);
    assert_true(b.cap >= b.len && b.cap <= b.max);
    for (size_t i = 0; i < 5000; i++)
        assert_int_equal(b.data[i], i / 100);
    zi_wbuf_fini(&b);
}

static void test_wbuf_put_past_max_fails_unchanged(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 10);
    assert_int_equal(zi_wbuf_put(&b, "abcdefgh", 8), ZI_OK);
    uint8_t *data = b.data;
    size_t cap = b.cap;
    assert_int_equal(zi_wbuf_put(&b, "xyz", 3), ZI_EFULL);
    assert_int_equal(zi_wbuf_u32be(&b, 1), ZI_EFULL);
    assert_int_equal(zi_wbuf_u64be(&b, 1), ZI_EFULL);
    assert_int_equal(zi_wbuf_short_str(&b, "xy", 2), ZI_EFULL);
    assert_int_equal(b.len, 8);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_memory_equal(b.data, "abcdefgh", 8);
    zi_wbuf_fini(&b);
}

static void test_wbuf_fills_exactly_to_max(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 7);
    assert_int_equal(zi_wbuf_u16be(&b, 0x0102), ZI_OK);
    assert_int_equal(zi_wbuf_u32be(&b, 0x03040506), ZI_OK);
    assert_int_equal(zi_wbuf_u8(&b, 7), ZI_OK);
    assert_int_equal(b.len, 7);
    assert_true(b.cap <= 7);
    assert_int_equal(zi_wbuf_u8(&b, 8), ZI_EFULL);
    assert_int_equal(zi_wbuf_put(&b, NULL, 0), ZI_OK);
    assert_memory_equal(b.data, "\x01\x02\x03\x04\x05\x06\x07", 7);
    zi_wbuf_fini(&b);
}

static void test_wbuf_reserve_rejects_sizes_that_would_wrap(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, SIZE_MAX);
    assert_int_equal(zi_wbuf_put(&b, "ab", 2), ZI_OK);
    assert_int_equal(zi_wbuf_reserve(&b, SIZE_MAX), ZI_EFULL);
    assert_int_equal(zi_wbuf_reserve(&b, SIZE_MAX - 1), ZI_EFULL);
    assert_int_equal(b.len, 2);
    zi_wbuf_fini(&b);
}

static void test_wbuf_max_zero_accepts_only_empty_writes(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 0);
    assert_int_equal(zi_wbuf_put(&b, NULL, 0), ZI_OK);
    assert_int_equal(zi_wbuf_reserve(&b, 0), ZI_OK);
    assert_int_equal(zi_wbuf_u8(&b, 1), ZI_EFULL);
    assert_int_equal(b.len, 0);
    zi_wbuf_fini(&b);
}

static void test_wbuf_integers_are_big_endian(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 64);
    assert_int_equal(zi_wbuf_u8(&b, 0xAB), ZI_OK);
    assert_int_equal(zi_wbuf_u16be(&b, 0x0102), ZI_OK);
    assert_int_equal(zi_wbuf_u32be(&b, 0x03040506), ZI_OK);
    assert_int_equal(zi_wbuf_u64be(&b, 0x0708090a0b0c0d0eull), ZI_OK);
    uint8_t want[15];
    zt_hex("ab 0102 03040506 0708090a0b0c0d0e", want, sizeof want);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    zi_wbuf_fini(&b);
}

static void test_wbuf_short_str_writes_length_prefix(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zi_wbuf_short_str(&b, "READY", 5), ZI_OK);
    assert_int_equal(zi_wbuf_short_str(&b, NULL, 0), ZI_OK);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "\x05READY\x00", 7);
    uint8_t big[256];
    memset(big, 'x', sizeof big);
    assert_int_equal(zi_wbuf_short_str(&b, big, 255), ZI_OK);
    assert_int_equal(b.len, 7 + 256);
    assert_int_equal(b.data[7], 255);
    zi_wbuf_fini(&b);
}

static void test_wbuf_short_str_over_255_fails_unchanged(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 1024);
    assert_int_equal(zi_wbuf_u8(&b, 1), ZI_OK);
    uint8_t big[256] = {0};
    assert_int_equal(zi_wbuf_short_str(&b, big, 256), ZI_EINVAL);
    assert_int_equal(b.len, 1);
    zi_wbuf_fini(&b);
}

/* A short string that only fits without its length octet is refused. */
static void test_wbuf_short_str_counts_its_length_octet_against_max(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 5);
    assert_int_equal(zi_wbuf_short_str(&b, "abcde", 5), ZI_EFULL);
    assert_int_equal(b.len, 0);
    assert_int_equal(zi_wbuf_short_str(&b, "abcd", 4), ZI_OK);
    assert_int_equal(b.len, 5);
    zi_wbuf_fini(&b);
}

static void test_wbuf_reset_keeps_storage(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 100);
    assert_int_equal(zi_wbuf_put(&b, "abc", 3), ZI_OK);
    uint8_t *data = b.data;
    size_t cap = b.cap;
    zi_wbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_int_equal(zi_wbuf_put(&b, "xy", 2), ZI_OK);
    assert_memory_equal(b.data, "xy", 2);
    zi_wbuf_fini(&b);
}

static void test_wbuf_fini_twice_is_harmless(void **state)
{
    (void)state;
    zi_wbuf_t b;
    zi_wbuf_init(&b, 100);
    assert_int_equal(zi_wbuf_put(&b, "abc", 3), ZI_OK);
    zi_wbuf_fini(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    zi_wbuf_fini(&b);
}

static void wbuf_append_chunk(const uint8_t *chunk, size_t n, void *ctx)
{
    assert_int_equal(zi_wbuf_put(ctx, chunk, n), ZI_OK);
}

/* Appending in random pieces (each against a guard page: put reads exactly
 * n octets) gives the same bytes as one put. */
static void test_wbuf_random_chunked_puts_concatenate(void **state)
{
    (void)state;
    uint8_t data[3000];
    uint64_t rng = 1;
    zt_rand_bytes(&rng, data, sizeof data);
    for (uint64_t seed = 0; seed < 20; seed++) {
        zi_wbuf_t b;
        zi_wbuf_init(&b, sizeof data);
        zt_random_chunks(data, sizeof data, seed, 1 + seed * 37, wbuf_append_chunk, &b);
        assert_int_equal(b.len, sizeof data);
        assert_memory_equal(b.data, data, sizeof data);
        assert_int_equal(zi_wbuf_u8(&b, 0), ZI_EFULL);
        zi_wbuf_fini(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wbuf_starts_empty_without_allocating),
        cmocka_unit_test(test_wbuf_put_appends_and_grows),
        cmocka_unit_test(test_wbuf_put_past_max_fails_unchanged),
        cmocka_unit_test(test_wbuf_fills_exactly_to_max),
        cmocka_unit_test(test_wbuf_reserve_rejects_sizes_that_would_wrap),
        cmocka_unit_test(test_wbuf_max_zero_accepts_only_empty_writes),
        cmocka_unit_test(test_wbuf_integers_are_big_endian),
        cmocka_unit_test(test_wbuf_short_str_writes_length_prefix),
        cmocka_unit_test(test_wbuf_short_str_over_255_fails_unchanged),
        cmocka_unit_test(test_wbuf_short_str_counts_its_length_octet_against_max),
        cmocka_unit_test(test_wbuf_reset_keeps_storage),
        cmocka_unit_test(test_wbuf_fini_twice_is_harmless),
        cmocka_unit_test(test_wbuf_random_chunked_puts_concatenate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
