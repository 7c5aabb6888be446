#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/error.h"
#include "core/optset.h"

#define MECH_NULL 0
#define MECH_PLAIN 1
#define MECH_CURVE 2
#define MECH_GSSAPI 3

static void optset_free_slot(zi_optslot_t *s)
{
    if (s->p) {
        /* Passwords and secret keys live here: wipe every buffer. */
        sodium_memzero(s->p, s->len);
        free(s->p);
    }
    s->p = NULL;
    s->len = 0;
}

static void optset_default_slot(const zi_optset_t *os, zi_opt_index i, zi_optslot_t *s)
{
    const zi_option_t *opt = zi_option_at(i);
    s->p = NULL;
    s->len = 0;
    s->i = 0;
    if (opt->type != ZINC_OPT_BYTES && opt->type != ZINC_OPT_STRING &&
        opt->type != ZINC_OPT_CURVE_KEY && !(opt->flags & ZI_OPTF_ACTION))
        s->i = zi_option_default_int(opt, os->socktype);
}

int zi_optset_init(zi_optset_t *os, int socktype)
{
    if (socktype < 0 || socktype > ZI_SOCKTYPE_MAX)
        return zi_fail(EINVAL, "unknown socket type %d", socktype);
    memset(os, 0, sizeof *os);
    os->socktype = socktype;
    for (int i = 0; i < ZI_OPT_COUNT; i++)
        optset_default_slot(os, (zi_opt_index)i, &os->slot[i]);
    return 0;
}

void zi_optset_fini(zi_optset_t *os)
{
    for (int i = 0; i < ZI_OPT_COUNT; i++)
        optset_free_slot(&os->slot[i]);
}

void zi_optset_set_hooks(zi_optset_t *os, const zi_optset_hooks_t *hooks, void *ctx)
{
    os->hooks = hooks;
    os->hook_ctx = ctx;
}

void zi_optset_reset(zi_optset_t *os, zi_opt_index i)
{
    optset_free_slot(&os->slot[i]);
    optset_default_slot(os, i, &os->slot[i]);
}

/* ---- checks -------------------------------------------------------------- */

static int optset_check_common(const zi_optset_t *os, const zi_option_t *opt)
{
    if (!(opt->types & ZI_ST(os->socktype))) {
        char types[160];
        if (opt->types == 0)
            return zi_fail(EINVAL, "%s is not a socket option (it is a context option)", opt->name);
        return zi_fail(EINVAL, "%s does not apply to %s sockets (only to %s)", opt->name,
                       zi_socktype_name(os->socktype),
                       zi_option_types_text(opt->types, types, sizeof types));
    }
    if (!opt->implemented)
        return zi_fail(ENOTSUP, "%s is not implemented in zinc yet", opt->name);
    return 0;
}

int zi_optset_check_write(const zi_optset_t *os, const zi_option_t *opt)
{
    if (!(opt->access & ZINC_OPT_WRITE))
        return zi_fail(EINVAL, "%s is read-only", opt->name);
    return optset_check_common(os, opt);
}

int zi_optset_check_read(const zi_optset_t *os, const zi_option_t *opt)
{
    if (!(opt->access & ZINC_OPT_READ))
        return zi_fail(EINVAL, "%s is write-only", opt->name);
    return optset_check_common(os, opt);
}

/* ---- storing ------------------------------------------------------------- */

static int optset_store_octets(zi_optset_t *os, zi_opt_index i, const uint8_t *data, size_t len)
{
    uint8_t *copy = NULL;
    if (len > 0) {
        copy = malloc(len);
        if (!copy)
            return zi_fail(ENOMEM, "%s: out of memory for %zu octets", zi_option_at(i)->name, len);
        memcpy(copy, data, len);
    }
    optset_free_slot(&os->slot[i]);
    os->slot[i].p = copy;
    os->slot[i].len = len;
    return 0;
}

static void optset_changed(zi_optset_t *os, zi_opt_index i)
{
    if (os->hooks && os->hooks->changed)
        os->hooks->changed(os->hook_ctx, zi_option_at(i));
}

/* libzmq's security side effects (options.cpp): which mechanism a socket
 * uses follows the last security option set. */
static void optset_security(zi_optset_t *os, zi_opt_index i, const zi_optval_t *val)
{
    int64_t *mech = &os->slot[ZI_OPT_MECHANISM].i;
    switch (i) {
    case ZI_OPT_PLAIN_SERVER:
        os->as_server = (int)val->i;
        *mech = val->i ? MECH_PLAIN : MECH_NULL;
        break;
    case ZI_OPT_PLAIN_USERNAME:
    case ZI_OPT_PLAIN_PASSWORD:
        if (val->len == 0) {
            *mech = MECH_NULL;
        } else {
            os->as_server = 0;
            *mech = MECH_PLAIN;
        }
        break;
    case ZI_OPT_CURVE_SERVER:
        os->as_server = (int)val->i;
        *mech = val->i ? MECH_CURVE : MECH_NULL;
        break;
    case ZI_OPT_CURVE_PUBLICKEY:
    case ZI_OPT_CURVE_SECRETKEY:
        *mech = MECH_CURVE;
        break;
    case ZI_OPT_CURVE_SERVERKEY:
        os->as_server = 0;
        *mech = MECH_CURVE;
        break;
    case ZI_OPT_GSSAPI_SERVER:
        os->as_server = (int)val->i;
        *mech = MECH_GSSAPI;
        break;
    case ZI_OPT_GSSAPI_PRINCIPAL:
        *mech = MECH_GSSAPI;
        break;
    case ZI_OPT_GSSAPI_SERVICE_PRINCIPAL:
        os->as_server = 0;
        *mech = MECH_GSSAPI;
        break;
    default:
        break;
    }
}

int zi_optset_apply(zi_optset_t *os, const zi_option_t *opt, const zi_optval_t *val)
{
    zi_opt_index i = zi_option_index(opt);
    if (opt->flags & ZI_OPTF_ACTION) {
        if (!os->hooks || !os->hooks->action)
            return zi_fail(ENOTSUP, "%s needs a socket to act on", opt->name);
        return os->hooks->action(os->hook_ctx, opt, val);
    }
    switch (i) {
    case ZI_OPT_HWM:
        os->slot[ZI_OPT_SNDHWM].i = val->i;
        os->slot[ZI_OPT_RCVHWM].i = val->i;
        optset_changed(os, ZI_OPT_SNDHWM);
        optset_changed(os, ZI_OPT_RCVHWM);
        return 0;
    case ZI_OPT_IPV4ONLY:
        os->slot[ZI_OPT_IPV6].i = !val->i;
        optset_changed(os, ZI_OPT_IPV6);
        return 0;
    default:
        break;
    }
    if (opt->type == ZINC_OPT_CURVE_KEY) {
        if (optset_store_octets(os, i, val->key, ZI_CURVE_KEY_LEN) < 0)
            return -1;
    } else if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING) {
        if (optset_store_octets(os, i, val->data, val->len) < 0)
            return -1;
    } else {
        os->slot[i].i = val->i;
    }
    optset_security(os, i, val);
    optset_changed(os, i);
    return 0;
}

/* ---- reading ------------------------------------------------------------- */

static const uint8_t optset_zero_key[ZI_CURVE_KEY_LEN];

void zi_optset_value(const zi_optset_t *os, const zi_option_t *opt, zi_optval_t *out)
{
    zi_opt_index i = zi_option_index(opt);
    const zi_optslot_t *s = &os->slot[i];
    int64_t mech = os->slot[ZI_OPT_MECHANISM].i;
    memset(out, 0, sizeof *out);
    out->i = s->i;
    switch (i) {
    case ZI_OPT_HWM:
        out->i = os->slot[ZI_OPT_SNDHWM].i;
        return;
    case ZI_OPT_IPV4ONLY:
        out->i = !os->slot[ZI_OPT_IPV6].i;
        return;
    case ZI_OPT_PLAIN_SERVER:
        out->i = os->as_server && mech == MECH_PLAIN;
        return;
    case ZI_OPT_CURVE_SERVER:
        out->i = os->as_server && mech == MECH_CURVE;
        return;
    case ZI_OPT_GSSAPI_SERVER:
        out->i = os->as_server && mech == MECH_GSSAPI;
        return;
    default:
        break;
    }
    if (opt->type == ZINC_OPT_CURVE_KEY) {
        memcpy(out->key, s->p ? s->p : optset_zero_key, ZI_CURVE_KEY_LEN);
        out->len = ZI_CURVE_KEY_LEN;
    } else if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING) {
        out->data = s->p ? s->p : (const uint8_t *)"";
        out->len = s->len;
    }
}

int zi_optset_format(const zi_optset_t *os, const zi_option_t *opt, char *buf, size_t *len)
{
    zi_optval_t val;
    zi_optset_value(os, opt, &val);
    return zi_option_format(opt, &val, buf, len);
}

/* Finds name and runs the read checks, then fills *out (live hook first). */
static const zi_option_t *optset_read(const zi_optset_t *os, const char *name, zi_optval_t *out)
{
    const zi_option_t *opt = zi_option_find_in(zi_option_table, ZI_OPT_COUNT, name, "option");
    if (!opt || zi_optset_check_read(os, opt) < 0)
        return NULL;
    if ((opt->flags & ZI_OPTF_LIVE) && os->hooks && os->hooks->live) {
        int r = os->hooks->live(os->hook_ctx, opt, out);
        if (r < 0) {
            if (!errno)
                errno = EINVAL;
            zi_set_detail("%s: the socket could not report it", opt->name);
            return NULL;
        }
        if (r > 0)
            return opt;
    }
    zi_optset_value(os, opt, out);
    return opt;
}

int zi_optset_get_text(const zi_optset_t *os, const char *name, char *buf, size_t *len)
{
    zi_optval_t val;
    const zi_option_t *opt = optset_read(os, name, &val);
    if (!opt)
        return -1;
    return zi_option_format(opt, &val, buf, len);
}

int zi_optset_get_int(const zi_optset_t *os, const char *name, int64_t *value)
{
    zi_optval_t val;
    const zi_option_t *opt = optset_read(os, name, &val);
    if (!opt)
        return -1;
    if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING ||
        opt->type == ZINC_OPT_CURVE_KEY)
        return zi_fail(EINVAL, "%s: wrong type: it holds %s, not an integer", opt->name,
                       zinc_option_type_name(opt->type));
    if (!value)
        return zi_fail(EINVAL, "%s: no place for the value given", opt->name);
    *value = val.i;
    return 0;
}

int zi_optset_get_bytes(const zi_optset_t *os, const char *name, void *buf, size_t *len)
{
    zi_optval_t val;
    const zi_option_t *opt = optset_read(os, name, &val);
    if (!opt)
        return -1;
    if (opt->type != ZINC_OPT_BYTES && opt->type != ZINC_OPT_STRING &&
        opt->type != ZINC_OPT_CURVE_KEY)
        return zi_fail(EINVAL, "%s: wrong type: it holds %s, not octets", opt->name,
                       zinc_option_type_name(opt->type));
    const uint8_t *src = opt->type == ZINC_OPT_CURVE_KEY ? val.key : val.data;
    if (!len || (!buf && *len > 0))
        return zi_fail(EINVAL, "%s: no buffer given", opt->name);
    if (*len < val.len) {
        size_t cap = *len;
        *len = val.len;
        return zi_fail(EINVAL, "%s: the value is %zu octets, the buffer holds %zu", opt->name,
                       val.len, cap);
    }
    if (val.len)
        memcpy(buf, src, val.len);
    *len = val.len;
    return 0;
}

/* ---- setting ------------------------------------------------------------- */

static const zi_option_t *optset_write_checked(const zi_optset_t *os, const char *name)
{
    const zi_option_t *opt = zi_option_find_in(zi_option_table, ZI_OPT_COUNT, name, "option");
    if (!opt || zi_optset_check_write(os, opt) < 0)
        return NULL;
    return opt;
}

int zi_optset_set_text(zi_optset_t *os, const char *name, const char *value)
{
    zi_optval_t val;
    const zi_option_t *opt = optset_write_checked(os, name);
    if (!opt || zi_option_parse_text(opt, value, &val) < 0)
        return -1;
    return zi_optset_apply(os, opt, &val);
}

int zi_optset_set_int(zi_optset_t *os, const char *name, int64_t value)
{
    zi_optval_t val;
    const zi_option_t *opt = optset_write_checked(os, name);
    if (!opt || zi_option_parse_int(opt, value, &val) < 0)
        return -1;
    return zi_optset_apply(os, opt, &val);
}

int zi_optset_set_bytes(zi_optset_t *os, const char *name, const void *data, size_t len)
{
    zi_optval_t val;
    const zi_option_t *opt = optset_write_checked(os, name);
    if (!opt || zi_option_parse_bytes(opt, data, len, &val) < 0)
        return -1;
    return zi_optset_apply(os, opt, &val);
}
