/* Reactor: one epoll loop per I/O thread (DESIGN.md "Threads and the data
 * path"): file descriptors with in/out/err callbacks, one-shot timers in a
 * binary heap keyed by deadline (ms, zi_clock_ms), and a mailbox through which
 * other threads post commands and run functions on the reactor's thread.
 *
 * Threads: after zi_reactor_start, every function except zi_reactor_post,
 * _call, _stop, _load and _in_thread must be called on the reactor's own
 * thread, which means from inside one of its callbacks (or via
 * zi_reactor_call). Before start, or after stop, the owner may call them from
 * its own thread, and may drive the loop itself with zi_reactor_poll.
 * Callbacks run on the reactor's thread, one at a time; they must not block
 * for long, since they hold up every other fd and timer of the thread.
 */
#ifndef ZI_CORE_REACTOR_H
#define ZI_CORE_REACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mailbox.h"
#include "util/err.h"

typedef struct zi_reactor zi_reactor_t;
/* A registered file descriptor. */
typedef struct zi_reactor_fd zi_reactor_fd_t;

/* Interest flags for zi_reactor_set_events. */
enum { ZI_REACTOR_IN = 1, ZI_REACTOR_OUT = 2 };

/* Callbacks for one fd; arg is the one given to zi_reactor_add_fd. Any may be
 * NULL. Level-triggered: `in` and `out` repeat while the fd stays ready and
 * the interest is set. `out` runs before `in` when both are ready. `err` runs
 * on EPOLLERR/EPOLLHUP when `in` did not run (without `err`, `in` runs
 * instead, so a read sees the error or the end); errors are reported even
 * with no interest set, and again and again until the fd is removed. */
typedef struct {
    void (*in)(void *arg);
    void (*out)(void *arg);
    void (*err)(void *arg);
} zi_reactor_fd_ops_t;

typedef void zi_reactor_fn(void *arg);

/* A new reactor (not running). NULL with errno on failure. */
zi_reactor_t *zi_reactor_new(void);

/* Stops the thread if it runs (as zi_reactor_stop), then frees the reactor,
 * its fd handles (the fds are not closed) and its timers. Commands still in
 * the mailbox are discarded without running. */
void zi_reactor_free(zi_reactor_t *r);

/* Starts the loop in a new thread named name (truncated to 15 characters;
 * NULL: "zinc-io"). All signals are blocked in that thread. ZI_EINVAL if
 * already started; ZI_ENOMEM if the thread cannot be created. */
ZI_MUST_USE zi_err zi_reactor_start(zi_reactor_t *r, const char *name);

/* Asks the loop to stop and blocks until its thread has exited. A callback in
 * progress finishes first; nothing else runs after it. Must not be called on
 * the reactor's thread. No-op if not started or already stopped. */
void zi_reactor_stop(zi_reactor_t *r);

/* One iteration on the calling thread, for a reactor that is not started:
 * fires due timers, waits up to timeout_ms (-1: until something happens,
 * bounded by the next timer) for fds and commands, and dispatches them.
 * Returns the number of callbacks and commands run. */
int zi_reactor_poll(zi_reactor_t *r, int timeout_ms);

/* true on the reactor's own thread (while started). Any thread. */
bool zi_reactor_in_thread(const zi_reactor_t *r);

/* Number of fds registered by users: a load figure for choosing the least
 * busy I/O thread. Any thread (a snapshot). */
unsigned zi_reactor_load(const zi_reactor_t *r);

/* A buffer of ZI_REACTOR_SCRATCH octets that callbacks on the reactor's
 * thread may use until they return (the connections' reads go there, so
 * an idle connection holds no read buffer of its own). Made on first use;
 * NULL when it cannot be. Only on the reactor's thread. */
#define ZI_REACTOR_SCRATCH (64 * 1024)
uint8_t *zi_reactor_scratch(zi_reactor_t *r);

/* ---- file descriptors (reactor thread) -------------------------------- */

/* Registers fd with no interest set; NULL with errno (epoll_ctl's, ENOMEM).
 * The reactor never closes fd. ops must stay valid while registered. */
zi_reactor_fd_t *zi_reactor_add_fd(zi_reactor_t *r, int fd, const zi_reactor_fd_ops_t *ops,
                                   void *arg);

/* Sets the interest to events (ZI_REACTOR_IN | ZI_REACTOR_OUT, or 0). */
ZI_MUST_USE zi_err zi_reactor_set_events(zi_reactor_t *r, zi_reactor_fd_t *h, unsigned events);

/* Unregisters h and frees it (later, if called from inside a callback): no
 * callback of h runs after this returns, even one already reported in the
 * same batch. Call before closing the fd. */
void zi_reactor_rm_fd(zi_reactor_t *r, zi_reactor_fd_t *h);

/* ---- timers (reactor thread) ------------------------------------------ */

/* A one-shot timer: fn(arg) runs on the reactor's thread once delay_ms (>= 0)
 * have passed. Timers with the same deadline fire in the order they were
 * added. Returns its id (never 0), or 0 on ENOMEM. */
uint64_t zi_reactor_timer_add(zi_reactor_t *r, int64_t delay_ms, zi_reactor_fn *fn, void *arg);

/* Cancels a pending timer. false when id is unknown, already fired (also when
 * called from its own callback) or cancelled. */
bool zi_reactor_timer_cancel(zi_reactor_t *r, uint64_t id);

/* ---- commands (any thread) -------------------------------------------- */

/* Posts a command to the reactor's thread. ZI_CMD_CALL runs cmd->fn(cmd->arg);
 * ZI_CMD_STOP stops the loop; any other type goes to the command handler (or
 * is dropped if none). Commands from one thread are handled in order. A
 * command posted after the loop stopped never runs. ZI_ENOMEM on failure. */
ZI_MUST_USE zi_err zi_reactor_post(zi_reactor_t *r, const zi_cmd_t *cmd);

/* Runs fn(arg) on the reactor's thread, later (also when called from it). */
ZI_MUST_USE zi_err zi_reactor_call(zi_reactor_t *r, zi_reactor_fn *fn, void *arg);

/* Sets the handler for commands of other types (reactor thread, or before
 * start). */
void zi_reactor_set_cmd_handler(zi_reactor_t *r, void (*fn)(void *ctx, const zi_cmd_t *cmd),
                                void *ctx);

#endif
