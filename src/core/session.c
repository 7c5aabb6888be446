/* Sessions and listeners (see session.h). Everything below "reactor
 * thread" runs on the session's I/O thread; the zi_ entry points run on the
 * socket's thread and only post work. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/session.h"
#include "core/session_raw.h"
#include "core/socket.h"
#include "core/zap_client.h"
#include "transport/ipc.h"
#include "transport/tcp.h"
#include "util/clock.h"
#include "zmtp/engine.h"

#define SESSION_DIRECT_MIN 65536    /* read big bodies straight into the frame */
#define SESSION_OUT_HIGH (1u << 20) /* stop pulling from the pipe above this */
#define SESSION_READS_PER_EVENT 16
/* A direct write (session_send_direct) is tried when the pipe wakes an idle
 * session and, since the session's last one, the peer sent something (a reply
 * came), or else when the socket made no unprompted direct write to any of its
 * sessions for this long: a stream of messages, or one message to many
 * subscribers, goes to the I/O thread, which writes it in batches, not a
 * syscall per message and connection on the socket's thread. The budget is
 * the socket's, not the session's: per session, a PUB with 100 subscribers
 * paid 100 syscalls per message once its sends were 200 us apart, which kept
 * them that far apart (tcp fan-out 1.44 -> 0.08 of libzmq). */
#define SESSION_DIRECT_GAP_US 200

/* What a session needs from the socket's options, copied when the bind or
 * connect is made (the socket may be gone while the session lingers). */
typedef struct {
    int type;
    zmtp_config_t zc;
    uint8_t rid[255];
    size_t rid_len;
    int sndhwm, rcvhwm, reconnect_ivl, reconnect_ivl_max, backlog;
    bool conflate[2]; /* the socket's end sends, receives (zi_sock_conflates) */
    bool immediate, ipv6;
    zi_tcp_opts_t tcp;
    zi_endpoint_t ep;
} sess_cfg_t;

enum sess_state { SS_IDLE, SS_CONNECTING, SS_ACTIVE, SS_WAIT_RETRY, SS_DEAD };

struct zi_session {
    atomic_int refs;
    /* Held by the I/O thread whenever it runs anything of the session, and
     * tried (never waited for) by the socket's thread for a direct write. */
    pthread_mutex_t mu;
    zinc_ctx_t *ctx;
    zinc_socket_t *sock; /* a reference: we may post to it */
    zi_reactor_t *r;
    sess_cfg_t cfg;
    enum sess_state state;
    bool connecter;
    int fd;
    zi_reactor_fd_t *h;
    unsigned events;
    zmtp_engine_t *eng;
    zi_raw_t *raw; /* instead of eng on a STREAM socket (session_raw.h) */
    bool ready;
    bool failed;       /* the engine reported an error */
    bool protocol_err; /* ... that should stop redialling */
    zi_pipe_t *pipe;   /* our end */
    zi_pipe_sink_t sink;
    const void *origin; /* the endpoint's handle: our listener, or us */
    /* The socket's end of the pipe (only to name it in ZI_SCMD_HICCUP). */
    zi_pipe_t *sock_end;
    bool pipe_term;   /* the socket is done with us: linger */
    int linger;       /* the socket's linger when it was done with us */
    bool mid_message; /* frames of an unfinished message were written */
    bool unflushed;
    bool in_blocked;      /* the pipe to the socket is full */
    bool out_dead;        /* a write failed: only reading goes on, to the end */
    bool out_more;        /* session_pull is inside a message from the socket */
    zi_zap_client_t *zap; /* a ZAP request is out: input waits for the reply */
    /* SUBSCRIBE/CANCEL from the peer, as 0x01/0x00 messages waiting for room
     * in the pipe to the socket: entries [subq_head, subq_n). */
    zinc_frame_t **subq;
    size_t subq_head, subq_n, subq_cap;
    /* Reads go to the I/O thread's scratch buffer; input the engine could
     * not take (the pipe was full) is copied here until it can. NULL when
     * nothing waits, so an idle connection holds no read buffer. */
    uint8_t *rbuf;
    size_t rpos, rlen;         /* rbuf's input not consumed yet */
    uint64_t delivered;        /* messages to the socket, ever */
    uint64_t direct_delivered; /* `delivered` at the last direct write */
    uint64_t tick_timer;
    int64_t tick_at;
    uint64_t retry_timer, linger_timer;
    int retry_ivl;
};

struct zi_listener {
    atomic_int refs;
    zinc_ctx_t *ctx;
    zinc_socket_t *sock;
    zi_reactor_t *r;
    sess_cfg_t cfg;
    int fd;
    zi_ipc_listener_t ipc;
    zi_reactor_fd_t *h;
    bool dead;
};

static void session_end(zi_session_t *ss);
static void session_disconnect(zi_session_t *ss);
static void session_flush_out(zi_session_t *ss);
static void session_pull(zi_session_t *ss);
static void session_dial(void *arg);
static void session_start_engine(zi_session_t *ss);
static void session_raw_start(zi_session_t *ss);
static void session_raw_in(zi_session_t *ss);
static void session_raw_pull(zi_session_t *ss);
static void session_raw_flush(zi_session_t *ss);
static void session_raw_writable(zi_session_t *ss);
static void session_raw_stop(zi_session_t *ss);

/* ---- configuration ------------------------------------------------------ */

static int64_t opt(const zi_optset_t *os, zi_opt_index i)
{
    return zi_optset_int(os, i);
}

/* Copies a bytes/string option into a fixed field; returns its length. */
static size_t sess_copy_opt(const zi_optset_t *os, zi_opt_index i, void *dst, size_t cap)
{
    size_t len;
    const uint8_t *p = zi_optset_bytes(os, i, &len);
    if (len > cap)
        len = cap;
    if (len)
        memcpy(dst, p, len);
    return len;
}

/* The security options. The optset follows libzmq's selection (the last of
 * plain_username, plain_server, curve_serverkey, curve_server... picks the
 * mechanism and as_server); unset CURVE keys stay zero. */
static void sess_cfg_security(zmtp_config_t *zc, const zi_optset_t *os)
{
    int64_t mech = opt(os, ZI_OPT_MECHANISM);
    zc->mechanism = mech == ZMTP_MECH_PLAIN   ? ZMTP_MECH_PLAIN
                    : mech == ZMTP_MECH_CURVE ? ZMTP_MECH_CURVE
                                              : ZMTP_MECH_NULL;
    zc->as_server = os->as_server != 0;
    zc->plain_username_len =
        sess_copy_opt(os, ZI_OPT_PLAIN_USERNAME, zc->plain_username, sizeof zc->plain_username);
    zc->plain_password_len =
        sess_copy_opt(os, ZI_OPT_PLAIN_PASSWORD, zc->plain_password, sizeof zc->plain_password);
    sess_copy_opt(os, ZI_OPT_CURVE_PUBLICKEY, zc->curve_publickey, ZMTP_CURVE_KEY_LEN);
    sess_copy_opt(os, ZI_OPT_CURVE_SECRETKEY, zc->curve_secretkey, ZMTP_CURVE_KEY_LEN);
    sess_copy_opt(os, ZI_OPT_CURVE_SERVERKEY, zc->curve_serverkey, ZMTP_CURVE_KEY_LEN);
    sess_copy_opt(os, ZI_OPT_ZAP_DOMAIN, zc->zap_domain, sizeof zc->zap_domain - 1);
    zc->zap_enforce_domain = opt(os, ZI_OPT_ZAP_ENFORCE_DOMAIN) != 0;
}

static void sess_cfg_from(sess_cfg_t *c, zinc_socket_t *s, const zi_endpoint_t *ep)
{
    const zi_optset_t *os = zi_sock_opts(s);
    memset(c, 0, sizeof *c);
    c->type = zi_sock_type(s);
    zmtp_config_defaults(&c->zc, c->type);
    size_t len;
    const uint8_t *rid = zi_optset_bytes(os, ZI_OPT_ROUTING_ID, &len);
    if (len > sizeof c->rid)
        len = sizeof c->rid;
    if (len)
        memcpy(c->rid, rid, len);
    c->rid_len = len;
    c->zc.maxmsgsize = opt(os, ZI_OPT_MAXMSGSIZE);
    c->zc.heartbeat_ivl = (int)opt(os, ZI_OPT_HEARTBEAT_IVL);
    c->zc.heartbeat_ttl = (int)opt(os, ZI_OPT_HEARTBEAT_TTL);
    c->zc.heartbeat_timeout = (int)opt(os, ZI_OPT_HEARTBEAT_TIMEOUT);
    c->zc.handshake_ivl = (int)opt(os, ZI_OPT_HANDSHAKE_IVL);
    sess_cfg_security(&c->zc, os);
    c->sndhwm = (int)opt(os, ZI_OPT_SNDHWM);
    c->rcvhwm = (int)opt(os, ZI_OPT_RCVHWM);
    c->conflate[0] = zi_sock_conflates(s, true);
    c->conflate[1] = zi_sock_conflates(s, false);
    c->reconnect_ivl = (int)opt(os, ZI_OPT_RECONNECT_IVL);
    c->reconnect_ivl_max = (int)opt(os, ZI_OPT_RECONNECT_IVL_MAX);
    c->backlog = (int)opt(os, ZI_OPT_BACKLOG);
    c->immediate = opt(os, ZI_OPT_IMMEDIATE) != 0;
    c->ipv6 = opt(os, ZI_OPT_IPV6) != 0;
    zi_tcp_opts_default(&c->tcp);
    c->tcp.sndbuf = (int)opt(os, ZI_OPT_SNDBUF);
    c->tcp.rcvbuf = (int)opt(os, ZI_OPT_RCVBUF);
    c->tcp.keepalive = (int)opt(os, ZI_OPT_TCP_KEEPALIVE);
    c->tcp.keepalive_cnt = (int)opt(os, ZI_OPT_TCP_KEEPALIVE_CNT);
    c->tcp.keepalive_idle = (int)opt(os, ZI_OPT_TCP_KEEPALIVE_IDLE);
    c->tcp.keepalive_intvl = (int)opt(os, ZI_OPT_TCP_KEEPALIVE_INTVL);
    c->ep = *ep;
}

/* ---- references --------------------------------------------------------- */

static zi_session_t *session_ref(zi_session_t *ss)
{
    atomic_fetch_add(&ss->refs, 1);
    return ss;
}

static void session_unref(zi_session_t *ss)
{
    if (atomic_fetch_sub(&ss->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&ss->mu);
    free(ss->rbuf);
    free(ss->subq);
    free(ss);
}

static void session_lock(zi_session_t *ss)
{
    pthread_mutex_lock(&ss->mu);
}

static void session_unlock(zi_session_t *ss)
{
    pthread_mutex_unlock(&ss->mu);
}

/* Runs fn(ss) on the session's thread, holding a reference meanwhile: one
 * trampoline per function, so a post allocates nothing. */
#define SESSION_TRAMPOLINE(fn)                                                                     \
    static void fn##_run(void *arg)                                                                \
    {                                                                                              \
        zi_session_t *ss_ = arg;                                                                   \
        session_lock(ss_);                                                                         \
        if (ss_->state != SS_DEAD)                                                                 \
            fn(ss_);                                                                               \
        session_unlock(ss_);                                                                       \
        session_unref(ss_);                                                                        \
    }

static void session_post(zi_session_t *ss, zi_reactor_fn *run)
{
    if (zi_reactor_call(ss->r, run, session_ref(ss)) != ZI_OK)
        session_unref(ss); /* a lost wake-up under OOM; the next event recovers */
}

static void session_on_readable(zi_session_t *ss);
static void session_on_writable(zi_session_t *ss);
static void session_on_pipe_term(zi_session_t *ss);
static void session_start_dial(zi_session_t *ss);
static void session_stop_run(zi_session_t *ss);
static void session_start_accepted(zi_session_t *ss);
static void session_on_zap(zi_session_t *ss);
static void session_after_direct(zi_session_t *ss);
static bool session_send_direct(zi_session_t *ss);
SESSION_TRAMPOLINE(session_on_zap)
SESSION_TRAMPOLINE(session_after_direct)
SESSION_TRAMPOLINE(session_on_readable)
SESSION_TRAMPOLINE(session_on_writable)
SESSION_TRAMPOLINE(session_on_pipe_term)
SESSION_TRAMPOLINE(session_start_dial)
SESSION_TRAMPOLINE(session_stop_run)
SESSION_TRAMPOLINE(session_start_accepted)

/* ---- pipe notifications (called on the socket's thread) ----------------- */

static void session_on_readable(zi_session_t *ss)
{
    session_pull(ss);
}

/* The socket wrote to an idle session (the pipe's reader was asleep). */
static void sink_readable(void *ctx, zi_pipe_t *p)
{
    (void)p;
    if (!session_send_direct(ctx))
        session_post(ctx, session_on_readable_run);
}

static void sink_writable(void *ctx, zi_pipe_t *p)
{
    (void)p;
    session_post(ctx, session_on_writable_run);
}

static void sink_terminated(void *ctx, zi_pipe_t *p)
{
    (void)p;
    session_post(ctx, session_on_pipe_term_run);
}

/* ---- reactor thread: timers --------------------------------------------- */

static void session_tick_fire(void *arg);

static void session_schedule_tick(zi_session_t *ss)
{
    if (!ss->eng)
        return;
    int64_t now = zi_clock_ms();
    int64_t next = zmtp_engine_tick(ss->eng, now);
    if (zmtp_engine_failed(ss->eng))
        return;
    if (next == ss->tick_at)
        return;
    if (ss->tick_timer)
        zi_reactor_timer_cancel(ss->r, ss->tick_timer);
    ss->tick_timer = 0;
    ss->tick_at = next;
    if (next != INT64_MAX)
        ss->tick_timer =
            zi_reactor_timer_add(ss->r, next > now ? next - now : 0, session_tick_fire, ss);
}

static void session_tick_fire(void *arg)
{
    zi_session_t *ss = session_ref(arg);
    session_lock(ss);
    ss->tick_timer = 0;
    ss->tick_at = INT64_MAX;
    session_schedule_tick(ss);
    session_flush_out(ss);
    if (ss->failed)
        session_disconnect(ss);
    session_unlock(ss);
    session_unref(ss);
}

/* ---- reactor thread: engine callbacks ------------------------------------ */

/* The pipe between the socket (ends[0]) and this session (ends[1]). */
static zi_err session_pipe_new(zi_session_t *ss, zi_pipe_t *ends[2])
{
    const int hwm[2] = {ss->cfg.sndhwm, ss->cfg.rcvhwm};
    const zi_pipe_sink_t *sinks[2] = {NULL, &ss->sink};
    zi_err err = zi_pipe_pair_new(ends, hwm, sinks);
    for (int i = 0; i < 2 && err == ZI_OK; i++)
        if (ss->cfg.conflate[i])
            err = zi_pipe_set_conflate(ends[i]);
    if (err != ZI_OK && ends[0]) {
        zi_pipe_free(ends[0]);
        zi_pipe_free(ends[1]);
    }
    return err;
}

static void session_attach_pipe(zi_session_t *ss, zi_props_t *meta)
{
    if (!ss->pipe) {
        zi_pipe_t *ends[2] = {NULL, NULL};
        if (session_pipe_new(ss, ends) != ZI_OK) {
            ss->failed = true;
            return;
        }
        ss->pipe = ends[1];
        ss->sock_end = ends[0];
        ss->out_more = false;
        zinc_frame_t *pf = zi_peer_frame_new(meta);
        if (!pf || zi_pipe_write(ss->pipe, pf) != ZI_OK)
            zinc_frame_unref(pf);
        zi_pipe_flush(ss->pipe);
        zi_sock_post_attach(ss->sock, ends[0], ss->origin);
        return;
    }
    zinc_frame_t *pf = zi_peer_frame_new(meta);
    if (!pf || zi_pipe_write(ss->pipe, pf) != ZI_OK)
        zinc_frame_unref(pf);
    zi_pipe_flush(ss->pipe);
}

static void session_on_ready(void *user, zi_props_t *peer)
{
    zi_session_t *ss = user;
    ss->ready = true;
    ss->retry_ivl = ss->cfg.reconnect_ivl;
    if (ss->cfg.ep.transport == ZI_TRANSPORT_TCP) {
        char addr[ZI_ADDR_TEXT_MAX];
        if (zi_tcp_peer_address(ss->fd, addr, sizeof addr) == 0 &&
            zi_props_set(peer, "Peer-Address", 12, addr, strlen(addr)) != ZI_OK)
            ss->failed = true;
    }
    /* A closed socket takes no new pipe; a lingering connecter's pipe still
     * holds what the socket queued for this peer. */
    if (zi_sock_closed(ss->sock) && !ss->pipe) {
        ss->failed = true;
        return;
    }
    session_attach_pipe(ss, peer);
}

/* ---- reactor thread: subscriptions ---------------------------------------- */

/* Subscriptions travel through the pipe, both ways, as libzmq's do: one-frame
 * messages whose first octet is 1 (subscribe) or 0 (cancel), then the topic.
 * Towards the peer the engine turns them into SUBSCRIBE/CANCEL commands for a
 * ZMTP 3.1 peer (RFC 37) or sends them as they are to a 3.0 peer; SUBSCRIBE/
 * CANCEL from the peer become such messages for the socket. */
static bool session_sends_subscriptions(const zi_session_t *ss)
{
    return ss->cfg.type == ZINC_SUB || ss->cfg.type == ZINC_XSUB;
}

static void session_drop_subs(zi_session_t *ss)
{
    for (size_t i = ss->subq_head; i < ss->subq_n; i++)
        zinc_frame_unref(ss->subq[i]);
    ss->subq_head = ss->subq_n = 0;
}

/* Moves the peer's queued subscriptions into the pipe. false when some must
 * wait for room (in_blocked is set: the engine stops until `writable`). */
static bool session_deliver_subs(zi_session_t *ss)
{
    while (ss->subq_head < ss->subq_n) {
        if (!ss->pipe || zi_pipe_peer_closed(ss->pipe)) {
            session_drop_subs(ss);
            break;
        }
        if (zi_pipe_write(ss->pipe, ss->subq[ss->subq_head]) != ZI_OK) {
            ss->in_blocked = true;
            return false;
        }
        ss->subq_head++;
        ss->unflushed = true;
    }
    ss->subq_head = ss->subq_n = 0;
    return true;
}

static void session_on_subscribe(void *user, bool sub, const uint8_t *topic, size_t len)
{
    zi_session_t *ss = user;
    if (ss->cfg.type != ZINC_PUB && ss->cfg.type != ZINC_XPUB)
        return; /* nobody else takes subscriptions; ignored, as libzmq does */
    if (ss->mid_message) {
        ss->failed = true; /* RFC 37: commands come between messages */
        return;
    }
    if (ss->subq_n == ss->subq_cap && ss->subq_head > 0) {
        memmove(ss->subq, ss->subq + ss->subq_head,
                (ss->subq_n - ss->subq_head) * sizeof *ss->subq);
        ss->subq_n -= ss->subq_head;
        ss->subq_head = 0;
    }
    if (ss->subq_n == ss->subq_cap) {
        size_t cap = ss->subq_cap ? ss->subq_cap * 2 : 16;
        zinc_frame_t **q = realloc(ss->subq, cap * sizeof *q);
        if (!q) {
            ss->failed = true;
            return;
        }
        ss->subq = q;
        ss->subq_cap = cap;
    }
    zinc_frame_t *f = zi_frame_alloc(len + 1);
    if (!f) {
        ss->failed = true;
        return;
    }
    f->data[0] = sub ? 1 : 0;
    if (len)
        memcpy(f->data + 1, topic, len);
    zi_frame_set_meta(f, zmtp_engine_peer_meta(ss->eng));
    ss->subq[ss->subq_n++] = f;
    session_deliver_subs(ss);
}

static bool session_on_frame(void *user, zinc_frame_t *f)
{
    zi_session_t *ss = user;
    bool more = zi_frame_is_more(f);
    if (ss->subq_n > ss->subq_head && !ss->mid_message && !session_deliver_subs(ss))
        return false; /* subscriptions that came first go first */
    if (!ss->pipe || zi_pipe_peer_closed(ss->pipe)) {
        zinc_frame_unref(f); /* nobody will read it */
        return true;
    }
    if (zi_pipe_write(ss->pipe, f) == ZI_OK) {
        ss->mid_message = more;
        if (!more) {
            ss->unflushed = true;
            ss->delivered++;
        }
        return true;
    }
    if (ss->mid_message) { /* cannot happen unless closed: drop */
        zinc_frame_unref(f);
        return true;
    }
    ss->in_blocked = true;
    return false;
}

/* The peer refused us with an ERROR command in the handshake (ZAP said no):
 * libzmq's connecting side reports HANDSHAKE_FAILED_AUTH and stops
 * redialling. */
static bool session_refused(const zmtp_error_t *err)
{
    return err->handshake && (err->err == ZI_EAUTH || err->err == ZI_EPEER);
}

static void session_on_error(void *user, const zmtp_error_t *err)
{
    zi_session_t *ss = user;
    ss->failed = true;
    /* As libzmq: a protocol error (bad greeting, mechanism or metadata) stops
     * redialling that endpoint; a timeout or a plain disconnect does not. */
    ss->protocol_err = err->protocol != 0 || err->err == ZI_EVERSION || err->err == ZI_EMECH ||
                       err->err == ZI_ESOCKTYPE || session_refused(err);
}

/* ---- reactor thread: I/O --------------------------------------------------- */

static void session_set_events(zi_session_t *ss, unsigned ev)
{
    if (ss->h && ev != ss->events && zi_reactor_set_events(ss->r, ss->h, ev) == ZI_OK)
        ss->events = ev;
}

static size_t session_out_pending(const zi_session_t *ss)
{
    return ss->raw ? zi_raw_out_pending(ss->raw) : ss->eng ? zmtp_engine_out_pending(ss->eng) : 0;
}

static void session_update_events(zi_session_t *ss)
{
    unsigned ev = ss->in_blocked || ss->zap ? 0 : ZI_REACTOR_IN;
    if (!ss->out_dead && session_out_pending(ss))
        ev |= ZI_REACTOR_OUT;
    session_set_events(ss, ev);
}

static void session_check_linger(zi_session_t *ss)
{
    if (ss->pipe_term && ss->pipe && zi_pipe_eof(ss->pipe) && session_out_pending(ss) == 0)
        session_end(ss);
}

/* Writes the engine's output until it is all gone or the socket is full. */
static void session_write(zi_session_t *ss)
{
    for (;;) {
        struct iovec iov[64];
        int n = zmtp_engine_output(ss->eng, iov, 64);
        if (n == 0)
            break;
        /* MSG_NOSIGNAL: a peer gone must not raise SIGPIPE in the socket's
         * thread (a direct write), which does not block signals as the I/O
         * threads do. */
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(ss->fd, &mh, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            /* As libzmq: stop writing but go on reading until the end or
             * an error shows there, so that what the peer sent before it
             * went (a whole handshake and messages, pipelined) arrives. */
            ss->out_dead = true;
            break;
        }
        zmtp_engine_written(ss->eng, (size_t)w);
        size_t want = 0;
        for (int i = 0; i < n; i++)
            want += iov[i].iov_len;
        if ((size_t)w < want)
            break; /* the socket buffer is full: the next writev says EAGAIN */
    }
}

static void session_flush_out(zi_session_t *ss)
{
    if (ss->raw) {
        session_raw_flush(ss);
        return;
    }
    if (!ss->eng || ss->fd < 0 || ss->out_dead)
        return;
    session_write(ss);
    session_update_events(ss);
}

/* Moves messages from the pipe to the engine: true when the pipe is empty
 * (it then tells us when it is not), false when the output reached the mark
 * or the engine failed. */
static bool session_take(zi_session_t *ss)
{
    while (zmtp_engine_out_pending(ss->eng) < SESSION_OUT_HIGH) {
        zinc_frame_t *f = zi_pipe_read(ss->pipe);
        if (!f)
            return true;
        if (f->flags & ZI_FRAME_PEER) {
            zinc_frame_unref(f);
            continue;
        }
        bool more = zi_frame_is_more(f);
        bool sub = !ss->out_more && !more && f->size > 0 && f->data[0] <= 1 &&
                   session_sends_subscriptions(ss);
        ss->out_more = more;
        zi_err err =
            sub ? zmtp_engine_send_subscribe(ss->eng, f->data[0] == 1, f->data + 1, f->size - 1)
                : zmtp_engine_send(ss->eng, f, more);
        if (sub)
            zinc_frame_unref(f);
        if (err != ZI_OK) {
            ss->failed = true;
            return false;
        }
    }
    return false;
}

/* Moves messages from the socket to the peer while the output is short. */
static void session_pull(zi_session_t *ss)
{
    if (ss->raw) {
        session_raw_pull(ss);
        return;
    }
    if (!ss->eng || !ss->ready || !ss->pipe || ss->failed)
        return;
    /* Until the pipe is empty (it then tells us when it is not) or the
     * output stays above the mark (the fd's `out` brings us back): stopping
     * at the mark while the write took everything would strand the rest of
     * the pipe, since it only signals a reader that found it empty. */
    bool drained = false;
    while (!drained && !ss->failed) {
        drained = session_take(ss);
        session_flush_out(ss);
        if (ss->failed || zmtp_engine_out_pending(ss->eng) >= SESSION_OUT_HIGH)
            break;
    }
    if (ss->failed)
        session_disconnect(ss);
    else
        session_check_linger(ss);
}

/* ---- the socket's thread: direct writes ------------------------------------ */

/* When the socket writes to an idle session, its thread moves the messages
 * to the connection itself, if it gets the session at once (the I/O thread
 * is not running it) and nothing stands in the way: the handshake is done,
 * no earlier output waits, and no ZAP request, failure or linger is under
 * way. That saves the hand-off to the I/O thread and its wake-up, on a
 * request-reply path most of all. Anything left for later (a partial write,
 * the mark reached, a failure) goes to the I/O thread, which does it as if
 * woken by the pipe. false: not tried, the caller posts as usual. */
static atomic_uint_fast64_t session_unprompted;

uint64_t zi_session_unprompted_direct_writes(void)
{
    return atomic_load_explicit(&session_unprompted, memory_order_relaxed);
}

static bool session_send_direct(zi_session_t *ss)
{
    if (pthread_mutex_trylock(&ss->mu) != 0)
        return false;
    bool tried = ss->state == SS_ACTIVE && ss->eng && ss->ready && ss->pipe && !ss->failed &&
                 !ss->out_dead && !ss->pipe_term && !ss->zap && ss->fd >= 0 &&
                 zmtp_engine_out_pending(ss->eng) == 0;
    if (tried && ss->delivered == ss->direct_delivered) {
        _Atomic int64_t *last = zi_sock_direct_slot(ss->sock);
        int64_t now = zi_clock_us();
        tried = now - atomic_load_explicit(last, memory_order_relaxed) >= SESSION_DIRECT_GAP_US;
        if (tried) {
            atomic_store_explicit(last, now, memory_order_relaxed);
            atomic_fetch_add_explicit(&session_unprompted, 1, memory_order_relaxed);
        }
    }
    bool done = false;
    if (tried) {
        ss->direct_delivered = ss->delivered;
        bool drained = session_take(ss);
        if (!ss->failed)
            session_write(ss);
        done = drained && !ss->failed && !ss->out_dead && zmtp_engine_out_pending(ss->eng) == 0;
        if (!done)
            session_post(ss, session_after_direct_run);
    }
    session_unlock(ss);
    return tried;
}

/* On the I/O thread, what a direct write left. */
static void session_after_direct(zi_session_t *ss)
{
    if (ss->failed && ss->state == SS_ACTIVE)
        session_disconnect(ss);
    else
        session_pull(ss);
}

static void session_drop_leftover(zi_session_t *ss)
{
    free(ss->rbuf);
    ss->rbuf = NULL;
    ss->rpos = ss->rlen = 0;
}

/* Feeds what is left in rbuf. false when the engine stopped (pipe full). */
static bool session_feed_leftover(zi_session_t *ss)
{
    if (ss->rpos < ss->rlen) {
        size_t used = zmtp_engine_feed(ss->eng, ss->rbuf + ss->rpos, ss->rlen - ss->rpos);
        ss->rpos += used;
    }
    if (ss->rpos == ss->rlen)
        session_drop_leftover(ss);
    return ss->rlen == 0;
}

/* Feeds n octets read into the scratch buffer and keeps a copy of what the
 * engine does not take. */
static void session_feed_read(zi_session_t *ss, const uint8_t *buf, size_t n)
{
    size_t used = zmtp_engine_feed(ss->eng, buf, n);
    if (used == n)
        return;
    ss->rbuf = malloc(n - used);
    if (!ss->rbuf) {
        ss->failed = true; /* the input would be lost: end this connection */
        return;
    }
    memcpy(ss->rbuf, buf + used, n - used);
    ss->rpos = 0;
    ss->rlen = n - used;
}

static void session_in(void *arg)
{
    zi_session_t *ss = arg;
    if (ss->state != SS_ACTIVE)
        return;
    if (ss->raw) {
        session_raw_in(ss);
        return;
    }
    bool eof = false;
    /* Input left over waits first (it is fed when the engine can go on). */
    for (int round = 0;
         round < SESSION_READS_PER_EVENT && !ss->in_blocked && !ss->failed && !ss->zap && !ss->rlen;
         round++) {
        size_t wlen;
        uint8_t *w = zmtp_engine_recv_window(ss->eng, &wlen);
        ssize_t n;
        bool short_read;
        if (w && wlen >= SESSION_DIRECT_MIN) {
            n = read(ss->fd, w, wlen);
            short_read = n > 0 && (size_t)n < wlen;
            if (n > 0)
                zmtp_engine_feed_direct(ss->eng, (size_t)n);
        } else {
            uint8_t *scratch = zi_reactor_scratch(ss->r);
            if (!scratch) {
                ss->failed = true;
                break;
            }
            n = read(ss->fd, scratch, ZI_REACTOR_SCRATCH);
            short_read = n > 0 && (size_t)n < ZI_REACTOR_SCRATCH;
            if (n > 0)
                session_feed_read(ss, scratch, (size_t)n);
        }
        /* A short read emptied the socket: the next read would only say
         * EAGAIN (the fd is level-triggered, so more data calls us again). */
        if (short_read)
            break;
        if (n == 0) {
            eof = true;
            break;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                eof = true;
            break;
        }
    }
    if (ss->unflushed && ss->pipe) {
        zi_pipe_flush(ss->pipe);
        ss->unflushed = false;
    }
    session_schedule_tick(ss);
    /* The greeting goes out in pieces, each answering the peer's (and the
     * handshake after it): write them now rather than after a POLLOUT. */
    if (!ss->ready && !ss->failed)
        session_flush_out(ss);
    session_pull(ss); /* sends PONGs and the handshake too */
    if (ss->state != SS_ACTIVE)
        return;
    if (eof || ss->failed)
        session_disconnect(ss);
    else
        session_update_events(ss);
}

static void session_out(void *arg)
{
    zi_session_t *ss = arg;
    if (ss->state == SS_CONNECTING) {
        int rc = ss->cfg.ep.transport == ZI_TRANSPORT_TCP ? zi_tcp_connect_result(ss->fd)
                                                          : zi_ipc_connect_result(ss->fd);
        if (rc != 0) {
            session_disconnect(ss);
            return;
        }
        session_start_engine(ss);
        return;
    }
    if (ss->state != SS_ACTIVE)
        return;
    session_flush_out(ss);
    session_pull(ss);
}

static void session_err(void *arg)
{
    zi_session_t *ss = arg;
    if (ss->state == SS_CONNECTING) {
        session_out(ss);
        return;
    }
    /* Let a read see the end or the error (and what came before it). */
    session_in(ss);
    if (ss->state == SS_ACTIVE)
        session_disconnect(ss);
}

/* The fd callbacks hold a reference while they run: whatever they call may
 * end the session (session_end drops the reactor's reference), and they
 * still look at it afterwards. */
static void session_in_ev(void *arg)
{
    zi_session_t *ss = session_ref(arg);
    session_lock(ss);
    session_in(ss);
    session_unlock(ss);
    session_unref(ss);
}

static void session_out_ev(void *arg)
{
    zi_session_t *ss = session_ref(arg);
    session_lock(ss);
    session_out(ss);
    session_unlock(ss);
    session_unref(ss);
}

static void session_err_ev(void *arg)
{
    zi_session_t *ss = session_ref(arg);
    session_lock(ss);
    session_err(ss);
    session_unlock(ss);
    session_unref(ss);
}

static const zi_reactor_fd_ops_t session_fd_ops = {session_in_ev, session_out_ev, session_err_ev};

/* ---- reactor thread: ZAP (RFC 27) ------------------------------------------ */

static void session_zap_wake(void *arg)
{
    session_post(arg, session_on_zap_run);
}

/* The engine's ZAP hook: the request goes to the handler bound in our
 * context; input waits until the reply (session_on_zap) or the end of the
 * connection (the handshake timer, a failure). */
static bool session_zap_request(void *user, const zmtp_zap_request_t *req)
{
    zi_session_t *ss = user;
    char addr[ZI_ADDR_TEXT_MAX] = "";
    if (ss->cfg.ep.transport == ZI_TRANSPORT_TCP &&
        zi_tcp_peer_address(ss->fd, addr, sizeof addr) != 0)
        addr[0] = '\0';
    ss->zap = zi_zap_client_start(ss->ctx, req, addr, session_zap_wake, ss);
    if (ss->zap)
        return true;
    if (errno == ECONNREFUSED)
        return false;  /* no handler: the mechanism does what libzmq does */
    ss->failed = true; /* never "no handler" for want of memory */
    return true;
}

static void session_on_zap(zi_session_t *ss)
{
    zinc_frame_t *const *frames;
    size_t n;
    if (!ss->zap || !ss->eng || !zi_zap_client_done(ss->zap, &frames, &n))
        return;
    zmtp_engine_zap_reply(ss->eng, frames, n);
    zi_zap_client_free(ss->zap);
    ss->zap = NULL;
    /* What the peer sent meanwhile, then the answer (WELCOME, ERROR...). */
    session_feed_leftover(ss);
    if (ss->unflushed && ss->pipe) {
        zi_pipe_flush(ss->pipe);
        ss->unflushed = false;
    }
    session_flush_out(ss);
    session_schedule_tick(ss);
    if (ss->failed) {
        session_disconnect(ss);
        return;
    }
    session_pull(ss);
    if (ss->state == SS_ACTIVE && !ss->in_blocked && !ss->zap)
        session_in(ss); /* the kernel may hold more */
}

/* The fd is connected: start the handshake. */
static void session_start_engine(zi_session_t *ss)
{
    if (ss->cfg.type == ZINC_STREAM) {
        session_raw_start(ss);
        return;
    }
    static const zmtp_callbacks_t cbs = {session_on_ready, session_on_frame, session_on_subscribe,
                                         session_on_error};
    zmtp_config_t zc = ss->cfg.zc;
    zc.no_frame_meta = true; /* zi_sock_pipe_read attaches it */
    zc.routing_id = ss->cfg.rid;
    zc.routing_id_len = ss->cfg.rid_len;
    ss->eng = zmtp_engine_new(&zc, &cbs, ss, zi_clock_ms());
    if (!ss->eng) {
        session_disconnect(ss);
        return;
    }
    zmtp_engine_set_zap(ss->eng, session_zap_request);
    if (!ss->h) {
        ss->h = zi_reactor_add_fd(ss->r, ss->fd, &session_fd_ops, ss);
        if (!ss->h) {
            session_disconnect(ss);
            return;
        }
        ss->events = 0;
    }
    ss->state = SS_ACTIVE;
    ss->ready = false;
    ss->failed = false;
    ss->out_dead = false;
    ss->tick_at = INT64_MAX;
    session_flush_out(ss);
    session_schedule_tick(ss);
    if (ss->failed)
        session_disconnect(ss);
}

/* ---- reactor thread: connecting, disconnecting, ending -------------------- */

static void session_retry_fire(void *arg)
{
    zi_session_t *ss = session_ref(arg);
    session_lock(ss);
    ss->retry_timer = 0;
    session_dial(ss);
    session_unlock(ss);
    session_unref(ss);
}

static void session_schedule_retry(zi_session_t *ss)
{
    ss->state = SS_WAIT_RETRY;
    int ivl = ss->retry_ivl > 0 ? ss->retry_ivl : 100;
    ss->retry_timer = zi_reactor_timer_add(ss->r, ivl, session_retry_fire, ss);
    /* Back-off: double up to reconnect_ivl_max when that is set above ivl. */
    if (ss->cfg.reconnect_ivl_max > ss->cfg.reconnect_ivl) {
        int next = ss->retry_ivl * 2;
        ss->retry_ivl = next > ss->cfg.reconnect_ivl_max ? ss->cfg.reconnect_ivl_max : next;
    }
}

static void session_dial(void *arg)
{
    zi_session_t *ss = arg;
    if (ss->state == SS_DEAD)
        return;
    bool pending = false;
    int fd = -1;
    const zi_endpoint_t *ep = &ss->cfg.ep;
    if (ep->transport == ZI_TRANSPORT_TCP) {
        struct sockaddr_storage sa, src;
        socklen_t salen, srclen = 0;
        int flags = ss->cfg.ipv6 ? ZI_RESOLVE_IPV6 : 0;
        if (zi_tcp_resolve(&ep->tcp, flags, &sa, &salen) == 0 &&
            (!ep->has_source ||
             zi_tcp_resolve(&ep->source, flags | ZI_RESOLVE_BIND, &src, &srclen) == 0))
            fd = zi_tcp_connect((struct sockaddr *)&sa, salen,
                                ep->has_source ? (struct sockaddr *)&src : NULL, srclen,
                                &ss->cfg.tcp, &pending);
    } else {
        fd = zi_ipc_connect(ep->address, &pending);
    }
    if (fd < 0) {
        session_schedule_retry(ss);
        return;
    }
    ss->fd = fd;
    if (!pending) {
        session_start_engine(ss);
        return;
    }
    ss->state = SS_CONNECTING;
    ss->h = zi_reactor_add_fd(ss->r, fd, &session_fd_ops, ss);
    if (!ss->h || zi_reactor_set_events(ss->r, ss->h, ZI_REACTOR_OUT) != ZI_OK) {
        session_disconnect(ss);
        return;
    }
    ss->events = ZI_REACTOR_OUT;
}

/* The connection is gone: tidy up, then redial, linger on, or end. */
static void session_disconnect(zi_session_t *ss)
{
    if (ss->state == SS_DEAD)
        return;
    if (ss->h) {
        zi_reactor_rm_fd(ss->r, ss->h);
        ss->h = NULL;
    }
    if (ss->fd >= 0) {
        close(ss->fd);
        ss->fd = -1;
    }
    if (ss->tick_timer) {
        zi_reactor_timer_cancel(ss->r, ss->tick_timer);
        ss->tick_timer = 0;
    }
    zi_zap_client_free(ss->zap);
    ss->zap = NULL;
    if (ss->raw)
        session_raw_stop(ss);
    zmtp_engine_free(ss->eng);
    ss->eng = NULL;
    bool was_ready = ss->ready;
    ss->ready = false;
    ss->in_blocked = false;
    session_drop_leftover(ss);
    session_drop_subs(ss);
    if (ss->pipe) {
        if (ss->mid_message)
            zi_pipe_rollback(ss->pipe);
        ss->mid_message = false;
        if (ss->unflushed)
            zi_pipe_flush(ss->pipe);
        ss->unflushed = false;
        /* A connecter keeps its pipe across reconnects (unless
         * reconnect_ivl is -1); while lingering, only as long as it still has
         * something to deliver. */
        bool keep = ss->connecter && !ss->cfg.immediate && !ss->protocol_err &&
                    ss->cfg.reconnect_ivl >= 0 &&
                    (!ss->pipe_term || (ss->linger != 0 && !zi_pipe_eof(ss->pipe)));
        if (!keep) {
            zi_pipe_close(ss->pipe);
            zi_pipe_free(ss->pipe);
            ss->pipe = ss->sock_end = NULL;
        } else if (was_ready) {
            /* The next peer is a new one: a SUB re-sends its subscriptions. */
            zi_sock_post(ss->sock, ZI_SCMD_HICCUP, ss->sock_end);
        }
    }
    /* reconnect_ivl -1: never redial, as libzmq. */
    bool redial = ss->connecter && !ss->protocol_err && ss->cfg.reconnect_ivl >= 0 &&
                  (!ss->pipe_term || ss->pipe);
    if (!redial) {
        session_end(ss);
        return;
    }
    session_schedule_retry(ss);
}

static void session_end(zi_session_t *ss)
{
    if (ss->state == SS_DEAD)
        return;
    if (ss->h)
        zi_reactor_rm_fd(ss->r, ss->h);
    ss->h = NULL;
    if (ss->fd >= 0)
        close(ss->fd);
    ss->fd = -1;
    if (ss->tick_timer)
        zi_reactor_timer_cancel(ss->r, ss->tick_timer);
    if (ss->retry_timer)
        zi_reactor_timer_cancel(ss->r, ss->retry_timer);
    if (ss->linger_timer)
        zi_reactor_timer_cancel(ss->r, ss->linger_timer);
    ss->tick_timer = ss->retry_timer = ss->linger_timer = 0;
    zi_zap_client_free(ss->zap);
    ss->zap = NULL;
    zmtp_engine_free(ss->eng);
    ss->eng = NULL;
    zi_raw_free(ss->raw);
    ss->raw = NULL;
    session_drop_subs(ss);
    if (ss->pipe) {
        zi_pipe_close(ss->pipe);
        zi_pipe_free(ss->pipe);
        ss->pipe = NULL;
    }
    ss->state = SS_DEAD;
    zinc_ctx_t *ctx = ss->ctx;
    zi_sock_unref(ss->sock);
    session_unref(ss); /* the reactor's reference */
    zi_ctx_io_object_done(ctx);
}

static void session_linger_fire(void *arg)
{
    zi_session_t *ss = session_ref(arg);
    session_lock(ss);
    ss->linger_timer = 0;
    session_end(ss);
    session_unlock(ss);
    session_unref(ss);
}

static void session_on_writable(zi_session_t *ss)
{
    if (ss->raw) {
        session_raw_writable(ss);
        return;
    }
    if (!ss->eng || !ss->in_blocked)
        return;
    if (!session_deliver_subs(ss))
        return;
    if (!zmtp_engine_resume(ss->eng))
        return;
    /* Only on_frame sets in_blocked again: when the pipe refuses a frame
     * of the input left over, the rest stays in rbuf for the next time. */
    ss->in_blocked = false;
    session_feed_leftover(ss);
    if (ss->unflushed && ss->pipe) {
        zi_pipe_flush(ss->pipe);
        ss->unflushed = false;
    }
    if (ss->failed) {
        session_disconnect(ss);
        return;
    }
    session_update_events(ss);
    if (!ss->in_blocked)
        session_in(ss); /* the kernel may hold more */
}

/* The socket is done with this session (it closed its end of the pipe, or
 * stopped the endpoint): what it queued still leaves within its linger, read
 * at that moment as libzmq does; then the session ends. A connecter that is
 * not connected yet goes on dialling meanwhile. */
static void session_linger(zi_session_t *ss)
{
    if (!ss->pipe_term) {
        ss->pipe_term = true;
        ss->linger = zi_sock_linger(ss->sock);
    }
    /* STREAM: a connection closed by an empty frame (the socket is still
     * open) gets what was queued before it, as far as it can be written now,
     * even without linger. */
    if (ss->raw && ss->linger == 0 && !zi_sock_closed(ss->sock))
        session_pull(ss);
    bool can_deliver = ss->pipe && (ss->ready || ss->connecter);
    if (!can_deliver || ss->linger == 0 || (!ss->ready && zi_pipe_eof(ss->pipe))) {
        session_end(ss);
        return;
    }
    if (ss->linger > 0 && !ss->linger_timer)
        ss->linger_timer = zi_reactor_timer_add(ss->r, ss->linger, session_linger_fire, ss);
    session_pull(ss); /* ends the session once everything is written */
}

static void session_on_pipe_term(zi_session_t *ss)
{
    session_linger(ss);
}

static void session_stop_run(zi_session_t *ss)
{
    session_linger(ss);
}

/* ---- reactor thread: raw mode (STREAM) -------------------------------------- */

/* A STREAM socket's connections carry no ZMTP (session_raw.h): the session
 * is ready as soon as the fd is connected, tells the socket with an empty
 * message, and moves bytes both ways until either side ends it. */
static void session_raw_start(zi_session_t *ss)
{
    ss->raw = zi_raw_new();
    if (!ss->raw) {
        session_disconnect(ss);
        return;
    }
    if (!ss->h) {
        ss->h = zi_reactor_add_fd(ss->r, ss->fd, &session_fd_ops, ss);
        if (!ss->h) {
            session_disconnect(ss);
            return;
        }
        ss->events = 0;
    }
    ss->state = SS_ACTIVE;
    ss->failed = false;
    ss->out_dead = false;
    ss->in_blocked = false;
    ss->retry_ivl = ss->cfg.reconnect_ivl;
    if (zi_sock_closed(ss->sock) && !ss->pipe) {
        session_disconnect(ss);
        return;
    }
    zi_props_t *meta = zi_props_new();
    char addr[ZI_ADDR_TEXT_MAX];
    if (!meta || (ss->cfg.ep.transport == ZI_TRANSPORT_TCP &&
                  zi_tcp_peer_address(ss->fd, addr, sizeof addr) == 0 &&
                  zi_props_set(meta, "Peer-Address", 12, addr, strlen(addr)) != ZI_OK)) {
        zi_props_unref(meta);
        session_disconnect(ss);
        return;
    }
    ss->ready = true;
    session_attach_pipe(ss, meta);
    zi_props_unref(meta);
    if (ss->failed) {
        session_disconnect(ss);
        return;
    }
    bool wrote = false;
    zi_raw_notice(ss->raw, ss->pipe, &wrote);
    if (wrote)
        zi_pipe_flush(ss->pipe);
    ss->in_blocked = !zi_raw_resume(ss->raw, ss->pipe, &wrote);
    session_update_events(ss);
    session_pull(ss); /* what the socket queued before the connection */
}

static void session_raw_in(zi_session_t *ss)
{
    bool wrote = false;
    int rc = ss->in_blocked
                 ? ZI_RAW_BLOCKED
                 : zi_raw_read(ss->raw, ss->fd, ss->pipe, SESSION_READS_PER_EVENT, &wrote);
    if (wrote)
        zi_pipe_flush(ss->pipe);
    ss->in_blocked = rc == ZI_RAW_BLOCKED;
    session_pull(ss);
    if (ss->state != SS_ACTIVE)
        return;
    if (rc == ZI_RAW_EOF)
        session_disconnect(ss);
    else
        session_update_events(ss);
}

static void session_raw_flush(zi_session_t *ss)
{
    if (ss->fd < 0 || ss->out_dead)
        return;
    /* As the ZMTP path: after a failed write, reading goes on to the end. */
    if (zi_raw_write(ss->raw, ss->fd) != 0)
        ss->out_dead = true;
    session_update_events(ss);
}

static void session_raw_pull(zi_session_t *ss)
{
    if (!ss->pipe || ss->state != SS_ACTIVE)
        return;
    for (;;) {
        bool drained = zi_raw_pull(ss->raw, ss->pipe, SESSION_OUT_HIGH);
        session_flush_out(ss);
        if (drained || ss->out_dead || zi_raw_out_pending(ss->raw) >= SESSION_OUT_HIGH)
            break;
    }
    session_check_linger(ss);
}

static void session_raw_writable(zi_session_t *ss)
{
    if (!ss->in_blocked || ss->state != SS_ACTIVE)
        return;
    bool wrote = false;
    bool resumed = zi_raw_resume(ss->raw, ss->pipe, &wrote);
    if (wrote)
        zi_pipe_flush(ss->pipe);
    if (!resumed)
        return;
    ss->in_blocked = false;
    session_raw_in(ss); /* the kernel may hold more */
}

/* The connection is gone: the socket hears of it (an empty message) after
 * everything that came before; what it had not taken yet is dropped when
 * its pipe is full. A connection the socket closed (an empty frame) is not
 * redialled, as libzmq's raw sessions end then. */
static void session_raw_stop(zi_session_t *ss)
{
    bool wrote = false;
    if (ss->ready && ss->pipe) {
        zi_raw_resume(ss->raw, ss->pipe, &wrote);
        zi_raw_notice(ss->raw, ss->pipe, &wrote);
        if (wrote)
            zi_pipe_flush(ss->pipe);
    }
    zi_raw_free(ss->raw);
    ss->raw = NULL;
    if (ss->pipe_term)
        ss->protocol_err = true; /* stops the redial */
}

/* ---- creating sessions ------------------------------------------------------ */

static zi_session_t *session_new(zinc_socket_t *s, const sess_cfg_t *cfg, zi_reactor_t *r)
{
    zi_session_t *ss = calloc(1, sizeof *ss);
    if (!ss) {
        errno = ENOMEM;
        return NULL;
    }
    if (pthread_mutex_init(&ss->mu, NULL) != 0) {
        free(ss);
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&ss->refs, 1); /* the reactor's */
    ss->ctx = zi_sock_ctx(s);
    ss->sock = zi_sock_ref(s);
    ss->r = r;
    ss->cfg = *cfg;
    ss->fd = -1;
    ss->tick_at = INT64_MAX;
    ss->retry_ivl = cfg->reconnect_ivl;
    ss->sink = (zi_pipe_sink_t){sink_readable, sink_writable, sink_terminated, ss};
    zi_ctx_io_object_add(ss->ctx);
    return ss;
}

static void session_start_dial(zi_session_t *ss)
{
    session_dial(ss);
}

int zi_session_connect(zinc_socket_t *s, const zi_endpoint_t *ep, void **io, zi_pipe_t **mine)
{
    zi_reactor_t *r = zi_ctx_io(zi_sock_ctx(s));
    if (!r)
        return -1;
    sess_cfg_t *cfg = malloc(sizeof *cfg);
    if (!cfg) {
        errno = ENOMEM;
        return -1;
    }
    sess_cfg_from(cfg, s, ep);
    size_t crid_len;
    const uint8_t *crid = zi_optset_bytes(zi_sock_opts(s), ZI_OPT_CONNECT_ROUTING_ID, &crid_len);
    zi_session_t *ss = session_new(s, cfg, r);
    free(cfg);
    if (!ss)
        return -1;
    ss->connecter = true;
    ss->origin = ss; /* the socket's handle for this endpoint */
    if (!ss->cfg.immediate) {
        zi_pipe_t *ends[2] = {NULL, NULL};
        if (session_pipe_new(ss, ends) != ZI_OK) {
            session_end(ss);
            errno = ENOMEM;
            return -1;
        }
        ss->pipe = ends[1];
        ss->sock_end = ends[0];
        *mine = ends[0];
        /* connect_routing_id names this peer for a ROUTER until the peer
         * says otherwise. */
        if (crid_len) {
            zi_props_t *m = zi_props_new();
            if (m && zi_props_set(m, "Identity", 8, crid, crid_len) == ZI_OK) {
                zinc_frame_t *pf = zi_peer_frame_new(m);
                if (pf && zi_pipe_write(ss->pipe, pf) != ZI_OK)
                    zinc_frame_unref(pf);
                zi_pipe_flush(ss->pipe);
            }
            zi_props_unref(m);
        }
    }
    *io = session_ref(ss); /* the socket's reference, dropped by zi_session_stop */
    session_post(ss, session_start_dial_run);
    return 0;
}

void zi_session_stop(void *io)
{
    zi_session_t *ss = io;
    session_post(ss, session_stop_run_run);
    session_unref(ss);
}

/* ---- listeners ----------------------------------------------------------------- */

static void listener_unref(zi_listener_t *l)
{
    if (atomic_fetch_sub(&l->refs, 1) == 1)
        free(l);
}

static void session_start_accepted(zi_session_t *ss)
{
    session_start_engine(ss);
}

static void listener_in(void *arg)
{
    zi_listener_t *l = arg;
    for (int i = 0; i < 64 && !l->dead; i++) {
        int fd = l->cfg.ep.transport == ZI_TRANSPORT_TCP ? zi_tcp_accept(l->fd, &l->cfg.tcp)
                                                         : zi_ipc_accept(l->fd);
        if (fd < 0)
            break;
        if (zi_sock_closed(l->sock)) {
            close(fd);
            continue;
        }
        zi_reactor_t *r = zi_ctx_io(l->ctx);
        zi_session_t *ss = r ? session_new(l->sock, &l->cfg, r) : NULL;
        if (!ss) {
            close(fd);
            continue;
        }
        ss->fd = fd;
        ss->origin = l;
        session_post(ss, session_start_accepted_run);
    }
}

static const zi_reactor_fd_ops_t listener_fd_ops = {listener_in, NULL, NULL};

static void listener_start_run(void *arg)
{
    zi_listener_t *l = arg;
    if (l->dead)
        return;
    l->h = zi_reactor_add_fd(l->r, l->fd, &listener_fd_ops, l);
    if (l->h && zi_reactor_set_events(l->r, l->h, ZI_REACTOR_IN) != ZI_OK) {
        zi_reactor_rm_fd(l->r, l->h);
        l->h = NULL;
    }
}

static void listener_stop_run(void *arg)
{
    zi_listener_t *l = arg;
    if (l->h)
        zi_reactor_rm_fd(l->r, l->h);
    l->h = NULL;
    if (l->cfg.ep.transport == ZI_TRANSPORT_IPC)
        zi_ipc_listener_close(&l->ipc);
    else if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->dead = true;
    zinc_ctx_t *ctx = l->ctx;
    zi_sock_unref(l->sock);
    listener_unref(l);
    zi_ctx_io_object_done(ctx);
}

int zi_listener_start(zinc_socket_t *s, const zi_endpoint_t *ep, void **io, char *resolved,
                      size_t cap)
{
    zi_reactor_t *r = zi_ctx_io(zi_sock_ctx(s));
    if (!r)
        return -1;
    zi_listener_t *l = calloc(1, sizeof *l);
    if (!l) {
        errno = ENOMEM;
        return -1;
    }
    sess_cfg_from(&l->cfg, s, ep);
    l->fd = -1;
    l->ipc.fd = -1;
    if (ep->transport == ZI_TRANSPORT_TCP) {
        struct sockaddr_storage sa;
        socklen_t salen;
        int flags = ZI_RESOLVE_BIND | (l->cfg.ipv6 ? ZI_RESOLVE_IPV6 : 0);
        if (zi_tcp_resolve(&ep->tcp, flags, &sa, &salen) == 0)
            l->fd = zi_tcp_listen((struct sockaddr *)&sa, salen, l->cfg.backlog, &l->cfg.tcp);
        if (l->fd >= 0 && zi_endpoint_of_fd(l->fd, resolved, cap) != 0)
            resolved[0] = '\0';
    } else {
        if (zi_ipc_listen(&l->ipc, ep->address, l->cfg.backlog) == 0) {
            l->fd = l->ipc.fd;
            snprintf(resolved, cap, "%s", l->ipc.endpoint);
        }
    }
    if (l->fd < 0) {
        int err = errno;
        free(l);
        errno = err;
        return -1;
    }
    atomic_init(&l->refs, 2); /* the reactor's and the socket's */
    l->ctx = zi_sock_ctx(s);
    l->sock = zi_sock_ref(s);
    l->r = r;
    zi_ctx_io_object_add(l->ctx);
    if (zi_reactor_call(r, listener_start_run, l) != ZI_OK) {
        listener_stop_run(l);
        listener_unref(l);
        errno = ENOMEM;
        return -1;
    }
    *io = l;
    return 0;
}

/* Stopping waits for the I/O thread, so that the address is free when
 * zinc_unbind or zinc_socket_close returns (a bind right after an unbind of
 * the same tcp port must not fail with EADDRINUSE). */
typedef struct {
    zi_listener_t *l;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
} listener_stop_wait_t;

static void listener_stop_sync_run(void *arg)
{
    listener_stop_wait_t *w = arg;
    listener_stop_run(w->l);
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void zi_listener_stop(void *io)
{
    zi_listener_t *l = io;
    listener_stop_wait_t w = {.l = l, .done = false};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    if (zi_reactor_call(l->r, listener_stop_sync_run, &w) == ZI_OK) {
        pthread_mutex_lock(&w.mu);
        while (!w.done)
            pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        listener_unref(l);
    } /* else: leaks the listener under OOM rather than racing it */
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
}
