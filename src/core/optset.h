/* zi_optset_t: the current value of every socket option, embedded in a
 * socket.
 *
 * Integer options live in an array indexed by table row (zi_opt_index), so
 * the runtime reads them in O(1) with zi_optset_int(os, ZI_OPT_SNDTIMEO);
 * bytes, strings and CURVE keys are buffers the optset owns.
 *
 * Checks, in this order, for every set: unknown name (EINVAL, the detail
 * suggests the nearest names), read-only (EINVAL), not applicable to the
 * socket's type (EINVAL, as libzmq), not implemented (ENOTSUP), then the value
 * (type, range, extra rule: EINVAL). Gets check unknown, write-only (EINVAL),
 * applicability and implemented the same way. Every failure returns -1 with
 * errno and a detail sentence (zinc_last_error_detail).
 *
 * Values the socket knows live (rcvmore, fd, events, last_endpoint,
 * topics_count: rows flagged ZI_OPTF_LIVE) come from the `live` hook the
 * socket installs; without one, gets return the stored stand-in (the
 * default). Write-only commands (subscribe, unsubscribe, metadata, the IPC
 * and TCP filters: ZI_OPTF_ACTION) go to the `action` hook and are not
 * stored; without one they fail with ENOTSUP.
 *
 * Derived values follow libzmq: hwm sets sndhwm and rcvhwm (and reads
 * sndhwm); ipv4only is !ipv6; mechanism follows the security options
 * (plain_username selects PLAIN, a CURVE key selects CURVE, *_server 0 resets
 * to NULL ...) and plain_server/curve_server/gssapi_server read 1 only while
 * their mechanism is selected.
 *
 * Threads: an optset belongs to its socket and is used by one thread at a
 * time (the socket's rule); nothing here locks. Nothing blocks; the only
 * allocations are copies of bytes/string/key values.
 */
#ifndef ZI_CORE_OPTSET_H
#define ZI_CORE_OPTSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/options.h"

typedef struct {
    int64_t i;  /* integer types (UINT64 as its bit pattern) */
    uint8_t *p; /* owned octets of BYTES/STRING/CURVE_KEY; NULL: empty, or a zero key */
    size_t len;
} zi_optslot_t;

/* Hooks the socket installs (zi_optset_set_hooks). Each may be NULL. They are
 * called on the thread calling zi_optset_*, inside that call. */
typedef struct {
    /* Answers a ZI_OPTF_LIVE row: returns 1 with *out filled (out->data must
     * stay valid until the socket's next call), 0 to use the stored value, or
     * -1 with errno. */
    int (*live)(void *ctx, const zi_option_t *opt, zi_optval_t *out);
    /* Consumes a ZI_OPTF_ACTION row's validated value (borrowed for the call):
     * returns 0 or -1 with errno. */
    int (*action)(void *ctx, const zi_option_t *opt, const zi_optval_t *val);
    /* Told after a value was stored (and after each of hwm's two rows), so
     * that an option taking effect immediately can reach live connections. */
    void (*changed)(void *ctx, const zi_option_t *opt);
} zi_optset_hooks_t;

typedef struct zi_optset {
    int socktype;
    int as_server; /* libzmq's as_server: the last *_server option set */
    const zi_optset_hooks_t *hooks;
    void *hook_ctx;
    zi_optslot_t slot[ZI_OPT_COUNT];
} zi_optset_t;

/* Fills os with the table defaults for socktype (0..20), including the
 * per-type ones (linger 0 on SUB/XSUB/DISH, type, thread_safe). Allocates
 * nothing. -1 and EINVAL for an unknown socket type. */
int zi_optset_init(zi_optset_t *os, int socktype);
/* Frees (and wipes) the owned buffers. os may be initialised again after. */
void zi_optset_fini(zi_optset_t *os);
/* Installs hooks (kept by pointer, not copied) and their context. */
void zi_optset_set_hooks(zi_optset_t *os, const zi_optset_hooks_t *hooks, void *ctx);

/* Set by name: from text (see zi_option_parse_text for the forms), from an
 * integer (int and bool rows), from octets (bytes, string and key rows). */
int zi_optset_set_text(zi_optset_t *os, const char *name, const char *value);
int zi_optset_set_int(zi_optset_t *os, const char *name, int64_t value);
int zi_optset_set_bytes(zi_optset_t *os, const char *name, const void *data, size_t len);

/* Get by name. get_text: *len is buf's capacity in and the text's length out
 * (NUL not counted; buf is NUL-terminated; bytes may contain NULs). get_bytes:
 * *len capacity in, octets out (strings without a NUL, keys as 32 octets).
 * A short buffer gives EINVAL with *len set to the length needed. get_int:
 * int and bool rows only. */
int zi_optset_get_text(const zi_optset_t *os, const char *name, char *buf, size_t *len);
int zi_optset_get_int(const zi_optset_t *os, const char *name, int64_t *value);
int zi_optset_get_bytes(const zi_optset_t *os, const char *name, void *buf, size_t *len);

/* The checks alone, for a row already found: write (read-only, socket type,
 * implemented) and read (write-only, socket type, implemented). */
int zi_optset_check_write(const zi_optset_t *os, const zi_option_t *opt);
int zi_optset_check_read(const zi_optset_t *os, const zi_option_t *opt);

/* Stores a value validated by zi_option_parse_* (no checks repeated), with
 * libzmq's side effects; ACTION rows go to the action hook. 0, or -1 with
 * errno (ENOMEM, ENOTSUP for an ACTION row without a hook, or the hook's). */
int zi_optset_apply(zi_optset_t *os, const zi_option_t *opt, const zi_optval_t *val);

/* The stored value of a row (derived rows computed), with no checks and no
 * live hook; out->data borrows from os. */
void zi_optset_value(const zi_optset_t *os, const zi_option_t *opt, zi_optval_t *out);
/* zi_optset_value in text form (zi_option_format's rules). */
int zi_optset_format(const zi_optset_t *os, const zi_option_t *opt, char *buf, size_t *len);

/* Puts one row back to its default (the runtime clears connect_routing_id
 * after the connect that used it). */
void zi_optset_reset(zi_optset_t *os, zi_opt_index i);

/* Fast reads for the runtime, no checks: integer rows, and owned octets
 * (NULL and 0 when empty). */
static inline int64_t zi_optset_int(const zi_optset_t *os, zi_opt_index i)
{
    return os->slot[i].i;
}

static inline const uint8_t *zi_optset_bytes(const zi_optset_t *os, zi_opt_index i, size_t *len)
{
    if (len)
        *len = os->slot[i].len;
    return os->slot[i].p;
}

#endif
