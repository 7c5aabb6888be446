/* Helpers shared by the fuzz targets (STYLE.md §11): a small deterministic
 * PRNG seeded from the input, so that chunkings and schedules are a pure
 * function of the input bytes, and a digest to compare two decodings.
 *
 * Everything here is static and stateless between runs: each call of
 * LLVMFuzzerTestOneInput builds its own state on the stack.
 */
#ifndef ZI_FUZZ_COMMON_H
#define ZI_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: report where, then abort so libFuzzer keeps the input. */
#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

typedef struct {
    uint64_t s;
} fz_rng_t;

static inline void fz_rng_seed(fz_rng_t *r, uint64_t seed)
{
    r->s = seed;
}

/* splitmix64 */
static inline uint64_t fz_rng_next(fz_rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline size_t fz_rng_below(fz_rng_t *r, size_t n)
{
    return n ? (size_t)(fz_rng_next(r) % n) : 0;
}

/* In [lo, hi]. */
static inline size_t fz_rng_range(fz_rng_t *r, size_t lo, size_t hi)
{
    return lo + fz_rng_below(r, hi - lo + 1);
}

/* FNV-1a, to fold frames into one digest. */
static inline uint64_t fz_hash(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

static inline uint64_t fz_hash_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fz_hash(h, b, 8);
}

#define FZ_HASH_INIT 0xCBF29CE484222325ull

#endif
