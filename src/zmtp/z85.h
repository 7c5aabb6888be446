/* Z85 (ZeroMQ RFC 32): 4 octets <-> 5 printable characters.
 *
 * Each 4-octet group is read as a big-endian u32 and written as 5 base-85
 * digits, most significant first, from the alphabet
 *   0-9 a-z A-Z . - : + = ^ ! / * ? & < > ( ) [ ] { } @ % $ #
 * CURVE keys (32 octets) travel as 40 characters.
 *
 * Pure functions: no allocation, no system call, callable from any thread.
 * Neither function reads past n input octets or writes past out_cap, and on
 * any error the output buffer is left untouched.
 */
#ifndef ZI_ZMTP_Z85_H
#define ZI_ZMTP_Z85_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Characters zi_z85_encode writes for n octets, without the NUL. */
static inline size_t zi_z85_encoded_len(size_t n)
{
    return n / 4 * 5;
}
/* Octets zi_z85_decode writes for n characters. */
static inline size_t zi_z85_decoded_len(size_t n)
{
    return n / 5 * 4;
}

/* Encodes n octets (n % 4 == 0) into out as n * 5 / 4 characters plus a NUL.
 * ZI_EINVAL: n % 4 != 0, in is NULL with n > 0, out is NULL, or n is too
 * large for the output size to be represented.
 * ZI_EFULL: out_cap < n * 5 / 4 + 1. */
ZI_MUST_USE zi_err zi_z85_encode(const uint8_t *in, size_t n, char *out, size_t out_cap);

/* Decodes n characters (n % 5 == 0, no NUL needed) into n * 4 / 5 octets.
 * ZI_EINVAL: n % 5 != 0, a NULL pointer with n > 0, a character outside the
 * alphabet (NUL and octets >= 0x80 included), or a group whose value exceeds
 * 0xFFFFFFFF (RFC 32 allows only 32-bit values).
 * ZI_EFULL: out_cap < n * 4 / 5. */
ZI_MUST_USE zi_err zi_z85_decode(const char *in, size_t n, uint8_t *out, size_t out_cap);

#endif
