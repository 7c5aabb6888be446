#include <string.h>

#include "zmtp/greeting.h"

void zmtp_greeting_encode(uint8_t out[ZMTP_GREETING_SIZE], const char *mechanism, bool as_server)
{
    memset(out, 0, ZMTP_GREETING_SIZE);
    out[0] = 0xFF; /* RFC 23: signature 0xFF padding[8] 0x7F */
    out[8] = 0x01; /* padding as libzmq sends it: identity length + 1 */
    out[9] = 0x7F;
    out[10] = 3;
    out[11] = 1;
    size_t n = strlen(mechanism);
    if (n > ZMTP_MECHANISM_SIZE)
        n = ZMTP_MECHANISM_SIZE;
    memcpy(out + 12, mechanism, n);
    out[32] = as_server ? 1 : 0;
}

/* How far the version can be decided with what we have. */
static zi_err greeting_check_prefix(const zmtp_greeting_parser_t *p, zmtp_greeting_t *out)
{
    const uint8_t *b = p->buf;
    /* RFC 23 "Version Negotiation": a peer whose first octet is not 0xFF, or
     * whose tenth has bit 0 clear, speaks ZMTP 1.0. */
    if (p->have >= 1 && b[0] != 0xFF) {
        out->version = ZMTP_V10;
        return ZI_EVERSION;
    }
    if (p->have >= 10 && !(b[9] & 0x01)) {
        out->version = ZMTP_V10;
        return ZI_EVERSION;
    }
    if (p->have >= 11) {
        if (b[10] == 0) {
            out->version = ZMTP_V10;
            return ZI_EVERSION;
        }
        /* Major 1 is ZMTP 2.0 (its revision octet); any other major above 0
         * is 3.x, as libzmq decides (ZMTP-NOTES.md "Version choice"). */
        if (b[10] == 1) {
            out->version = ZMTP_V20;
            return ZI_EVERSION;
        }
    }
    return ZI_AGAIN;
}

zi_err zmtp_greeting_parse(zmtp_greeting_parser_t *p, const uint8_t *in, size_t n, size_t *used,
                           zmtp_greeting_t *out)
{
    *used = 0;
    while (p->have < ZMTP_GREETING_SIZE && *used < n) {
        /* Take bytes one version checkpoint at a time so that an old peer is
         * recognised before we wait for octets it does not send. */
        size_t stop = p->have < 1 ? 1 : p->have < 10 ? 10 : p->have < 11 ? 11 : ZMTP_GREETING_SIZE;
        size_t take = stop - p->have;
        if (take > n - *used)
            take = n - *used;
        memcpy(p->buf + p->have, in + *used, take);
        p->have += take;
        *used += take;
        zi_err e = greeting_check_prefix(p, out);
        if (e != ZI_AGAIN)
            return e;
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
