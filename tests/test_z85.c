/* Z85 (RFC 32): vectors, round trips, every rejection, capacity checks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "testutil.h"
#include "zinc.h"
#include "zmtp/z85.h"

static const char z85_chars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* RFC 32 test_data_1 and test_data_2, and the RFC 26 (CurveZMQ) example key
 * pairs. Byte values checked against libzmq 4.3.4's zmq_z85_decode. */
typedef struct {
    const char *hex;
    const char *text;
} z85_vector_t;

static const z85_vector_t z85_vectors[] = {
    {"86 4F D2 6F B5 59 F7 5B", "HelloWorld"},
    /* RFC 32 test_data_2, which is also the RFC 26 server secret key. */
    {"8E 0B DD 69 76 28 B9 1D 8F 24 55 87 EE 95 C5 B0"
     "4D 48 96 3F 79 25 98 77 B4 9C D9 06 3A EA D3 B7",
     "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"},
    /* RFC 26 server public key */
    {"54 FC BA 24 E9 32 49 96 93 16 FB 61 7C 87 2B B0"
     "C1 D1 FF 14 80 04 27 C5 94 CB FA CF 1B C2 D6 52",
     "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"},
    /* RFC 26 client public key */
    {"BB 88 47 1D 65 E2 65 9B 30 C5 5A 53 21 CE BB 5A"
     "AB 2B 70 A3 98 64 5C 26 DC A2 B2 FC B4 3F C5 18",
     "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"},
    /* RFC 26 client secret key */
    {"7B B8 64 B4 89 AF A3 67 1F BE 69 10 1F 94 B3 89"
     "72 F2 48 16 DF B0 1B 51 65 6B 3F EC 8D FD 08 88",
     "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"},
    {"00 00 00 00", "00000"},
    {"FF FF FF FF", "%nSc0"},
};

/* Decodes text placed against a guard page; returns the zi_err. */
static zi_err z85_decode_guarded(const char *text, size_t n, uint8_t *out, size_t cap)
{
    uint8_t *g = zt_guard_copy(text, n);
    zi_err e = zi_z85_decode((const char *)g, n, out, cap);
    zt_guard_free(g);
    return e;
}

static void test_z85_encodes_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof z85_vectors / sizeof z85_vectors[0]; i++) {
        uint8_t bin[32];
        size_t n = zt_hex(z85_vectors[i].hex, bin, sizeof bin);
        char out[41];
        assert_int_equal(zi_z85_encode(bin, n, out, sizeof out), ZI_OK);
        assert_string_equal(out, z85_vectors[i].text);
    }
}

static void test_z85_decodes_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof z85_vectors / sizeof z85_vectors[0]; i++) {
        uint8_t want[32], got[32];
        size_t n = zt_hex(z85_vectors[i].hex, want, sizeof want);
        const char *text = z85_vectors[i].text;
        assert_int_equal(z85_decode_guarded(text, strlen(text), got, n), ZI_OK);
        assert_memory_equal(got, want, n);
    }
}

/* The RFC 26 secret keys, decoded, must give the public keys: a check of the
 * vectors that does not depend on anyone's Z85 implementation. */
static void test_z85_curve_example_keys_are_key_pairs(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    static const char *const pairs[][2] = {
        {"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"},
        {"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"},
    };
    for (size_t i = 0; i < 2; i++) {
        uint8_t secret[32], public[32], derived[32];
        assert_int_equal(zi_z85_decode(pairs[i][0], 40, secret, sizeof secret), ZI_OK);
        assert_int_equal(zi_z85_decode(pairs[i][1], 40, public, sizeof public), ZI_OK);
        assert_int_equal(crypto_scalarmult_base(derived, secret), 0);
        assert_memory_equal(derived, public, 32);
    }
}

static void test_z85_empty_input_gives_empty_output(void **state)
{
    (void)state;
    char out[1] = {'x'};
    assert_int_equal(zi_z85_encode(NULL, 0, out, sizeof out), ZI_OK);
    assert_int_equal(out[0], '\0');
    uint8_t bin[1] = {0xAA};
    assert_int_equal(zi_z85_decode(NULL, 0, NULL, 0), ZI_OK);
    assert_int_equal(z85_decode_guarded("", 0, bin, 0), ZI_OK);
    assert_int_equal(bin[0], 0xAA);
}

static void test_z85_round_trips_random_data_of_many_lengths(void **state)
{
    (void)state;
    uint64_t rng = 85;
    for (size_t n = 0; n <= 1024; n += 4) {
        for (int rep = 0; rep < 4; rep++) {
            uint8_t *bin = malloc(n + 1), *back = malloc(n + 1);
            char *text = malloc(n / 4 * 5 + 1);
            assert_non_null(bin);
            assert_non_null(back);
            assert_non_null(text);
            zt_rand_bytes(&rng, bin, n);
            assert_int_equal(zi_z85_encode(bin, n, text, n / 4 * 5 + 1), ZI_OK);
            assert_int_equal(strlen(text), n / 4 * 5);
            for (size_t i = 0; i < n / 4 * 5; i++)
                assert_non_null(strchr(z85_chars, text[i]));
            /* Exact output capacity, input against a guard page. */
            assert_int_equal(z85_decode_guarded(text, n / 4 * 5, back, n), ZI_OK);
            assert_memory_equal(back, bin, n);
            free(bin);
            free(back);
            free(text);
        }
    }
}

/* Groups just above 0xFFFFFFFF (85^5 - 1 would fit in 33 bits) are refused,
 * never wrapped; 0xFFFFFFFF itself is accepted. */
static void test_z85_rejects_group_above_u32_max(void **state)
{
    (void)state;
    uint8_t out[4] = {1, 2, 3, 4};
    static const char *const overflow[] = {"%%%%%", "#####", "%nSc1", "%nSd0",
                                           "%nTc0", "%oSc0", "#0000", "$0000"};
    for (size_t i = 0; i < sizeof overflow / sizeof overflow[0]; i++) {
        assert_int_equal(z85_decode_guarded(overflow[i], 5, out, sizeof out), ZI_EINVAL);
        assert_memory_equal(out, ((uint8_t[]){1, 2, 3, 4}), 4);
    }
    /* 0xFFFFFFFF itself is "%nSc0" and is accepted. */
    assert_int_equal(z85_decode_guarded("%nSc0", 5, out, sizeof out), ZI_OK);
    assert_memory_equal(out, ((uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF}), 4);
}

/* The 256-entry table agrees with the alphabet for every octet value. */
static void test_z85_decode_accepts_exactly_the_alphabet(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        char group[5] = {'0', '0', '0', '0', (char)c};
        uint8_t out[4];
        zi_err e = z85_decode_guarded(group, 5, out, sizeof out);
        const char *pos = c ? memchr(z85_chars, c, 85) : NULL;
        if (!pos) {
            assert_int_equal(e, ZI_EINVAL);
            continue;
        }
        assert_int_equal(e, ZI_OK);
        uint32_t v =
            (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | (uint32_t)out[2] << 8 | out[3];
        assert_int_equal(v, (uint32_t)(pos - z85_chars));
    }
}

static void test_z85_decode_rejects_bad_chars_anywhere(void **state)
{
    (void)state;
    static const char bad[] = {'\0', ' ', '"', '\'', ',',        ';',        '\\',      '_',
                               '`',  '|', '~', 0x7F, (char)0x80, (char)0xC3, (char)0xFF};
    char text[15];
    memcpy(text, "HelloWorld00000", 15);
    for (size_t b = 0; b < sizeof bad; b++) {
        for (size_t at = 0; at < sizeof text; at++) {
            char t[15];
            memcpy(t, text, sizeof t);
            t[at] = bad[b];
            uint8_t out[12];
            memset(out, 0x5A, sizeof out);
            assert_int_equal(z85_decode_guarded(t, sizeof t, out, sizeof out), ZI_EINVAL);
            for (size_t i = 0; i < sizeof out; i++)
                assert_int_equal(out[i], 0x5A); /* untouched on error */
        }
    }
}

static void test_z85_decode_rejects_length_not_multiple_of_5(void **state)
{
    (void)state;
    const char *text = "HelloWorld00000";
    uint8_t out[16];
    for (size_t n = 1; n <= 15; n++) {
        zi_err e = z85_decode_guarded(text, n, out, sizeof out);
        assert_int_equal(e, n % 5 == 0 ? ZI_OK : ZI_EINVAL);
    }
}

static void test_z85_encode_rejects_length_not_multiple_of_4(void **state)
{
    (void)state;
    uint8_t bin[16] = {0};
    char out[32];
    for (size_t n = 1; n <= 16; n++) {
        memset(out, 'x', sizeof out);
        zi_err e = zi_z85_encode(bin, n, out, sizeof out);
        assert_int_equal(e, n % 4 == 0 ? ZI_OK : ZI_EINVAL);
        if (e != ZI_OK)
            assert_int_equal(out[0], 'x');
    }
}

static void test_z85_rejects_null_pointers(void **state)
{
    (void)state;
    uint8_t bin[4] = {0};
    char out[6];
    assert_int_equal(zi_z85_encode(NULL, 4, out, sizeof out), ZI_EINVAL);
    assert_int_equal(zi_z85_encode(bin, 4, NULL, 6), ZI_EINVAL);
    assert_int_equal(zi_z85_encode(bin, 0, NULL, 0), ZI_EINVAL);
    assert_int_equal(zi_z85_decode(NULL, 5, bin, sizeof bin), ZI_EINVAL);
    assert_int_equal(zi_z85_decode("00000", 5, NULL, 4), ZI_EINVAL);
}

static void test_z85_encode_refuses_small_output_unchanged(void **state)
{
    (void)state;
    uint8_t bin[8];
    zt_hex("864FD26FB559F75B", bin, sizeof bin);
    char out[11];
    for (size_t cap = 0; cap < 11; cap++) {
        memset(out, 'x', sizeof out);
        assert_int_equal(zi_z85_encode(bin, 8, out, cap), ZI_EFULL);
        for (size_t i = 0; i < sizeof out; i++)
            assert_int_equal(out[i], 'x');
    }
    assert_int_equal(zi_z85_encode(bin, 8, out, 11), ZI_OK);
    assert_string_equal(out, "HelloWorld");
}

static void test_z85_encode_rejects_size_whose_output_overflows(void **state)
{
    (void)state;
    uint8_t bin[4] = {0};
    char out[8];
    size_t huge = SIZE_MAX - SIZE_MAX % 4; /* divisible by 4, n * 5 / 4 + 1 overflows */
    assert_int_equal(zi_z85_encode(bin, huge, out, SIZE_MAX), ZI_EINVAL);
    errno = 0;
    assert_null(zinc_z85_encode(out, bin, huge));
    assert_int_equal(errno, EINVAL);
}

static void test_z85_decode_refuses_small_output_unchanged(void **state)
{
    (void)state;
    uint8_t out[8];
    for (size_t cap = 0; cap < 8; cap++) {
        memset(out, 0x5A, sizeof out);
        assert_int_equal(z85_decode_guarded("HelloWorld", 10, out, cap), ZI_EFULL);
        for (size_t i = 0; i < sizeof out; i++)
            assert_int_equal(out[i], 0x5A);
    }
}

static void test_z85_decode_never_reads_past_n(void **state)
{
    (void)state;
    /* Valid prefix, garbage after it: only n characters count. */
    uint8_t out[4];
    assert_int_equal(zi_z85_decode("00000\xff", 5, out, sizeof out), ZI_OK);
    /* Every 5-aligned prefix of a key, each against its own guard page. */
    const char *key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    for (size_t n = 0; n <= 40; n += 5) {
        uint8_t bin[32];
        assert_int_equal(z85_decode_guarded(key, n, bin, n / 5 * 4), ZI_OK);
    }
}

static void test_zinc_z85_public_api_round_trip(void **state)
{
    (void)state;
    uint8_t bin[8], back[8];
    zt_hex("864FD26FB559F75B", bin, sizeof bin);
    char text[11];
    assert_ptr_equal(zinc_z85_encode(text, bin, 8), text);
    assert_string_equal(text, "HelloWorld");
    assert_ptr_equal(zinc_z85_decode(back, text), back);
    assert_memory_equal(back, bin, 8);
    assert_ptr_equal(zinc_z85_encode(text, NULL, 0), text);
    assert_string_equal(text, "");
    assert_ptr_equal(zinc_z85_decode(back, ""), back);
}

static void test_zinc_z85_public_api_sets_einval(void **state)
{
    (void)state;
    uint8_t bin[8] = {0};
    char text[16];
    static const char *const bad[] = {"Hell",        "HelloWorl", "%%%%%",
                                      "Hello World", "Hell\x80",  "Hell~"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        assert_null(zinc_z85_decode(bin, bad[i]));
        assert_int_equal(errno, EINVAL);
    }
    errno = 0;
    assert_null(zinc_z85_encode(text, bin, 3));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(zinc_z85_encode(NULL, bin, 4));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(zinc_z85_decode(NULL, "HelloWorld"));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(zinc_z85_decode(bin, NULL));
    assert_int_equal(errno, EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_z85_encodes_rfc_vectors),
        cmocka_unit_test(test_z85_decodes_rfc_vectors),
        cmocka_unit_test(test_z85_curve_example_keys_are_key_pairs),
        cmocka_unit_test(test_z85_empty_input_gives_empty_output),
        cmocka_unit_test(test_z85_round_trips_random_data_of_many_lengths),
        cmocka_unit_test(test_z85_rejects_group_above_u32_max),
        cmocka_unit_test(test_z85_decode_accepts_exactly_the_alphabet),
        cmocka_unit_test(test_z85_decode_rejects_bad_chars_anywhere),
        cmocka_unit_test(test_z85_decode_rejects_length_not_multiple_of_5),
        cmocka_unit_test(test_z85_encode_rejects_length_not_multiple_of_4),
        cmocka_unit_test(test_z85_rejects_null_pointers),
        cmocka_unit_test(test_z85_encode_refuses_small_output_unchanged),
        cmocka_unit_test(test_z85_encode_rejects_size_whose_output_overflows),
        cmocka_unit_test(test_z85_decode_refuses_small_output_unchanged),
        cmocka_unit_test(test_z85_decode_never_reads_past_n),
        cmocka_unit_test(test_zinc_z85_public_api_round_trip),
        cmocka_unit_test(test_zinc_z85_public_api_sets_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
