/* Mailbox: a multi-producer, single-consumer queue of commands, with an
 * eventfd that is readable while commands are pending.
 *
 * Commands are control traffic (attach a pipe, a connection is up, stop), not
 * messages, so a mutex guards the queue (held for the copy only, never across
 * a system call); the data path reaches it only to wake a sleeping reader.
 * The eventfd is written when the queue goes from empty to non-empty and the
 * consumer may be asleep, and reset when the consumer drains it, so it suits
 * a level-triggered epoll (the I/O thread's reactor) and a socket's `fd`
 * option alike. It may stay readable with nothing pending (a sender's signal
 * landing just after its command was taken) until the next zi_mailbox_recv,
 * which then returns false and resets it: consumers loop on recv until false
 * before they wait or poll again. A recv on an empty mailbox whose eventfd is
 * not readable costs two atomic loads, no lock.
 *
 * Threads: zi_mailbox_send from any thread; zi_mailbox_recv and _wait from the
 * one consumer thread; _new/_free while no other thread uses the mailbox. A
 * sender still touches the mailbox after its command became visible (it
 * signals after unlocking), so having taken a command does not mean its
 * sender is done: free only once every sender has returned (the runtime's
 * references and pipe quiescing see to that).
 */
#ifndef ZI_CORE_MAILBOX_H
#define ZI_CORE_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

/* Command types below ZI_CMD_USER are the runtime's own. */
enum {
    ZI_CMD_NONE = 0,
    ZI_CMD_CALL = 1, /* run fn(arg) on the consumer's thread */
    ZI_CMD_STOP = 2, /* stop the consumer's loop */
    ZI_CMD_USER = 16,
};

/* A generic command, copied in and out by value. Whatever the pointers refer
 * to is the business of sender and receiver (a reference travels with the
 * command; the mailbox never touches it). */
typedef struct zi_cmd {
    int type;            /* ZI_CMD_* or an owner-defined value >= ZI_CMD_USER */
    void *target;        /* the object the command is for */
    void *arg;           /* argument (for ZI_CMD_CALL, fn's) */
    int64_t value;       /* integer argument */
    void (*fn)(void *a); /* ZI_CMD_CALL: the function to run */
} zi_cmd_t;

typedef struct zi_mailbox zi_mailbox_t;

/* A new empty mailbox; NULL with errno set (ENOMEM, or eventfd's error). */
zi_mailbox_t *zi_mailbox_new(void);

/* Closes the eventfd and frees the mailbox. Commands still queued are
 * discarded without being looked at: drain first if they carry references. */
void zi_mailbox_free(zi_mailbox_t *mb);

/* The eventfd: readable while commands are pending. Poll it; never read or
 * write it directly. Owned by the mailbox. */
int zi_mailbox_fd(const zi_mailbox_t *mb);

/* Queues a copy of cmd. Any thread. Blocks only on the mailbox mutex.
 * ZI_ENOMEM when the queue cannot grow. */
ZI_MUST_USE zi_err zi_mailbox_send(zi_mailbox_t *mb, const zi_cmd_t *cmd);

/* Consumer: takes the oldest command into *out; false when none (and then
 * the eventfd is not readable until the next send). Never blocks (beyond the
 * mutex). Commands from one sender arrive in order. */
bool zi_mailbox_recv(zi_mailbox_t *mb, zi_cmd_t *out);

/* Consumer: blocks until a command is pending or timeout_ms passes (-1: no
 * limit, 0: just look). ZI_OK when one is pending, ZI_ETIMEDOUT otherwise.
 * Signals interrupting the wait are retried. */
ZI_MUST_USE zi_err zi_mailbox_wait(zi_mailbox_t *mb, int timeout_ms);

#endif
