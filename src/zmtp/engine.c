/* The ZMTP engine: greeting, handshake through the mechanism, framing,
 * commands and timers for one connection. No I/O (see engine.h). */
#include <stdlib.h>
#include <string.h>

#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"
#include "zmtp/engine.h"
#include "zmtp/greeting.h"
#include "zmtp/mech.h"
#include "zmtp/outq.h"

enum engine_state { ENG_GREETING, ENG_HANDSHAKE, ENG_READY, ENG_FAILED };

#define NEVER INT64_MAX

struct zmtp_engine {
    zmtp_config_t cfg;
    zmtp_callbacks_t cb;
    void *user;
    enum engine_state state;

    zmtp_greeting_parser_t greeting_parser;
    zmtp_greeting_t greeting;
    zmtp_decoder_t dec;
    zmtp_outq_t out;
    zmtp_mech_t *mech;
    zinc_frame_t *pending; /* refused by on_frame, to deliver on resume */

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
    zmtp_error_t why = {err, protocol, e->state != ENG_READY, reason};
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
    if (!e->mech->peer || ops->init(e->mech) != ZI_OK)
        goto fail;

    e->now = now_ms;
    e->handshake_deadline = cfg->handshake_ivl > 0 ? now_ms + cfg->handshake_ivl : NEVER;
    e->next_ping = e->ping_timeout_at = e->ttl_deadline = NEVER;

    /* RFC 23: send the whole greeting at once; a libzmq peer sends its own
     * in pieces and waits for ours. */
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_encode(g, ops->name, cfg->as_server);
    if (zmtp_outq_put(&e->out, g, sizeof g) != ZI_OK)
        goto fail;
    return e;
fail:
    zmtp_engine_free(e);
    return NULL;
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
    zmtp_decoder_fini(&e->dec);
    zmtp_outq_fini(&e->out);
    free((void *)e->cfg.routing_id);
    zi_props_unref((zi_props_t *)e->cfg.extra_metadata);
    free(e);
}

static void engine_become_ready(zmtp_engine_t *e)
{
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
    if (err == ZI_OK)
        err = zmtp_outq_commit(&e->out);
    if (err != ZI_OK)
        return engine_fail_mech(e, err);
    if (e->mech->ready)
        engine_become_ready(e);
    return ZI_OK;
}

static zi_err engine_greeting_done(zmtp_engine_t *e)
{
    e->mech->peer_version = e->greeting.version;
    /* RFC 23 "Security": the mechanisms must match exactly. */
    if (strcmp(e->greeting.mechanism, e->mech->ops->name) != 0)
        return engine_fail(e, ZI_EMECH, ZINC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
                           "the peer uses another security mechanism");
    e->state = ENG_HANDSHAKE;
    return engine_mech_step(e);
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
        zi_err err = zmtp_command_encode(zmtp_outq_batch(&e->out), "PONG", ctx, ctx_len);
        if (err == ZI_OK)
            err = zmtp_outq_commit(&e->out);
        return err == ZI_OK ? ZI_OK : engine_fail(e, err, 0, zi_err_str(err));
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

/* One complete frame from the decoder (we own the reference). */
static zi_err engine_frame(zmtp_engine_t *e, zinc_frame_t *f)
{
    if (!(f->flags & ZI_FRAME_COMMAND)) {
        if (!e->cfg.no_frame_meta)
            zi_frame_set_meta(f, e->mech->peer);
        if (!e->cb.on_frame(e->user, f))
            e->pending = f;
        return ZI_OK;
    }
    zmtp_command_t cmd;
    zi_err err = zmtp_command_parse(f->data, f->size, &cmd);
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
    while (pos < n && e->state != ENG_FAILED && !e->pending) {
        size_t used = 0;
        zi_err err;
        if (e->state == ENG_GREETING) {
            err = zmtp_greeting_parse(&e->greeting_parser, in + pos, n - pos, &used, &e->greeting);
            pos += used;
            if (err == ZI_OK)
                engine_greeting_done(e);
            else if (err == ZI_EVERSION)
                engine_fail(e, ZI_EVERSION, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
                            e->greeting.version == ZMTP_V20 ? "ZMTP 2.0 peers are not supported"
                                                            : "ZMTP 1.0 peers are not supported");
            else if (err != ZI_AGAIN)
                engine_fail(e, ZI_EPROTO, ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
                            "malformed greeting");
            continue;
        }
        zinc_frame_t *f = NULL;
        err = zmtp_decoder_feed(&e->dec, in + pos, n - pos, &used, &f);
        pos += used;
        if (err == ZI_OK)
            engine_frame(e, f);
        else if (err == ZI_EMSGSIZE)
            engine_fail(e, ZI_EMSGSIZE, 0, "frame larger than maxmsgsize");
        else if (err == ZI_ENOMEM)
            engine_fail(e, ZI_ENOMEM, 0, "out of memory for a frame");
        else if (err != ZI_AGAIN)
            engine_fail(e, ZI_EPROTO,
                        e->state == ENG_READY ? ZINC_PROTOCOL_ERROR_ZMTP_UNSPECIFIED
                                              : ZINC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
                        "malformed frame");
    }
    return pos;
}

uint8_t *zmtp_engine_recv_window(zmtp_engine_t *e, size_t *len)
{
    if (e->state == ENG_FAILED || e->state == ENG_GREETING || e->pending) {
        *len = 0;
        return NULL;
    }
    return zmtp_decoder_window(&e->dec, len);
}

void zmtp_engine_feed_direct(zmtp_engine_t *e, size_t n)
{
    if (e->state == ENG_FAILED || e->pending || n == 0)
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
    uint8_t hdr[ZMTP_HEADER_MAX];
    size_t hlen = zmtp_header_encode(hdr, more ? ZMTP_FLAG_MORE : 0, frame->size);
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
        zi_err err =
            zmtp_command_encode(zmtp_outq_batch(&e->out), sub ? "SUBSCRIBE" : "CANCEL", topic, len);
        return err == ZI_OK ? zmtp_outq_commit(&e->out) : err;
    }
    /* RFC 37 / ZMTP 3.0: a message whose first octet is 1 or 0. */
    zinc_frame_t *f = zi_frame_alloc(len + 1);
    if (!f)
        return ZI_ENOMEM;
    f->data[0] = sub ? 1 : 0;
    if (len)
        memcpy(f->data + 1, topic, len);
    return zmtp_engine_send(e, f, false);
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
        zi_err err = zmtp_ping_encode(zmtp_outq_batch(&e->out), (uint16_t)ttl_ds, NULL, 0);
        if (err == ZI_OK)
            err = zmtp_outq_commit(&e->out);
        if (err != ZI_OK) {
            engine_fail(e, err, 0, zi_err_str(err));
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
