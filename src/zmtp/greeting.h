/* The ZMTP greeting (RFC 23 / RFC 37 "Version Negotiation", "Security"),
 * and the older peers' first octets (RFC 15 ZMTP 2.0, RFC 13 ZMTP 1.0).
 *
 * Ours goes out in libzmq's three pieces (ZMTP-NOTES.md "Greeting"): the
 * 10-octet signature at once, the major version once the peer's signature
 * is in, the rest once its major is in. The signature doubles as a ZMTP 1.0
 * frame header (0xFF, an 8-octet length = identity length + 1, flags 0x7F),
 * so a 1.0 peer, which sends no greeting, reads it as the start of our
 * identity frame. The peer's greeting is parsed incrementally, split
 * anywhere, and the version is known as early as the octets allow: 1.0
 * after octet 0 or 9, 2.0 after octet 11 (its socket type).
 */
#ifndef ZI_ZMTP_GREETING_H
#define ZI_ZMTP_GREETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ZMTP_GREETING_SIZE 64
#define ZMTP_SIGNATURE_SIZE 10
#define ZMTP_V2_GREETING_SIZE 12
#define ZMTP_MECHANISM_SIZE 20

/* Negotiated or announced versions, as 0xMm. */
enum { ZMTP_V10 = 0x10, ZMTP_V20 = 0x20, ZMTP_V30 = 0x30, ZMTP_V31 = 0x31 };

typedef struct {
    int version;                             /* ZMTP_V10 ... ZMTP_V31 */
    int major, minor;                        /* as sent (3.x only) */
    char mechanism[ZMTP_MECHANISM_SIZE + 1]; /* NUL-terminated, 3.x only */
    bool as_server;
    /* ZMTP 1.0 without a greeting: the octets taken (parser buf[0..have))
     * are the start of the peer's identity frame, to be decoded as such. */
    bool unversioned;
    /* Revision 0 or 1 (a 1.0 or 2.0 peer with a signature): the peer's
     * socket-type octet (libzmq's numbers); else -1. */
    int socket_type;
} zmtp_greeting_t;

typedef struct {
    uint8_t buf[ZMTP_GREETING_SIZE];
    size_t have;
} zmtp_greeting_parser_t;

/* Writes our 64-octet 3.1 greeting. mechanism: "NULL", "PLAIN", "CURVE".
 * The padding says identity length 0 (octet 8 = 1); zmtp_greeting_signature
 * writes the first 10 octets for another identity length. */
void zmtp_greeting_encode(uint8_t out[ZMTP_GREETING_SIZE], const char *mechanism, bool as_server);

/* Writes the 10-octet signature as libzmq does: 0xFF, identity_len + 1 as a
 * big-endian u64, 0x7F. */
void zmtp_greeting_signature(uint8_t out[ZMTP_SIGNATURE_SIZE], size_t identity_len);

static inline void zmtp_greeting_parser_init(zmtp_greeting_parser_t *p)
{
    p->have = 0;
}

/* Consumes peer greeting bytes; *used says how many. Returns ZI_AGAIN while
 * more are needed, ZI_OK once *out is complete (any version: see
 * out->version, out->unversioned, out->socket_type), or ZI_EPROTO for a
 * mechanism field that is not printable ASCII. Never takes an octet past
 * the end of the peer's greeting: a 1.0 peer's after the octet that showed
 * it (octet 0 or 9), a 2.0 peer's after octet 11. */
ZI_MUST_USE zi_err zmtp_greeting_parse(zmtp_greeting_parser_t *p, const uint8_t *in, size_t n,
                                       size_t *used, zmtp_greeting_t *out);

/* True once the peer's full signature is in and says "versioned" (libzmq
 * then sends its major). */
static inline bool zmtp_greeting_peer_signed(const zmtp_greeting_parser_t *p)
{
    return p->have >= ZMTP_SIGNATURE_SIZE && p->buf[0] == 0xFF && (p->buf[9] & 0x01);
}

/* The peer's major (revision) octet once it is in, else -1. */
static inline int zmtp_greeting_peer_major(const zmtp_greeting_parser_t *p)
{
    return zmtp_greeting_peer_signed(p) && p->have > ZMTP_SIGNATURE_SIZE ? p->buf[10] : -1;
}

#endif
