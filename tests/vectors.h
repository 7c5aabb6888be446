/* Shared ZMTP wire vectors for the unit tests (STYLE.md §10): every byte
 * string a test compares against or feeds in lives here, once.
 *
 * Sources: RFC 23 (ZMTP 3.0), RFC 37 (ZMTP 3.1), and ZMTP-NOTES.md (how
 * libzmq 4.3 puts these on the wire). Test-only.
 */
#ifndef ZT_VECTORS_H
#define ZT_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define ZT_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- greetings ------------------------------------------------------- */

/* A NULL greeting of ZMTP 3.1, as libzmq and zinc send it: 0xFF, padding
 * (libzmq writes identity length + 1 as a big-endian u64: 00..00 01), 0x7F,
 * major 3, minor 1, "NULL" NUL-padded to 20 octets, as-server 0, 31 octets
 * of zero filler. 64 octets. */
static const uint8_t zt_greeting_null_31[64] = {
    0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7F, /* signature */
    0x03, 0x01,                                                 /* version 3.1 */
    'N',  'U',  'L',  'L',  0,    0,    0,    0,    0,    0,    /* mechanism */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* ... 20 octets */
    0x00,                                                       /* as-server */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* filler, 31 */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* */
    0,                                                          /* */
};

/* The same greeting from a ZMTP 3.0 peer (minor 0). */
static const uint8_t zt_greeting_null_30[64] = {
    0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7F, /* signature */
    0x03, 0x00,                                                 /* version 3.0 */
    'N',  'U',  'L',  'L',  0,    0,    0,    0,    0,    0,    /* mechanism */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* ... 20 octets */
    0x00,                                                       /* as-server */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* filler, 31 */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* */
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    /* */
    0,                                                          /* */
};

/* Offsets into a greeting that tests patch. */
enum {
    ZT_GREETING_MAJOR = 10,
    ZT_GREETING_MINOR = 11,
    ZT_GREETING_MECHANISM = 12,
    ZT_GREETING_AS_SERVER = 32,
};

/* A ZMTP 2.0 peer's greeting (RFC 15): signature, revision 0x01, socket
 * type (DEALER = 5), then it waits. Only 12 octets ever arrive before the
 * peer wants ours. */
static const uint8_t zt_greeting_v20[12] = {
    0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7F, /* signature */
    0x01,                                                       /* revision: 2.0 */
    0x05,                                                       /* socket type */
};

/* A ZMTP 1.0 peer's first bytes (RFC 13): its identity as a 1.0 frame, a
 * length octet that counts the flags octet (empty identity: 01), then flags
 * 00. The first octet is not 0xFF, so 1.0 is known after one octet. */
static const uint8_t zt_greeting_v10[2] = {0x01, 0x00};

/* ---- handshake commands --------------------------------------------- */

/* ZMTP-NOTES.md "Metadata": a DEALER's READY with an empty identity, 43
 * octets on the wire. */
static const uint8_t zt_ready_dealer[43] = {
    0x04, 0x29,                                                 /* command, size 41 */
    0x05, 'R',  'E',  'A',  'D',  'Y',                          /* name */
    0x0b, 'S',  'o',  'c',  'k',  'e', 't', '-', 'T', 'y', 'p', /* */
    'e',  0x00, 0x00, 0x00, 0x06, 'D', 'E', 'A', 'L', 'E', 'R', /* Socket-Type */
    0x08, 'I',  'd',  'e',  'n',  't', 'i', 't', 'y',           /* */
    0x00, 0x00, 0x00, 0x00,                                     /* Identity "" */
};

/* A ROUTER's READY with an empty identity, 43 octets. */
static const uint8_t zt_ready_router[43] = {
    0x04, 0x29,                                                 /* command, size 41 */
    0x05, 'R',  'E',  'A',  'D',  'Y',                          /* name */
    0x0b, 'S',  'o',  'c',  'k',  'e', 't', '-', 'T', 'y', 'p', /* */
    'e',  0x00, 0x00, 0x00, 0x06, 'R', 'O', 'U', 'T', 'E', 'R', /* Socket-Type */
    0x08, 'I',  'd',  'e',  'n',  't', 'i', 't', 'y',           /* */
    0x00, 0x00, 0x00, 0x00,                                     /* Identity "" */
};

/* A DEALER's READY with Identity "peer-7", 49 octets. */
static const uint8_t zt_ready_dealer_id[49] = {
    0x04, 0x2f,                                                 /* command, size 47 */
    0x05, 'R',  'E',  'A',  'D',  'Y',                          /* name */
    0x0b, 'S',  'o',  'c',  'k',  'e', 't', '-', 'T', 'y', 'p', /* */
    'e',  0x00, 0x00, 0x00, 0x06, 'D', 'E', 'A', 'L', 'E', 'R', /* Socket-Type */
    0x08, 'I',  'd',  'e',  'n',  't', 'i', 't', 'y',           /* */
    0x00, 0x00, 0x00, 0x06, 'p',  'e', 'e', 'r', '-', '7',      /* Identity */
};

/* A PUB's READY (PUB sends no Identity), 27 octets. */
static const uint8_t zt_ready_pub[27] = {
    0x04, 0x19,                                                 /* command, size 25 */
    0x05, 'R',  'E',  'A',  'D',  'Y',                          /* name */
    0x0b, 'S',  'o',  'c',  'k',  'e', 't', '-', 'T', 'y', 'p', /* */
    'e',  0x00, 0x00, 0x00, 0x03, 'P', 'U', 'B',                /* Socket-Type */
};

/* A SUB's READY, 27 octets. */
static const uint8_t zt_ready_sub[27] = {
    0x04, 0x19,                                                 /* command, size 25 */
    0x05, 'R',  'E',  'A',  'D',  'Y',                          /* name */
    0x0b, 'S',  'o',  'c',  'k',  'e', 't', '-', 'T', 'y', 'p', /* */
    'e',  0x00, 0x00, 0x00, 0x03, 'S', 'U', 'B',                /* Socket-Type */
};

/* ERROR with the ZAP status "400", as libzmq sends it, 12 octets. */
static const uint8_t zt_error_400[12] = {
    0x04, 0x0a,                     /* command, size 10 */
    0x05, 'E',  'R', 'R', 'O', 'R', /* name */
    0x03, '4',  '0', '0',           /* reason */
};

/* ---- commands after the handshake ------------------------------------ */

/* PING with TTL 10 deciseconds (1 s) and the 4-octet context "ctx1". */
static const uint8_t zt_ping_ttl_ctx[13] = {
    0x04, 0x0b,                /* command, size 11 */
    0x04, 'P',  'I', 'N', 'G', /* name */
    0x00, 0x0a,                /* TTL 10 ds */
    'c',  't',  'x', '1',      /* context */
};

/* The PONG that answers zt_ping_ttl_ctx: the context echoed. */
static const uint8_t zt_pong_ctx[11] = {
    0x04, 0x09,                /* command, size 9 */
    0x04, 'P',  'O', 'N', 'G', /* name */
    'c',  't',  'x', '1',      /* context */
};

/* PING with TTL 0 and no context, and its PONG. */
static const uint8_t zt_ping_bare[9] = {0x04, 0x07, 0x04, 'P', 'I', 'N', 'G', 0x00, 0x00};
static const uint8_t zt_pong_bare[7] = {0x04, 0x05, 0x04, 'P', 'O', 'N', 'G'};

/* SUBSCRIBE and CANCEL for the topic "topic" (ZMTP 3.1). */
static const uint8_t zt_subscribe_topic[17] = {
    0x04, 0x0f,                                         /* command, size 15 */
    0x09, 'S',  'U', 'B', 'S', 'C', 'R', 'I', 'B', 'E', /* name */
    't',  'o',  'p', 'i', 'c',                          /* topic */
};
static const uint8_t zt_cancel_topic[14] = {
    0x04, 0x0c,                          /* command, size 12 */
    0x06, 'C',  'A', 'N', 'C', 'E', 'L', /* name */
    't',  'o',  'p', 'i', 'c',           /* topic */
};

/* The same subscription as a ZMTP 3.0 peer gets it: a message frame whose
 * first octet is 1 (subscribe) or 0 (cancel). */
static const uint8_t zt_subscribe_msg_topic[8] = {0x00, 0x06, 0x01, 't', 'o', 'p', 'i', 'c'};
static const uint8_t zt_cancel_msg_topic[8] = {0x00, 0x06, 0x00, 't', 'o', 'p', 'i', 'c'};

/* ---- message frames ---------------------------------------------------- */

/* An empty frame, and "hello" with MORE. */
static const uint8_t zt_frame_empty[2] = {0x00, 0x00};
static const uint8_t zt_frame_hello_more[7] = {0x01, 0x05, 'h', 'e', 'l', 'l', 'o'};

/* Headers of a 255-octet frame (the largest short one: 2 octets) and of a
 * 256-octet frame (the smallest long one: LONG flag, 8-octet size). The
 * bodies are zt_fill_pattern() octets. */
static const uint8_t zt_hdr_255[2] = {0x00, 0xFF};
static const uint8_t zt_hdr_256[9] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00};

/* The body pattern of the sized frames above: octet i is (i * 7 + seed). */
static inline void zt_fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seed);
}

#endif
