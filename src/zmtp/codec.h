/* ZMTP frame codec: the decoder turns bytes into frames, the header
 * encoders write a frame's flags and size.
 *
 * ZMTP 3.x (RFC 23 "Framing"): flags (bit 0 MORE, bit 1 LONG = 8-octet size,
 * bit 2 COMMAND; bits 3-7 reserved, zero), then a 1- or 8-octet size.
 * ZMTP 2.0 (RFC 15): the same without commands (bits 2-7 reserved).
 * ZMTP 1.0 (RFC 13): a length that counts the flags octet (1 octet, or 0xFF
 * then 8 octets big-endian), then flags (bit 0 MORE; the others are ignored,
 * as libzmq does), then the body.
 *
 * A size is checked against the limits before anything is allocated; the
 * body of a frame is received straight into the frame's own buffer.
 */
#ifndef ZI_ZMTP_CODEC_H
#define ZI_ZMTP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "util/err.h"

#define ZMTP_FLAG_MORE 0x01
#define ZMTP_FLAG_LONG 0x02
#define ZMTP_FLAG_COMMAND 0x04
#define ZMTP_FLAG_RESERVED 0xF8
#define ZMTP_HEADER_MAX 9
#define ZMTP_V1_HEADER_MAX 10

/* Which framing the decoder reads (zmtp_decoder_t.framing). */
enum { ZMTP_FRAMING_V3 = 0, ZMTP_FRAMING_V2 = 2, ZMTP_FRAMING_V1 = 1 };

/* Largest command frame accepted, whatever maxmsgsize says: commands are
 * small (the largest standard one is a CURVE INITIATE with metadata), and a
 * peer must not make us allocate gigabytes before the handshake is done. */
#define ZMTP_COMMAND_MAX (1u << 20)

typedef struct {
    int state; /* decoder_state in codec.c */
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hdr_have;
    uint8_t flags;
    uint64_t size;
    zinc_frame_t *frame; /* body being received */
    size_t body_have;
    int64_t maxmsgsize; /* -1: none; applies to message frames */
    bool commands_only; /* during the handshake: a message frame is an error */
    int framing;        /* ZMTP_FRAMING_V3 (the default), _V2 or _V1; set before feeding
                           the first octet of a frame */
} zmtp_decoder_t;

void zmtp_decoder_init(zmtp_decoder_t *d, int64_t maxmsgsize);
void zmtp_decoder_fini(zmtp_decoder_t *d);

/* Consumes input until one frame is complete or the input ends. *used gets
 * the bytes consumed. Returns ZI_OK with *out set (one reference; flags in
 * (*out)->flags as ZI_FRAME_MORE / ZI_FRAME_COMMAND), ZI_AGAIN when all input
 * was consumed without completing a frame, or an error: ZI_EPROTO (reserved
 * bits set, a message frame where only commands are allowed, a command with
 * MORE, a 1.0 length of 0), ZI_EMSGSIZE (above maxmsgsize or ZMTP_COMMAND_MAX, or not fitting
 * in size_t), ZI_ENOMEM. After an error the decoder must not be fed again. */
ZI_MUST_USE zi_err zmtp_decoder_feed(zmtp_decoder_t *d, const uint8_t *in, size_t n, size_t *used,
                                     zinc_frame_t **out);

/* Where the rest of the current body goes, for a direct read(); NULL if not
 * inside a body. zmtp_decoder_advance() then accounts n bytes written there
 * and returns the frame if it is complete (else NULL). */
uint8_t *zmtp_decoder_window(zmtp_decoder_t *d, size_t *len);
zinc_frame_t *zmtp_decoder_advance(zmtp_decoder_t *d, size_t n);

/* Writes a frame header; returns its length (2 or 9). LONG only when size >
 * 255, as RFC 23 asks. The same header serves ZMTP 2.0 (RFC 15). */
size_t zmtp_header_encode(uint8_t out[ZMTP_HEADER_MAX], uint8_t flags, uint64_t size);

/* Writes a ZMTP 1.0 frame header (RFC 13) for a body of size octets:
 * length size + 1 in one octet when below 255, else 0xFF and 8 octets, then
 * the flags octet (MORE or 0). Returns its length (2 or 10). size must be
 * below UINT64_MAX. */
size_t zmtp_header_encode_v1(uint8_t out[ZMTP_V1_HEADER_MAX], bool more, uint64_t size);

#endif
