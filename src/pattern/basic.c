/* PAIR, PUSH, PULL and DEALER: the patterns that are one or two strategies
 * and nothing more (RFC 31 EXPAIR, RFC 30 PIPELINE, RFC 28's DEALER). */
#include <errno.h>

#include "core/socket.h"
#include "pattern/strategy.h"
#include "zinc.h"

static void basic_fini_none(void *st)
{
    (void)st;
}

static int basic_no_send(void *st, zinc_frame_t *f)
{
    (void)st;
    (void)f;
    errno = ENOTSUP;
    return -1;
}

static zinc_frame_t *basic_no_recv(void *st)
{
    (void)st;
    errno = ENOTSUP;
    return NULL;
}

static bool basic_never(void *st)
{
    (void)st;
    return false;
}

/* ---- PAIR: exactly one peer ------------------------------------------------ */

typedef struct {
    zi_sock_t *s;
    zi_pipe_t *pipe;
    bool more_out;
} pair_t;

static int pair_init(void *st, zi_sock_t *s)
{
    ((pair_t *)st)->s = s;
    return 0;
}

static void pair_attach(void *st, zi_pipe_t *p)
{
    pair_t *pr = st;
    /* A PAIR talks to one peer at a time; later ones are refused, as
     * libzmq does. */
    if (pr->pipe) {
        zi_pipe_close(p);
        return;
    }
    pr->pipe = p;
}

static void pair_detach(void *st, zi_pipe_t *p)
{
    pair_t *pr = st;
    if (pr->pipe == p) {
        pr->pipe = NULL;
        pr->more_out = false;
    }
}

static void pair_noop(void *st, zi_pipe_t *p)
{
    (void)st;
    (void)p;
}

static int pair_send(void *st, zinc_frame_t *f)
{
    pair_t *pr = st;
    if (!pr->pipe || !zi_pipe_check_write(pr->pipe) || zi_pipe_write(pr->pipe, f) != ZI_OK) {
        errno = EAGAIN;
        return -1;
    }
    pr->more_out = zi_frame_is_more(f);
    if (!pr->more_out)
        zi_pipe_flush(pr->pipe);
    return 0;
}

static zinc_frame_t *pair_recv(void *st)
{
    pair_t *pr = st;
    zinc_frame_t *f = pr->pipe ? zi_sock_pipe_read(pr->s, pr->pipe) : NULL;
    if (!f)
        errno = EAGAIN;
    return f;
}

static bool pair_has_in(void *st)
{
    pair_t *pr = st;
    return pr->pipe && zi_pipe_check_read(pr->pipe);
}

static bool pair_has_out(void *st)
{
    pair_t *pr = st;
    return pr->pipe && (pr->more_out || zi_pipe_check_write(pr->pipe));
}

const zi_pattern_ops_t zi_pattern_pair = {
    .type = ZINC_PAIR,
    .size = sizeof(pair_t),
    .init = pair_init,
    .fini = basic_fini_none,
    .attach = pair_attach,
    .detach = pair_detach,
    .read_activated = pair_noop,
    .write_activated = pair_noop,
    .send = pair_send,
    .recv = pair_recv,
    .has_in = pair_has_in,
    .has_out = pair_has_out,
};

/* ---- PUSH, PULL, DEALER ------------------------------------------------------ */

typedef struct {
    zi_sock_t *s;
    zi_lb_t lb;
    zi_fq_t fq;
} lbfq_t;

static int lbfq_init(void *st, zi_sock_t *s)
{
    ((lbfq_t *)st)->s = s;
    return 0;
}

static void lbfq_fini(void *st)
{
    lbfq_t *x = st;
    zi_lb_fini(&x->lb);
    zi_fq_fini(&x->fq);
}

static void push_attach(void *st, zi_pipe_t *p)
{
    if (zi_lb_attach(&((lbfq_t *)st)->lb, p) != 0)
        zi_pipe_close(p);
}

static void pull_attach(void *st, zi_pipe_t *p)
{
    if (zi_fq_attach(&((lbfq_t *)st)->fq, p) != 0)
        zi_pipe_close(p);
}

/* probe_router: an empty message to each new peer, as libzmq's dealer_t. */
static void dealer_probe(lbfq_t *x, zi_pipe_t *p)
{
    if (!zi_optset_int(zi_sock_opts(x->s), ZI_OPT_PROBE_ROUTER) || !zi_pipe_check_write(p))
        return;
    zinc_frame_t *f = zinc_frame_new(NULL, 0);
    if (f && zi_pipe_write(p, f) != ZI_OK)
        zinc_frame_unref(f);
    zi_pipe_flush(p);
}

static void dealer_attach(void *st, zi_pipe_t *p)
{
    lbfq_t *x = st;
    dealer_probe(x, p);
    if (zi_lb_attach(&x->lb, p) != 0)
        zi_pipe_close(p);
    else if (zi_fq_attach(&x->fq, p) != 0) {
        zi_lb_detach(&x->lb, p);
        zi_pipe_close(p);
    }
}

static void lbfq_detach(void *st, zi_pipe_t *p)
{
    lbfq_t *x = st;
    zi_lb_detach(&x->lb, p);
    zi_fq_detach(&x->fq, p);
}

static void lbfq_read_activated(void *st, zi_pipe_t *p)
{
    zi_fq_activated(&((lbfq_t *)st)->fq, p);
}

static void lbfq_write_activated(void *st, zi_pipe_t *p)
{
    zi_lb_activated(&((lbfq_t *)st)->lb, p);
}

static int lbfq_send(void *st, zinc_frame_t *f)
{
    return zi_lb_send(&((lbfq_t *)st)->lb, f, NULL);
}

static zinc_frame_t *lbfq_recv(void *st)
{
    lbfq_t *x = st;
    return zi_fq_recv(&x->fq, x->s, NULL);
}

static bool lbfq_has_in(void *st)
{
    return zi_fq_has_in(&((lbfq_t *)st)->fq);
}
static bool lbfq_has_out(void *st)
{
    return zi_lb_has_out(&((lbfq_t *)st)->lb);
}

const zi_pattern_ops_t zi_pattern_push = {
    .type = ZINC_PUSH,
    .size = sizeof(lbfq_t),
    .init = lbfq_init,
    .fini = lbfq_fini,
    .attach = push_attach,
    .detach = lbfq_detach,
    .read_activated = lbfq_read_activated,
    .write_activated = lbfq_write_activated,
    .send = lbfq_send,
    .recv = basic_no_recv,
    .has_in = basic_never,
    .has_out = lbfq_has_out,
};

const zi_pattern_ops_t zi_pattern_pull = {
    .type = ZINC_PULL,
    .size = sizeof(lbfq_t),
    .init = lbfq_init,
    .fini = lbfq_fini,
    .attach = pull_attach,
    .detach = lbfq_detach,
    .read_activated = lbfq_read_activated,
    .write_activated = lbfq_write_activated,
    .send = basic_no_send,
    .recv = lbfq_recv,
    .has_in = lbfq_has_in,
    .has_out = basic_never,
};

const zi_pattern_ops_t zi_pattern_dealer = {
    .type = ZINC_DEALER,
    .size = sizeof(lbfq_t),
    .init = lbfq_init,
    .fini = lbfq_fini,
    .attach = dealer_attach,
    .detach = lbfq_detach,
    .read_activated = lbfq_read_activated,
    .write_activated = lbfq_write_activated,
    .send = lbfq_send,
    .recv = lbfq_recv,
    .has_in = lbfq_has_in,
    .has_out = lbfq_has_out,
};
