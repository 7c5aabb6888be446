#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/ctxopts.h"
#include "core/error.h"

/* ---- context option rows ------------------------------------------------ */

/* clang-format off */
#define IMAX INT32_MAX
#define CTX_INT(n, i, dt, d, lo, hi) .name = n, .id = i, .type = ZINC_OPT_INT, \
    .def_text = dt, .def = d, .min = lo, .max = hi
#define CTX_BOOL(n, i, dt, d) .name = n, .id = i, .type = ZINC_OPT_BOOL, \
    .def_text = dt, .def = d, .min = 0, .max = 1
#define RW .access = ZINC_OPT_RW
#define RO .access = ZINC_OPT_READ
#define WO .access = ZINC_OPT_WRITE
#define NOW .effect = ZINC_OPT_IMMEDIATE
#define STABLE .status = ZINC_OPT_STABLE
#define DRAFT .status = ZINC_OPT_DRAFT
#define YES .implemented = true
#define NO .implemented = false

const zi_option_t zi_ctxopt_table[ZI_CTXOPT_COUNT] = {
    [ZI_CTXOPT_IO_THREADS] = {CTX_INT("io_threads", 1, "1", 1, 0, IMAX), RW, NOW, STABLE, YES,
        .doc = "I/O threads (0: only inproc works); fixed once the first socket exists"},
    [ZI_CTXOPT_MAX_SOCKETS] = {CTX_INT("max_sockets", 2, "1023", 1023, 1, IMAX), RW, NOW,
        STABLE, YES, .doc = "Most sockets the context may have open at once"},
    [ZI_CTXOPT_SOCKET_LIMIT] = {CTX_INT("socket_limit", 3, "65535", 65535, 0, IMAX), RO, NOW,
        STABLE, YES, .doc = "Largest max_sockets accepted"},
    [ZI_CTXOPT_THREAD_PRIORITY] = {CTX_INT("thread_priority", 3, "-1", -1, -1, IMAX), WO, NOW,
        STABLE, NO, .doc = "Scheduling priority of the I/O threads (-1: the OS's)"},
    [ZI_CTXOPT_THREAD_SCHED_POLICY] = {CTX_INT("thread_sched_policy", 4, "-1", -1, -1, IMAX), RW,
        NOW, STABLE, NO, .doc = "Scheduling policy of the I/O threads (-1: the OS's)"},
    [ZI_CTXOPT_MAX_MSGSZ] = {CTX_INT("max_msgsz", 5, "2147483647", IMAX, 0, IMAX), RW, NOW,
        STABLE, YES, .doc = "Largest message size the context accepts, octets"},
    [ZI_CTXOPT_MSG_T_SIZE] = {CTX_INT("msg_t_size", 6, "64", 64, 64, 64), RO, NOW, STABLE, YES,
        .doc = "Size of libzmq's zmq_msg_t, for binary compatibility"},
    [ZI_CTXOPT_THREAD_AFFINITY_CPU_ADD] = {CTX_INT("thread_affinity_cpu_add", 7, "", 0, 0, IMAX),
        WO, NOW, STABLE, NO, .flags = ZI_OPTF_ACTION,
        .doc = "Adds a CPU to the I/O threads' affinity"},
    [ZI_CTXOPT_THREAD_AFFINITY_CPU_REMOVE] = {CTX_INT("thread_affinity_cpu_remove", 8, "", 0, 0,
        IMAX), WO, NOW, STABLE, NO, .flags = ZI_OPTF_ACTION,
        .doc = "Removes a CPU from the I/O threads' affinity"},
    [ZI_CTXOPT_THREAD_NAME_PREFIX] = {.name = "thread_name_prefix", .id = 9,
        .type = ZINC_OPT_STRING, .def_text = "", .min = 0, .max = ZI_THREAD_NAME_PREFIX_MAX, RW,
        NOW, STABLE, YES, .doc = "Prefix of the I/O threads' names"},
    [ZI_CTXOPT_ZERO_COPY_RECV] = {CTX_BOOL("zero_copy_recv", 10, "1", 1), RW, NOW, DRAFT, NO,
        .doc = "Receive large messages without copying them"},
    [ZI_CTXOPT_IPV6] = {CTX_BOOL("ipv6", 42, "0", 0), RW, NOW, STABLE, YES,
        .doc = "Default of the ipv6 option of sockets created afterwards"},
    [ZI_CTXOPT_BLOCKY] = {CTX_BOOL("blocky", 70, "1", 1), RW, NOW, STABLE, YES,
        .doc = "Context termination waits for sockets to close and linger (0: linger 0)"},
};
/* clang-format on */

/* ---- context options ---------------------------------------------------- */

void zi_ctxopts_init(zi_ctxopts_t *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < ZI_CTXOPT_COUNT; i++)
        c->val[i] = zi_ctxopt_table[i].def;
}

const zi_option_t *zi_ctxopt_lookup(const char *name)
{
    return zi_option_lookup(zi_ctxopt_table, ZI_CTXOPT_COUNT, name);
}

static const zi_option_t *ctxopts_find(const char *name)
{
    return zi_option_find_in(zi_ctxopt_table, ZI_CTXOPT_COUNT, name, "context option");
}

static int ctxopts_check(const zi_option_t *opt, int access)
{
    if (!(opt->access & access))
        return zi_fail(EINVAL, "%s is %s", opt->name,
                       access == ZINC_OPT_WRITE ? "read-only" : "write-only");
    if (!opt->implemented)
        return zi_fail(ENOTSUP, "%s is not implemented in zinc yet", opt->name);
    return 0;
}

static void ctxopts_store(zi_ctxopts_t *c, const zi_option_t *opt, const zi_optval_t *val)
{
    zi_ctxopt_index i = (zi_ctxopt_index)(opt - zi_ctxopt_table);
    if (i == ZI_CTXOPT_THREAD_NAME_PREFIX) {
        /* Validation bounded the length to ZI_THREAD_NAME_PREFIX_MAX. */
        memcpy(c->thread_name_prefix, val->data, val->len);
        c->thread_name_prefix[val->len] = '\0';
        return;
    }
    c->val[i] = val->i;
}

static void ctxopts_value(const zi_ctxopts_t *c, const zi_option_t *opt, zi_optval_t *out)
{
    zi_ctxopt_index i = (zi_ctxopt_index)(opt - zi_ctxopt_table);
    memset(out, 0, sizeof *out);
    if (i == ZI_CTXOPT_THREAD_NAME_PREFIX) {
        out->data = (const uint8_t *)c->thread_name_prefix;
        out->len = strlen(c->thread_name_prefix);
        return;
    }
    out->i = c->val[i];
}

int zi_ctxopts_set_text(zi_ctxopts_t *c, const char *name, const char *value)
{
    zi_optval_t val;
    const zi_option_t *opt = ctxopts_find(name);
    if (!opt || ctxopts_check(opt, ZINC_OPT_WRITE) < 0 ||
        zi_option_parse_text(opt, value, &val) < 0)
        return -1;
    ctxopts_store(c, opt, &val);
    return 0;
}

int zi_ctxopts_set_int(zi_ctxopts_t *c, const char *name, int64_t value)
{
    zi_optval_t val;
    const zi_option_t *opt = ctxopts_find(name);
    if (!opt || ctxopts_check(opt, ZINC_OPT_WRITE) < 0 || zi_option_parse_int(opt, value, &val) < 0)
        return -1;
    ctxopts_store(c, opt, &val);
    return 0;
}

int zi_ctxopts_get_text(const zi_ctxopts_t *c, const char *name, char *buf, size_t *len)
{
    zi_optval_t val;
    const zi_option_t *opt = ctxopts_find(name);
    if (!opt || ctxopts_check(opt, ZINC_OPT_READ) < 0)
        return -1;
    ctxopts_value(c, opt, &val);
    return zi_option_format(opt, &val, buf, len);
}

int zi_ctxopts_get_int(const zi_ctxopts_t *c, const char *name, int64_t *value)
{
    zi_optval_t val;
    const zi_option_t *opt = ctxopts_find(name);
    if (!opt || ctxopts_check(opt, ZINC_OPT_READ) < 0)
        return -1;
    if (opt->type == ZINC_OPT_STRING)
        return zi_fail(EINVAL, "%s: wrong type: it holds a string, not an integer", opt->name);
    if (!value)
        return zi_fail(EINVAL, "%s: no place for the value given", opt->name);
    ctxopts_value(c, opt, &val);
    *value = val.i;
    return 0;
}

void zi_ctxopts_seed(const zi_ctxopts_t *c, zi_optset_t *os)
{
    os->slot[ZI_OPT_IPV6].i = c->val[ZI_CTXOPT_IPV6];
}

/* ---- socket option defaults --------------------------------------------- */

void zi_ctx_defaults_init(zi_ctx_defaults_t *d)
{
    memset(d, 0, sizeof *d);
}

static void ctx_default_free(zi_ctx_default_t *e)
{
    if (e->owned) {
        sodium_memzero(e->owned, e->val.len);
        free(e->owned);
    }
    sodium_memzero(&e->val, sizeof e->val); /* may hold a CURVE secret key */
    e->owned = NULL;
}

void zi_ctx_defaults_fini(zi_ctx_defaults_t *d)
{
    for (size_t i = 0; i < d->count; i++)
        ctx_default_free(&d->items[i]);
    free(d->items);
    memset(d, 0, sizeof *d);
}

static zi_ctx_default_t *ctx_defaults_entry(const zi_ctx_defaults_t *d, const zi_option_t *opt)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->items[i].opt == opt)
            return &d->items[i];
    return NULL;
}

int zi_ctx_defaults_set(zi_ctx_defaults_t *d, const char *name, const char *value)
{
    zi_optval_t val;
    const zi_option_t *opt = zi_option_find_in(zi_option_table, ZI_OPT_COUNT, name, "option");
    if (!opt)
        return -1;
    if (!(opt->access & ZINC_OPT_WRITE))
        return zi_fail(EINVAL, "%s is read-only", opt->name);
    if (opt->types == 0)
        return zi_fail(EINVAL, "%s is not a socket option (it is a context option)", opt->name);
    if (!opt->implemented)
        return zi_fail(ENOTSUP, "%s is not implemented in zinc yet", opt->name);
    if (zi_option_parse_text(opt, value, &val) < 0)
        return -1;

    uint8_t *owned = NULL;
    if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING) {
        /* val.data borrows the caller's text: keep a copy (none when empty). */
        if (val.len > 0) {
            owned = malloc(val.len);
            if (!owned)
                return zi_fail(ENOMEM, "%s: out of memory", opt->name);
            memcpy(owned, val.data, val.len);
        }
        val.data = owned ? owned : (const uint8_t *)"";
    }
    zi_ctx_default_t *e = ctx_defaults_entry(d, opt);
    if (!e) {
        if (d->count == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 8;
            zi_ctx_default_t *items = realloc(d->items, cap * sizeof *items);
            if (!items) {
                free(owned);
                return zi_fail(ENOMEM, "%s: out of memory", opt->name);
            }
            d->items = items;
            d->cap = cap;
        }
        e = &d->items[d->count++];
    } else {
        ctx_default_free(e);
    }
    e->opt = opt;
    e->val = val;
    e->owned = owned;
    sodium_memzero(&val, sizeof val);
    return 0;
}

/* The entry for name, or NULL with errno (EINVAL unknown, ENOENT unset). */
static zi_ctx_default_t *ctx_defaults_find(const zi_ctx_defaults_t *d, const char *name)
{
    const zi_option_t *opt = zi_option_find_in(zi_option_table, ZI_OPT_COUNT, name, "option");
    if (!opt)
        return NULL;
    zi_ctx_default_t *e = ctx_defaults_entry(d, opt);
    if (!e)
        zi_fail(ENOENT, "no context default is set for %s", opt->name);
    return e;
}

int zi_ctx_defaults_get(const zi_ctx_defaults_t *d, const char *name, char *buf, size_t *len)
{
    const zi_ctx_default_t *e = ctx_defaults_find(d, name);
    if (!e)
        return -1;
    return zi_option_format(e->opt, &e->val, buf, len);
}

int zi_ctx_defaults_remove(zi_ctx_defaults_t *d, const char *name)
{
    zi_ctx_default_t *e = ctx_defaults_find(d, name);
    if (!e)
        return -1;
    ctx_default_free(e);
    size_t i = (size_t)(e - d->items);
    memmove(e, e + 1, (d->count - i - 1) * sizeof *e);
    d->count--;
    return 0;
}

size_t zi_ctx_defaults_count(const zi_ctx_defaults_t *d)
{
    return d->count;
}

const zi_option_t *zi_ctx_defaults_at(const zi_ctx_defaults_t *d, size_t i, zi_optval_t *val)
{
    if (i >= d->count)
        return NULL;
    if (val)
        *val = d->items[i].val;
    return d->items[i].opt;
}

int zi_ctx_defaults_apply(const zi_ctx_defaults_t *d, zi_optset_t *os)
{
    for (size_t i = 0; i < d->count; i++) {
        const zi_ctx_default_t *e = &d->items[i];
        if (!(e->opt->types & ZI_ST(os->socktype)))
            continue; /* does not apply to this socket type: skipped, silently */
        if (zi_optset_apply(os, e->opt, &e->val) < 0)
            return -1;
    }
    return 0;
}

/* ---- one entry point ---------------------------------------------------- */

static void ctx_unknown(const char *name)
{
    char quoted[72];
    char near[128];
    const zi_option_t *const tables[] = {zi_ctxopt_table, zi_option_table};
    const size_t counts[] = {ZI_CTXOPT_COUNT, ZI_OPT_COUNT};
    zi_detail_quote(quoted, sizeof quoted, name, 64);
    if (zi_option_suggest_in(tables, counts, 2, name, near, sizeof near, 3) > 0)
        zi_fail(EINVAL, "unknown option '%s' (did you mean %s?)", quoted, near);
    else
        zi_fail(EINVAL, "unknown option '%s'", quoted);
}

int zi_ctx_set_text(zi_ctxopts_t *c, zi_ctx_defaults_t *d, const char *name, const char *value)
{
    if (zi_ctxopt_lookup(name))
        return zi_ctxopts_set_text(c, name, value);
    if (zi_option_lookup(zi_option_table, ZI_OPT_COUNT, name))
        return zi_ctx_defaults_set(d, name, value);
    ctx_unknown(name);
    return -1;
}

int zi_ctx_get_text(const zi_ctxopts_t *c, const zi_ctx_defaults_t *d, const char *name, char *buf,
                    size_t *len)
{
    if (zi_ctxopt_lookup(name))
        return zi_ctxopts_get_text(c, name, buf, len);
    if (zi_option_lookup(zi_option_table, ZI_OPT_COUNT, name))
        return zi_ctx_defaults_get(d, name, buf, len);
    ctx_unknown(name);
    return -1;
}
