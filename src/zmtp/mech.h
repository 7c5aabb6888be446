/* The mechanism interface (RFC 37 "Security Mechanisms"): NULL, PLAIN and
 * CURVE are small state machines behind these ops. The engine calls produce()
 * whenever the mechanism may have something to send, consume() for each
 * command frame received during the handshake, and, once ready() is true,
 * encode()/decode() for message frames when the mechanism transforms them
 * (NULL and PLAIN do not: those ops are NULL).
 *
 * A mechanism never does I/O. It reports a failure by returning an error and
 * filling m->fail (protocol code and reason).
 */
#ifndef ZI_ZMTP_MECH_H
#define ZI_ZMTP_MECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/props.h"
#include "util/wbuf.h"
#include "zmtp/command.h"
#include "zmtp/engine.h"

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
} zmtp_mech_ops_t;

struct zmtp_mech {
    const zmtp_mech_ops_t *ops;
    const zmtp_config_t *cfg;
    int peer_version;  /* ZMTP_V30 or ZMTP_V31 */
    zi_props_t *peer;  /* peer metadata, filled in by the handshake */
    bool ready;        /* handshake complete in both directions */
    zmtp_error_t fail; /* why it failed, when an op returned an error */
};

/* The ops for a mechanism; NULL if zinc does not build it. */
const zmtp_mech_ops_t *zmtp_mech_lookup(enum zmtp_mechanism mech);
extern const zmtp_mech_ops_t zmtp_mech_null;

/* Shared helpers for mechanisms. */
/* Appends our own metadata (Socket-Type, Identity when the type sends it,
 * the configured extra properties) to out. */
ZI_MUST_USE zi_err zmtp_mech_put_metadata(const zmtp_mech_t *m, zi_wbuf_t *out);
/* Parses the peer's metadata into m->peer and checks Socket-Type against
 * ours. On failure fills m->fail (ZMTP_INVALID_METADATA) and returns it. */
ZI_MUST_USE zi_err zmtp_mech_take_metadata(zmtp_mech_t *m, const uint8_t *p, size_t len);
/* Records a failure and returns err. */
zi_err zmtp_mech_failed(zmtp_mech_t *m, zi_err err, uint32_t protocol, const char *reason);

#endif
