/* zinc demo's standard messages and the message helpers its two parts
 * share (zinc_tool.h describes the messages; tools/demo_peer.py computes the
 * same octets on the libzmq side).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zinc_tool.h"

#define DEMO_TIMEOUT_MS 5000

/* ---- standard messages ---------------------------------------------------- */

static const size_t demo_single[] = {0, 1, 255, 256, 65536, 1 << 20};
static const size_t demo_multi[] = {7, 100000, 0};

static size_t demo_nframes(int m)
{
    return m < 6 ? 1 : 3;
}

static size_t demo_frame_size(int m, size_t f)
{
    return m < 6 ? demo_single[m] : demo_multi[f];
}

static void demo_fill(uint8_t *p, int m, size_t f, size_t n)
{
    unsigned k = (unsigned)(m * 7 + (int)f * 3 + 1) % 251;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(((i % 251) * 131 + k) % 251);
}

zinc_socket_t *zt_demo_socket(zinc_ctx_t *ctx, int type)
{
    zinc_socket_t *s = zinc_socket_new(ctx, type);
    if (!s)
        return NULL;
    if (zinc_set_int(s, "linger", 0) != 0 || zinc_set_int(s, "rcvtimeo", DEMO_TIMEOUT_MS) != 0 ||
        zinc_set_int(s, "sndtimeo", DEMO_TIMEOUT_MS) != 0) {
        int err = errno;
        zinc_socket_close(s);
        errno = err;
        return NULL;
    }
    return s;
}

void zt_msg_clear(zt_msg_t *msg)
{
    for (size_t i = 0; i < msg->n; i++)
        zinc_frame_unref(msg->f[i]);
    msg->n = 0;
}

int zt_msg_recv(zinc_socket_t *s, zt_msg_t *msg)
{
    msg->n = 0;
    for (;;) {
        zinc_frame_t *f = zinc_recv_frame(s, 0);
        if (!f) {
            int err = errno;
            zt_msg_clear(msg);
            errno = err;
            return -1;
        }
        if (msg->n == ZT_DEMO_MAX_FRAMES) {
            zinc_frame_unref(f);
            zt_msg_clear(msg);
            errno = E2BIG;
            return -1;
        }
        msg->f[msg->n++] = f;
        if (!zinc_frame_more(f))
            return 0;
    }
}

int zt_msg_send(zinc_socket_t *s, zt_msg_t *msg, size_t from)
{
    int rc = 0;
    for (size_t i = 0; i < msg->n; i++) {
        zinc_frame_t *f = msg->f[i];
        msg->f[i] = NULL;
        if (i < from || rc != 0) {
            zinc_frame_unref(f);
            continue;
        }
        if (zinc_send_frame(s, f, i + 1 < msg->n ? ZINC_MORE : 0) != 0) {
            int err = errno;
            zinc_frame_unref(f);
            errno = err;
            rc = -1;
        }
    }
    msg->n = 0;
    return rc;
}

int zt_demo_send(zinc_socket_t *s, int m, const zt_msg_t *env)
{
    if (env) {
        for (size_t i = 0; i < env->n; i++)
            if (zinc_send_frame(s, zinc_frame_ref(env->f[i]), ZINC_MORE) != 0) {
                int err = errno;
                zinc_frame_unref(env->f[i]);
                errno = err;
                return -1;
            }
    }
    size_t nf = demo_nframes(m);
    for (size_t f = 0; f < nf; f++) {
        size_t n = demo_frame_size(m, f);
        zinc_frame_t *fr = zinc_frame_new_size(n);
        if (!fr)
            return -1;
        if (n)
            demo_fill(zinc_frame_data_mut(fr), m, f, n);
        if (zinc_send_frame(s, fr, f + 1 < nf ? ZINC_MORE : 0) != 0) {
            int err = errno;
            zinc_frame_unref(fr);
            errno = err;
            return -1;
        }
    }
    return 0;
}

bool zt_demo_is(const zt_msg_t *msg, size_t from, int m, char *why, size_t cap)
{
    size_t nf = demo_nframes(m);
    if (msg->n < from || msg->n - from != nf) {
        snprintf(why, cap, "message %d: %zu frames, want %zu", m, msg->n < from ? 0 : msg->n - from,
                 nf);
        return false;
    }
    for (size_t f = 0; f < nf; f++) {
        size_t n = demo_frame_size(m, f);
        size_t got = zinc_frame_size(msg->f[from + f]);
        if (got != n) {
            snprintf(why, cap, "message %d frame %zu: %zu octets, want %zu", m, f, got, n);
            return false;
        }
        uint8_t *want = malloc(n ? n : 1);
        if (!want) {
            snprintf(why, cap, "out of memory");
            return false;
        }
        demo_fill(want, m, f, n);
        bool same = n == 0 || memcmp(want, zinc_frame_data(msg->f[from + f]), n) == 0;
        free(want);
        if (!same) {
            snprintf(why, cap, "message %d frame %zu: the octets differ", m, f);
            return false;
        }
    }
    return true;
}

bool zt_demo_expect(zinc_socket_t *s, int m, zt_msg_t *env_out, char *why, size_t cap)
{
    zt_msg_t msg;
    if (zt_msg_recv(s, &msg) != 0) {
        snprintf(why, cap, "receiving message %d: %s", m, zinc_strerror(errno));
        return false;
    }
    size_t from = env_out ? 1 : 0;
    bool ok = zt_demo_is(&msg, from, m, why, cap);
    if (ok && env_out) {
        env_out->f[0] = msg.f[0];
        env_out->n = 1;
        msg.f[0] = zinc_frame_ref(msg.f[0]);
    }
    zt_msg_clear(&msg);
    return ok;
}
