/* Bounded read cursor: every input is placed against a guard page, so a read
 * past the end of the view faults instead of passing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "util/cursor.h"

static void test_cursor_reads_big_endian_fields_to_the_last_byte(void **state)
{
    (void)state;
    uint8_t raw[15];
    size_t n = zt_hex("01 0203 04050607 08090a0b0c0d0e0f", raw, sizeof raw);
    uint8_t *g = zt_guard_copy(raw, n);
    zi_cur_t c = zi_cur_make(g, n);
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    assert_int_equal(zi_cur_u8(&c, &u8), ZI_OK);
    assert_int_equal(zi_cur_u16be(&c, &u16), ZI_OK);
    assert_int_equal(zi_cur_u32be(&c, &u32), ZI_OK);
    assert_int_equal(zi_cur_u64be(&c, &u64), ZI_OK);
    assert_int_equal(u8, 0x01);
    assert_int_equal(u16, 0x0203);
    assert_int_equal(u32, 0x04050607);
    assert_true(u64 == 0x08090a0b0c0d0e0full);
    assert_int_equal(zi_cur_left(&c), 0);
    assert_int_equal(zi_cur_expect_end(&c), ZI_OK);
    zt_guard_free(g);
}

/* A read one byte short fails with ZI_ETRUNC, moves nothing, writes nothing. */
static void test_cursor_failed_read_leaves_position(void **state)
{
    (void)state;
    static const uint8_t raw[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (size_t avail = 0; avail < 8; avail++) {
        uint8_t *g = zt_guard_copy(raw, avail);
        zi_cur_t c = zi_cur_make(g, avail);
        uint8_t u8 = 0xAA;
        uint16_t u16 = 0xAAAA;
        uint32_t u32 = 0xAAAAAAAA;
        uint64_t u64 = 0xAAAAAAAAAAAAAAAAull;
        const uint8_t *view = NULL;
        uint8_t copy[9];
        memset(copy, 0xAA, sizeof copy);
        zi_cur_t sub = {NULL, 0, 0};
        if (avail < 1)
            assert_int_equal(zi_cur_u8(&c, &u8), ZI_ETRUNC);
        if (avail < 2)
            assert_int_equal(zi_cur_u16be(&c, &u16), ZI_ETRUNC);
        if (avail < 4)
            assert_int_equal(zi_cur_u32be(&c, &u32), ZI_ETRUNC);
        assert_int_equal(zi_cur_u64be(&c, &u64), ZI_ETRUNC);
        assert_int_equal(zi_cur_bytes(&c, avail + 1, &view), ZI_ETRUNC);
        assert_int_equal(zi_cur_copy(&c, copy, avail + 1), ZI_ETRUNC);
        assert_int_equal(zi_cur_sub(&c, avail + 1, &sub), ZI_ETRUNC);
        assert_int_equal(zi_cur_skip(&c, avail + 1), ZI_ETRUNC);
        assert_int_equal(c.pos, 0);
        assert_int_equal(zi_cur_left(&c), avail);
        assert_int_equal(u8, 0xAA);
        assert_int_equal(u16, 0xAAAA);
        assert_int_equal(u32, 0xAAAAAAAA);
        assert_true(u64 == 0xAAAAAAAAAAAAAAAAull);
        assert_null(view);
        for (size_t i = 0; i < sizeof copy; i++)
            assert_int_equal(copy[i], 0xAA);
        assert_null(sub.p);
        zt_guard_free(g);
    }
}

/* The same after some bytes were consumed: the failure keeps pos. */
static void test_cursor_failed_read_mid_buffer_keeps_consumed_bytes(void **state)
{
    (void)state;
    static const uint8_t raw[5] = {9, 8, 7, 6, 5};
    uint8_t *g = zt_guard_copy(raw, sizeof raw);
    zi_cur_t c = zi_cur_make(g, sizeof raw);
    uint16_t u16;
    uint32_t u32;
    assert_int_equal(zi_cur_u16be(&c, &u16), ZI_OK);
    assert_int_equal(zi_cur_u32be(&c, &u32), ZI_ETRUNC);
    assert_int_equal(c.pos, 2);
    assert_ptr_equal(zi_cur_ptr(&c), g + 2);
    assert_int_equal(zi_cur_expect_end(&c), ZI_ETRAILING);
    zt_guard_free(g);
}

static void test_cursor_huge_length_fails_without_wrapping(void **state)
{
    (void)state;
    uint8_t *g = zt_guard_copy("abcd", 4);
    zi_cur_t c = zi_cur_make(g, 4);
    uint8_t u8;
    const uint8_t *view = NULL;
    zi_cur_t sub;
    assert_int_equal(zi_cur_u8(&c, &u8), ZI_OK);
    assert_int_equal(zi_cur_bytes(&c, SIZE_MAX, &view), ZI_ETRUNC);
    assert_int_equal(zi_cur_skip(&c, SIZE_MAX), ZI_ETRUNC);
    assert_int_equal(zi_cur_sub(&c, SIZE_MAX - 1, &sub), ZI_ETRUNC);
    assert_int_equal(c.pos, 1);
    zt_guard_free(g);
}

static void test_cursor_bytes_gives_a_view_without_copying(void **state)
{
    (void)state;
    uint8_t *g = zt_guard_copy("hello", 5);
    zi_cur_t c = zi_cur_make(g, 5);
    const uint8_t *view;
    assert_int_equal(zi_cur_skip(&c, 1), ZI_OK);
    assert_int_equal(zi_cur_bytes(&c, 4, &view), ZI_OK);
    assert_ptr_equal(view, g + 1);
    assert_memory_equal(view, "ello", 4);
    assert_int_equal(zi_cur_bytes(&c, 0, &view), ZI_OK);
    assert_ptr_equal(view, g + 5);
    assert_int_equal(zi_cur_expect_end(&c), ZI_OK);
    zt_guard_free(g);
}

static void test_cursor_copy_copies_and_advances(void **state)
{
    (void)state;
    uint8_t *g = zt_guard_copy("abcdef", 6);
    zi_cur_t c = zi_cur_make(g, 6);
    char out[6] = {0};
    assert_int_equal(zi_cur_copy(&c, out, 0), ZI_OK);
    assert_int_equal(zi_cur_copy(&c, out, 6), ZI_OK);
    assert_memory_equal(out, "abcdef", 6);
    assert_int_equal(zi_cur_left(&c), 0);
    zt_guard_free(g);
}

/* A sub-cursor cannot read past its own length, even when the parent has
 * more; the parent moves past the whole sub-view at once. */
static void test_cursor_sub_is_bounded_and_advances_parent(void **state)
{
    (void)state;
    static const uint8_t raw[6] = {0, 1, 2, 3, 4, 5};
    uint8_t *g = zt_guard_copy(raw, sizeof raw);
    zi_cur_t c = zi_cur_make(g, sizeof raw);
    zi_cur_t sub;
    uint8_t u8;
    uint32_t u32;
    assert_int_equal(zi_cur_u8(&c, &u8), ZI_OK);
    assert_int_equal(zi_cur_sub(&c, 3, &sub), ZI_OK);
    assert_int_equal(c.pos, 4);
    assert_int_equal(zi_cur_left(&sub), 3);
    assert_int_equal(zi_cur_u32be(&sub, &u32), ZI_ETRUNC);
    assert_int_equal(zi_cur_u8(&sub, &u8), ZI_OK);
    assert_int_equal(u8, 1);
    assert_int_equal(zi_cur_expect_end(&sub), ZI_ETRAILING);
    assert_int_equal(zi_cur_skip(&sub, 2), ZI_OK);
    assert_int_equal(zi_cur_expect_end(&sub), ZI_OK);
    assert_int_equal(zi_cur_u8(&sub, &u8), ZI_ETRUNC);
    assert_int_equal(zi_cur_u8(&c, &u8), ZI_OK);
    assert_int_equal(u8, 4);
    zt_guard_free(g);
}

static void test_cursor_empty_view_refuses_every_read(void **state)
{
    (void)state;
    uint8_t *g = zt_guard_copy(NULL, 0);
    zi_cur_t c = zi_cur_make(g, 0);
    uint8_t u8;
    const uint8_t *view;
    zi_cur_t sub;
    assert_int_equal(zi_cur_expect_end(&c), ZI_OK);
    assert_int_equal(zi_cur_u8(&c, &u8), ZI_ETRUNC);
    assert_int_equal(zi_cur_bytes(&c, 0, &view), ZI_OK);
    assert_int_equal(zi_cur_sub(&c, 0, &sub), ZI_OK);
    assert_int_equal(zi_cur_left(&sub), 0);
    assert_int_equal(zi_cur_skip(&c, 1), ZI_ETRUNC);
    zt_guard_free(g);
}

/* An empty view may come with a NULL pointer (an empty zero-copy frame):
 * zero-length reads still work and give a usable pointer. */
static void test_cursor_null_empty_view_allows_zero_length_reads(void **state)
{
    (void)state;
    zi_cur_t c = zi_cur_make(NULL, 0);
    const uint8_t *view = NULL;
    zi_cur_t sub;
    uint8_t out[1];
    uint8_t u8;
    assert_int_equal(zi_cur_bytes(&c, 0, &view), ZI_OK);
    assert_non_null(view);
    assert_int_equal(zi_cur_sub(&c, 0, &sub), ZI_OK);
    assert_int_equal(zi_cur_copy(&c, out, 0), ZI_OK);
    assert_int_equal(zi_cur_skip(&c, 0), ZI_OK);
    assert_int_equal(zi_cur_u8(&sub, &u8), ZI_ETRUNC);
    assert_int_equal(zi_cur_expect_end(&c), ZI_OK);
}

/* A small record (u8 length, that many bytes, u32 trailer) parsed through a
 * sub-cursor, the way wire parsers use the cursor. */
static zi_err cursor_parse_record(const uint8_t *p, size_t n, uint32_t *trailer)
{
    zi_cur_t c = zi_cur_make(p, n), body;
    uint8_t len;
    zi_err e;
    if ((e = zi_cur_u8(&c, &len)) != ZI_OK || (e = zi_cur_sub(&c, len, &body)) != ZI_OK)
        return e;
    while (zi_cur_left(&body) > 0) {
        uint8_t b;
        if ((e = zi_cur_u8(&body, &b)) != ZI_OK)
            return e;
    }
    if ((e = zi_cur_u32be(&c, trailer)) != ZI_OK)
        return e;
    return zi_cur_expect_end(&c);
}

static void cursor_check_split(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx)
{
    size_t total = *(size_t *)ctx;
    uint32_t trailer = 0;
    /* Each piece alone: a prefix is truncated, a suffix is garbage or
     * truncated; neither may be read past its end. */
    zi_err ea = cursor_parse_record(a, na, &trailer);
    assert_int_equal(ea, na == total ? ZI_OK : ZI_ETRUNC);
    (void)cursor_parse_record(b, nb, &trailer);
}

static void test_cursor_parses_every_prefix_without_overread(void **state)
{
    (void)state;
    uint8_t raw[12];
    size_t n = zt_hex("07 61 62 63 64 65 66 67 de ad be ef", raw, sizeof raw);
    uint32_t trailer;
    assert_int_equal(cursor_parse_record(raw, n, &trailer), ZI_OK);
    assert_int_equal(trailer, 0xdeadbeef);
    zt_for_each_split(raw, n, cursor_check_split, &n);
}

static void test_cursor_put_get_helpers_are_big_endian(void **state)
{
    (void)state;
    uint8_t b[8];
    zi_put_u16be(b, 0x0102);
    assert_memory_equal(b, "\x01\x02", 2);
    assert_int_equal(zi_get_u16be(b), 0x0102);
    zi_put_u32be(b, 0x01020304);
    assert_memory_equal(b, "\x01\x02\x03\x04", 4);
    assert_int_equal(zi_get_u32be(b), 0x01020304);
    zi_put_u64be(b, 0x0102030405060708ull);
    assert_memory_equal(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_true(zi_get_u64be(b) == 0x0102030405060708ull);
    zi_put_u32be(b, 0xFFFFFFFF);
    assert_int_equal(zi_get_u32be(b), 0xFFFFFFFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_reads_big_endian_fields_to_the_last_byte),
        cmocka_unit_test(test_cursor_failed_read_leaves_position),
        cmocka_unit_test(test_cursor_failed_read_mid_buffer_keeps_consumed_bytes),
        cmocka_unit_test(test_cursor_huge_length_fails_without_wrapping),
        cmocka_unit_test(test_cursor_bytes_gives_a_view_without_copying),
        cmocka_unit_test(test_cursor_copy_copies_and_advances),
        cmocka_unit_test(test_cursor_sub_is_bounded_and_advances_parent),
        cmocka_unit_test(test_cursor_empty_view_refuses_every_read),
        cmocka_unit_test(test_cursor_null_empty_view_allows_zero_length_reads),
        cmocka_unit_test(test_cursor_parses_every_prefix_without_overread),
        cmocka_unit_test(test_cursor_put_get_helpers_are_big_endian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
