/* The NULL mechanism (RFC 37 "The NULL Security Mechanism"): each side sends
 * READY with its metadata; the handshake is complete when both have. An
 * ERROR from the peer ends the connection. */
#include <string.h>

#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/mech.h"
#include "zmtp/metadata.h"
#include "zmtp/socktype.h"

typedef struct {
    zmtp_mech_t base;
    bool sent_ready;
    bool got_ready;
} null_mech_t;

static zi_err null_init(zmtp_mech_t *m)
{
    (void)m;
    return ZI_OK;
}

static void null_fini(zmtp_mech_t *m)
{
    (void)m;
}

static zi_err null_produce(zmtp_mech_t *m, zi_wbuf_t *out)
{
    null_mech_t *n = (null_mech_t *)m;
    if (n->sent_ready)
        return ZI_OK;
    zi_wbuf_t body;
    zi_wbuf_init(&body, ZMTP_COMMAND_MAX);
    zi_err e = zmtp_mech_put_metadata(m, &body);
    if (e == ZI_OK)
        e = zmtp_command_encode(out, "READY", body.data, body.len);
    zi_wbuf_fini(&body);
    if (e != ZI_OK)
        return e;
    n->sent_ready = true;
    m->ready = n->got_ready;
    return ZI_OK;
}

static zi_err null_consume(zmtp_mech_t *m, const zmtp_command_t *cmd)
{
    null_mech_t *n = (null_mech_t *)m;
    if (cmd->type == ZMTP_CMD_ERROR) {
        const uint8_t *r;
        size_t rl;
        if (zmtp_error_parse(cmd, &r, &rl) != ZI_OK)
            return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
                                    "malformed ERROR command");
        return zmtp_mech_failed(m, ZI_EPEER, 0, "peer sent ERROR during the handshake");
    }
    /* RFC 37: the only command a NULL peer sends is READY (or ERROR). */
    if (cmd->type != ZMTP_CMD_READY || n->got_ready)
        return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
                                "unexpected command during the NULL handshake");
    zi_err e = zmtp_mech_take_metadata(m, cmd->data, cmd->len);
    if (e != ZI_OK)
        return e;
    n->got_ready = true;
    m->ready = n->sent_ready;
    return ZI_OK;
}

const zmtp_mech_ops_t zmtp_mech_null = {
    .name = "NULL",
    .size = sizeof(null_mech_t),
    .init = null_init,
    .fini = null_fini,
    .produce = null_produce,
    .consume = null_consume,
};
