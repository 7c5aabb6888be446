/* The ZMTP engine: greeting, handshake through the mechanism, framing,
 * commands and timers for one connection. No I/O (see engine.h). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/cursor.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"
#include "zmtp/engine.h"
#include "zmtp/greeting.h"
#include "zmtp/mech.h"
#include "zmtp/outq.h"
#include "zmtp/socktype.h"

/* ENG_IDENTITY: a ZMTP 1.0 or 2.0 peer, whose identity frame is awaited
 * (RFC 13, RFC 15: it is the first frame each side sends). */
enum engine_state { ENG_GREETING, ENG_IDENTITY, ENG_HANDSHAKE, ENG_READY, ENG_FAILED };

/* RFC 13/15: an identity is 0 to 255 octets. */
#define ENGINE_IDENTITY_MAX 255

#define NEVER INT64_MAX

struct zmtp_engine {
    zmtp_config_t cfg;
    zmtp_callbacks_t cb;
    zmtp_zap_fn *zap_fn;
    void *user;
    enum engine_state state;

    zmtp_greeting_parser_t greeting_parser;
    zmtp_greeting_t greeting;
    uint8_t greeting_out[ZMTP_GREETING_SIZE]; /* ours, sent in pieces */
    int greeting_sent;                        /* 0: signature, 1: + major, 2: all */
    zmtp_decoder_t dec;
    zmtp_outq_t out;
    zmtp_mech_t *mech;
    zinc_frame_t *pending; /* refused by on_frame, to deliver on resume */
    bool zap_pending;      /* a ZAP request is out, its reply not in */
    zi_props_t *zap_props; /* User-Id and the ZAP reply's metadata */

    /* Timers, in the clock of the ticks. Input is stamped at the next tick. */
    int64_t now;
    int64_t handshake_deadline;
    int64_t next_ping;
    int64_t ping_timeout_at; /* armed by a PING we sent */
    int64_t ttl_deadline;    /* armed by a PING with a TTL from the peer */
    int64_t ttl_arm;         /* peer TTL (ms) to arm at the next tick, or 0 */
    bool rx_seen;
};

void zmtp_config_defaults(zmtp_config_t *cfg, int socket_type)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->socket_type = socket_type;
    cfg->mechanism = ZMTP_MECH_NULL;
    cfg->maxmsgsize = -1;
    cfg->heartbeat_timeout = -1;
    cfg->handshake_ivl = 30000;
    cfg->out_batch_size = 8192;
}

/* Ends the connection: state FAILED, on_error once. Returns err. */
static zi_err engine_fail(zmtp_engine_t *e, zi_err err, uint32_t protocol, const char *reason)
{
    if (e->state == ENG_FAILED)
        return err;
    zmtp_error_t why = {.err = err,
                        .protocol = protocol,
                        .handshake = e->state != ENG_READY,
                        .reason = reason,
                        .zap_status = e->mech ? e->mech->fail.zap_status : 0};
    e->state = ENG_FAILED;
    if (e->cb.on_error)
        e->cb.on_error(e->user, &why);
    return err;
}

static zi_err engine_fail_mech(zmtp_engine_t *e, zi_err err)
{
    const zmtp_error_t *f = &e->mech->fail;
    if (!f->reason)
        return engine_fail(e, err, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED, zi_err_str(err));
    return engine_fail(e, f->err ? f->err : err, f->protocol, f->reason);
}

/* The mechanism asks ZAP: through on_zap_request, if the transport has one. */
static bool engine_zap_request(void *ctx, const zmtp_zap_request_t *req)
{
    zmtp_engine_t *e = ctx;
    if (!e->zap_fn || !e->zap_fn(e->user, req))
        return false;
    e->zap_pending = true;
    return true;
}

zmtp_engine_t *zmtp_engine_new(const zmtp_config_t *cfg, const zmtp_callbacks_t *cb, void *user,
                               int64_t now_ms)
{
    zmtp_engine_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = *cfg;
    e->cfg.routing_id = NULL;
    e->cfg.extra_metadata = NULL;
    if (cfg->routing_id_len) {
        uint8_t *rid = malloc(cfg->routing_id_len);
        if (!rid)
            goto fail;
        memcpy(rid, cfg->routing_id, cfg->routing_id_len);
        e->cfg.routing_id = rid;
    }
    if (cfg->extra_metadata)
        e->cfg.extra_metadata = zi_props_ref((zi_props_t *)cfg->extra_metadata);
    if (e->cfg.out_batch_size == 0)
        e->cfg.out_batch_size = 8192;
    e->cb = *cb;
    e->user = user;
    e->state = ENG_GREETING;
    zmtp_greeting_parser_init(&e->greeting_parser);
    zmtp_decoder_init(&e->dec, cfg->maxmsgsize);
    e->dec.commands_only = true;
    zmtp_outq_init(&e->out);

    const zmtp_mech_ops_t *ops = zmtp_mech_lookup(cfg->mechanism);
    if (!ops)
        goto fail;
    e->mech = calloc(1, ops->size);
    if (!e->mech)
        goto fail;
    e->mech->ops = ops;
    e->mech->cfg = &e->cfg;
    e->mech->peer = zi_props_new();
    e->mech->zap_request = engine_zap_request;
    e->mech->zap_ctx = e;
    if (!e->mech->peer || ops->init(e->mech) != ZI_OK)
        goto fail;

    e->now = now_ms;
    e->handshake_deadline = cfg->handshake_ivl > 0 ? now_ms + cfg->handshake_ivl : NEVER;
    e->next_ping = e->ping_timeout_at = e->ttl_deadline = NEVER;

    /* The signature now, the rest as the peer's octets arrive
     * (engine_greeting_step), as libzmq: a ZMTP 1.0 peer sends no greeting
     * and must not get one, a 2.0 peer gets the 2.0 one. */
    zmtp_greeting_encode(e->greeting_out, ops->name, cfg->as_server);
    zmtp_greeting_signature(e->greeting_out, cfg->routing_id_len);
    if (zmtp_outq_put(&e->out, e->greeting_out, ZMTP_SIGNATURE_SIZE) != ZI_OK)
        goto fail;
    return e;
fail:
    zmtp_engine_free(e);
    return NULL;
}

void zmtp_engine_set_zap(zmtp_engine_t *e, zmtp_zap_fn *fn)
{
    e->zap_fn = fn;
}

void zmtp_engine_free(zmtp_engine_t *e)
{
    if (!e)
        return;
    if (e->mech) {
        if (e->mech->ops && e->mech->peer)
            e->mech->ops->fini(e->mech);
        zi_props_unref(e->mech->peer);
        free(e->mech);
    }
    zinc_frame_unref(e->pending);
    zi_props_unref(e->zap_props);
    zmtp_decoder_fini(&e->dec);
    zmtp_outq_fini(&e->out);
    free((void *)e->cfg.routing_id);
    zi_props_unref((zi_props_t *)e->cfg.extra_metadata);
    /* The credentials (PLAIN password, CURVE secret key). */
    sodium_memzero(&e->cfg, sizeof e->cfg);
    free(e);
}

/* The ZAP reply's properties join the peer's (they win on a clash, as in
 * libzmq), before the list is shared with frames. */
static zi_err engine_merge_zap(zmtp_engine_t *e)
{
    for (size_t i = 0; e->zap_props && i < zi_props_count(e->zap_props); i++) {
        const char *name, *value;
        size_t len;
        zi_props_at(e->zap_props, i, &name, &value, &len);
        zi_err err = zi_props_set(e->mech->peer, name, strlen(name), value, len);
        if (err != ZI_OK)
            return err;
    }
    return ZI_OK;
}

static void engine_become_ready(zmtp_engine_t *e)
{
    if (engine_merge_zap(e) != ZI_OK) {
        engine_fail(e, ZI_ENOMEM, 0, "out of memory");
        return;
    }
    e->state = ENG_READY;
    e->dec.commands_only = false;
    e->handshake_deadline = NEVER;
    /* Heartbeats are a ZMTP 3.1 feature: a 3.0 peer would not answer. */
    if (e->cfg.heartbeat_ivl > 0 && e->greeting.version >= ZMTP_V31)
        e->next_ping = e->now + e->cfg.heartbeat_ivl;
    if (e->cb.on_ready)
        e->cb.on_ready(e->user, e->mech->peer);
}

/* Lets the mechanism send what it has, then checks whether it is done. */
static zi_err engine_mech_step(zmtp_engine_t *e)
{
    zi_err err = e->mech->ops->produce(e->mech, zmtp_outq_batch(&e->out));
    /* What was produced goes out even on failure: an ERROR command, maybe. */
    zi_err cerr = zmtp_outq_commit(&e->out);
    if (err == ZI_OK)
        err = cerr;
    if (err != ZI_OK)
        return engine_fail_mech(e, err);
    if (e->mech->ready)
        engine_become_ready(e);
    return ZI_OK;
}

/* Sends the next pieces of our greeting that the peer's octets allow: the
 * major once its signature is in, then, once its major is in, our minor,
 * mechanism and filler to a 3.x peer, or our socket type (RFC 15) to a 2.0
 * (or revision 0) peer. The major is 3 whatever the peer turns out to be:
 * it goes before the peer's is known, as libzmq's does; RFC 15 peers take
 * a higher revision for their own. */
static zi_err engine_greeting_step(zmtp_engine_t *e)
{
    const zmtp_greeting_parser_t *p = &e->greeting_parser;
    zi_err err = ZI_OK;
    if (e->greeting_sent == 0 && zmtp_greeting_peer_signed(p)) {
        err = zmtp_outq_put(&e->out, e->greeting_out + ZMTP_SIGNATURE_SIZE, 1);
        e->greeting_sent = 1;
    }
    int major = zmtp_greeting_peer_major(p);
    if (err == ZI_OK && e->greeting_sent == 1 && major >= 0) {
        if (major <= 1) {
            uint8_t type = (uint8_t)e->cfg.socket_type;
            err = zmtp_outq_put(&e->out, &type, 1);
        } else {
            err = zmtp_outq_put(&e->out, e->greeting_out + ZMTP_SIGNATURE_SIZE + 1,
                                ZMTP_GREETING_SIZE - ZMTP_SIGNATURE_SIZE - 1);
        }
        e->greeting_sent = 2;
    }
    if (err != ZI_OK)
        return engine_fail(e, err, 0, "out of memory");
    return ZI_OK;
}

static size_t engine_decode(zmtp_engine_t *e, const uint8_t *in, size_t n);

/* Our identity frame to a 1.0 or 2.0 peer. To an unversioned 1.0 peer the
 * signature already was its header (length = identity + 1, flags 0x7F):
 * only the body is left. */
static zi_err engine_put_identity(zmtp_engine_t *e)
{
    size_t len = e->cfg.routing_id_len;
    uint8_t hdr[ZMTP_V1_HEADER_MAX];
    size_t hlen = 0;
    if (!e->greeting.unversioned)
        hlen = e->dec.framing == ZMTP_FRAMING_V1 ? zmtp_header_encode_v1(hdr, false, len)
                                                 : zmtp_header_encode(hdr, 0, len);
    zi_err err = hlen ? zmtp_outq_put(&e->out, hdr, hlen) : ZI_OK;
    if (err == ZI_OK && len)
        err = zmtp_outq_put(&e->out, e->cfg.routing_id, len);
    return err;
}

static const char *engine_legacy_reason(const zmtp_greeting_t *g, int what)
{
    static const char *const reasons[2][3] = {
        {"ZMTP 1.0 peer: no security mechanism exists below ZMTP 3.0 (PLAIN or CURVE is set)",
         "ZMTP 1.0 peer: a ZAP domain is set, and peers below ZMTP 3.0 cannot be authenticated",
         "ZMTP 1.0 peer: out of memory"},
        {"ZMTP 2.0 peer: no security mechanism exists below ZMTP 3.0 (PLAIN or CURVE is set)",
         "ZMTP 2.0 peer: a ZAP domain is set, and peers below ZMTP 3.0 cannot be authenticated",
         "ZMTP 2.0 peer: out of memory"},
    };
    return reasons[g->version == ZMTP_V20][what];
}

/* A ZMTP 1.0 or 2.0 peer (RFC 13, RFC 15): no mechanism, no commands; the
 * identity frame comes first, then messages in the old framing. */
static zi_err engine_legacy_start(zmtp_engine_t *e)
{
    const zmtp_greeting_t *g = &e->greeting;
    e->mech->peer_version = g->version;
    /* As libzmq (zap_enabled): security needs ZMTP 3.0, so a configured
     * mechanism or ZAP domain refuses the peer. */
    if (e->cfg.mechanism != ZMTP_MECH_NULL)
        return engine_fail(e, ZI_EMECH, ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
                           engine_legacy_reason(g, 0));
    if (e->cfg.zap_domain[0])
        return engine_fail(e, ZI_EMECH, ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
                           engine_legacy_reason(g, 1));
    if (g->version == ZMTP_V20) {
        /* RFC 15: the socket-type octet; the pairs are RFC 37's. */
        const char *name = zi_socktype_name(g->socket_type);
        if (!name || !zi_socktype_compatible(e->cfg.socket_type, g->socket_type))
            return engine_fail(e, ZI_ESOCKTYPE, ZINC_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
                               "ZMTP 2.0 peer: incompatible socket type");
        if (zi_props_set(e->mech->peer, "Socket-Type", 11, name, strlen(name)) != ZI_OK)
            return engine_fail(e, ZI_ENOMEM, 0, engine_legacy_reason(g, 2));
    }
    e->dec.framing = g->version == ZMTP_V20 ? ZMTP_FRAMING_V2 : ZMTP_FRAMING_V1;
    e->dec.commands_only = false;
    e->dec.maxmsgsize = ENGINE_IDENTITY_MAX;
    e->state = ENG_IDENTITY;
    if (engine_put_identity(e) != ZI_OK)
        return engine_fail(e, ZI_ENOMEM, 0, engine_legacy_reason(g, 2));
    if (g->unversioned) {
        /* The octets that showed a 1.0 peer (1, or 10 when its identity is
         * long) begin its identity frame. */
        uint8_t early[ZMTP_SIGNATURE_SIZE];
        size_t n = e->greeting_parser.have;
        memcpy(early, e->greeting_parser.buf, n);
        size_t at = 0;
        while (at < n && e->state == ENG_IDENTITY)
            at += engine_decode(e, early + at, n - at);
    }
    return ZI_OK;
}

/* The peer's identity frame (RFC 13/15). As libzmq, its MORE flag is not
 * looked at. It becomes the Identity property (a ROUTER's routing id). */
static zi_err engine_identity(zmtp_engine_t *e, zinc_frame_t *f)
{
    zi_err err = zi_props_set(e->mech->peer, "Identity", 8, (const char *)f->data, f->size);
    zinc_frame_unref(f);
    if (err != ZI_OK)
        return engine_fail(e, err, 0, engine_legacy_reason(&e->greeting, 2));
    e->dec.maxmsgsize = e->cfg.maxmsgsize;
    engine_become_ready(e);
    /* A 1.0 SUB sends no subscriptions: as libzmq, a PUB behaves as if it
     * had subscribed to everything (a phantom subscription). */
    if (e->state == ENG_READY && e->greeting.unversioned && e->cb.on_subscribe &&
        (e->cfg.socket_type == ZINC_PUB || e->cfg.socket_type == ZINC_XPUB))
        e->cb.on_subscribe(e->user, true, (const uint8_t *)"", 0);
    return ZI_OK;
}

static zi_err engine_greeting_done(zmtp_engine_t *e)
{
    if (e->greeting.version < ZMTP_V30)
        return engine_legacy_start(e);
    e->mech->peer_version = e->greeting.version;
    /* RFC 23 "Security": the mechanisms must match exactly. */
    if (strcmp(e->greeting.mechanism, e->mech->ops->name) != 0)
        return engine_fail(e, ZI_EMECH, ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
                           "the peer uses another security mechanism");
    e->state = ENG_HANDSHAKE;
    return engine_mech_step(e);
}

/* Seals one frame through the mechanism (CURVE) into the output: the whole
 * ZMTP frame (flags 0, as libzmq sends MESSAGE) in the batch, encrypted in
 * place there; a large one in a frame of its own. */
static zi_err engine_put_sealed(zmtp_engine_t *e, uint8_t box_flags, const uint8_t *head,
                                size_t head_len, const uint8_t *body, size_t len)
{
    const zmtp_mech_ops_t *ops = e->mech->ops;
    if (len > SIZE_MAX - ops->overhead - head_len - ZMTP_HEADER_MAX)
        return ZI_EMSGSIZE;
    size_t size = ops->overhead + head_len + len;
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, 0, size);
    zi_err err;
    if (size <= e->cfg.out_batch_size || head_len) {
        zi_wbuf_t *batch = zmtp_outq_batch(&e->out);
        err = zi_wbuf_reserve(batch, hlen + size);
        if (err != ZI_OK)
            return err;
        uint8_t *p = batch->data + batch->len;
        memcpy(p, hdr, hlen);
        err = ops->encode(e->mech, p + hlen, box_flags, head, head_len, body, len);
        if (err != ZI_OK)
            return err;
        batch->len += hlen + size;
        return zmtp_outq_commit(&e->out);
    }
    zinc_frame_t *f = zi_frame_alloc(hlen + size);
    if (!f)
        return ZI_ENOMEM;
    memcpy(f->data, hdr, hlen);
    err = ops->encode(e->mech, f->data + hlen, box_flags, head, head_len, body, len);
    if (err != ZI_OK) {
        zinc_frame_unref(f);
        return err;
    }
    return zmtp_outq_put_frame(&e->out, f);
}

/* Queues a command once ready: a command frame, or inside a MESSAGE box
 * with the COMMAND flag for a mechanism that seals (RFC 26, as libzmq). */
static zi_err engine_put_command(zmtp_engine_t *e, const char *name, const uint8_t *data,
                                 size_t len)
{
    if (!e->mech->ops->encode) {
        zi_err err = zmtp_command_encode(zmtp_outq_batch(&e->out), name, data, len);
        return err == ZI_OK ? zmtp_outq_commit(&e->out) : err;
    }
    uint8_t head[1 + 255];
    size_t nl = strlen(name);
    head[0] = (uint8_t)nl;
    memcpy(head + 1, name, nl);
    return engine_put_sealed(e, ZMTP_BOX_COMMAND, head, 1 + nl, data, len);
}

/* An error from sealing: the mechanism's reason when it gave one. */
static zi_err engine_put_failed(zmtp_engine_t *e, zi_err err)
{
    if (e->mech->fail.reason)
        return engine_fail_mech(e, err);
    return engine_fail(e, err, 0, zi_err_str(err));
}

static zi_err engine_ready_command(zmtp_engine_t *e, const zmtp_command_t *cmd)
{
    switch (cmd->type) {
    case ZMTP_CMD_PING: {
        uint16_t ttl;
        const uint8_t *ctx;
        size_t ctx_len;
        if (zmtp_ping_parse(cmd, &ttl, &ctx, &ctx_len) != ZI_OK)
            return engine_fail(e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
                               "malformed PING");
        if (ttl)
            e->ttl_arm = (int64_t)ttl * 100;
        /* RFC 37 "PONG": echo the ping's context. */
        zi_err err = engine_put_command(e, "PONG", ctx, ctx_len);
        return err == ZI_OK ? ZI_OK : engine_put_failed(e, err);
    }
    case ZMTP_CMD_SUBSCRIBE:
    case ZMTP_CMD_CANCEL:
        if (e->cb.on_subscribe)
            e->cb.on_subscribe(e->user, cmd->type == ZMTP_CMD_SUBSCRIBE, cmd->data, cmd->len);
        return ZI_OK;
    case ZMTP_CMD_ERROR:
        return engine_fail(e, ZI_EPEER, 0, "peer sent ERROR");
    default:
        /* PONG needs nothing beyond the input stamp; unknown commands are
         * ignored, as libzmq does. */
        return ZI_OK;
    }
}

/* libzmq 4.2.3 to 4.3.4 (at least) write PLAIN's ERROR with the name
 * "\x05ERROR" spelled as a C string, where \x05E is one hex escape: the
 * body starts 0x5E 'R' 'R' 'O' 'R' (checked with pyzmq on libzmq 4.3.4).
 * Read that as the ERROR it means, so that a refused PLAIN client reports
 * the ZAP status instead of a malformed command. */
static zi_err engine_libzmq_error(const zinc_frame_t *f, zmtp_command_t *cmd)
{
    static const uint8_t quirk[] = {0x5E, 'R', 'R', 'O', 'R'};
    if (f->size < sizeof quirk || memcmp(f->data, quirk, sizeof quirk) != 0)
        return ZI_ETRUNC;
    cmd->type = ZMTP_CMD_ERROR;
    cmd->name = (const uint8_t *)"ERROR";
    cmd->name_len = 5;
    cmd->data = f->data + sizeof quirk;
    cmd->len = f->size - sizeof quirk;
    return ZI_OK;
}

/* One complete frame from the decoder (we own the reference). */
static zi_err engine_frame(zmtp_engine_t *e, zinc_frame_t *f)
{
    if (e->state == ENG_IDENTITY)
        return engine_identity(e, f);
    if (e->state == ENG_READY && e->mech->ops->decode) {
        /* Every frame is a sealed MESSAGE now, whatever its outer flags;
         * the flags inside say what it carries. */
        uint8_t box;
        zi_err err = e->mech->ops->decode(e->mech, f, &box);
        if (err != ZI_OK) {
            zinc_frame_unref(f);
            return engine_fail_mech(e, err);
        }
        f->flags = (box & ZMTP_BOX_MORE ? ZI_FRAME_MORE : 0) |
                   (box & ZMTP_BOX_COMMAND ? ZI_FRAME_COMMAND : 0);
    }
    if (!(f->flags & ZI_FRAME_COMMAND)) {
        if (!e->cfg.no_frame_meta)
            zi_frame_set_meta(f, e->mech->peer);
        if (!e->cb.on_frame(e->user, f))
            e->pending = f;
        return ZI_OK;
    }
    zmtp_command_t cmd;
    zi_err err = zmtp_command_parse(f->data, f->size, &cmd);
    if (err != ZI_OK)
        err = engine_libzmq_error(f, &cmd);
    if (err != ZI_OK) {
        zinc_frame_unref(f);
        return engine_fail(e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
                           "malformed command");
    }
    if (e->state == ENG_HANDSHAKE) {
        err = e->mech->ops->consume(e->mech, &cmd);
        err = err == ZI_OK ? engine_mech_step(e) : engine_fail_mech(e, err);
    } else {
        err = engine_ready_command(e, &cmd);
    }
    zinc_frame_unref(f);
    return err;
}

size_t zmtp_engine_feed(zmtp_engine_t *e, const uint8_t *in, size_t n)
{
    size_t pos = 0;
    if (n)
        e->rx_seen = true;
    /* While the ZAP handler thinks, input waits (the peer should not have
     * sent more anyway): the caller feeds it again after the reply. */
    while (pos < n && e->state != ENG_FAILED && !e->pending && !e->zap_pending) {
        size_t used = 0;
        zi_err err;
        if (e->state == ENG_GREETING) {
            err = zmtp_greeting_parse(&e->greeting_parser, in + pos, n - pos, &used, &e->greeting);
            pos += used;
            if (err != ZI_AGAIN && err != ZI_OK) {
                engine_fail(e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
                            "malformed greeting");
                continue;
            }
            /* An unversioned 1.0 peer gets no more of our greeting. */
            if (!(err == ZI_OK && e->greeting.unversioned) && engine_greeting_step(e) != ZI_OK)
                continue;
            if (err == ZI_OK)
                engine_greeting_done(e);
            continue;
        }
        pos += engine_decode(e, in + pos, n - pos);
    }
    return pos;
}

/* Decodes frames from in until one is complete (and handled) or the input
 * ends; returns the octets taken. */
static size_t engine_decode(zmtp_engine_t *e, const uint8_t *in, size_t n)
{
    size_t used = 0;
    zinc_frame_t *f = NULL;
    zi_err err = zmtp_decoder_feed(&e->dec, in, n, &used, &f);
    if (err == ZI_OK)
        engine_frame(e, f);
    else if (err == ZI_EMSGSIZE && e->state == ENG_IDENTITY)
        engine_fail(e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
                    "identity frame longer than 255 octets");
    else if (err == ZI_EMSGSIZE)
        engine_fail(e, ZI_EMSGSIZE, 0, "frame larger than maxmsgsize");
    else if (err == ZI_ENOMEM)
        engine_fail(e, ZI_ENOMEM, 0, "out of memory for a frame");
    else if (err != ZI_AGAIN)
        engine_fail(e, ZI_EPROTO,
                    e->state == ENG_HANDSHAKE ? ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
                                              : ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
                    "malformed frame");
    return used;
}

uint8_t *zmtp_engine_recv_window(zmtp_engine_t *e, size_t *len)
{
    if (e->state == ENG_FAILED || e->state == ENG_GREETING || e->pending || e->zap_pending) {
        *len = 0;
        return NULL;
    }
    return zmtp_decoder_window(&e->dec, len);
}

void zmtp_engine_feed_direct(zmtp_engine_t *e, size_t n)
{
    if (e->state == ENG_FAILED || e->pending || e->zap_pending || n == 0)
        return;
    e->rx_seen = true;
    zinc_frame_t *f = zmtp_decoder_advance(&e->dec, n);
    if (f)
        engine_frame(e, f);
}

bool zmtp_engine_resume(zmtp_engine_t *e)
{
    if (e->pending && e->state != ENG_FAILED) {
        if (!e->cb.on_frame(e->user, e->pending))
            return false;
        e->pending = NULL;
    }
    return true;
}

zi_err zmtp_engine_send(zmtp_engine_t *e, zinc_frame_t *frame, bool more)
{
    if (e->state != ENG_READY) {
        zinc_frame_unref(frame);
        return ZI_EINVAL;
    }
    if (e->mech->ops->encode) {
        zi_err err =
            engine_put_sealed(e, more ? ZMTP_BOX_MORE : 0, NULL, 0, frame->data, frame->size);
        zinc_frame_unref(frame);
        if (err != ZI_OK && e->mech->fail.reason)
            engine_fail_mech(e, err); /* the mechanism cannot go on (nonces spent) */
        return err;
    }
    uint8_t hdr[ZMTP_V1_HEADER_MAX];
    size_t hlen = e->dec.framing == ZMTP_FRAMING_V1
                      ? zmtp_header_encode_v1(hdr, more, frame->size)
                      : zmtp_header_encode(hdr, more ? ZMTP_FLAG_MORE : 0, frame->size);
    zi_wbuf_t *batch = zmtp_outq_batch(&e->out);
    zi_err err;
    if (frame->size <= e->cfg.out_batch_size) {
        size_t start = batch->len;
        err = zi_wbuf_reserve(batch, hlen + frame->size);
        if (err == ZI_OK)
            err = zi_wbuf_put(batch, hdr, hlen);
        if (err == ZI_OK)
            err = zi_wbuf_put(batch, frame->data, frame->size);
        if (err == ZI_OK)
            err = zmtp_outq_commit(&e->out);
        else
            batch->len = start;
        zinc_frame_unref(frame);
    } else {
        err = zmtp_outq_put(&e->out, hdr, hlen);
        if (err == ZI_OK)
            err = zmtp_outq_put_frame(&e->out, frame);
        else
            zinc_frame_unref(frame);
    }
    return err;
}

zi_err zmtp_engine_send_subscribe(zmtp_engine_t *e, bool sub, const uint8_t *topic, size_t len)
{
    if (e->state != ENG_READY)
        return ZI_EINVAL;
    if (e->greeting.version >= ZMTP_V31) {
        zi_err err = engine_put_command(e, sub ? "SUBSCRIBE" : "CANCEL", topic, len);
        if (err != ZI_OK && e->mech->fail.reason)
            engine_fail_mech(e, err);
        return err;
    }
    /* RFC 37 / ZMTP 3.0 (and 2.0, as libzmq 3.2 reads them): a message
     * whose first octet is 1 or 0. */
    zinc_frame_t *f = zi_frame_alloc(len + 1);
    if (!f)
        return ZI_ENOMEM;
    f->data[0] = sub ? 1 : 0;
    if (len)
        memcpy(f->data + 1, topic, len);
    return zmtp_engine_send(e, f, false);
}

void zmtp_engine_zap_reply(zmtp_engine_t *e, zinc_frame_t *const *frames, size_t n)
{
    if (!e->zap_pending || e->state != ENG_HANDSHAKE)
        return;
    e->zap_pending = false;
    zmtp_zap_reply_t r;
    uint32_t protocol;
    zi_err err = zmtp_zap_reply_parse(frames, n, &r, &protocol);
    if (err != ZI_OK) {
        engine_fail(e, err, protocol,
                    err == ZI_ENOMEM ? "out of memory" : "malformed reply from the ZAP handler");
        return;
    }
    /* RFC 27: the user id identifies the client to the application. */
    if (r.user_id_len)
        err = zi_props_set(r.meta, "User-Id", 7, r.user_id, r.user_id_len);
    if (err != ZI_OK) {
        zi_props_unref(r.meta);
        engine_fail(e, err, 0, "out of memory");
        return;
    }
    zi_props_unref(e->zap_props);
    e->zap_props = r.meta;
    err = e->mech->ops->zap_result ? e->mech->ops->zap_result(e->mech, r.status) : ZI_EINVAL;
    if (err != ZI_OK)
        engine_fail_mech(e, err);
    else
        engine_mech_step(e);
}

int zmtp_engine_output(zmtp_engine_t *e, struct iovec *iov, int max)
{
    return zmtp_outq_iov(&e->out, iov, max);
}

void zmtp_engine_written(zmtp_engine_t *e, size_t n)
{
    zmtp_outq_consume(&e->out, n);
}

size_t zmtp_engine_out_pending(const zmtp_engine_t *e)
{
    return e->out.pending;
}

static int64_t engine_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

int64_t zmtp_engine_tick(zmtp_engine_t *e, int64_t now_ms)
{
    if (e->state == ENG_FAILED)
        return NEVER;
    e->now = now_ms;
    if (e->rx_seen) {
        /* Any input cancels the PING timeout and the peer's TTL. */
        e->rx_seen = false;
        e->ping_timeout_at = NEVER;
        e->ttl_deadline = NEVER;
    }
    if (e->ttl_arm) {
        e->ttl_deadline = now_ms + e->ttl_arm;
        e->ttl_arm = 0;
    }
    if (now_ms >= e->handshake_deadline) {
        engine_fail(e, ZI_ETIMEDOUT, 0, "handshake timed out");
        return NEVER;
    }
    if (now_ms >= e->ping_timeout_at || now_ms >= e->ttl_deadline) {
        engine_fail(e, ZI_ETIMEDOUT, 0, "heartbeat timed out");
        return NEVER;
    }
    if (e->state == ENG_READY && now_ms >= e->next_ping) {
        int64_t ttl_ds = e->cfg.heartbeat_ttl / 100;
        if (ttl_ds > 0xFFFF)
            ttl_ds = 0xFFFF;
        uint8_t ping[2];
        zi_put_u16be(ping, (uint16_t)ttl_ds);
        zi_err err = engine_put_command(e, "PING", ping, sizeof ping);
        if (err != ZI_OK) {
            engine_put_failed(e, err);
            return NEVER;
        }
        e->next_ping = now_ms + e->cfg.heartbeat_ivl;
        /* As libzmq: a timeout of 0 arms no timer (-1 means the interval). */
        int timeout =
            e->cfg.heartbeat_timeout >= 0 ? e->cfg.heartbeat_timeout : e->cfg.heartbeat_ivl;
        if (e->ping_timeout_at == NEVER && timeout > 0)
            e->ping_timeout_at = now_ms + timeout;
    }
    return engine_min(engine_min(e->handshake_deadline, e->next_ping),
                      engine_min(e->ping_timeout_at, e->ttl_deadline));
}

bool zmtp_engine_is_ready(const zmtp_engine_t *e)
{
    return e->state == ENG_READY;
}
bool zmtp_engine_failed(const zmtp_engine_t *e)
{
    return e->state == ENG_FAILED;
}

int zmtp_engine_peer_version(const zmtp_engine_t *e)
{
    return e->state == ENG_GREETING ? 0 : e->greeting.version;
}

zi_props_t *zmtp_engine_peer_meta(const zmtp_engine_t *e)
{
    return e->state == ENG_READY ? e->mech->peer : NULL;
}
