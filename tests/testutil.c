/* Test helpers: see testutil.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

static void testutil_die(const char *what, const char *detail)
{
    fprintf(stderr, "testutil: %s: %s\n", what, detail);
    abort();
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t zt_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    const char *s = hex;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            return n;
        int hi = hex_digit(s[0]);
        int lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (lo < 0)
            testutil_die("bad hex string", hex);
        if (n == cap)
            testutil_die("hex output buffer too small", hex);
        out[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
}

uint64_t zt_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void zt_rand_bytes(uint64_t *state, void *out, size_t n)
{
    uint8_t *o = out;
    for (size_t i = 0; i < n; i++)
        o[i] = (uint8_t)(zt_rand(state) >> 56);
}

void zt_for_each_split(const uint8_t *data, size_t n, zt_split_fn *fn, void *ctx)
{
    for (size_t k = 0; k <= n; k++) {
        uint8_t *a = zt_guard_copy(data, k);
        uint8_t *b = zt_guard_copy(n ? data + k : data, n - k);
        fn(a, k, b, n - k, ctx);
        zt_guard_free(a);
        zt_guard_free(b);
    }
}

void zt_random_chunks(const uint8_t *data, size_t n, uint64_t seed, size_t max_chunk,
                      zt_chunk_fn *fn, void *ctx)
{
    if (max_chunk == 0)
        max_chunk = n;
    uint64_t state = seed;
    size_t pos = 0;
    while (pos < n) {
        size_t left = n - pos;
        size_t len = 1 + (size_t)(zt_rand(&state) % max_chunk);
        if (len > left)
            len = left;
        uint8_t *chunk = zt_guard_copy(data + pos, len);
        fn(chunk, len, ctx);
        zt_guard_free(chunk);
        pos += len;
    }
}
