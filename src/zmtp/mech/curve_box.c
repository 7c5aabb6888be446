/* CURVE MESSAGE boxes with a per-direction subkey (see curve_box.h). */
#include "zmtp/mech/curve_box.h"

#include <sodium.h>

_Static_assert(crypto_core_hsalsa20_OUTPUTBYTES == 32 && crypto_core_hsalsa20_INPUTBYTES == 16,
               "HSalsa20 sizes");
_Static_assert(crypto_stream_salsa20_NONCEBYTES == 8 && crypto_stream_salsa20_KEYBYTES == 32,
               "Salsa20 sizes");
_Static_assert(crypto_onetimeauth_poly1305_KEYBYTES == 32 &&
                   crypto_onetimeauth_poly1305_BYTES == 16,
               "Poly1305 sizes");

enum { BLOCK = 64, AUTHKEY = 32, HEAD = BLOCK - AUTHKEY };

void zmtp_curve_box_init(zmtp_curve_box_t *b, const uint8_t precom[32], const uint8_t prefix[16])
{
    crypto_core_hsalsa20(b->subkey, prefix, precom, NULL);
}

/* Stream block 0: the Poly1305 key, then the stream for the first HEAD
 * octets of the message; the rest of the stream starts at block 1. */
static void curve_box_block0(const zmtp_curve_box_t *b, uint8_t block0[BLOCK], const uint8_t sn[8])
{
    crypto_stream_salsa20(block0, BLOCK, sn, b->subkey);
}

static void curve_box_xor(const zmtp_curve_box_t *b, const uint8_t block0[BLOCK], uint8_t *p,
                          size_t len, const uint8_t sn[8])
{
    size_t head = len < HEAD ? len : HEAD;
    for (size_t i = 0; i < head; i++)
        p[i] ^= block0[AUTHKEY + i];
    if (len > head)
        crypto_stream_salsa20_xor_ic(p + head, p + head, len - head, sn, 1, b->subkey);
}

void zmtp_curve_box_seal(const zmtp_curve_box_t *b, uint8_t *p, size_t len, uint8_t mac[16],
                         const uint8_t sn[8])
{
    uint8_t block0[BLOCK];
    curve_box_block0(b, block0, sn);
    curve_box_xor(b, block0, p, len, sn);
    crypto_onetimeauth_poly1305(mac, p, len, block0);
    sodium_memzero(block0, sizeof block0);
}

int zmtp_curve_box_open(const zmtp_curve_box_t *b, uint8_t *p, size_t len, const uint8_t mac[16],
                        const uint8_t sn[8])
{
    uint8_t block0[BLOCK];
    curve_box_block0(b, block0, sn);
    int rc = crypto_onetimeauth_poly1305_verify(mac, p, len, block0);
    if (rc == 0)
        curve_box_xor(b, block0, p, len, sn);
    sodium_memzero(block0, sizeof block0);
    return rc == 0 ? 0 : -1;
}

void zmtp_curve_box_wipe(zmtp_curve_box_t *b)
{
    sodium_memzero(b->subkey, sizeof b->subkey);
}
