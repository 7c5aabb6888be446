/* Helpers for the PLAIN and CURVE tests: deterministic randomness and keys,
 * engine configurations for each role, a ZAP handler stub, and transcripts
 * of what two engines said to each other. Test-only, single-threaded;
 * include after harness.h and <cmocka.h>. A misuse aborts or fails the test.
 */
#ifndef ZT_SECHELP_H
#define ZT_SECHELP_H

#include <sodium.h>

#include "harness.h"
#include "testutil.h"
#include "zmtp/zap.h"

/* ---- randomness and keys ----------------------------------------------------- */

static inline void zt_sec_rng(void *ctx, uint8_t *buf, size_t n)
{
    zt_rand_bytes((uint64_t *)ctx, buf, n);
}

typedef struct {
    uint8_t pub[32], sec[32];
} zt_keypair_t;

/* A long-term pair drawn from seed (the same seed, the same pair). */
static inline zt_keypair_t zt_keypair(uint64_t seed)
{
    zt_keypair_t k;
    zt_rand_bytes(&seed, k.sec, sizeof k.sec);
    crypto_scalarmult_base(k.pub, k.sec);
    return k;
}

/* Two peers with their own deterministic rng states. */
typedef struct {
    zmtp_config_t client, server;
    uint64_t client_rng, server_rng;
} zt_sec_pair_t;

/* CURVE client of type ct and server of type st, fixed keys, rng seeds. */
static inline void zt_curve_configs(zt_sec_pair_t *p, int ct, int st)
{
    zt_keypair_t ck = zt_keypair(11), sk = zt_keypair(22);
    zmtp_config_defaults(&p->client, ct);
    zmtp_config_defaults(&p->server, st);
    p->client.mechanism = p->server.mechanism = ZMTP_MECH_CURVE;
    p->server.as_server = true;
    memcpy(p->client.curve_publickey, ck.pub, 32);
    memcpy(p->client.curve_secretkey, ck.sec, 32);
    memcpy(p->client.curve_serverkey, sk.pub, 32);
    memcpy(p->server.curve_publickey, sk.pub, 32);
    memcpy(p->server.curve_secretkey, sk.sec, 32);
    p->client_rng = 1001;
    p->server_rng = 2002;
    p->client.rng = p->server.rng = zt_sec_rng;
    p->client.rng_ctx = &p->client_rng;
    p->server.rng_ctx = &p->server_rng;
}

static inline void zt_plain_configs(zt_sec_pair_t *p, int ct, int st, const char *user,
                                    const char *pass)
{
    zmtp_config_defaults(&p->client, ct);
    zmtp_config_defaults(&p->server, st);
    p->client.mechanism = p->server.mechanism = ZMTP_MECH_PLAIN;
    p->server.as_server = true;
    p->client.plain_username_len = strlen(user);
    memcpy(p->client.plain_username, user, p->client.plain_username_len);
    p->client.plain_password_len = strlen(pass);
    memcpy(p->client.plain_password, pass, p->client.plain_password_len);
}

/* ---- a ZAP handler stub --------------------------------------------------------- */

typedef struct {
    bool bound;   /* else the hook says "no handler" */
    int requests; /* hook calls */
    bool pending; /* a request waits for zt_zap_answer */
    zinc_frame_t *req[ZMTP_ZAP_REQUEST_FRAMES];
    size_t nreq;
} zt_zap_t;

static zt_zap_t zt_zap;

static inline void zt_zap_reset(bool bound)
{
    for (size_t i = 0; i < zt_zap.nreq; i++)
        zinc_frame_unref(zt_zap.req[i]);
    memset(&zt_zap, 0, sizeof zt_zap);
    zt_zap.bound = bound;
}

static inline bool zt_zap_fn(void *user, const zmtp_zap_request_t *req)
{
    (void)user;
    zt_zap.requests++;
    if (!zt_zap.bound)
        return false;
    for (size_t i = 0; i < zt_zap.nreq; i++)
        zinc_frame_unref(zt_zap.req[i]);
    zt_zap.nreq = zmtp_zap_request_frames(req, "127.0.0.1", zt_zap.req);
    if (zt_zap.nreq == 0)
        zt_harness_die("zap request frames");
    zt_zap.pending = true;
    return true;
}

/* Request frame i as a C string (they are short). */
static inline const char *zt_zap_req_str(size_t i, char *buf, size_t cap)
{
    size_t n = zt_zap.req[i]->size < cap - 1 ? zt_zap.req[i]->size : cap - 1;
    memcpy(buf, zt_zap.req[i]->data, n);
    buf[n] = '\0';
    return buf;
}

/* Answers the pending request with the given frames (NULL: the usual). */
static inline void zt_zap_reply_frames(zmtp_engine_t *e, const char *const *parts, size_t n,
                                       const uint8_t *meta, size_t meta_len)
{
    zinc_frame_t *f[8];
    if (n > 8)
        zt_harness_die("too many reply frames");
    for (size_t i = 0; i < n; i++) {
        bool is_meta = meta && i == 6;
        f[i] = is_meta ? zinc_frame_new(meta, meta_len)
                       : zinc_frame_new(parts[i], parts[i] ? strlen(parts[i]) : 0);
        if (!f[i])
            zt_harness_die("frame");
        zi_frame_set_more(f[i], i + 1 < n);
    }
    zt_zap.pending = false;
    zmtp_engine_zap_reply(e, f, n);
    for (size_t i = 0; i < n; i++)
        zinc_frame_unref(f[i]);
}

static inline void zt_zap_answer(zmtp_engine_t *e, const char *status, const char *user_id)
{
    const char *parts[7] = {"", "1.0", "1", status, "text", user_id, ""};
    zt_zap_reply_frames(e, parts, 7, NULL, 0);
}

/* zt_pump, answering each ZAP request with status and user_id. */
static inline void zt_pump_zap(zt_peer_t *client, zt_peer_t *server, const char *status,
                               const char *user_id)
{
    for (int i = 0; i < 4; i++) {
        zt_pump(client, server);
        if (!zt_zap.pending)
            return;
        zt_zap_answer(server->eng, status, user_id);
    }
}

/* ---- transcripts -------------------------------------------------------------- */

typedef struct {
    uint8_t *c2s, *s2c; /* everything each side wrote, in order */
    size_t c2s_len, s2c_len;
} zt_transcript_t;

/* Runs a whole exchange between client and server engines made from the
 * configs, recording both directions; ZAP requests get status/user_id. */
static inline void zt_transcript(const zmtp_config_t *cc, const zmtp_config_t *sc, bool zap,
                                 const char *status, zt_transcript_t *t)
{
    zt_peer_t c, s;
    memset(t, 0, sizeof *t);
    zt_peer_init(&c, cc, 0);
    zt_peer_init(&s, sc, 0);
    zmtp_engine_set_zap(s.eng, zt_zap_fn);
    zt_zap_reset(zap);
    for (int round = 0; round < 100; round++) {
        size_t oc = t->c2s_len, os = t->s2c_len;
        zt_drain_into(c.eng, 0, &t->c2s, &t->c2s_len);
        zt_drain_into(s.eng, 0, &t->s2c, &t->s2c_len);
        if (t->c2s_len > oc)
            zmtp_engine_feed(s.eng, t->c2s + oc, t->c2s_len - oc);
        if (t->s2c_len > os)
            zmtp_engine_feed(c.eng, t->s2c + os, t->s2c_len - os);
        if (zt_zap.pending)
            zt_zap_answer(s.eng, status, "");
        else if (t->c2s_len == oc && t->s2c_len == os)
            break;
    }
    zt_peer_fini(&c);
    zt_peer_fini(&s);
    zt_zap_reset(false);
}

static inline void zt_transcript_free(zt_transcript_t *t)
{
    free(t->c2s);
    free(t->s2c);
}

#endif
