/* Helpers shared by the mechanisms, and the lookup by name. */
#include <string.h>

#include <sodium.h>

#include "zinc.h"
#include "zmtp/mech.h"
#include "zmtp/metadata.h"
#include "zmtp/socktype.h"

const zmtp_mech_ops_t *zmtp_mech_lookup(enum zmtp_mechanism mech)
{
    switch (mech) {
    case ZMTP_MECH_NULL:
        return &zmtp_mech_null;
    case ZMTP_MECH_PLAIN:
        return &zmtp_mech_plain;
    case ZMTP_MECH_CURVE:
        return &zmtp_mech_curve;
    default:
        return NULL;
    }
}

zi_err zmtp_mech_failed(zmtp_mech_t *m, zi_err err, uint32_t protocol, const char *reason)
{
    m->fail.err = err;
    m->fail.protocol = protocol;
    m->fail.handshake = true;
    m->fail.reason = reason;
    return err;
}

zi_err zmtp_mech_peer_error(zmtp_mech_t *m, const zmtp_command_t *cmd)
{
    const uint8_t *r;
    size_t rl;
    if (zmtp_error_parse(cmd, &r, &rl) != ZI_OK)
        return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
                                "malformed ERROR command");
    /* RFC 27: libzmq's server puts the ZAP status code there (300, 400,
     * 500); the client then reports an authentication failure. */
    if (rl == 3 && r[0] >= '3' && r[0] <= '5' && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
        r[2] <= '9') {
        zmtp_mech_failed(m, ZI_EAUTH, 0, "the peer refused our credentials");
        m->fail.zap_status = (r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0');
        return ZI_EAUTH;
    }
    return zmtp_mech_failed(m, ZI_EPEER, 0, "peer sent ERROR during the handshake");
}

bool zmtp_mech_zap(zmtp_mech_t *m, const char *mechanism, const uint8_t *const *cred,
                   const size_t *cred_len, size_t ncred)
{
    if (!m->zap_request || ncred > ZMTP_ZAP_CRED_MAX)
        return false;
    zmtp_zap_request_t req = {
        .mechanism = mechanism,
        .domain = m->cfg->zap_domain,
        .identity = m->cfg->routing_id,
        .identity_len = m->cfg->routing_id_len,
        .ncred = ncred,
    };
    for (size_t i = 0; i < ncred; i++) {
        req.cred[i] = cred[i];
        req.cred_len[i] = cred_len[i];
    }
    return m->zap_request(m->zap_ctx, &req);
}

void zmtp_mech_random(const zmtp_mech_t *m, uint8_t *buf, size_t n)
{
    if (m->cfg->rng)
        m->cfg->rng(m->cfg->rng_ctx, buf, n);
    else
        randombytes_buf(buf, n);
}

zi_err zmtp_mech_put_metadata(const zmtp_mech_t *m, zi_wbuf_t *out)
{
    const zmtp_config_t *cfg = m->cfg;
    const char *type = zi_socktype_name(cfg->socket_type);
    if (!type)
        return ZI_EINVAL;
    /* Spellings as libzmq compares them: "Socket-Type", "Identity". */
    zi_err e = zmtp_metadata_put(out, "Socket-Type", type, strlen(type));
    if (e == ZI_OK && zi_socktype_sends_identity(cfg->socket_type))
        e = zmtp_metadata_put(out, "Identity", cfg->routing_id, cfg->routing_id_len);
    for (size_t i = 0; e == ZI_OK && i < zi_props_count(cfg->extra_metadata); i++) {
        const char *name, *value;
        size_t len;
        zi_props_at(cfg->extra_metadata, i, &name, &value, &len);
        e = zmtp_metadata_put(out, name, value, len);
    }
    return e;
}

zi_err zmtp_mech_take_metadata(zmtp_mech_t *m, const uint8_t *p, size_t len)
{
    zi_err e = zmtp_metadata_parse(p, len, m->peer);
    if (e == ZI_ENOMEM)
        return zmtp_mech_failed(m, e, 0, "out of memory");
    if (e != ZI_OK)
        return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
                                "malformed metadata");
    size_t tlen;
    const char *type = zi_props_get(m->peer, "Socket-Type", &tlen);
    if (!type)
        return zmtp_mech_failed(m, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
                                "peer sent no Socket-Type");
    int peer_type = zi_socktype_from_wire(type, tlen);
    /* RFC 37 "The Socket-Type Property": close on an invalid combination. */
    if (!zi_socktype_compatible(m->cfg->socket_type, peer_type))
        return zmtp_mech_failed(m, ZI_ESOCKTYPE, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
                                "incompatible socket type");
    return ZI_OK;
}
