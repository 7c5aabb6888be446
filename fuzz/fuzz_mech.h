/* The handshake fuzz harness shared by fuzz_plain.c and fuzz_curve.c (each
 * defines FUZZ_MECH, ZMTP_MECH_PLAIN or ZMTP_MECH_CURVE, and includes this).
 *
 * One engine under test, client or server, with fixed credentials and keys
 * and deterministic randomness: the same input gives the same run, so a seed
 * recorded from a real peer (fuzz/corpus/<name>/, made by fuzz_mech_seed
 * below) keeps opening the CURVE boxes, and mutations reach the MESSAGE path.
 *
 * Input: an 8-octet header, then the bytes "the peer sends".
 *   [0]    bit 0 the engine is the server; bit 1 a ZAP handler is bound;
 *          bits 2-3 its status (200, 300, 400, 500); bit 4 its reply is
 *          malformed ([7] says how); bit 5 heartbeats; bit 6 maxmsgsize 1024
 *          (else 1 MiB)
 *   [1]    socket types (engine, peer), an index into mech_pairs
 *   [2..5] PRNG seed of the schedule
 *   [6]    bits 0-1 feed chunk sizes (1-4, 1-64, 1-1024, all); bits 2-3
 *          how much of the output a "write" takes; bits 4-5 frames the
 *          engine sends once ready (0, 2, 8, 32); bit 6 on_frame refuses
 *   [7]    the malformed ZAP reply, when bit 4 of [0] is set
 *
 * Checked: on_error at most once and no callback after it; on_ready once,
 * before any frame; every frame carries metadata (and the ZAP User-Id when
 * the handler said 200 with one); a ZAP request names the mechanism and the
 * credentials; the engine's output is a valid greeting, then well-formed
 * frames: handshake commands of the mechanism, and, for CURVE, MESSAGE
 * frames with outer flags 0 and at least 33 octets; every frame sent and
 * received is released. No clock, sockets or global state.
 */
#ifndef ZI_FUZZ_MECH_H
#define ZI_FUZZ_MECH_H

#include <string.h>

#include <sodium.h>

#include "fuzz_common.h"
#include "zinc.h"
#include "zmtp/codec.h"
#include "zmtp/command.h"
#include "zmtp/engine.h"
#include "zmtp/greeting.h"
#include "zmtp/zap.h"

#define MECH_HEADER 8
#define MECH_CLIENT_RNG 1001
#define MECH_SERVER_RNG 2002
#define MECH_USER "admin"
#define MECH_PASS "secret"

static const int mech_pairs[][2] = {
    {ZINC_DEALER, ZINC_ROUTER}, {ZINC_ROUTER, ZINC_DEALER}, {ZINC_REQ, ZINC_REP},
    {ZINC_REP, ZINC_REQ},       {ZINC_PUB, ZINC_SUB},       {ZINC_SUB, ZINC_PUB},
    {ZINC_PUSH, ZINC_PULL},     {ZINC_PULL, ZINC_PUSH},     {ZINC_PAIR, ZINC_PAIR},
    {ZINC_XSUB, ZINC_XPUB},
};
#define MECH_PAIRS (sizeof mech_pairs / sizeof mech_pairs[0])

static void mech_rng(void *ctx, uint8_t *buf, size_t n)
{
    fz_rng_t *r = ctx;
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(fz_rng_next(r) >> 56);
}

/* Fixed long-term keys: client (seed 1) and server (seed 2). */
static void mech_keypair(int seed, uint8_t pub[32], uint8_t sec[32])
{
    for (int i = 0; i < 32; i++)
        sec[i] = (uint8_t)(seed * 37 + i * 11 + 1);
    crypto_scalarmult_base(pub, sec);
}

/* The configuration of one side; rng is that side's generator (seeded here). */
static void mech_config(zmtp_config_t *cfg, int socket_type, bool server, uint8_t opts,
                        fz_rng_t *rng)
{
    zmtp_config_defaults(cfg, socket_type);
    cfg->mechanism = FUZZ_MECH;
    cfg->as_server = server;
    cfg->out_batch_size = 256; /* large frames take the separate path early */
    cfg->handshake_ivl = 5000;
    if (opts & 0x20) {
        cfg->heartbeat_ivl = 50;
        cfg->heartbeat_ttl = 1000;
        cfg->heartbeat_timeout = 200;
    }
    /* Bounded, or a peer's 3 GB frame header is a 3 GB allocation. */
    cfg->maxmsgsize = (opts & 0x40) ? 1024 : 1 << 20;
    uint8_t cpub[32], csec[32], spub[32], ssec[32];
    mech_keypair(1, cpub, csec);
    mech_keypair(2, spub, ssec);
    if (server) {
        memcpy(cfg->curve_publickey, spub, 32);
        memcpy(cfg->curve_secretkey, ssec, 32);
    } else {
        memcpy(cfg->curve_publickey, cpub, 32);
        memcpy(cfg->curve_secretkey, csec, 32);
        memcpy(cfg->curve_serverkey, spub, 32);
        cfg->plain_username_len = strlen(MECH_USER);
        memcpy(cfg->plain_username, MECH_USER, cfg->plain_username_len);
        cfg->plain_password_len = strlen(MECH_PASS);
        memcpy(cfg->plain_password, MECH_PASS, cfg->plain_password_len);
    }
    snprintf(cfg->zap_domain, sizeof cfg->zap_domain, "fuzz");
    fz_rng_seed(rng, server ? MECH_SERVER_RNG : MECH_CLIENT_RNG);
    cfg->rng = mech_rng;
    cfg->rng_ctx = rng;
}

/* ---- the peer's view of our output ------------------------------------------------ */

typedef struct {
    zmtp_greeting_parser_t gp;
    bool greeting_done;
    zmtp_decoder_t dec;
    bool dead; /* out of memory: stop checking */
} mech_out_t;

static void mech_out_frame(zinc_frame_t *f)
{
    if (f->flags & ZI_FRAME_COMMAND) {
        zmtp_command_t cmd;
        FZ_CHECK(zmtp_command_parse(f->data, f->size, &cmd) == ZI_OK);
        switch (cmd.type) {
        case ZMTP_CMD_HELLO:
        case ZMTP_CMD_WELCOME:
        case ZMTP_CMD_INITIATE:
        case ZMTP_CMD_READY:
        case ZMTP_CMD_ERROR:
            break;
        case ZMTP_CMD_PING:
        case ZMTP_CMD_PONG:
        case ZMTP_CMD_SUBSCRIBE:
        case ZMTP_CMD_CANCEL:
            /* in clear only without a sealing mechanism */
            FZ_CHECK(FUZZ_MECH != ZMTP_MECH_CURVE);
            break;
        default:
            FZ_CHECK(!"unexpected command from the engine");
        }
        if (FUZZ_MECH == ZMTP_MECH_CURVE && cmd.type == ZMTP_CMD_HELLO)
            FZ_CHECK(f->size == 200);
        if (FUZZ_MECH == ZMTP_MECH_CURVE && cmd.type == ZMTP_CMD_WELCOME)
            FZ_CHECK(f->size == 168);
    } else if (FUZZ_MECH == ZMTP_MECH_CURVE) {
        /* RFC 26 MESSAGE, as libzmq frames it: outer flags 0 */
        FZ_CHECK(!(f->flags & ZI_FRAME_MORE));
        FZ_CHECK(f->size >= 33 && memcmp(f->data, "\x07MESSAGE", 8) == 0);
    }
    zinc_frame_unref(f);
}

static void mech_out_feed(mech_out_t *o, const uint8_t *p, size_t n)
{
    while (n > 0 && !o->dead) {
        size_t used = 0;
        if (!o->greeting_done) {
            zmtp_greeting_t g;
            zi_err err = zmtp_greeting_parse(&o->gp, p, n, &used, &g);
            FZ_CHECK(err == ZI_OK || err == ZI_AGAIN);
            if (err == ZI_OK) {
                FZ_CHECK(g.version == ZMTP_V31);
                FZ_CHECK(strcmp(g.mechanism, FUZZ_MECH == ZMTP_MECH_CURVE ? "CURVE" : "PLAIN") ==
                         0);
                o->greeting_done = true;
            }
        } else {
            zinc_frame_t *f = NULL;
            zi_err err = zmtp_decoder_feed(&o->dec, p, n, &used, &f);
            FZ_CHECK(err == ZI_OK || err == ZI_AGAIN || err == ZI_ENOMEM);
            if (err == ZI_ENOMEM)
                o->dead = true;
            if (f)
                mech_out_frame(f);
        }
        FZ_CHECK(used <= n);
        p += used;
        n -= used;
    }
}

/* ---- callbacks --------------------------------------------------------------------- */

typedef struct {
    fz_rng_t rng;      /* the schedule */
    fz_rng_t mech_rng; /* the engine's randomness: fixed */
    zmtp_engine_t *eng;
    bool server, zap_bound, zap_bad, refuse;
    int zap_status;
    uint8_t zap_kind;
    unsigned write_class, chunk_class;
    bool ready, failed, zap_pending, refused;
    bool user_id; /* frames must carry User-Id */
    size_t received;
    mech_out_t out;
} mech_fuzz_t;

static void mech_on_ready(void *user, zi_props_t *peer)
{
    mech_fuzz_t *st = user;
    FZ_CHECK(!st->ready && !st->failed);
    FZ_CHECK(zi_props_get(peer, "Socket-Type", NULL) != NULL);
    st->ready = true;
}

static bool mech_on_frame(void *user, zinc_frame_t *f)
{
    mech_fuzz_t *st = user;
    FZ_CHECK(st->ready && !st->failed);
    FZ_CHECK(!(f->flags & ZI_FRAME_COMMAND));
    FZ_CHECK(zinc_frame_meta(f, "Socket-Type") != NULL);
    if (st->user_id)
        FZ_CHECK(zinc_frame_meta(f, "User-Id") != NULL);
    if (st->refuse && fz_rng_below(&st->rng, 4) == 0) {
        st->refused = true;
        return false;
    }
    st->refused = false;
    /* Touch every octet so that a bad view is caught here. */
    volatile uint64_t h = fz_hash(FZ_HASH_INIT, f->data, f->size);
    (void)h;
    st->received++;
    zinc_frame_unref(f);
    return true;
}

static void mech_on_subscribe(void *user, bool sub, const uint8_t *topic, size_t len)
{
    mech_fuzz_t *st = user;
    FZ_CHECK(st->ready && !st->failed);
    volatile uint64_t h = fz_hash(FZ_HASH_INIT, topic, len);
    (void)h;
    (void)sub;
}

static void mech_on_error(void *user, const zmtp_error_t *err)
{
    mech_fuzz_t *st = user;
    FZ_CHECK(!st->failed);
    FZ_CHECK(err->err != ZI_OK && err->err != ZI_AGAIN && err->reason != NULL);
    FZ_CHECK(err->handshake == !st->ready);
    st->failed = true;
}

static bool mech_on_zap(void *user, const zmtp_zap_request_t *req)
{
    mech_fuzz_t *st = user;
    FZ_CHECK(st->server && !st->ready && !st->failed && !st->zap_pending);
    if (FUZZ_MECH == ZMTP_MECH_CURVE) {
        FZ_CHECK(strcmp(req->mechanism, "CURVE") == 0);
        FZ_CHECK(req->ncred == 1 && req->cred_len[0] == 32);
    } else {
        FZ_CHECK(strcmp(req->mechanism, "PLAIN") == 0);
        FZ_CHECK(req->ncred == 2 && req->cred_len[0] <= 255 && req->cred_len[1] <= 255);
    }
    FZ_CHECK(strcmp(req->domain, "fuzz") == 0);
    /* The frames a session would send. */
    zinc_frame_t *frames[ZMTP_ZAP_REQUEST_FRAMES];
    size_t n = zmtp_zap_request_frames(req, "192.0.2.1", frames);
    FZ_CHECK(n == 0 || n == 7 + req->ncred);
    for (size_t i = 0; i < n; i++)
        zinc_frame_unref(frames[i]);
    if (!st->zap_bound)
        return false;
    st->zap_pending = true;
    return true;
}

/* The handler's answer: valid, or broken in the way [7] says. */
static void mech_zap_answer(mech_fuzz_t *st)
{
    char status[4];
    snprintf(status, sizeof status, "%d", st->zap_status);
    const char *parts[8] = {"", "1.0", "1", status, "OK", "fuzz-user", "", ""};
    static const uint8_t meta[] = {4, 'X', '-', 'F', 'z', 0, 0, 0, 1, 'y'};
    static const uint8_t bad_meta[] = {4, 'X', '-', 'F', 'z', 0, 0, 0, 9, 'y'};
    const uint8_t *m = meta;
    size_t mlen = sizeof meta, n = 7;
    unsigned more_flip = 99;
    if (st->zap_bad) {
        switch (st->zap_kind % 8) {
        case 0:
            n = 6;
            break;
        case 1:
            n = 8;
            break;
        case 2:
            parts[0] = "x";
            break;
        case 3:
            parts[1] = "0.9";
            break;
        case 4:
            parts[2] = "2";
            break;
        case 5:
            parts[3] = "250";
            break;
        case 6:
            m = bad_meta;
            mlen = sizeof bad_meta;
            break;
        default:
            more_flip = st->zap_kind % 7;
            break;
        }
    }
    zinc_frame_t *f[8];
    size_t made = 0;
    for (; made < n; made++) {
        f[made] =
            made == 6 ? zinc_frame_new(m, mlen) : zinc_frame_new(parts[made], strlen(parts[made]));
        if (!f[made])
            break;
        zi_frame_set_more(f[made], (made + 1 < n) != (made == more_flip));
    }
    st->zap_pending = false;
    if (made == n) {
        st->user_id = !st->zap_bad && st->zap_status == 200;
        zmtp_engine_zap_reply(st->eng, f, n);
    }
    for (size_t i = 0; i < made; i++)
        zinc_frame_unref(f[i]);
}

/* ---- schedule -------------------------------------------------------------------------- */

static void mech_drain(mech_fuzz_t *st, bool all)
{
    struct iovec iov[16];
    int cnt = zmtp_engine_output(st->eng, iov, 16);
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    size_t n = total;
    if (!all) {
        switch (st->write_class) {
        case 0:
            n = fz_rng_below(&st->rng, total + 1);
            break;
        case 1:
            n = total < 7 ? total : fz_rng_below(&st->rng, 8);
            break;
        default:
            break;
        }
    }
    size_t left = n;
    for (int i = 0; i < cnt && left > 0; i++) {
        size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
        mech_out_feed(&st->out, iov[i].iov_base, k);
        left -= k;
    }
    zmtp_engine_written(st->eng, n);
}

static void mech_send(mech_fuzz_t *st, const uint8_t *fill, size_t fill_len)
{
    static const size_t top[] = {0, 40, 300, 3000};
    size_t size = fz_rng_below(&st->rng, top[fz_rng_below(&st->rng, 4)] + 1);
    if (fz_rng_below(&st->rng, 5) == 0) {
        size_t len = size < fill_len ? size : fill_len;
        len = len > 40 ? 40 : len;
        zi_err err = zmtp_engine_send_subscribe(st->eng, fz_rng_below(&st->rng, 2), fill, len);
        FZ_CHECK(err == ZI_OK || err == ZI_ENOMEM);
        return;
    }
    zinc_frame_t *f = zinc_frame_new_size(size);
    if (!f)
        return;
    for (size_t i = 0; i < size; i++)
        f->data[i] = fill_len ? fill[i % fill_len] : (uint8_t)i;
    zi_err err = zmtp_engine_send(st->eng, f, fz_rng_below(&st->rng, 3) == 0);
    FZ_CHECK(err == ZI_OK || err == ZI_ENOMEM);
}

static size_t mech_chunk(mech_fuzz_t *st, size_t left)
{
    static const size_t top[] = {4, 64, 1024, SIZE_MAX};
    size_t n =
        top[st->chunk_class] == SIZE_MAX ? left : fz_rng_range(&st->rng, 1, top[st->chunk_class]);
    return n < left ? n : left;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < MECH_HEADER)
        return 0;
    mech_fuzz_t st;
    memset(&st, 0, sizeof st);
    uint8_t opts = data[0];
    st.server = opts & 1;
    st.zap_bound = opts & 2;
    st.zap_status = 200 + 100 * ((opts >> 2) & 3);
    st.zap_bad = opts & 0x10;
    st.zap_kind = data[7];
    const int *pair = mech_pairs[data[1] % MECH_PAIRS];
    fz_rng_seed(&st.rng, (uint64_t)data[2] << 24 | (uint64_t)data[3] << 16 |
                             (uint64_t)data[4] << 8 | data[5]);
    st.chunk_class = data[6] & 3;
    st.write_class = (data[6] >> 2) & 3;
    static const unsigned sends[] = {0, 2, 8, 32};
    unsigned to_send = sends[(data[6] >> 4) & 3];
    st.refuse = data[6] & 0x40;
    data += MECH_HEADER;
    size -= MECH_HEADER;

    zmtp_config_t cfg;
    mech_config(&cfg, pair[0], st.server, opts, &st.mech_rng);
    zmtp_greeting_parser_init(&st.out.gp);
    zmtp_decoder_init(&st.out.dec, -1);
    zmtp_callbacks_t cb = {mech_on_ready, mech_on_frame, mech_on_subscribe, mech_on_error};
    int64_t now = 1000;
    st.eng = zmtp_engine_new(&cfg, &cb, &st, now);
    if (!st.eng)
        goto out;
    zmtp_engine_set_zap(st.eng, mech_on_zap);

    size_t pos = 0;
    for (size_t step = 0; step < 8 * size + 64; step++) {
        FZ_CHECK(zmtp_engine_failed(st.eng) == st.failed);
        if (st.failed)
            break;
        if (st.zap_pending && fz_rng_below(&st.rng, 2)) {
            mech_zap_answer(&st);
            continue;
        }
        if (st.refused) {
            zmtp_engine_resume(st.eng);
            continue;
        }
        if (pos < size) {
            size_t n = mech_chunk(&st, size - pos);
            size_t used = zmtp_engine_feed(st.eng, data + pos, n);
            FZ_CHECK(used <= n);
            if (used < n)
                FZ_CHECK(st.failed || st.refused || st.zap_pending);
            pos += used;
        } else if (!st.zap_pending) {
            break;
        }
        if (fz_rng_below(&st.rng, 4) == 0) {
            now += (int64_t)fz_rng_below(&st.rng, 120);
            int64_t next = zmtp_engine_tick(st.eng, now);
            FZ_CHECK(st.failed ? next == INT64_MAX : next >= now);
        }
        mech_drain(&st, false);
        if (st.ready && !st.failed && to_send && fz_rng_below(&st.rng, 2)) {
            to_send--;
            mech_send(&st, data, size);
        }
    }
    if (!st.failed && st.ready)
        while (to_send--)
            mech_send(&st, data, size);
    mech_drain(&st, true);
    mech_drain(&st, true);
    if (getenv("FUZZ_MECH_TRACE"))
        fprintf(stderr, "fuzz_mech: %s ready=%d failed=%d received=%zu\n",
                st.server ? "server" : "client", st.ready, st.failed, st.received);
    zmtp_engine_free(st.eng);
out:
    zmtp_decoder_fini(&st.out.dec);
    return 0;
}

#endif
