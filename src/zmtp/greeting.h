/* The ZMTP greeting (RFC 23 / RFC 37 "Version Negotiation", "Security").
 *
 * We send all 64 octets at once. The peer's greeting is parsed
 * incrementally, split anywhere. Old versions are recognised as early as the
 * bytes allow (octet 0, octet 9, octet 10), so a 1.0 or 2.0 peer is answered
 * without waiting for octets it will never send.
 */
#ifndef ZI_ZMTP_GREETING_H
#define ZI_ZMTP_GREETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ZMTP_GREETING_SIZE 64
#define ZMTP_MECHANISM_SIZE 20

/* Negotiated or announced versions, as 0xMm. */
enum { ZMTP_V10 = 0x10, ZMTP_V20 = 0x20, ZMTP_V30 = 0x30, ZMTP_V31 = 0x31 };

typedef struct {
    int version;                             /* ZMTP_V10 ... ZMTP_V31 */
    int major, minor;                        /* as sent (3.x only) */
    char mechanism[ZMTP_MECHANISM_SIZE + 1]; /* NUL-terminated, 3.x only */
    bool as_server;
} zmtp_greeting_t;

typedef struct {
    uint8_t buf[ZMTP_GREETING_SIZE];
    size_t have;
} zmtp_greeting_parser_t;

/* Writes our 64-octet 3.1 greeting. mechanism: "NULL", "PLAIN", "CURVE". */
void zmtp_greeting_encode(uint8_t out[ZMTP_GREETING_SIZE], const char *mechanism, bool as_server);

static inline void zmtp_greeting_parser_init(zmtp_greeting_parser_t *p)
{
    p->have = 0;
}

/* Consumes peer greeting bytes; *used says how many. Returns ZI_AGAIN while
 * more are needed, ZI_OK once *out is complete (version 3.x), ZI_EVERSION as
 * soon as the peer is known to speak ZMTP 1.0 or 2.0 (out->version says
 * which), or ZI_EPROTO for a mechanism field that is not printable ASCII. */
ZI_MUST_USE zi_err zmtp_greeting_parse(zmtp_greeting_parser_t *p, const uint8_t *in, size_t n,
                                       size_t *used, zmtp_greeting_t *out);

#endif
