/* The two strategies most patterns share (libzmq's lb_t and fq_t, written
 * anew): fair-queueing incoming messages over peers, and load-balancing
 * outgoing messages over peers. Both keep an array of pipe ends whose first
 * `active` entries may be read / written; a pipe goes inactive when it has
 * nothing to read (or hits its hwm) and back when the pipe says so. A message
 * is always taken from, or given to, one pipe in whole. Socket thread only. */
#ifndef ZI_PATTERN_STRATEGY_H
#define ZI_PATTERN_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>

#include "pattern/pattern.h"

typedef struct {
    zi_pipe_t **pipes;
    size_t n, active, cur, cap;
    bool more; /* inside a multipart message from pipes[cur] */
} zi_fq_t;

typedef struct {
    zi_pipe_t **pipes;
    size_t n, active, cur, cap;
    bool more;     /* inside a multipart message to pipes[cur] */
    bool dropping; /* the rest of this message goes nowhere */
} zi_lb_t;

void zi_fq_fini(zi_fq_t *fq);
int zi_fq_attach(zi_fq_t *fq, zi_pipe_t *p);
void zi_fq_activated(zi_fq_t *fq, zi_pipe_t *p);
void zi_fq_detach(zi_fq_t *fq, zi_pipe_t *p);
/* The next frame, or NULL with EAGAIN. *from gets its pipe when not NULL. */
zinc_frame_t *zi_fq_recv(zi_fq_t *fq, zi_sock_t *s, zi_pipe_t **from);
bool zi_fq_has_in(zi_fq_t *fq, zi_sock_t *s);

void zi_lb_fini(zi_lb_t *lb);
int zi_lb_attach(zi_lb_t *lb, zi_pipe_t *p);
void zi_lb_activated(zi_lb_t *lb, zi_pipe_t *p);
void zi_lb_detach(zi_lb_t *lb, zi_pipe_t *p);
/* Sends f to the current peer (0, owning f), or -1 with EAGAIN when no peer
 * can take a new message. *to gets the pipe when not NULL. */
int zi_lb_send(zi_lb_t *lb, zinc_frame_t *f, zi_pipe_t **to);
bool zi_lb_has_out(zi_lb_t *lb);

#endif
