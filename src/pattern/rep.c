/* REP (RFC 28 REQREP): fair-queues requests and answers each on the peer it
 * came from.
 *
 * A request is an envelope (every frame up to and including the first empty
 * one, the delimiter) followed by the body. REP keeps the envelope, hands the
 * application only the body, and puts the envelope back in front of the reply.
 * A request without a delimiter is dropped. Receiving while a reply is due,
 * or sending when no request was received, is EFSM. A reply to a peer that
 * went away, or whose queue is full, is dropped (REP never blocks on send).
 * Behaviour follows libzmq 4.3's rep_t.
 */
#include <errno.h>
#include <stdlib.h>

#include "pattern/strategy.h"

typedef struct {
    zi_sock_t *s;
    zi_fq_t fq;
    bool sending_reply;    /* a whole request was received; its reply is due */
    bool request_begins;   /* the next frame received starts a request */
    bool reply_begins;     /* the next frame sent starts the reply */
    zi_pipe_t *reply_pipe; /* where the request came from (NULL: gone) */
    zi_pipe_t *out;        /* the reply being written goes here (NULL: dropped) */
    zinc_frame_t **env;    /* the saved envelope, delimiter last */
    size_t nenv, cap_env;
} rep_t;

static int rep_init(void *st, zi_sock_t *s)
{
    rep_t *r = st;
    r->s = s;
    r->request_begins = true;
    r->reply_begins = true;
    return 0;
}

static void rep_env_clear(rep_t *r)
{
    for (size_t i = 0; i < r->nenv; i++)
        zinc_frame_unref(r->env[i]);
    r->nenv = 0;
}

static void rep_fini(void *st)
{
    rep_t *r = st;
    rep_env_clear(r);
    free(r->env);
    zi_fq_fini(&r->fq);
}

static int rep_env_push(rep_t *r, zinc_frame_t *f)
{
    if (r->nenv == r->cap_env) {
        size_t c = r->cap_env ? r->cap_env * 2 : 4;
        zinc_frame_t **a = realloc(r->env, c * sizeof *a);
        if (!a)
            return -1;
        r->env = a;
        r->cap_env = c;
    }
    r->env[r->nenv++] = f;
    return 0;
}

static void rep_attach(void *st, zi_pipe_t *p)
{
    if (zi_fq_attach(&((rep_t *)st)->fq, p) != 0)
        zi_pipe_close(p);
}

static void rep_detach(void *st, zi_pipe_t *p)
{
    rep_t *r = st;
    if (r->reply_pipe == p)
        r->reply_pipe = NULL;
    if (r->out == p)
        r->out = NULL; /* the rest of this reply goes nowhere */
    zi_fq_detach(&r->fq, p);
}

static void rep_read_activated(void *st, zi_pipe_t *p)
{
    zi_fq_activated(&((rep_t *)st)->fq, p);
}

static void rep_write_activated(void *st, zi_pipe_t *p)
{
    (void)st;
    (void)p;
}

/* Writes the saved envelope to the reply pipe, or drops it. */
static void rep_begin_reply(rep_t *r)
{
    r->out = NULL;
    if (r->reply_pipe && zi_pipe_check_write(r->reply_pipe)) {
        r->out = r->reply_pipe;
        for (size_t i = 0; i < r->nenv; i++) {
            zinc_frame_t *f = r->env[i];
            zi_frame_set_more(f, true);
            if (zi_pipe_write(r->out, f) != ZI_OK) {
                zi_pipe_rollback(r->out);
                r->out = NULL;
                break;
            }
            r->env[i] = NULL; /* the pipe owns it */
        }
    }
    for (size_t i = 0; i < r->nenv; i++)
        if (r->env[i])
            zinc_frame_unref(r->env[i]);
    r->nenv = 0;
}

static int rep_send(void *st, zinc_frame_t *f)
{
    rep_t *r = st;
    if (!r->sending_reply) {
        errno = ZINC_EFSM;
        return -1;
    }
    if (r->reply_begins) {
        rep_begin_reply(r);
        r->reply_begins = false;
    }
    bool more = zi_frame_is_more(f);
    if (r->out && zi_pipe_write(r->out, f) != ZI_OK) {
        zi_pipe_rollback(r->out);
        r->out = NULL;
    }
    if (!r->out)
        zinc_frame_unref(f);
    if (!more) {
        if (r->out)
            zi_pipe_flush(r->out);
        r->out = NULL;
        r->sending_reply = false;
        r->reply_begins = true;
    }
    return 0;
}

/* Drops f and the frames of its message that follow. */
static void rep_skip_rest(rep_t *r, zinc_frame_t *f)
{
    while (f && zi_frame_is_more(f)) {
        zinc_frame_unref(f);
        f = zi_fq_recv(&r->fq, r->s, NULL); /* never NULL: messages arrive whole */
    }
    if (f)
        zinc_frame_unref(f);
}

static zinc_frame_t *rep_recv(void *st)
{
    rep_t *r = st;
    if (r->sending_reply) {
        errno = ZINC_EFSM;
        return NULL;
    }
    zi_pipe_t *from = NULL;
    if (r->request_begins) {
        /* Save the envelope: every frame up to the empty delimiter. */
        for (;;) {
            zinc_frame_t *f = zi_fq_recv(&r->fq, r->s, &from);
            if (!f)
                return NULL; /* between messages: the envelope is empty */
            if (!zi_frame_is_more(f)) {
                /* RFC 28: no delimiter: a malformed request, dropped. */
                zinc_frame_unref(f);
                rep_env_clear(r);
                continue;
            }
            bool bottom = f->size == 0;
            if (rep_env_push(r, f) != 0) {
                /* Out of memory: drop the whole request. */
                rep_env_clear(r);
                rep_skip_rest(r, f);
                continue;
            }
            r->reply_pipe = from;
            if (bottom)
                break;
        }
        r->request_begins = false;
    }
    zinc_frame_t *f = zi_fq_recv(&r->fq, r->s, &from);
    if (!f)
        return NULL; /* cannot happen: messages arrive whole */
    if (!zi_frame_is_more(f)) {
        r->sending_reply = true;
        r->request_begins = true;
    }
    return f;
}

static bool rep_has_in(void *st)
{
    rep_t *r = st;
    return !r->sending_reply && zi_fq_has_in(&r->fq);
}

static bool rep_has_out(void *st)
{
    return ((rep_t *)st)->sending_reply;
}

const zi_pattern_ops_t zi_pattern_rep = {
    .type = ZINC_REP,
    .size = sizeof(rep_t),
    .init = rep_init,
    .fini = rep_fini,
    .attach = rep_attach,
    .detach = rep_detach,
    .read_activated = rep_read_activated,
    .write_activated = rep_write_activated,
    .send = rep_send,
    .recv = rep_recv,
    .has_in = rep_has_in,
    .has_out = rep_has_out,
};
