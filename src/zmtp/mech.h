/* The mechanism interface (RFC 37 "Security Mechanisms"): NULL, PLAIN and
 * CURVE are small state machines behind these ops. The engine calls produce()
 * whenever the mechanism may have something to send, consume() for each
 * command frame received during the handshake, and, once ready() is true,
 * encode()/decode() for every frame when the mechanism transforms them
 * (NULL and PLAIN do not: those ops are NULL). Once ready, a mechanism with
 * encode/decode carries both messages and commands (SUBSCRIBE, CANCEL,
 * PING, PONG, ERROR): the flags inside the box say which (RFC 26 MESSAGE,
 * libzmq's layout), and the outer ZMTP frame has flags 0, as libzmq sends it.
 *
 * A mechanism never does I/O. It reports a failure by returning an error and
 * filling m->fail (protocol code and reason).
 */
#ifndef ZI_ZMTP_MECH_H
#define ZI_ZMTP_MECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "util/err.h"
#include "util/props.h"
#include "util/wbuf.h"
#include "zmtp/command.h"
#include "zmtp/engine.h"
#include "zmtp/zap.h"

typedef struct zmtp_mech zmtp_mech_t;

typedef struct {
    const char *name; /* as in the greeting: "NULL" */
    size_t size;      /* bytes to allocate, zmtp_mech_t header included */
    ZI_MUST_USE zi_err (*init)(zmtp_mech_t *m);
    void (*fini)(zmtp_mech_t *m);
    /* Appends the next handshake command frame(s) to out when it is our turn;
     * ZI_OK with nothing appended when there is nothing to send now. */
    ZI_MUST_USE zi_err (*produce)(zmtp_mech_t *m, zi_wbuf_t *out);
    /* One handshake command from the peer. */
    ZI_MUST_USE zi_err (*consume)(zmtp_mech_t *m, const zmtp_command_t *cmd);

    /* Optional, both or neither. overhead: octets encode adds to a body. */
    size_t overhead;
    /* Seals one frame body into dst, which has room for overhead +
     * head_len + len octets: the plaintext is head then body (head: a
     * command's name-length and name; body: the data), flags are
     * ZMTP_BOX_MORE / ZMTP_BOX_COMMAND. The plaintext is copied into dst and
     * encrypted there, in place; nothing is allocated. head and body may be
     * NULL when their length is 0. */
    ZI_MUST_USE zi_err (*encode)(zmtp_mech_t *m, uint8_t *dst, uint8_t flags, const uint8_t *head,
                                 size_t head_len, const uint8_t *body, size_t len);
    /* Opens a received frame in place: on success f->data and f->size
     * describe the plaintext (inside the frame's own buffer) and *flags gets
     * its ZMTP_BOX_ flags. On failure fills m->fail. */
    ZI_MUST_USE zi_err (*decode)(zmtp_mech_t *m, zinc_frame_t *f, uint8_t *flags);

    /* Optional, for server roles that ask ZAP (RFC 27): the handler's answer,
     * already validated: 200, 300, 400 or 500. The mechanism decides what to
     * send next (produce is called after) or fails. */
    ZI_MUST_USE zi_err (*zap_result)(zmtp_mech_t *m, int status);
} zmtp_mech_ops_t;

/* Flags inside an encoded frame (RFC 26 MESSAGE: bit 0 MORE, bit 1 COMMAND). */
#define ZMTP_BOX_MORE 0x01
#define ZMTP_BOX_COMMAND 0x02

struct zmtp_mech {
    const zmtp_mech_ops_t *ops;
    const zmtp_config_t *cfg;
    int peer_version;  /* ZMTP_V30 or ZMTP_V31 */
    zi_props_t *peer;  /* peer metadata, filled in by the handshake */
    bool ready;        /* handshake complete in both directions */
    zmtp_error_t fail; /* why it failed, when an op returned an error */
    /* Installed by the engine: hands a ZAP request to whoever carries it to
     * the handler; returns false when no handler is bound. NULL: none. */
    bool (*zap_request)(void *ctx, const zmtp_zap_request_t *req);
    void *zap_ctx;
};

/* The ops for a mechanism; NULL if zinc does not build it. */
const zmtp_mech_ops_t *zmtp_mech_lookup(enum zmtp_mechanism mech);
extern const zmtp_mech_ops_t zmtp_mech_null;
extern const zmtp_mech_ops_t zmtp_mech_plain;
extern const zmtp_mech_ops_t zmtp_mech_curve;

/* Shared helpers for mechanisms. */
/* Appends our own metadata (Socket-Type, Identity when the type sends it,
 * the configured extra properties) to out. */
ZI_MUST_USE zi_err zmtp_mech_put_metadata(const zmtp_mech_t *m, zi_wbuf_t *out);
/* Parses the peer's metadata into m->peer and checks Socket-Type against
 * ours. On failure fills m->fail (ZMTP_INVALID_METADATA) and returns it. */
ZI_MUST_USE zi_err zmtp_mech_take_metadata(zmtp_mech_t *m, const uint8_t *p, size_t len);
/* Records a failure and returns err. */
zi_err zmtp_mech_failed(zmtp_mech_t *m, zi_err err, uint32_t protocol, const char *reason);
/* An ERROR command from the peer during the handshake: always returns an
 * error. A reason that is a 3-digit ZAP status (libzmq sends "400" ...) is
 * ZI_EAUTH with fail.zap_status set; any other reason is ZI_EPEER; a
 * malformed ERROR is ZMTP_MALFORMED_COMMAND_ERROR. */
zi_err zmtp_mech_peer_error(zmtp_mech_t *m, const zmtp_command_t *cmd);
/* Asks the ZAP handler (RFC 27); false when none is bound. The request
 * names our socket's routing id and the configured domain. */
bool zmtp_mech_zap(zmtp_mech_t *m, const char *mechanism, const uint8_t *const *cred,
                   const size_t *cred_len, size_t ncred);
/* n random octets from the config's rng (libsodium's by default). */
void zmtp_mech_random(const zmtp_mech_t *m, uint8_t *buf, size_t n);

#endif
