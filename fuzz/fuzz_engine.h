/* The whole-engine fuzz harness, shared by fuzz_engine_client.c and
 * fuzz_engine_server.c (which set FUZZ_ENGINE_AS_SERVER and include this).
 *
 * Input: a 7-octet header, then the bytes "the peer sends".
 *   [0]    bits 0-6 socket type (libzmq's number, modulo 21), bit 7 a ZAP
 *          domain (which refuses ZMTP 1.0/2.0 peers)
 *   [1]    options: bits 0-1 heartbeats (off; ivl 100; ivl 50 ttl 1000
 *          timeout 200; ivl 10 ttl 250 timeout 30), bits 2-3 maxmsgsize (0,
 *          256, 8192, 1 MiB), bit 4 a routing id, bit 5 X- metadata, bit 6 a
 *          16-octet out_batch_size (so frames go out zero-copy), bit 7 no
 *          handshake_ivl (else 2 s)
 *   [2..5] PRNG seed for the schedule
 *   [6]    schedule: bits 0-1 feed chunk sizes (1-4, 1-64, 1-1024, all),
 *          bits 2-3 how often on_frame says full, bits 4-5 how often ticks
 *          jump far (up to 40 s, past the handshake and heartbeat limits),
 *          bits 6-7 how much of the output a "write" takes
 *
 * The schedule interleaves, as a transport would: feeding chunks (and
 * sometimes filling a body through recv_window/feed_direct), ticks at times
 * that move forward, writes of part of the output, resumes after on_frame
 * refused a frame, and, once ready, sends (echoed received frames, new
 * copied and zero-copy frames of all sizes, subscriptions).
 *
 * What the engine writes is parsed back as a peer would, in the version the
 * input's first octets announce (ZMTP-NOTES.md "Version choice"): for 3.x the
 * greeting, READY with our Socket-Type, well-formed frames; for 2.0 the
 * signature, major, our socket type, our identity frame and 2.0 frames; for
 * 1.0 the signature as the header of our identity frame, its body, and 1.0
 * frames. Our greeting must come in libzmq's pieces: nothing past the
 * signature before the peer's signature was fed, nothing past the major
 * before its major. The message frames and subscriptions that come out must
 * be exactly what was sent. Callback order, the
 * at-most-once on_error, "consumes and produces nothing after an error" and
 * the release of every zero-copy frame are checked too. No clock, no
 * sockets, no global state: everything is freed before returning.
 */
#ifndef ZI_FUZZ_ENGINE_H
#define ZI_FUZZ_ENGINE_H

#include <string.h>

#include "fuzz_common.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"
#include "zmtp/engine.h"
#include "zmtp/greeting.h"
#include "zmtp/metadata.h"
#include "zmtp/socktype.h"

#define ENGINE_HEADER 7
#define ENGINE_HELD_MAX 8
#define ENGINE_IOV_MAX 16

/* What the input's first octets make of the peer. */
enum { PEER_UNDECIDED, PEER_V3, PEER_V20, PEER_V10, PEER_V10_UNVERSIONED };

/* Parses what the engine writes, as the peer would. */
typedef struct {
    int socket_type;
    bool as_server;
    int mode;                             /* PEER_... */
    uint8_t greeting[ZMTP_GREETING_SIZE]; /* what the engine's greeting must be */
    size_t greeting_len, greeting_have;
    const uint8_t *routing_id; /* our identity, for 1.0/2.0 peers */
    size_t routing_id_len;
    size_t id_body_have; /* unversioned 1.0: identity body octets seen */
    bool identity_done;
    zmtp_decoder_t dec;
    size_t frames;
    size_t bytes;
    uint64_t msg_digest; /* message frames: more, size, data */
    uint64_t sub_digest; /* SUBSCRIBE/CANCEL commands: sub, topic */
} engine_peer_t;

typedef struct {
    fz_rng_t rng;
    int socket_type;
    unsigned chunk_class, refuse_odds, tick_class, write_class;
    int heartbeat_ivl;

    bool ready_called, error_called;
    bool refused; /* on_frame said full; the engine holds the frame */
    int refusals;
    zinc_frame_t *held[ENGINE_HELD_MAX];
    size_t nheld;
    size_t zc_made, zc_freed;
    size_t received;  /* frames accepted by on_frame */
    int phantom_subs; /* subscriptions reported for a 1.0 peer */
    size_t fed;       /* input octets consumed so far */
    zmtp_engine_t *eng;
    const char *error_reason; /* for FUZZ_ENGINE_TRACE */

    uint64_t msg_digest, sub_digest; /* what we sent */
    engine_peer_t peer;
} engine_fuzz_t;

static uint64_t engine_msg_hash(uint64_t h, bool more, const uint8_t *p, size_t n)
{
    h = fz_hash_u64(h, more);
    h = fz_hash_u64(h, n);
    return fz_hash(h, p, n);
}

/* ---- the peer's view of our output ---------------------------------------- */

static void engine_peer_frame(engine_peer_t *pr, zinc_frame_t *f)
{
    bool command = f->flags & ZI_FRAME_COMMAND;
    if (pr->mode != PEER_V3) {
        /* RFC 13/15: no commands; our identity frame first. */
        FZ_CHECK(!command);
        if (!pr->identity_done) {
            FZ_CHECK(f->size == pr->routing_id_len && !(f->flags & ZI_FRAME_MORE));
            FZ_CHECK(f->size == 0 || memcmp(f->data, pr->routing_id, f->size) == 0);
            pr->identity_done = true;
        } else {
            pr->frames++;
            pr->msg_digest =
                engine_msg_hash(pr->msg_digest, f->flags & ZI_FRAME_MORE, f->data, f->size);
        }
        zinc_frame_unref(f);
        return;
    }
    if (pr->frames++ == 0) {
        /* RFC 37: the NULL handshake starts with READY and our metadata. */
        zmtp_command_t cmd;
        FZ_CHECK(command);
        FZ_CHECK(zmtp_command_parse(f->data, f->size, &cmd) == ZI_OK);
        FZ_CHECK(cmd.type == ZMTP_CMD_READY);
        zi_props_t *meta = zi_props_new();
        if (meta) {
            zi_err err = zmtp_metadata_parse(cmd.data, cmd.len, meta);
            FZ_CHECK(err == ZI_OK || err == ZI_ENOMEM);
            size_t len;
            const char *type = zi_props_get(meta, "Socket-Type", &len);
            if (err == ZI_OK) {
                FZ_CHECK(type != NULL);
                FZ_CHECK(zi_socktype_from_wire(type, len) == pr->socket_type);
                FZ_CHECK(zi_socktype_sends_identity(pr->socket_type) ==
                         (zi_props_get(meta, "Identity", NULL) != NULL));
            }
            zi_props_unref(meta);
        }
    } else if (command) {
        zmtp_command_t cmd;
        FZ_CHECK(zmtp_command_parse(f->data, f->size, &cmd) == ZI_OK);
        uint16_t ttl;
        const uint8_t *ctx;
        size_t ctx_len;
        switch (cmd.type) {
        case ZMTP_CMD_PING:
        case ZMTP_CMD_PONG:
            /* A PONG carries the PING's context: the same shape minus TTL. */
            if (cmd.type == ZMTP_CMD_PING)
                FZ_CHECK(zmtp_ping_parse(&cmd, &ttl, &ctx, &ctx_len) == ZI_OK);
            else
                FZ_CHECK(cmd.len <= ZMTP_PING_CONTEXT_MAX);
            break;
        case ZMTP_CMD_SUBSCRIBE:
        case ZMTP_CMD_CANCEL:
            pr->sub_digest =
                engine_msg_hash(pr->sub_digest, cmd.type == ZMTP_CMD_SUBSCRIBE, cmd.data, cmd.len);
            break;
        default:
            FZ_CHECK(!"unexpected command from the engine");
        }
    } else {
        pr->msg_digest =
            engine_msg_hash(pr->msg_digest, f->flags & ZI_FRAME_MORE, f->data, f->size);
    }
    zinc_frame_unref(f);
}

/* The peer's version from the first octets of the input, as RFC 23's
 * version negotiation decides it, and the greeting the engine must send. */
static void engine_peer_expect(engine_peer_t *pr, const uint8_t *in, size_t n)
{
    uint8_t *g = pr->greeting;
    zmtp_greeting_encode(g, "NULL", pr->as_server);
    zmtp_greeting_signature(g, pr->routing_id_len);
    pr->greeting_len = ZMTP_GREETING_SIZE;
    if ((n >= 1 && in[0] != 0xFF) || (n >= 10 && !(in[9] & 1))) {
        pr->mode = PEER_V10_UNVERSIONED;
        pr->greeting_len = ZMTP_SIGNATURE_SIZE;
        /* The signature was our whole identity frame when it is empty. */
        pr->identity_done = pr->routing_id_len == 0;
    } else if (n >= 11 && in[10] <= 1) {
        pr->mode = in[10] == 1 ? PEER_V20 : PEER_V10;
        g[11] = (uint8_t)pr->socket_type;
        pr->greeting_len = ZMTP_V2_GREETING_SIZE;
    } else {
        pr->mode = n >= 11 ? PEER_V3 : PEER_UNDECIDED;
    }
    pr->dec.framing = pr->mode == PEER_V20                                       ? ZMTP_FRAMING_V2
                      : pr->mode == PEER_V10 || pr->mode == PEER_V10_UNVERSIONED ? ZMTP_FRAMING_V1
                                                                                 : ZMTP_FRAMING_V3;
}

static void engine_peer_feed(engine_peer_t *pr, const uint8_t *p, size_t n)
{
    pr->bytes += n;
    while (n > 0) {
        size_t used = 0;
        if (pr->greeting_have < pr->greeting_len) {
            used = pr->greeting_len - pr->greeting_have;
            if (used > n)
                used = n;
            FZ_CHECK(memcmp(p, pr->greeting + pr->greeting_have, used) == 0);
            pr->greeting_have += used;
        } else if (pr->mode == PEER_UNDECIDED) {
            FZ_CHECK(!"the engine sent more than a greeting to an undecided peer");
        } else if (pr->mode == PEER_V10_UNVERSIONED && !pr->identity_done) {
            /* The signature was our identity frame's header: its body. */
            used = pr->routing_id_len - pr->id_body_have;
            if (used > n)
                used = n;
            FZ_CHECK(used > 0 && memcmp(p, pr->routing_id + pr->id_body_have, used) == 0);
            pr->id_body_have += used;
            pr->identity_done = pr->id_body_have == pr->routing_id_len;
        } else {
            zinc_frame_t *f = NULL;
            zi_err err = zmtp_decoder_feed(&pr->dec, p, n, &used, &f);
            FZ_CHECK(err == ZI_OK || err == ZI_AGAIN || err == ZI_ENOMEM);
            if (err == ZI_ENOMEM)
                return;
            if (f)
                engine_peer_frame(pr, f);
        }
        FZ_CHECK(used <= n);
        p += used;
        n -= used;
    }
}

/* ---- callbacks ------------------------------------------------------------ */

static void engine_on_ready(void *user, zi_props_t *peer)
{
    engine_fuzz_t *st = user;
    FZ_CHECK(!st->ready_called && !st->error_called);
    st->ready_called = true;
    size_t len;
    const char *type = zi_props_get(peer, "Socket-Type", &len);
    int mode = st->peer.mode;
    /* RFC 13/15 peers send their identity first; a 1.0 peer no type. */
    size_t id_len = 0;
    if (mode == PEER_V10 || mode == PEER_V10_UNVERSIONED) {
        FZ_CHECK(type == NULL && zi_props_get(peer, "Identity", &id_len) != NULL && id_len <= 255);
        return;
    }
    if (mode == PEER_V20)
        FZ_CHECK(zi_props_get(peer, "Identity", &id_len) != NULL && id_len <= 255);
    FZ_CHECK(type != NULL);
    FZ_CHECK(zi_socktype_compatible(st->socket_type, zi_socktype_from_wire(type, len)));
}

static bool engine_on_frame(void *user, zinc_frame_t *f)
{
    engine_fuzz_t *st = user;
    FZ_CHECK(st->ready_called && !st->error_called);
    FZ_CHECK(!(f->flags & ZI_FRAME_COMMAND));
    FZ_CHECK(f->meta != NULL);
    if (st->peer.mode == PEER_V10 || st->peer.mode == PEER_V10_UNVERSIONED)
        FZ_CHECK(zinc_frame_meta(f, "identity") != NULL);
    else
        FZ_CHECK(zinc_frame_meta(f, "socket-type") != NULL);
    if (st->refusals < 3 && fz_rng_below(&st->rng, 8) < st->refuse_odds) {
        st->refusals++;
        st->refused = true;
        return false;
    }
    st->refusals = 0;
    st->refused = false;
    st->received++;
    if (st->nheld < ENGINE_HELD_MAX && fz_rng_below(&st->rng, 2))
        st->held[st->nheld++] = f;
    else
        zinc_frame_unref(f);
    return true;
}

static void engine_on_subscribe(void *user, bool sub, const uint8_t *topic, size_t len)
{
    engine_fuzz_t *st = user;
    FZ_CHECK(st->ready_called && !st->error_called);
    /* Only a 3.x peer sends commands; a 1.0 SUB gets the phantom
     * subscription to everything, once, right after on_ready. */
    if (st->peer.mode == PEER_V10_UNVERSIONED) {
        FZ_CHECK(sub && len == 0 && st->phantom_subs++ == 0 && st->received == 0);
        FZ_CHECK(st->socket_type == ZINC_PUB || st->socket_type == ZINC_XPUB);
    } else {
        /* Commands exist from 3.0 on; a 3.0 peer that sends SUBSCRIBE is
         * taken at its word, as libzmq does (3.1 made them standard). */
        FZ_CHECK(st->peer.mode == PEER_V3);
    }
    /* Touch the topic so that a bad view is caught here. */
    volatile uint64_t h = fz_hash(FZ_HASH_INIT, topic, len);
    (void)h;
    (void)sub;
}

static void engine_on_error(void *user, const zmtp_error_t *err)
{
    engine_fuzz_t *st = user;
    FZ_CHECK(!st->error_called);
    st->error_called = true;
    FZ_CHECK(err->err != ZI_OK && err->err != ZI_AGAIN);
    FZ_CHECK(err->reason != NULL);
    st->error_reason = err->reason;
    FZ_CHECK(err->handshake == !st->ready_called);
}

static void engine_zc_free(void *data, void *hint)
{
    engine_fuzz_t *st = hint;
    st->zc_freed++;
    free(data);
}

/* ---- schedule ------------------------------------------------------------- */

static size_t engine_chunk(engine_fuzz_t *st, size_t left)
{
    static const size_t top[] = {4, 64, 1024, SIZE_MAX};
    size_t n =
        top[st->chunk_class] == SIZE_MAX ? left : fz_rng_range(&st->rng, 1, top[st->chunk_class]);
    return n < left ? n : left;
}

static void engine_drain(engine_fuzz_t *st, zmtp_engine_t *e, bool all)
{
    struct iovec iov[ENGINE_IOV_MAX];
    int max = all ? ENGINE_IOV_MAX : (int)fz_rng_range(&st->rng, 1, ENGINE_IOV_MAX);
    /* libzmq's pieces: the major only after the peer's signature, the rest
     * only after its major (a 1.0 peer gets the identity body instead). */
    size_t produced = st->peer.bytes + zmtp_engine_out_pending(e);
    if (st->fed < ZMTP_SIGNATURE_SIZE && st->peer.mode != PEER_V10_UNVERSIONED)
        FZ_CHECK(produced <= ZMTP_SIGNATURE_SIZE);
    else if (st->fed < ZMTP_SIGNATURE_SIZE + 1 && st->peer.mode != PEER_V10_UNVERSIONED)
        FZ_CHECK(produced <= ZMTP_SIGNATURE_SIZE + 1);
    if (st->fed == 0)
        FZ_CHECK(produced <= ZMTP_SIGNATURE_SIZE);
    int cnt = zmtp_engine_output(e, iov, max);
    FZ_CHECK(cnt >= 0 && cnt <= max);
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    size_t pending = zmtp_engine_out_pending(e);
    FZ_CHECK(total <= pending);
    if (cnt < max)
        FZ_CHECK(total == pending);
    size_t n;
    switch (all ? 2 : st->write_class) {
    case 0:
        n = fz_rng_below(&st->rng, total + 1);
        break;
    case 1:
        n = total < 7 ? total : fz_rng_below(&st->rng, 8);
        break;
    case 2:
        n = total;
        break;
    default:
        n = fz_rng_below(&st->rng, 2) ? total : fz_rng_below(&st->rng, total + 1);
        break;
    }
    /* "Write" n octets: the peer reads them (and ASan checks the iovecs). */
    size_t left = n;
    for (int i = 0; i < cnt && left > 0; i++) {
        size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
        engine_peer_feed(&st->peer, iov[i].iov_base, k);
        left -= k;
    }
    zmtp_engine_written(e, n);
    FZ_CHECK(zmtp_engine_out_pending(e) == pending - n);
}

static void engine_tick(engine_fuzz_t *st, zmtp_engine_t *e, int64_t *now)
{
    int64_t ivl = st->heartbeat_ivl > 0 ? st->heartbeat_ivl : 100;
    /* Mostly steps within a heartbeat interval; jumps past the handshake
     * and heartbeat limits as often as the schedule octet says. */
    static const size_t big_odds[] = {0, 1, 4, 16}; /* out of 64 */
    int64_t dt;
    if (fz_rng_below(&st->rng, 64) < big_odds[st->tick_class]) {
        dt = (int64_t)fz_rng_range(&st->rng, 1, 40000);
    } else {
        switch (fz_rng_below(&st->rng, 4)) {
        case 0:
            dt = 0;
            break;
        case 3:
            dt = (int64_t)fz_rng_range(&st->rng, 1, (size_t)(3 * ivl));
            break;
        default:
            dt = (int64_t)fz_rng_range(&st->rng, 1, (size_t)ivl);
            break;
        }
    }
    *now += dt;
    int64_t next = zmtp_engine_tick(e, *now);
    if (zmtp_engine_failed(e))
        FZ_CHECK(next == INT64_MAX && st->error_called);
    else
        FZ_CHECK(next >= *now);
}

static zinc_frame_t *engine_new_frame(engine_fuzz_t *st, const uint8_t *fill, size_t fill_len)
{
    static const size_t top[] = {16, 300, 20000};
    size_t size = fz_rng_below(&st->rng, top[fz_rng_below(&st->rng, 3)] + 1);
    bool zc = fz_rng_below(&st->rng, 3) == 0 && size > 0;
    uint8_t *data = malloc(size ? size : 1);
    if (!data)
        return NULL;
    for (size_t i = 0; i < size; i++)
        data[i] = fill_len ? fill[i % fill_len] : (uint8_t)i;
    zinc_frame_t *f;
    if (zc) {
        f = zinc_frame_new_zerocopy(data, size, engine_zc_free, st, false);
        if (!f) {
            free(data);
            return NULL;
        }
        st->zc_made++;
    } else {
        f = zinc_frame_new(data, size);
        free(data);
    }
    return f;
}

static void engine_send(engine_fuzz_t *st, zmtp_engine_t *e, const uint8_t *in, size_t in_len)
{
    bool more = fz_rng_below(&st->rng, 3) == 0;
    switch (fz_rng_below(&st->rng, 4)) {
    case 0:
    case 1: {
        zinc_frame_t *f;
        if (st->nheld && fz_rng_below(&st->rng, 2))
            f = st->held[--st->nheld];
        else
            f = engine_new_frame(st, in, in_len);
        if (!f)
            return;
        uint64_t h = engine_msg_hash(st->msg_digest, more, f->data, f->size);
        zi_err err = zmtp_engine_send(e, f, more);
        FZ_CHECK(err == ZI_OK || err == ZI_ENOMEM);
        if (err == ZI_OK)
            st->msg_digest = h;
        break;
    }
    default: {
        bool sub = fz_rng_below(&st->rng, 4) != 0;
        size_t len = fz_rng_below(&st->rng, 33);
        if (len > in_len)
            len = in_len;
        zi_err err = zmtp_engine_send_subscribe(e, sub, in, len);
        FZ_CHECK(err == ZI_OK || err == ZI_ENOMEM);
        if (err != ZI_OK)
            break;
        if (zmtp_engine_peer_version(e) >= ZMTP_V31) {
            FZ_CHECK(st->peer.mode == PEER_V3);
            st->sub_digest = engine_msg_hash(st->sub_digest, sub, in, len);
        } else {
            /* RFC 37 for a 3.0 peer: a message starting with 1 or 0. */
            uint8_t msg[33];
            msg[0] = sub ? 1 : 0;
            if (len)
                memcpy(msg + 1, in, len);
            st->msg_digest = engine_msg_hash(st->msg_digest, false, msg, len + 1);
        }
        break;
    }
    }
}

static void engine_config(uint8_t opts, int socket_type, bool zap, zmtp_config_t *cfg)
{
    static const int64_t maxmsg[] = {0, 256, 8192, 1 << 20};
    zmtp_config_defaults(cfg, socket_type);
    cfg->as_server = FUZZ_ENGINE_AS_SERVER;
    switch (opts & 3) {
    case 1:
        cfg->heartbeat_ivl = 100;
        break;
    case 2:
        cfg->heartbeat_ivl = 50;
        cfg->heartbeat_ttl = 1000;
        cfg->heartbeat_timeout = 200;
        break;
    case 3:
        cfg->heartbeat_ivl = 10;
        cfg->heartbeat_ttl = 250;
        cfg->heartbeat_timeout = 30;
        break;
    default:
        break;
    }
    cfg->maxmsgsize = maxmsg[(opts >> 2) & 3];
    if (opts & 0x10) {
        cfg->routing_id = (const uint8_t *)"fuzz-routing-id";
        cfg->routing_id_len = 15;
    }
    if (opts & 0x40)
        cfg->out_batch_size = 16;
    cfg->handshake_ivl = (opts & 0x80) ? 0 : 2000;
    if (zap)
        memcpy(cfg->zap_domain, "fuzz", 5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < ENGINE_HEADER)
        return 0;
    engine_fuzz_t st;
    memset(&st, 0, sizeof st);
    st.socket_type = (data[0] & 0x7F) % (ZI_SOCKTYPE_MAX + 1);
    bool zap = data[0] & 0x80;
    uint8_t opts = data[1];
    fz_rng_seed(&st.rng, (uint64_t)data[2] << 24 | (uint64_t)data[3] << 16 |
                             (uint64_t)data[4] << 8 | data[5]);
    st.chunk_class = data[6] & 3;
    st.refuse_odds = (unsigned[]){0, 1, 3, 6}[(data[6] >> 2) & 3];
    st.tick_class = (data[6] >> 4) & 3;
    st.write_class = (data[6] >> 6) & 3;
    st.msg_digest = st.sub_digest = FZ_HASH_INIT;
    data += ENGINE_HEADER;
    size -= ENGINE_HEADER;

    zmtp_config_t cfg;
    engine_config(opts, st.socket_type, zap, &cfg);
    st.heartbeat_ivl = cfg.heartbeat_ivl;
    zi_props_t *extra = NULL;
    if (opts & 0x20) {
        extra = zi_props_new();
        if (!extra || zi_props_set(extra, "X-Fuzz", 6, "1", 1) != ZI_OK ||
            zi_props_set(extra, "X-Empty", 7, "", 0) != ZI_OK)
            goto out;
        cfg.extra_metadata = extra;
    }

    st.peer.socket_type = st.socket_type;
    st.peer.as_server = cfg.as_server;
    st.peer.routing_id = cfg.routing_id;
    st.peer.routing_id_len = cfg.routing_id_len;
    zmtp_decoder_init(&st.peer.dec, -1);
    engine_peer_expect(&st.peer, data, size);
    st.peer.msg_digest = st.peer.sub_digest = FZ_HASH_INIT;

    zmtp_callbacks_t cb = {engine_on_ready, engine_on_frame, engine_on_subscribe, engine_on_error};
    int64_t now = 1000000;
    zmtp_engine_t *e = zmtp_engine_new(&cfg, &cb, &st, now);
    if (!e)
        goto out_peer;
    st.eng = e;

    size_t pos = 0;
    size_t steps = 16 * size + 256;
    for (size_t step = 0; step < steps; step++) {
        bool failed = zmtp_engine_failed(e);
        FZ_CHECK(failed == st.error_called);
        if (failed || (pos >= size && !st.refused))
            break;
        size_t r = fz_rng_below(&st.rng, 16);
        if (st.refused && r < 8) {
            bool done = zmtp_engine_resume(e);
            FZ_CHECK(done == !st.refused || zmtp_engine_failed(e));
            continue;
        }
        if (r < 8) {
            size_t n = engine_chunk(&st, size - pos);
            size_t got = zmtp_engine_feed(e, data + pos, n);
            FZ_CHECK(got <= n);
            pos += got;
            st.fed = pos;
            if (got < n)
                FZ_CHECK(zmtp_engine_failed(e) || st.refused);
        } else if (r < 9) {
            size_t wlen = 0;
            uint8_t *w = zmtp_engine_recv_window(e, &wlen);
            if (!w) {
                FZ_CHECK(wlen == 0);
                continue;
            }
            FZ_CHECK(wlen > 0);
            size_t k = engine_chunk(&st, size - pos);
            if (k > wlen)
                k = wlen;
            if (k == 0)
                continue;
            memcpy(w, data + pos, k);
            pos += k;
            st.fed = pos;
            zmtp_engine_feed_direct(e, k);
        } else if (r < 11) {
            engine_tick(&st, e, &now);
        } else if (r < 14) {
            engine_drain(&st, e, false);
        } else if (zmtp_engine_is_ready(e)) {
            engine_send(&st, e, data, size);
        }
    }

    if (zmtp_engine_failed(e)) {
        /* After on_error the engine takes nothing and queues nothing more. */
        size_t pending = zmtp_engine_out_pending(e);
        FZ_CHECK(zmtp_engine_feed(e, data + pos, size - pos) == 0);
        FZ_CHECK(zmtp_engine_tick(e, now + 1000000) == INT64_MAX);
        zinc_frame_t *f = zinc_frame_new("x", 1);
        if (f)
            FZ_CHECK(zmtp_engine_send(e, f, false) != ZI_OK);
        FZ_CHECK(zmtp_engine_send_subscribe(e, true, NULL, 0) != ZI_OK);
        FZ_CHECK(zmtp_engine_out_pending(e) == pending);
        FZ_CHECK(!zmtp_engine_is_ready(e));
    }
    FZ_CHECK(zmtp_engine_is_ready(e) == (st.ready_called && !st.error_called));

    /* Write out everything: the peer must see exactly what was sent. */
    while (zmtp_engine_out_pending(e) > 0)
        engine_drain(&st, e, true);
    FZ_CHECK(st.peer.msg_digest == st.msg_digest);
    FZ_CHECK(st.peer.sub_digest == st.sub_digest);
    FZ_CHECK(st.peer.bytes >= ZMTP_SIGNATURE_SIZE);
    /* The engine saw the version the input announces. */
    static const int versions[] = {[PEER_V3] = 0,
                                   [PEER_V20] = ZMTP_V20,
                                   [PEER_V10] = ZMTP_V10,
                                   [PEER_V10_UNVERSIONED] = ZMTP_V10};
    int v = zmtp_engine_peer_version(e);
    if (st.peer.mode == PEER_V3)
        FZ_CHECK(v == 0 || v == ZMTP_V30 || v == ZMTP_V31);
    else if (st.peer.mode != PEER_UNDECIDED && v != 0)
        FZ_CHECK(v == versions[st.peer.mode]);
    if (st.ready_called && st.peer.mode == PEER_V10_UNVERSIONED &&
        (st.socket_type == ZINC_PUB || st.socket_type == ZINC_XPUB))
        FZ_CHECK(st.phantom_subs == 1);
    /* Security is refused below 3.0 (here: a ZAP domain). */
    if (zap && st.peer.mode != PEER_V3 && st.peer.mode != PEER_UNDECIDED)
        FZ_CHECK(!st.ready_called);

#ifdef FUZZ_ENGINE_TRACE
    fprintf(stderr, "type %d ready %d error \"%s\" consumed %zu/%zu received %zu peer frames %zu\n",
            st.socket_type, st.ready_called, st.error_reason ? st.error_reason : "", pos, size,
            st.received, st.peer.frames);
#endif
    zmtp_engine_free(e);
out_peer:
    zmtp_decoder_fini(&st.peer.dec);
out:
    for (size_t i = 0; i < st.nheld; i++)
        zinc_frame_unref(st.held[i]);
    zi_props_unref(extra);
    /* Every zero-copy frame handed to the engine has been released. */
    FZ_CHECK(st.zc_freed == st.zc_made);
    return 0;
}

#endif
