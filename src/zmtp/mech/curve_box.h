/* One direction of CURVE MESSAGE boxes, with the nonce prefix's work done
 * once per connection.
 *
 * A crypto_box with a precomputed key is XSalsa20-Poly1305: HSalsa20 of the
 * key and the nonce's first 16 octets gives a subkey, and Salsa20 under that
 * subkey with the nonce's last 8 octets gives the stream, whose first 32
 * octets are the Poly1305 key and the rest encrypt the message. For MESSAGE
 * the first 16 octets are the direction's constant prefix ("CurveZMQMESSAGEC"
 * or "...S") and the last 8 the short nonce, so the subkey is the same for
 * every message of a direction: it is computed once here, which saves one
 * HSalsa20 per message. The boxes are byte for byte those of
 * crypto_box_detached_afternm (tests/test_curve_box.c checks it); all the
 * primitives are libsodium's. */
#ifndef ZMTP_MECH_CURVE_BOX_H
#define ZMTP_MECH_CURVE_BOX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t subkey[32];
} zmtp_curve_box_t;

/* The subkey for boxes under precom (crypto_box_beforenm) whose nonces
 * start with prefix (16 octets). */
void zmtp_curve_box_init(zmtp_curve_box_t *b, const uint8_t precom[32], const uint8_t prefix[16]);

/* Seals len octets at p in place; the MAC goes to mac (16 octets, not
 * overlapping p). sn: the nonce's last 8 octets. */
void zmtp_curve_box_seal(const zmtp_curve_box_t *b, uint8_t *p, size_t len, uint8_t mac[16],
                         const uint8_t sn[8]);

/* Checks mac over the len octets of ciphertext at p and, when it matches,
 * opens them in place and returns 0. -1 (p untouched) when it does not. */
int zmtp_curve_box_open(const zmtp_curve_box_t *b, uint8_t *p, size_t len, const uint8_t mac[16],
                        const uint8_t sn[8]);

void zmtp_curve_box_wipe(zmtp_curve_box_t *b);

#endif
