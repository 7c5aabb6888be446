/* The socket-pattern interface (DESIGN.md "Layers": patterns implement the
 * ops that core declares; core reaches them through the one table in
 * pattern.c and never names a pattern).
 *
 * Every op runs on the socket's owner thread, inside a zinc_ call on that
 * socket, so pattern state needs no lock. A pattern sees its peers as pipe
 * ends (src/core/pipe.h) and reads them through zi_sock_pipe_read, which
 * consumes the in-band peer-metadata frame a session or an inproc peer puts
 * first on a pipe after each handshake, and tells the pattern through
 * ops->peer.
 */
#ifndef ZI_PATTERN_PATTERN_H
#define ZI_PATTERN_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "core/options.h"
#include "core/pipe.h"
#include "util/props.h"

typedef struct zinc_socket zi_sock_t;

typedef struct {
    int type;
    size_t size; /* bytes of pattern state, zeroed before init */
    /* 0, or -1 with errno. */
    int (*init)(void *st, zi_sock_t *s);
    void (*fini)(void *st);
    /* A new peer pipe; the pattern starts reading/writing it at once. */
    void (*attach)(void *st, zi_pipe_t *p);
    /* The peer identified itself (Socket-Type, Identity, ...) on p; called
     * from zi_sock_pipe_read, before the frames that follow. May be NULL. */
    void (*peer)(void *st, zi_pipe_t *p, zi_props_t *meta);
    /* p is going away: forget it (the socket frees it afterwards). */
    void (*detach)(void *st, zi_pipe_t *p);
    /* p has frames again / may be written again. */
    void (*read_activated)(void *st, zi_pipe_t *p);
    void (*write_activated)(void *st, zi_pipe_t *p);
    /* Sends one frame (its MORE flag set by the caller). On success the
     * pattern owns f and returns 0; otherwise -1 with errno (EAGAIN when it
     * cannot now, EFSM, EHOSTUNREACH, ENOTSUP, ...) and f is the caller's. */
    int (*send)(void *st, zinc_frame_t *f);
    /* The next frame of an incoming message, or NULL with errno (EAGAIN,
     * EFSM, ENOTSUP). */
    zinc_frame_t *(*recv)(void *st);
    /* Readiness for events/poll: a recv / a send would not give EAGAIN. */
    bool (*has_in)(void *st);
    bool (*has_out)(void *st);

    /* Optional ops: NULL when the pattern has no use for them. */

    /* A write-only command option (a ZI_OPTF_ACTION row: subscribe,
     * unsubscribe, ...) with its validated value, borrowed for the call.
     * 0 done, -1 with errno, or 1 "not mine" (core answers ENOTSUP). */
    int (*setopt)(void *st, zi_opt_index opt, const zi_optval_t *val);
    /* A live read-only option (a ZI_OPTF_LIVE row core does not answer
     * itself, e.g. topics_count): 1 with *out filled (out->data valid until
     * the socket's next call), or 0 to use the stored value. */
    int (*getopt)(void *st, zi_opt_index opt, zi_optval_t *out);
    /* The connection behind p was lost and p is kept for the next one (a
     * connecter without immediate): the peer at the far end will be new and
     * knows nothing of what was sent before (libzmq's "hiccup"). */
    void (*hiccuped)(void *st, zi_pipe_t *p);
    /* true while the pattern holds frames it read ahead from p (ROUTER's
     * and STREAM's per-peer stash): a pipe whose peer closed is detached
     * only once they are taken, so that what it delivered last is not
     * lost. */
    bool (*holds)(void *st, zi_pipe_t *p);
} zi_pattern_ops_t;

/* The ops for a socket type, or NULL when zinc does not build it. */
const zi_pattern_ops_t *zi_pattern_lookup(int type);

/* ---- what core offers patterns (src/core/socket.c) -------------------- */

/* Reads the next frame of p, consuming in-band peer frames (-> ops->peer). */
zinc_frame_t *zi_sock_pipe_read(zi_sock_t *s, zi_pipe_t *p);
/* Option values: zi_optset_int(zi_sock_opts(s), ZI_OPT_...) (core/socket.h). */
/* true when a message frame can be read from p: leading in-band peer frames
 * are consumed first (-> ops->peer), so they never count as input. */
bool zi_sock_pipe_check_read(zi_sock_t *s, zi_pipe_t *p);
/* Peer metadata last seen on p (NULL before the peer identified itself). */
zi_props_t *zi_sock_pipe_meta(const zi_sock_t *s, const zi_pipe_t *p);

#endif
