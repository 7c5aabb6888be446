/* Fuzz target for Z85 (RFC 32).
 *
 * 1. The input, as text, goes to zi_z85_decode with the exact output size and
 *    with one octet less; a successful decode must re-encode to the input.
 * 2. The public zinc_z85_decode gets the input as a C string.
 * 3. The input's longest prefix of a multiple of 4 octets, as binary, is
 *    encoded and decoded back and must come out unchanged.
 * Buffers are exact-size heap blocks, so ASan sees any overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zinc.h"
#include "zmtp/z85.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_z85_check(int ok)
{
    if (!ok)
        abort();
}

static void fuzz_z85_decode_text(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t cap = zi_z85_decoded_len(size);
    uint8_t *bin = malloc(cap ? cap : 1);
    fuzz_z85_check(bin != NULL);
    zi_err e = zi_z85_decode(text, size, bin, cap);
    fuzz_z85_check(e == ZI_OK || e == ZI_EINVAL);
    fuzz_z85_check(e == ZI_EINVAL || size % 5 == 0);
    if (cap > 0) {
        /* One octet short: never succeeds, never writes past cap - 1. */
        zi_err short_e = zi_z85_decode(text, size, bin, cap - 1);
        fuzz_z85_check(short_e != ZI_OK);
    }
    if (e == ZI_OK) {
        char *again = malloc(size + 1);
        fuzz_z85_check(again != NULL);
        fuzz_z85_check(zi_z85_encode(bin, cap, again, size + 1) == ZI_OK);
        fuzz_z85_check(memcmp(again, text, size) == 0 && again[size] == '\0');
        free(again);
    }
    free(bin);
}

static void fuzz_z85_decode_public(const uint8_t *data, size_t size)
{
    char *str = malloc(size + 1);
    fuzz_z85_check(str != NULL);
    if (size)
        memcpy(str, data, size);
    str[size] = '\0';
    size_t len = strlen(str);
    size_t cap = zi_z85_decoded_len(len);
    uint8_t *bin = malloc(cap ? cap : 1);
    uint8_t *ref = malloc(cap ? cap : 1);
    fuzz_z85_check(bin != NULL && ref != NULL);
    uint8_t *r = zinc_z85_decode(bin, str);
    zi_err e = zi_z85_decode(str, len, ref, cap);
    /* The public call agrees with the internal one. */
    fuzz_z85_check((r != NULL) == (e == ZI_OK));
    if (r)
        fuzz_z85_check(r == bin && memcmp(bin, ref, cap) == 0);
    free(ref);
    free(bin);
    free(str);
}

static void fuzz_z85_round_trip_binary(const uint8_t *data, size_t size)
{
    size_t n = size - size % 4;
    size_t len = zi_z85_encoded_len(n);
    char *text = malloc(len + 1);
    uint8_t *back = malloc(n ? n : 1);
    fuzz_z85_check(text != NULL && back != NULL);
    fuzz_z85_check(zi_z85_encode(data, n, text, len + 1) == ZI_OK);
    fuzz_z85_check(strlen(text) == len);
    fuzz_z85_check(zi_z85_decode(text, len, back, n) == ZI_OK);
    fuzz_z85_check(n == 0 || memcmp(back, data, n) == 0);
    if (size % 4 != 0)
        fuzz_z85_check(zi_z85_encode(data, size, text, len + 1) == ZI_EINVAL);
    free(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_z85_decode_text(data, size);
    fuzz_z85_decode_public(data, size);
    fuzz_z85_round_trip_binary(data, size);
    return 0;
}
