/* Z85 encoding, written from ZeroMQ RFC 32 (https://rfc.zeromq.org/spec/32/).
 *
 * Decoding goes through a 256-entry table so that every octet, including NUL
 * and octets >= 0x80, is classified with one load; the input is validated in
 * full before anything is written, so a failed decode leaves out untouched.
 */
#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "zmtp/z85.h"
#include "zinc.h"

/* RFC 32: the 85 characters, in digit order. */
static const char z85_alphabet[85 + 1] = "0123456789"
                                         "abcdefghijklmnopqrstuvwxyz"
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         ".-:+=^!/*?&<>()[]{}@%$#";

/* Digit value of each octet, or Z85_BAD. Must agree with z85_alphabet
 * (tests/test_z85.c checks all 256 entries). */
#define Z85_BAD 0xFF
#define X Z85_BAD
static const uint8_t z85_digit[256] = {
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x00 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x10 */
    X,  68, X,  84, 83, 82, 72, X,  75, 76, 70, 65, X,  63, 62, 69, /* 0x20  !"#$%&'()*+,-./ */
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  64, X,  73, 66, 74, 71, /* 0x30 0-9:;<=>? */
    81, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, /* 0x40 @A-O */
    51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 77, X,  78, 67, X,  /* 0x50 P-Z[\]^_ */
    X,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, /* 0x60 `a-o */
    25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 79, X,  80, X,  X,  /* 0x70 p-z{|}~DEL */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x80 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x90 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xa0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xb0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xc0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xd0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xe0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xf0 */
};
#undef X

zi_err zi_z85_encode(const uint8_t *in, size_t n, char *out, size_t out_cap)
{
    /* RFC 32: the binary frame's length must be divisible by 4. */
    if (n % 4 != 0 || (!in && n > 0) || !out || n / 4 > (SIZE_MAX - 1) / 5)
        return ZI_EINVAL;
    size_t len = zi_z85_encoded_len(n);
    if (out_cap < len + 1)
        return ZI_EFULL;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = zi_get_u32be(in + i);
        char *g = out + i / 4 * 5;
        /* Most significant digit first. */
        for (int d = 4; d >= 0; d--) {
            g[d] = z85_alphabet[v % 85];
            v /= 85;
        }
    }
    out[len] = '\0';
    return ZI_OK;
}

/* Value of the 5-character group g, or ZI_EINVAL. */
static zi_err z85_group_value(const char *g, uint32_t *value)
{
    uint64_t v = 0;
    for (int d = 0; d < 5; d++) {
        uint8_t digit = z85_digit[(unsigned char)g[d]];
        if (digit == Z85_BAD)
            return ZI_EINVAL;
        v = v * 85 + digit;
    }
    /* 85^5 - 1 > 0xFFFFFFFF: RFC 32 groups stand for 32-bit values only. */
    if (v > UINT32_MAX)
        return ZI_EINVAL;
    *value = (uint32_t)v;
    return ZI_OK;
}

zi_err zi_z85_decode(const char *in, size_t n, uint8_t *out, size_t out_cap)
{
    /* RFC 32: the string's length must be divisible by 5. */
    if (n % 5 != 0 || (n > 0 && (!in || !out)))
        return ZI_EINVAL;
    if (out_cap < zi_z85_decoded_len(n))
        return ZI_EFULL;
    uint32_t v;
    for (size_t i = 0; i < n; i += 5)
        if (z85_group_value(in + i, &v) != ZI_OK)
            return ZI_EINVAL;
    for (size_t i = 0; i < n; i += 5) {
        zi_err e = z85_group_value(in + i, &v);
        if (e != ZI_OK)
            return e; /* not reached: validated above */
        zi_put_u32be(out + i / 5 * 4, v);
    }
    return ZI_OK;
}

char *zinc_z85_encode(char *dest, const uint8_t *data, size_t size)
{
    if (!dest || size % 4 != 0 || size / 4 > (SIZE_MAX - 1) / 5) {
        errno = EINVAL;
        return NULL;
    }
    /* The caller promises room for size * 5 / 4 + 1 characters. */
    if (zi_z85_encode(data, size, dest, zi_z85_encoded_len(size) + 1) != ZI_OK) {
        errno = EINVAL;
        return NULL;
    }
    return dest;
}

uint8_t *zinc_z85_decode(uint8_t *dest, const char *string)
{
    if (!dest || !string) {
        errno = EINVAL;
        return NULL;
    }
    size_t n = strlen(string);
    /* The caller promises room for strlen(string) * 4 / 5 octets. */
    if (zi_z85_decode(string, n, dest, zi_z85_decoded_len(n)) != ZI_OK) {
        errno = EINVAL;
        return NULL;
    }
    return dest;
}
