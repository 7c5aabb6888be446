/* The NULL mechanism (RFC 37 "The NULL Security Mechanism"): each side sends
 * READY with its metadata; the handshake is complete when both have. An
 * ERROR from the peer ends the connection.
 *
 * With a zap_domain set, libzmq asks the ZAP handler first (mechanism
 * "NULL", no credentials; either role, NULL has none) and sends READY only
 * after a 200; 400/500 send ERROR with the status, 300 closes. Without a
 * handler it goes on, unless zap_enforce_domain is set. */
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
    bool zap_asked;    /* a ZAP request went out */
    bool zap_answered; /* ... and its reply allowed us on */
    int zap_status;    /* a refusal to report with ERROR */
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
    if (n->zap_status) {
        char reason[4] = {(char)('0' + n->zap_status / 100), '0', '0', '\0'};
        zi_err e = zmtp_error_encode(out, reason);
        if (e != ZI_OK)
            return e;
        zmtp_mech_failed(m, ZI_EAUTH, 0, "the ZAP handler refused the client");
        m->fail.zap_status = n->zap_status;
        return ZI_EAUTH;
    }
    if (m->cfg->zap_domain[0] && !n->zap_answered) {
        if (n->zap_asked)
            return ZI_OK; /* waiting for the reply */
        n->zap_asked = true;
        if (zmtp_mech_zap(m, "NULL", NULL, NULL, 0))
            return ZI_OK;
        if (m->cfg->zap_enforce_domain)
            return zmtp_mech_failed(m, ZI_EAUTH, 0,
                                    "zap_enforce_domain is set and no ZAP handler is bound");
        n->zap_answered = true; /* no handler: go on, as libzmq */
    }
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
    /* A ZAP status as the reason (a NULL server with a zap_domain refused
     * us) is an authentication failure, as for PLAIN and CURVE. */
    if (cmd->type == ZMTP_CMD_ERROR)
        return zmtp_mech_peer_error(m, cmd);
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

static zi_err null_zap_result(zmtp_mech_t *m, int status)
{
    null_mech_t *n = (null_mech_t *)m;
    if (!n->zap_asked || n->zap_answered || n->zap_status)
        return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
                                "ZAP reply without a request");
    if (status == 200) {
        n->zap_answered = true;
        return ZI_OK;
    }
    if (status == 300) {
        zmtp_mech_failed(m, ZI_EAUTH, 0, "the ZAP handler refused the client (temporary)");
        m->fail.zap_status = status;
        return ZI_EAUTH;
    }
    n->zap_status = status; /* produce sends ERROR */
    return ZI_OK;
}

const zmtp_mech_ops_t zmtp_mech_null = {
    .name = "NULL",
    .size = sizeof(null_mech_t),
    .init = null_init,
    .fini = null_fini,
    .produce = null_produce,
    .consume = null_consume,
    .zap_result = null_zap_result,
};
