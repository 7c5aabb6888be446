/* The ZMTP engine: one connection's protocol state, with no I/O (DESIGN.md
 * "The engine is sans-I/O").
 *
 * The transport feeds it the bytes it read and writes out what it is given.
 * The engine parses the greeting, runs the mechanism's handshake, decodes and
 * encodes frames, answers PINGs and keeps the heartbeat and handshake timers,
 * which advance only through zmtp_engine_tick(now). It makes no system call,
 * reads no clock and starts no thread. Not thread-safe: one engine belongs to
 * one thread (the I/O thread of its session, or a test).
 *
 * Any input, however malformed, ends in on_error at most once; after that the
 * engine consumes nothing and produces nothing more.
 *
 * Older peers (ZMTP-NOTES.md "Greeting"): the greeting goes out in libzmq's
 * pieces, so zmtp_engine_output has only the 10-octet signature to offer
 * until the peer's octets were fed. A ZMTP 2.0 peer (RFC 15) or 1.0 peer
 * (RFC 13) gets the old greeting, identity frame and framing, with the NULL
 * mechanism only; it is "ready" once its identity frame arrived, and its
 * metadata is then Identity (and Socket-Type from a 2.0 peer's octet). No
 * commands travel to or from such a peer: subscriptions are 0x01/0x00
 * messages, and there are no heartbeats.
 */
#ifndef ZI_ZMTP_ENGINE_H
#define ZI_ZMTP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/frame.h"
#include "util/err.h"
#include "util/props.h"
#include "zmtp/zap.h"

typedef struct zmtp_engine zmtp_engine_t;

enum zmtp_mechanism { ZMTP_MECH_NULL = 0, ZMTP_MECH_PLAIN = 1, ZMTP_MECH_CURVE = 2 };

#define ZMTP_CURVE_KEY_LEN 32
#define ZMTP_PLAIN_FIELD_MAX 255

/* Random octets for a mechanism (CURVE transient keys, nonces, cookie key).
 * Tests and fuzzers install a deterministic one; NULL in the config means
 * libsodium's randombytes_buf. Called on the engine's thread. */
typedef void zmtp_rng_fn(void *ctx, uint8_t *buf, size_t n);

typedef struct {
    int socket_type; /* ZINC_DEALER, ... */
    enum zmtp_mechanism mechanism;
    bool as_server;            /* mechanism role (PLAIN/CURVE server) */
    const uint8_t *routing_id; /* sent as Identity from REQ, DEALER, ROUTER */
    size_t routing_id_len;
    const zi_props_t *extra_metadata; /* X- properties to send in READY, or NULL */
    int64_t maxmsgsize;               /* -1: no limit */
    int heartbeat_ivl;                /* ms; 0: no PINGs */
    int heartbeat_ttl;                /* ms, sent to the peer in deciseconds */
    int heartbeat_timeout;            /* ms; -1: same as heartbeat_ivl; 0: none */
    int handshake_ivl;                /* ms; 0: no limit */
    size_t out_batch_size;            /* frames up to this size are copied into the batch */
    bool no_frame_meta;               /* true: on_frame gets frames without the connection
                                       * metadata (the caller attaches it, as the socket does
                                       * on its own thread, sparing a shared refcount per frame) */

    /* Security. mechanism and as_server pick the role; the credentials of
     * the other roles are ignored. The engine keeps its own copy and wipes
     * it when freed. */
    uint8_t plain_username[ZMTP_PLAIN_FIELD_MAX]; /* PLAIN client (RFC 24) */
    uint8_t plain_password[ZMTP_PLAIN_FIELD_MAX];
    size_t plain_username_len, plain_password_len;
    uint8_t curve_publickey[ZMTP_CURVE_KEY_LEN]; /* our long-term pair (RFC 26) */
    uint8_t curve_secretkey[ZMTP_CURVE_KEY_LEN];
    uint8_t curve_serverkey[ZMTP_CURVE_KEY_LEN]; /* CURVE client: the server's */
    char zap_domain[256];                        /* RFC 27 domain, NUL-terminated */
    bool zap_enforce_domain; /* libzmq's draft option: no handler + a domain = refuse */
    zmtp_rng_fn *rng;        /* NULL: libsodium */
    void *rng_ctx;
} zmtp_config_t;

/* Defaults as libzmq's: no limits, heartbeats off, handshake_ivl 30 s. */
void zmtp_config_defaults(zmtp_config_t *cfg, int socket_type);

/* Why a connection ended (on_error). */
typedef struct {
    zi_err err;         /* ZI_EPROTO, ZI_EVERSION, ZI_EMECH, ZI_ESOCKTYPE, ZI_ETIMEDOUT, ... */
    uint32_t protocol;  /* libzmq protocol-error code, or 0 when not a protocol error */
    bool handshake;     /* true when it happened before the handshake completed */
    const char *reason; /* static text for a person */
    int zap_status;     /* 300, 400 or 500: the status of an ERROR command (or a
                           ZAP reply) that refused the handshake; else 0 */
} zmtp_error_t;

typedef struct {
    /* Handshake complete. peer: the peer's metadata (Socket-Type, Identity,
     * X- ...), valid as long as the engine; take a reference to keep it. */
    void (*on_ready)(void *user, zi_props_t *peer);
    /* A message frame arrived. The callee takes the reference when it
     * returns true; false means "full, try later": the engine keeps the frame
     * and stops consuming input until zmtp_engine_resume(). The frame carries
     * the MORE flag and the connection's metadata. */
    bool (*on_frame)(void *user, zinc_frame_t *frame);
    /* SUBSCRIBE (sub = true) or CANCEL from a 3.1 peer: topic is only valid
     * during the call. May be NULL. A PUB or XPUB engine also reports a
     * subscription to everything (empty topic) from an unversioned ZMTP 1.0
     * peer right after on_ready, as libzmq does for a SUB that sends none. */
    void (*on_subscribe)(void *user, bool sub, const uint8_t *topic, size_t len);
    /* The connection is over; the transport should write what is left in the
     * output (an ERROR command, maybe) and close. Called at most once. */
    void (*on_error)(void *user, const zmtp_error_t *err);
} zmtp_callbacks_t;

/* A PLAIN or CURVE server needs the ZAP handler's decision (RFC 27): send
 * the request (zmtp_zap_request_frames) to the handler bound at
 * inproc://zeromq.zap.01 and return true, then hand its reply to
 * zmtp_engine_zap_reply later (never from inside this call). Return false
 * when no handler is bound: the mechanism then does what libzmq 4.3.4 does
 * without one. req is valid during the call only. */
typedef bool zmtp_zap_fn(void *user, const zmtp_zap_request_t *req);

/* A new engine; it starts by queuing its greeting (zmtp_engine_output).
 * now_ms starts the handshake timer. NULL on ENOMEM. cfg is copied (the
 * routing id and extra metadata too). */
zmtp_engine_t *zmtp_engine_new(const zmtp_config_t *cfg, const zmtp_callbacks_t *cb, void *user,
                               int64_t now_ms);
/* Installs the ZAP hook (call before feeding input); user is the
 * callbacks' user. Without one there is no handler, as in a libzmq context
 * where nothing is bound at inproc://zeromq.zap.01. */
void zmtp_engine_set_zap(zmtp_engine_t *e, zmtp_zap_fn *fn);

/* Releases the engine, every queued frame and the pending input frame. */
void zmtp_engine_free(zmtp_engine_t *e);

/* Parses up to n bytes of input; returns how many were consumed. Fewer than n
 * means the engine stopped: after an error, because on_frame said full
 * (keep the rest and feed it again after zmtp_engine_resume), or because a
 * ZAP request is outstanding (feed the rest after zmtp_engine_zap_reply). */
size_t zmtp_engine_feed(zmtp_engine_t *e, const uint8_t *in, size_t n);

/* Zero-copy receive: when the engine is in the middle of a large frame body
 * it returns a pointer into that frame where the next bytes go and how many
 * it still needs; the transport may read() straight there, then call
 * zmtp_engine_feed_direct(e, got). Returns NULL (and *len 0) otherwise. */
uint8_t *zmtp_engine_recv_window(zmtp_engine_t *e, size_t *len);
void zmtp_engine_feed_direct(zmtp_engine_t *e, size_t n);

/* Delivers the frame refused by on_frame, if any. Returns true when nothing
 * is pending any more (input may be fed again). */
bool zmtp_engine_resume(zmtp_engine_t *e);

/* Queues a message frame for the peer; takes the reference. more: more
 * frames of the same message follow. Legal only once ready. */
ZI_MUST_USE zi_err zmtp_engine_send(zmtp_engine_t *e, zinc_frame_t *frame, bool more);
/* Queues SUBSCRIBE (sub) or CANCEL for topic. To a 3.0 (or 2.0, 1.0) peer
 * this becomes a message frame starting with 0x01/0x00, as RFC 37 asks. */
ZI_MUST_USE zi_err zmtp_engine_send_subscribe(zmtp_engine_t *e, bool sub, const uint8_t *topic,
                                              size_t len);

/* The ZAP handler's reply to our request: its frames in order (borrowed;
 * the delimiter first). A malformed reply fails the connection with libzmq's
 * ZAP protocol-error code; status 200 lets the handshake go on, and the
 * reply's User-Id (when not empty) and metadata become properties of every
 * frame received on this connection; 300 closes, 400 and 500 send ERROR
 * with the status, then close. Ignored when no request is outstanding. */
void zmtp_engine_zap_reply(zmtp_engine_t *e, zinc_frame_t *const *frames, size_t n);

/* Fills up to max iovecs with what should be written next; returns the count
 * (0: nothing to write). Big frames are pointed at, not copied. */
int zmtp_engine_output(zmtp_engine_t *e, struct iovec *iov, int max);
/* The transport wrote n bytes of what zmtp_engine_output offered. */
void zmtp_engine_written(zmtp_engine_t *e, size_t n);
/* Bytes queued and not yet written. */
size_t zmtp_engine_out_pending(const zmtp_engine_t *e);

/* Advances timers: handshake timeout, heartbeat PING, ttl and timeout.
 * Returns the next time (ms) tick wants to be called, or INT64_MAX. */
int64_t zmtp_engine_tick(zmtp_engine_t *e, int64_t now_ms);

bool zmtp_engine_is_ready(const zmtp_engine_t *e);
bool zmtp_engine_failed(const zmtp_engine_t *e);
/* The peer's ZMTP version after the greeting (ZMTP_V10, ZMTP_V20, ZMTP_V30
 * or ZMTP_V31 of zmtp/greeting.h); 0 before. */
int zmtp_engine_peer_version(const zmtp_engine_t *e);
/* Peer metadata once ready, else NULL. */
zi_props_t *zmtp_engine_peer_meta(const zmtp_engine_t *e);

#endif
