#include <string.h>

#include "util/cursor.h"
#include "zmtp/greeting.h"

void zmtp_greeting_encode(uint8_t out[ZMTP_GREETING_SIZE], const char *mechanism, bool as_server)
{
    memset(out, 0, ZMTP_GREETING_SIZE);
    zmtp_greeting_signature(out, 0);
    out[10] = 3;
    out[11] = 1;
    size_t n = strlen(mechanism);
    if (n > ZMTP_MECHANISM_SIZE)
        n = ZMTP_MECHANISM_SIZE;
    memcpy(out + 12, mechanism, n);
    out[32] = as_server ? 1 : 0;
}

void zmtp_greeting_signature(uint8_t out[ZMTP_SIGNATURE_SIZE], size_t identity_len)
{
    /* RFC 23: signature 0xFF padding[8] 0x7F. libzmq's padding is the
     * identity length + 1, which makes the signature a ZMTP 1.0 header of
     * the identity frame (RFC 13: length, flags). */
    out[0] = 0xFF;
    zi_put_u64be(out + 1, (uint64_t)identity_len + 1);
    out[9] = 0x7F;
}

/* How far the version can be decided with what we have: ZI_OK when the
 * greeting of an older peer is complete, else ZI_AGAIN. */
static zi_err greeting_check_prefix(const zmtp_greeting_parser_t *p, zmtp_greeting_t *out)
{
    const uint8_t *b = p->buf;
    /* RFC 23 "Version Negotiation": a peer whose first octet is not 0xFF, or
     * whose tenth has bit 0 clear, speaks ZMTP 1.0 and sent no greeting. */
    if ((p->have >= 1 && b[0] != 0xFF) || (p->have >= 10 && !(b[9] & 0x01))) {
        out->version = ZMTP_V10;
        out->unversioned = true;
        return ZI_OK;
    }
    /* RFC 15: revision 1 (2.0) or 0 (1.0 framing), then a socket-type
     * octet; any other major is 3.x, as libzmq decides (ZMTP-NOTES.md
     * "Version choice"). */
    if (p->have >= ZMTP_V2_GREETING_SIZE && b[10] <= 1) {
        out->version = b[10] == 1 ? ZMTP_V20 : ZMTP_V10;
        out->major = b[10];
        out->socket_type = b[11];
        return ZI_OK;
    }
    return ZI_AGAIN;
}

/* Where the next version checkpoint is. */
static size_t greeting_stop(const zmtp_greeting_parser_t *p)
{
    if (p->have < 1)
        return 1;
    if (p->have < ZMTP_SIGNATURE_SIZE)
        return ZMTP_SIGNATURE_SIZE;
    if (p->have < 11)
        return 11;
    return p->buf[10] <= 1 ? ZMTP_V2_GREETING_SIZE : ZMTP_GREETING_SIZE;
}

zi_err zmtp_greeting_parse(zmtp_greeting_parser_t *p, const uint8_t *in, size_t n, size_t *used,
                           zmtp_greeting_t *out)
{
    *used = 0;
    out->unversioned = false;
    out->socket_type = -1;
    while (p->have < ZMTP_GREETING_SIZE && *used < n) {
        /* Take bytes one version checkpoint at a time so that an old peer is
         * recognised before we wait for octets it does not send. */
        size_t take = greeting_stop(p) - p->have;
        if (take > n - *used)
            take = n - *used;
        memcpy(p->buf + p->have, in + *used, take);
        p->have += take;
        *used += take;
        if (greeting_check_prefix(p, out) == ZI_OK)
            return ZI_OK;
    }
    if (p->have < ZMTP_GREETING_SIZE)
        return ZI_AGAIN;

    const uint8_t *b = p->buf;
    out->major = b[10];
    out->minor = b[11];
    /* Version choice of ZMTP-NOTES.md: 3.0 stays 3.0; 3.1+ and any later
     * major are treated as 3.1. */
    out->version = (b[10] == 3 && b[11] == 0) ? ZMTP_V30 : ZMTP_V31;
    size_t len = 0;
    while (len < ZMTP_MECHANISM_SIZE && b[12 + len] != 0)
        len++;
    for (size_t i = 0; i < len; i++)
        if (b[12 + i] < 0x20 || b[12 + i] > 0x7E)
            return ZI_EPROTO;
    memcpy(out->mechanism, b + 12, len);
    out->mechanism[len] = '\0';
    out->as_server = b[32] == 1;
    return ZI_OK;
}
