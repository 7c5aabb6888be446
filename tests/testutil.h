/* Small helpers shared by the unit tests. Test-only; a misuse (bad hex, a
 * buffer too small) is a bug in the test and aborts with a message.
 */
#ifndef ZT_TESTUTIL_H
#define ZT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "guard.h"

/* Parses hex digits (either case) into out and returns the number of octets.
 * Whitespace anywhere between octets is skipped: "86 4F d2\n6f" gives 4. */
size_t zt_hex(const char *hex, uint8_t *out, size_t cap);

/* Deterministic PRNG (splitmix64): the next value from *state. Any seed,
 * including 0, is fine. Not for cryptography. */
uint64_t zt_rand(uint64_t *state);
/* n pseudo-random octets from *state. */
void zt_rand_bytes(uint64_t *state, void *out, size_t n);

typedef void(zt_split_fn)(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, void *ctx);
typedef void(zt_chunk_fn)(const uint8_t *chunk, size_t n, void *ctx);

/* Calls fn(a, k, b, n - k, ctx) for every split point k = 0..n, where a is
 * data[0..k) and b is data[k..n), each in its own guard copy (guard.h), so a
 * parser fed in two pieces faults on any over-read of either piece. */
void zt_for_each_split(const uint8_t *data, size_t n, zt_split_fn *fn, void *ctx);

/* Feeds data to fn in consecutive chunks of 1..max_chunk octets (max_chunk 0
 * means n), sizes drawn from seed; the same seed gives the same chunks. Each
 * chunk is its own guard copy, freed after fn returns. n == 0 gives no call. */
void zt_random_chunks(const uint8_t *data, size_t n, uint64_t seed, size_t max_chunk,
                      zt_chunk_fn *fn, void *ctx);

#endif
