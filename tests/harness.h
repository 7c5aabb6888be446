/* A test peer around one zmtp engine: callbacks that record what arrives,
 * and helpers that drain an engine's output and wire two engines back to
 * back. Test-only; everything is static inline so each test file takes what
 * it uses. A misuse aborts.
 */
#ifndef ZT_HARNESS_H
#define ZT_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "zmtp/engine.h"

typedef struct {
    zmtp_engine_t *eng;
    /* recorded by the callbacks */
    int ready;              /* on_ready calls */
    zi_props_t *ready_meta; /* what on_ready passed (a reference) */
    int errors;             /* on_error calls */
    zmtp_error_t err;       /* the last one */
    zinc_frame_t **frames;  /* accepted frames, references owned here */
    size_t nframes, cap;
    int subs; /* on_subscribe calls */
    bool sub_last;
    uint8_t topic[256];
    size_t topic_len;
    int refuse; /* on_frame refuses this many more frames (-1: all) */
    int refused;
} zt_peer_t;

static inline void zt_harness_die(const char *what)
{
    fprintf(stderr, "harness: %s\n", what);
    abort();
}

static inline void zt_peer_on_ready(void *user, zi_props_t *peer)
{
    zt_peer_t *p = user;
    p->ready++;
    zi_props_unref(p->ready_meta);
    p->ready_meta = zi_props_ref(peer);
}

static inline bool zt_peer_on_frame(void *user, zinc_frame_t *f)
{
    zt_peer_t *p = user;
    if (p->refuse != 0) {
        if (p->refuse > 0)
            p->refuse--;
        p->refused++;
        return false;
    }
    if (p->nframes == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->frames = realloc(p->frames, p->cap * sizeof *p->frames);
        if (!p->frames)
            zt_harness_die("out of memory");
    }
    p->frames[p->nframes++] = f;
    return true;
}

static inline void zt_peer_on_subscribe(void *user, bool sub, const uint8_t *topic, size_t len)
{
    zt_peer_t *p = user;
    if (len > sizeof p->topic)
        zt_harness_die("topic too long for the harness");
    p->subs++;
    p->sub_last = sub;
    if (len)
        memcpy(p->topic, topic, len);
    p->topic_len = len;
}

static inline void zt_peer_on_error(void *user, const zmtp_error_t *err)
{
    zt_peer_t *p = user;
    p->errors++;
    p->err = *err;
}

static inline const zmtp_callbacks_t *zt_peer_callbacks(void)
{
    static const zmtp_callbacks_t cb = {
        .on_ready = zt_peer_on_ready,
        .on_frame = zt_peer_on_frame,
        .on_subscribe = zt_peer_on_subscribe,
        .on_error = zt_peer_on_error,
    };
    return &cb;
}

static inline void zt_peer_init(zt_peer_t *p, const zmtp_config_t *cfg, int64_t now)
{
    memset(p, 0, sizeof *p);
    p->eng = zmtp_engine_new(cfg, zt_peer_callbacks(), p, now);
    if (!p->eng)
        zt_harness_die("zmtp_engine_new failed");
}

/* A peer with default options for a socket type. */
static inline void zt_peer_init_type(zt_peer_t *p, int socket_type)
{
    zmtp_config_t cfg;
    zmtp_config_defaults(&cfg, socket_type);
    zt_peer_init(p, &cfg, 0);
}

static inline void zt_peer_clear_frames(zt_peer_t *p)
{
    for (size_t i = 0; i < p->nframes; i++)
        zinc_frame_unref(p->frames[i]);
    p->nframes = 0;
}

static inline void zt_peer_fini(zt_peer_t *p)
{
    zmtp_engine_free(p->eng);
    zt_peer_clear_frames(p);
    free(p->frames);
    zi_props_unref(p->ready_meta);
    memset(p, 0, sizeof *p);
}

/* Takes everything the engine has to write, in at most max_write octets per
 * write (0: no limit), appending to *buf (realloc'd) and *len. Returns the
 * number of octets taken. */
static inline size_t zt_drain_into(zmtp_engine_t *e, size_t max_write, uint8_t **buf, size_t *len)
{
    size_t total = 0;
    for (;;) {
        struct iovec iov[8];
        int n = zmtp_engine_output(e, iov, 8);
        if (n == 0)
            break;
        size_t want = 0;
        for (int i = 0; i < n; i++)
            want += iov[i].iov_len;
        if (max_write && want > max_write)
            want = max_write;
        uint8_t *nb = realloc(*buf, *len + want + 1);
        if (!nb)
            zt_harness_die("out of memory");
        *buf = nb;
        size_t got = 0;
        for (int i = 0; i < n && got < want; i++) {
            size_t take = iov[i].iov_len < want - got ? iov[i].iov_len : want - got;
            memcpy(*buf + *len + got, iov[i].iov_base, take);
            got += take;
        }
        *len += got;
        total += got;
        zmtp_engine_written(e, got);
    }
    return total;
}

/* Everything the engine has to write, in a new buffer (free it). */
static inline uint8_t *zt_drain(zmtp_engine_t *e, size_t *len)
{
    uint8_t *buf = NULL;
    *len = 0;
    zt_drain_into(e, 0, &buf, len);
    return buf;
}

/* Drops whatever the engine has to write. */
static inline void zt_discard_output(zmtp_engine_t *e)
{
    size_t len;
    free(zt_drain(e, &len));
}

/* Moves bytes between two engines until neither has anything to say or
 * both stopped consuming. A failed engine still has its output delivered (a
 * transport writes what is left before closing). */
static inline void zt_pump(zt_peer_t *a, zt_peer_t *b)
{
    for (int round = 0; round < 1000; round++) {
        size_t la, lb;
        uint8_t *oa = zt_drain(a->eng, &la);
        uint8_t *ob = zt_drain(b->eng, &lb);
        if (la)
            zmtp_engine_feed(b->eng, oa, la);
        if (lb)
            zmtp_engine_feed(a->eng, ob, lb);
        free(oa);
        free(ob);
        if (la == 0 && lb == 0)
            return;
    }
    zt_harness_die("zt_pump: no quiescence after 1000 rounds");
}

#endif
