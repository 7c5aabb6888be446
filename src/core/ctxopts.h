/* Context options and context-wide socket option defaults, as plain data.
 *
 * zi_ctxopts_t holds the context options (io_threads, max_sockets, ipv6,
 * blocky, max_msgsz, thread_name_prefix, ...; rows in the same format as the
 * socket option table, see zi_ctxopt_table). zi_ctx_defaults_t is the list of
 * socket option defaults set on a context ("linger" = "0"), applied to every
 * socket created afterwards.
 *
 * Threads: these are data structures with no lock and no threads of their
 * own. The context object embeds them and serialises every call with its own
 * lock; zi_ctx_defaults_apply only reads the list and may run concurrently
 * with other readers. Nothing blocks.
 */
#ifndef ZI_CORE_CTXOPTS_H
#define ZI_CORE_CTXOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/options.h"
#include "core/optset.h"

/* ---- context options --------------------------------------------------- */

typedef enum {
    ZI_CTXOPT_IO_THREADS,                 /* 1 */
    ZI_CTXOPT_MAX_SOCKETS,                /* 2 */
    ZI_CTXOPT_SOCKET_LIMIT,               /* 3, read-only */
    ZI_CTXOPT_THREAD_PRIORITY,            /* 3, write-only */
    ZI_CTXOPT_THREAD_SCHED_POLICY,        /* 4 */
    ZI_CTXOPT_MAX_MSGSZ,                  /* 5 */
    ZI_CTXOPT_MSG_T_SIZE,                 /* 6, read-only */
    ZI_CTXOPT_THREAD_AFFINITY_CPU_ADD,    /* 7, write-only */
    ZI_CTXOPT_THREAD_AFFINITY_CPU_REMOVE, /* 8, write-only */
    ZI_CTXOPT_THREAD_NAME_PREFIX,         /* 9 */
    ZI_CTXOPT_ZERO_COPY_RECV,             /* 10, draft */
    ZI_CTXOPT_IPV6,                       /* 42 */
    ZI_CTXOPT_BLOCKY,                     /* 70 */
    ZI_CTXOPT_COUNT
} zi_ctxopt_index;

/* Context option rows (types mask unused: 0). */
extern const zi_option_t zi_ctxopt_table[ZI_CTXOPT_COUNT];

/* Longest thread_name_prefix, octets (libzmq's limit). */
#define ZI_THREAD_NAME_PREFIX_MAX 16

typedef struct {
    int64_t val[ZI_CTXOPT_COUNT];
    char thread_name_prefix[ZI_THREAD_NAME_PREFIX_MAX + 1];
} zi_ctxopts_t;

/* Fills c with the defaults (io_threads 1, max_sockets 1023, ipv6 0,
 * blocky 1, max_msgsz INT_MAX, ...). */
void zi_ctxopts_init(zi_ctxopts_t *c);

/* The row for a context option name (case-insensitive, "zmq_" prefix,
 * '-' = '_'), or NULL with neither errno nor detail set. */
const zi_option_t *zi_ctxopt_lookup(const char *name);

/* Set and get by name in text form (same rules as socket options; get_text's
 * *len is capacity in, length out). Unknown names: EINVAL with suggestions;
 * read-only/write-only: EINVAL; not implemented: ENOTSUP; bad values: EINVAL. */
int zi_ctxopts_set_text(zi_ctxopts_t *c, const char *name, const char *value);
int zi_ctxopts_get_text(const zi_ctxopts_t *c, const char *name, char *buf, size_t *len);
int zi_ctxopts_set_int(zi_ctxopts_t *c, const char *name, int64_t value);
int zi_ctxopts_get_int(const zi_ctxopts_t *c, const char *name, int64_t *value);

/* Fast read for the context, no checks (integer rows). */
static inline int64_t zi_ctxopts_int(const zi_ctxopts_t *c, zi_ctxopt_index i)
{
    return c->val[i];
}

/* What a new socket inherits from the context options before the defaults
 * list is applied (as libzmq: the context's ipv6). */
void zi_ctxopts_seed(const zi_ctxopts_t *c, zi_optset_t *os);

/* ---- socket option defaults -------------------------------------------- */

typedef struct {
    const zi_option_t *opt; /* canonical row (aliases resolve to it) */
    zi_optval_t val;        /* validated; data points at owned */
    uint8_t *owned;         /* copy of bytes/string values */
} zi_ctx_default_t;

typedef struct {
    zi_ctx_default_t *items; /* in the order set */
    size_t count, cap;
} zi_ctx_defaults_t;

void zi_ctx_defaults_init(zi_ctx_defaults_t *d);
void zi_ctx_defaults_fini(zi_ctx_defaults_t *d);

/* Sets the default for a socket option. The value is validated now: an
 * unknown name, a read-only option, an option that applies to no socket type
 * (blocky) or a malformed value is refused here (EINVAL), and an option zinc
 * does not implement yet is refused with ENOTSUP. A new name goes to the end
 * of the list; setting a name already present (or an alias of it) replaces
 * its value in place, keeping its position. 0, or -1 with errno and detail. */
int zi_ctx_defaults_set(zi_ctx_defaults_t *d, const char *name, const char *value);
/* The value set for name, in text form (*len capacity in, length out).
 * ENOENT when no default is set for it; EINVAL when the name is unknown. */
int zi_ctx_defaults_get(const zi_ctx_defaults_t *d, const char *name, char *buf, size_t *len);
/* Removes the default for name; the others keep their order. ENOENT when
 * none is set. */
int zi_ctx_defaults_remove(zi_ctx_defaults_t *d, const char *name);
size_t zi_ctx_defaults_count(const zi_ctx_defaults_t *d);
/* The i-th default in order (NULL past the end); *val borrows from d. */
const zi_option_t *zi_ctx_defaults_at(const zi_ctx_defaults_t *d, size_t i, zi_optval_t *val);

/* Applies the defaults to a new socket's optset in the order they were set,
 * silently skipping those that do not apply to the optset's socket type.
 * Write-only commands (subscribe, as pyzmq's context defaults allow) reach
 * the optset's action hook, so the socket installs its hooks first.
 * 0, or -1 with errno if storing one failed (ENOMEM, or the hook's error). */
int zi_ctx_defaults_apply(const zi_ctx_defaults_t *d, zi_optset_t *os);

/* ---- one entry point for zinc_ctx_set / zinc_ctx_get --------------------- */

/* name is a context option (io_threads, ipv6, blocky, ...): sets it.
 * Otherwise it is a socket option default (zi_ctx_defaults_set). An unknown
 * name gets EINVAL with suggestions from both tables. */
int zi_ctx_set_text(zi_ctxopts_t *c, zi_ctx_defaults_t *d, const char *name, const char *value);
/* The context option's value, or else the socket option default's. */
int zi_ctx_get_text(const zi_ctxopts_t *c, const zi_ctx_defaults_t *d, const char *name, char *buf,
                    size_t *len);

#endif
