/* Fuzz target for certificate files (src/ext/cert.c, ZPL of RFC 4).
 *
 * 1. The input, as a certificate file, goes to zinc_cert_from_text. Refused
 *    input must say EINVAL; accepted input must have a 40-character public
 *    key, and both of its files (public, and secret when it has a secret)
 *    must be written and read back with the same keys and metadata.
 * 2. When the input holds a NUL, the octets before it are a metadata name
 *    and those after it (to the next NUL) a value for zinc_cert_set_meta on
 *    a fixed certificate: a pair it accepts must survive a write and a read.
 * Deterministic: fixed keys, a fixed time stamp, no files, no randomness.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ext/cert.h"
#include "zinc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cert_check(int ok)
{
    if (!ok)
        abort();
}

static bool fuzz_cert_same(const zinc_cert_t *a, const zinc_cert_t *b, bool secret)
{
    if (memcmp(zinc_cert_public_key(a), zinc_cert_public_key(b), 32) != 0)
        return false;
    if (secret && (!zinc_cert_secret_key(b) ||
                   memcmp(zinc_cert_secret_key(a), zinc_cert_secret_key(b), 32) != 0))
        return false;
    if (!secret && zinc_cert_secret_key(b))
        return false;
    if (zinc_cert_meta_count(a) != zinc_cert_meta_count(b))
        return false;
    for (size_t i = 0; i < zinc_cert_meta_count(a); i++) {
        const char *n = zinc_cert_meta_name(a, i);
        const char *v = zinc_cert_meta(b, n);
        if (!v || strcmp(v, zinc_cert_meta(a, n)) != 0)
            return false;
    }
    return true;
}

/* Writes c's file (secret or public) and reads it back. */
static void fuzz_cert_round_trip(const zinc_cert_t *c, bool secret)
{
    size_t len = 0;
    char *text = zi_cert_format(c, secret, "2026-12-02 00:00:00 UTC", &len);
    fuzz_cert_check(text != NULL);
    /* an exact-size copy, so ASan sees any over-read */
    char *exact = malloc(len ? len : 1);
    fuzz_cert_check(exact != NULL);
    memcpy(exact, text, len);
    zinc_cert_t *back = zinc_cert_from_text(exact, len);
    fuzz_cert_check(back != NULL);
    fuzz_cert_check(fuzz_cert_same(c, back, secret));
    zinc_cert_free(back);
    free(exact);
    zi_cert_text_free(text, len);
}

static void fuzz_cert_parse(const uint8_t *data, size_t size)
{
    errno = 0;
    zinc_cert_t *c = zinc_cert_from_text((const char *)data, size);
    if (!c) {
        fuzz_cert_check(errno == EINVAL || errno == ENOMEM);
        return;
    }
    fuzz_cert_check(strlen(zinc_cert_public_txt(c)) == 40);
    fuzz_cert_check(zinc_cert_meta_count(c) <= 256);
    fuzz_cert_round_trip(c, false);
    if (zinc_cert_secret_key(c))
        fuzz_cert_round_trip(c, true);
    zinc_cert_free(c);
}

static void fuzz_cert_meta(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return;
    size_t nl = (size_t)(nul - data);
    const uint8_t *v = nul + 1;
    size_t left = size - nl - 1;
    const uint8_t *end = memchr(v, 0, left);
    size_t vl = end ? (size_t)(end - v) : left;
    char *name = malloc(nl + 1), *value = malloc(vl + 1);
    fuzz_cert_check(name && value);
    memcpy(name, data, nl);
    name[nl] = '\0';
    memcpy(value, v, vl);
    value[vl] = '\0';

    /* RFC 26's example server key pair. */
    static const uint8_t pub[32] = {0x54, 0xFC, 0xBA, 0x24, 0xE9, 0x32, 0x49, 0x96,
                                    0x93, 0x16, 0xFB, 0x61, 0x7C, 0x87, 0x2B, 0xB0,
                                    0xC1, 0xD1, 0xFF, 0x14, 0x80, 0x04, 0x27, 0xC5,
                                    0x94, 0xCB, 0xFA, 0xCF, 0x1B, 0xC2, 0xD6, 0x52};
    static const uint8_t sec[32] = {0x8E, 0x0B, 0xDD, 0x69, 0x76, 0x28, 0xB9, 0x1D,
                                    0x8F, 0x24, 0x55, 0x87, 0xEE, 0x95, 0xC5, 0xB0,
                                    0x4D, 0x48, 0x96, 0x3F, 0x79, 0x25, 0x98, 0x77,
                                    0xB4, 0x9C, 0xD9, 0x06, 0x3A, 0xEA, 0xD3, 0xB7};
    zinc_cert_t *c = zinc_cert_new_from(pub, sec);
    fuzz_cert_check(c != NULL);
    errno = 0;
    if (zinc_cert_set_meta(c, name, value) == 0) {
        fuzz_cert_check(strcmp(zinc_cert_meta(c, name), value) == 0);
        fuzz_cert_round_trip(c, true);
    } else {
        fuzz_cert_check(errno == EINVAL);
        fuzz_cert_check(zinc_cert_meta_count(c) == 0);
    }
    zinc_cert_free(c);
    free(value);
    free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cert_parse(data, size);
    fuzz_cert_meta(data, size);
    return 0;
}
