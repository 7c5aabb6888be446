/* Option lookup, suggestions, value parsing and formatting, and the public
 * zinc_option_* accessors. See core/options.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/options.h"

/* ---- names ------------------------------------------------------------ */

static char options_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c == '-' ? '_' : c;
}

/* name without an optional "zmq_" prefix (any case). */
static const char *options_strip_prefix(const char *name)
{
    if (options_lower(name[0]) == 'z' && options_lower(name[1]) == 'm' &&
        options_lower(name[2]) == 'q' && options_lower(name[3]) == '_' && name[4])
        return name + 4;
    return name;
}

/* true when user (normalised on the fly) equals canonical [c, c + n). */
static bool options_name_eq(const char *user, const char *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!user[i] || options_lower(user[i]) != c[i])
            return false;
    return user[n] == '\0';
}

static bool options_row_matches(const zi_option_t *opt, const char *name)
{
    if (!opt->name)
        return false;
    if (options_name_eq(name, opt->name, strlen(opt->name)))
        return true;
    for (const char *a = opt->aliases; a && *a;) {
        const char *end = strchr(a, ',');
        size_t n = end ? (size_t)(end - a) : strlen(a);
        if (options_name_eq(name, a, n))
            return true;
        a = end ? end + 1 : a + n;
    }
    return false;
}

const zi_option_t *zi_option_lookup(const zi_option_t *table, size_t n, const char *name)
{
    if (!name)
        return NULL;
    name = options_strip_prefix(name);
    for (size_t i = 0; i < n; i++)
        if (options_row_matches(&table[i], name))
            return &table[i];
    return NULL;
}

/* ---- suggestions ------------------------------------------------------ */

#define OPTIONS_NAME_MAX 64

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions), so "sndhmw" is 1 away from "sndhwm". a and b are at most
 * OPTIONS_NAME_MAX characters. */
static int options_distance(const char *a, size_t la, const char *b, size_t lb)
{
    int d[OPTIONS_NAME_MAX + 1][OPTIONS_NAME_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

typedef struct {
    const char *name;
    int dist;
} options_candidate;

/* Distance from the normalised user name to a canonical name or alias of
 * length n; INT32_MAX when the name is too long to compare. */
static int options_name_distance(const char *user, size_t lu, const char *c, size_t n)
{
    if (n > OPTIONS_NAME_MAX)
        return INT32_MAX;
    return options_distance(user, lu, c, n);
}

static void options_consider(options_candidate *best, int max, const char *name, int dist,
                             int limit)
{
    if (dist > limit)
        return;
    for (int i = 0; i < max; i++)
        if (best[i].name == name)
            return;
    for (int i = 0; i < max; i++) {
        if (!best[i].name || dist < best[i].dist) {
            for (int k = max - 1; k > i; k--)
                best[k] = best[k - 1];
            best[i].name = name;
            best[i].dist = dist;
            return;
        }
    }
}

int zi_option_suggest_in(const zi_option_t *const *tables, const size_t *counts, size_t ntables,
                         const char *name, char *buf, size_t cap, int max)
{
    if (!buf || cap == 0)
        return 0;
    buf[0] = '\0';
    if (!name || max <= 0)
        return 0;
    if (max > 8)
        max = 8;
    name = options_strip_prefix(name);
    char user[OPTIONS_NAME_MAX + 1];
    size_t lu = 0;
    for (; name[lu] && lu < OPTIONS_NAME_MAX; lu++)
        user[lu] = options_lower(name[lu]);
    if (name[lu] || lu == 0)
        return 0;
    user[lu] = '\0';
    /* Near enough: a third of the name, at least 2 edits. */
    int limit = (int)lu / 3 > 2 ? (int)lu / 3 : 2;
    options_candidate best[8] = {{0}};
    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < counts[t]; i++) {
            const zi_option_t *opt = &tables[t][i];
            if (!opt->name)
                continue;
            int dist = options_name_distance(user, lu, opt->name, strlen(opt->name));
            for (const char *a = opt->aliases; a && *a;) {
                const char *end = strchr(a, ',');
                size_t n = end ? (size_t)(end - a) : strlen(a);
                int ad = options_name_distance(user, lu, a, n);
                if (ad < dist)
                    dist = ad;
                a = end ? end + 1 : a + n;
            }
            /* A prefix of a name ("plain_user") is near too, ranked after typos. */
            size_t ln = strlen(opt->name);
            if (lu >= 3 && lu < ln && memcmp(opt->name, user, lu) == 0 && dist > limit)
                dist = limit;
            options_consider(best, max, opt->name, dist, limit);
        }
    }
    int written = 0;
    size_t used = 0;
    for (int i = 0; i < max && best[i].name; i++) {
        size_t need = strlen(best[i].name) + (written ? 2 : 0);
        if (used + need + 1 > cap)
            break;
        if (written) {
            memcpy(buf + used, ", ", 2);
            used += 2;
        }
        memcpy(buf + used, best[i].name, strlen(best[i].name));
        used += strlen(best[i].name);
        buf[used] = '\0';
        written++;
    }
    return written;
}

const zi_option_t *zi_option_find_in(const zi_option_t *table, size_t n, const char *name,
                                     const char *noun)
{
    const zi_option_t *opt = zi_option_lookup(table, n, name);
    if (opt)
        return opt;
    char quoted[OPTIONS_NAME_MAX + 4];
    zi_detail_quote(quoted, sizeof quoted, name, OPTIONS_NAME_MAX);
    char near[128];
    const zi_option_t *const tables[] = {table};
    const size_t counts[] = {n};
    if (zi_option_suggest_in(tables, counts, 1, name, near, sizeof near, 3) > 0)
        zi_fail(EINVAL, "unknown %s '%s' (did you mean %s?)", noun, quoted, near);
    else
        zi_fail(EINVAL, "unknown %s '%s'", noun, quoted);
    return NULL;
}

/* ---- socket types ----------------------------------------------------- */

static void options_append(char *buf, size_t cap, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n + 1 > cap)
        n = cap - 1 - *used;
    memcpy(buf + *used, s, n);
    *used += n;
    buf[*used] = '\0';
}

char *zi_option_types_text(uint32_t types, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return buf;
    buf[0] = '\0';
    size_t used = 0;
    types &= ZI_ST_ALL;
    if (types == ZI_ST_ALL) {
        options_append(buf, cap, &used, "all");
        return buf;
    }
    if (types == 0) {
        options_append(buf, cap, &used, "none");
        return buf;
    }
    uint32_t missing = ZI_ST_ALL & ~types;
    bool but = __builtin_popcount(missing) <= 2;
    if (but)
        options_append(buf, cap, &used, "all but ");
    uint32_t list = but ? missing : types;
    bool first = true;
    for (int t = 0; t <= ZI_SOCKTYPE_MAX; t++) {
        if (!(list & ZI_ST(t)))
            continue;
        if (!first)
            options_append(buf, cap, &used, ", ");
        options_append(buf, cap, &used, zi_socktype_name(t));
        first = false;
    }
    return buf;
}

int64_t zi_option_default_int(const zi_option_t *opt, int socktype)
{
    if (opt->flags & ZI_OPTF_SOCKTYPE)
        return socktype;
    if (socktype >= 0 && socktype <= ZI_SOCKTYPE_MAX && (opt->alt_types & ZI_ST(socktype)))
        return opt->alt_def;
    return opt->def;
}

/* ---- Z85 ---------------------------------------------------------------
 * A small local Z85 codec (ZeroMQ RFC 32) for CURVE keys only, so that this
 * module stands alone. zmtp/z85.c (zi_z85_encode/zi_z85_decode) is being
 * written in parallel; once it is merged, options_z85_decode and
 * options_z85_encode should become calls to it. */

static const char options_z85_chars[86] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                                          "TUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

static int options_z85_digit(char c)
{
    const char *p = c ? strchr(options_z85_chars, c) : NULL;
    return p ? (int)(p - options_z85_chars) : -1;
}

/* Decodes 40 Z85 characters into 32 octets; false when any is not Z85 or a
 * group exceeds 32 bits. */
static bool options_z85_decode(uint8_t out[ZI_CURVE_KEY_LEN], const char *in)
{
    for (size_t g = 0; g < ZI_CURVE_KEY_Z85_LEN / 5; g++) {
        uint64_t v = 0;
        for (size_t k = 0; k < 5; k++) {
            int d = options_z85_digit(in[g * 5 + k]);
            if (d < 0)
                return false;
            v = v * 85 + (uint64_t)d;
        }
        if (v > UINT32_MAX)
            return false;
        for (size_t k = 0; k < 4; k++)
            out[g * 4 + k] = (uint8_t)(v >> (24 - 8 * k));
    }
    return true;
}

static void options_z85_encode(char out[ZI_CURVE_KEY_Z85_LEN + 1],
                               const uint8_t in[ZI_CURVE_KEY_LEN])
{
    for (size_t g = 0; g < ZI_CURVE_KEY_LEN / 4; g++) {
        uint32_t v = (uint32_t)in[g * 4] << 24 | (uint32_t)in[g * 4 + 1] << 16 |
                     (uint32_t)in[g * 4 + 2] << 8 | in[g * 4 + 3];
        for (int k = 4; k >= 0; k--) {
            out[g * 5 + (size_t)k] = options_z85_chars[v % 85];
            v /= 85;
        }
    }
    out[ZI_CURVE_KEY_Z85_LEN] = '\0';
}

/* ---- parsing ------------------------------------------------------------ */

static const char *const options_type_names[] = {
    [ZINC_OPT_INT] = "int",
    [ZINC_OPT_INT64] = "int64",
    [ZINC_OPT_UINT64] = "uint64",
    [ZINC_OPT_BOOL] = "bool",
    [ZINC_OPT_BYTES] = "bytes",
    [ZINC_OPT_STRING] = "string",
    [ZINC_OPT_CURVE_KEY] = "curve key",
};

static bool options_is_integer(const zi_option_t *opt)
{
    return opt->type == ZINC_OPT_INT || opt->type == ZINC_OPT_INT64 ||
           opt->type == ZINC_OPT_UINT64 || opt->type == ZINC_OPT_BOOL;
}

static bool options_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (options_lower(*a) != *b)
            return false;
    return *a == *b;
}

/* Checks v against the row's range and extra rule. */
static int options_validate(const zi_option_t *opt, zi_optval_t *out)
{
    if (opt->type == ZINC_OPT_BOOL) {
        if (out->i != 0 && out->i != 1)
            return zi_fail(EINVAL, "%s: %" PRId64 " is not a boolean (0 or 1)", opt->name, out->i);
    } else if (opt->type == ZINC_OPT_INT || opt->type == ZINC_OPT_INT64) {
        if (out->i < opt->min || out->i > opt->max)
            return zi_fail(EINVAL, "%s: %" PRId64 " is out of range %" PRId64 "..%" PRId64,
                           opt->name, out->i, opt->min, opt->max);
    } else if (opt->type == ZINC_OPT_BYTES || opt->type == ZINC_OPT_STRING) {
        if ((int64_t)out->len < opt->min || (uint64_t)out->len > (uint64_t)opt->max) {
            if (opt->max == ZI_LEN_ANY)
                return zi_fail(EINVAL, "%s: length %zu is below the minimum of %" PRId64, opt->name,
                               out->len, opt->min);
            return zi_fail(EINVAL, "%s: length %zu is outside %" PRId64 "..%" PRId64 " octets",
                           opt->name, out->len, opt->min, opt->max);
        }
        if (opt->type == ZINC_OPT_STRING && out->len && memchr(out->data, 0, out->len))
            return zi_fail(EINVAL, "%s: a string may not contain NUL octets", opt->name);
    }
    if (opt->check)
        return opt->check(opt, out);
    return 0;
}

int zi_option_convert_text(const zi_option_t *opt, const char *text, zi_optval_t *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return zi_fail(EINVAL, "%s: no value given", opt->name);
    char quoted[48];
    switch (opt->type) {
    case ZINC_OPT_BOOL:
        if (options_ieq(text, "1") || options_ieq(text, "true") || options_ieq(text, "yes") ||
            options_ieq(text, "on")) {
            out->i = 1;
            return 0;
        }
        if (options_ieq(text, "0") || options_ieq(text, "false") || options_ieq(text, "no") ||
            options_ieq(text, "off")) {
            out->i = 0;
            return 0;
        }
        return zi_fail(EINVAL, "%s: value '%s' is not a boolean (1/0, true/false, yes/no, on/off)",
                       opt->name, zi_detail_quote(quoted, sizeof quoted, text, 40));
    case ZINC_OPT_INT:
    case ZINC_OPT_INT64:
    case ZINC_OPT_UINT64: {
        const char *p = text;
        bool neg = *p == '-';
        if (*p == '-' || *p == '+')
            p++;
        int base = 10;
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            base = 16;
            p += 2;
        }
        /* strtoll/strtoull skip spaces and accept signs themselves: require
         * a digit first so that "", " 1", "--1" and "0x" are refused. */
        bool digit = (*p >= '0' && *p <= '9') ||
                     (base == 16 && ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')));
        if (!digit)
            return zi_fail(EINVAL, "%s: value '%s' is not an integer", opt->name,
                           zi_detail_quote(quoted, sizeof quoted, text, 40));
        char *end = NULL;
        errno = 0;
        if (opt->type == ZINC_OPT_UINT64) {
            if (neg)
                return zi_fail(EINVAL, "%s: value '%s' is negative", opt->name,
                               zi_detail_quote(quoted, sizeof quoted, text, 40));
            unsigned long long v = strtoull(p, &end, base);
            out->i = (int64_t)v;
        } else {
            unsigned long long v = strtoull(p, &end, base);
            if (errno == 0 && (neg ? v > (unsigned long long)INT64_MAX + 1 : v > INT64_MAX))
                errno = ERANGE;
            out->i = neg ? (int64_t)(0 - v) : (int64_t)v;
        }
        if (errno == ERANGE)
            return zi_fail(EINVAL, "%s: value '%s' is too large", opt->name,
                           zi_detail_quote(quoted, sizeof quoted, text, 40));
        if (*end != '\0')
            return zi_fail(EINVAL, "%s: value '%s' is not an integer", opt->name,
                           zi_detail_quote(quoted, sizeof quoted, text, 40));
        return 0;
    }
    case ZINC_OPT_BYTES:
    case ZINC_OPT_STRING:
        out->data = (const uint8_t *)text;
        out->len = strlen(text);
        return 0;
    case ZINC_OPT_CURVE_KEY: {
        size_t n = strlen(text);
        if (n == ZI_CURVE_KEY_Z85_LEN) {
            /* Z85 decode: see the note above options_z85_decode. */
            if (!options_z85_decode(out->key, text))
                return zi_fail(EINVAL, "%s: '%s' is not a Z85-encoded key", opt->name,
                               zi_detail_quote(quoted, sizeof quoted, text, 40));
        } else if (n == ZI_CURVE_KEY_LEN) {
            memcpy(out->key, text, ZI_CURVE_KEY_LEN);
        } else {
            return zi_fail(EINVAL, "%s: a key is 40 Z85 characters or 32 octets, not %zu",
                           opt->name, n);
        }
        out->len = ZI_CURVE_KEY_LEN;
        return 0;
    }
    default:
        return zi_fail(EINVAL, "%s: option has no value type", opt->name);
    }
}

int zi_option_parse_text(const zi_option_t *opt, const char *text, zi_optval_t *out)
{
    if (zi_option_convert_text(opt, text, out) < 0)
        return -1;
    return options_validate(opt, out);
}

int zi_option_parse_int(const zi_option_t *opt, int64_t value, zi_optval_t *out)
{
    memset(out, 0, sizeof *out);
    if (!options_is_integer(opt))
        return zi_fail(EINVAL, "%s: wrong type: it takes %s, not an integer", opt->name,
                       opt->type == ZINC_OPT_CURVE_KEY ? "a curve key" : "octets");
    if (opt->type == ZINC_OPT_UINT64 && value < 0)
        return zi_fail(EINVAL, "%s: %" PRId64 " is negative", opt->name, value);
    out->i = value;
    return options_validate(opt, out);
}

int zi_option_parse_bytes(const zi_option_t *opt, const void *data, size_t len, zi_optval_t *out)
{
    memset(out, 0, sizeof *out);
    if (!data && len > 0)
        return zi_fail(EINVAL, "%s: no value given", opt->name);
    const uint8_t *p = data;
    switch (opt->type) {
    case ZINC_OPT_STRING:
        /* libzmq: "character string" values may end in one NUL. */
        if (len > 0 && p[len - 1] == 0)
            len--;
        /* fallthrough */
    case ZINC_OPT_BYTES:
        out->data = len ? p : (const uint8_t *)"";
        out->len = len;
        return options_validate(opt, out);
    case ZINC_OPT_CURVE_KEY:
        if (len == ZI_CURVE_KEY_LEN) {
            memcpy(out->key, p, ZI_CURVE_KEY_LEN);
        } else if (len == ZI_CURVE_KEY_Z85_LEN ||
                   (len == ZI_CURVE_KEY_Z85_LEN + 1 && p[ZI_CURVE_KEY_Z85_LEN] == 0)) {
            char z85[ZI_CURVE_KEY_Z85_LEN + 1];
            memcpy(z85, p, ZI_CURVE_KEY_Z85_LEN);
            z85[ZI_CURVE_KEY_Z85_LEN] = '\0';
            if (!options_z85_decode(out->key, z85))
                return zi_fail(EINVAL, "%s: the 40 characters are not a Z85-encoded key",
                               opt->name);
        } else {
            return zi_fail(EINVAL,
                           "%s: a key is 32 octets, 40 Z85 characters or 41 with a NUL, not %zu",
                           opt->name, len);
        }
        out->len = ZI_CURVE_KEY_LEN;
        return 0;
    default:
        return zi_fail(EINVAL, "%s: wrong type: it takes %s, not octets", opt->name,
                       opt->type == ZINC_OPT_BOOL ? "a boolean" : "an integer");
    }
}

/* ---- formatting --------------------------------------------------------- */

int zi_option_format(const zi_option_t *opt, const zi_optval_t *val, char *buf, size_t *len)
{
    if (!len || (!buf && *len > 0))
        return zi_fail(EINVAL, "%s: no buffer given", opt->name);
    char tmp[ZI_CURVE_KEY_Z85_LEN + 1];
    const char *src = tmp;
    size_t n;
    switch (opt->type) {
    case ZINC_OPT_UINT64:
        n = (size_t)snprintf(tmp, sizeof tmp, "%" PRIu64, (uint64_t)val->i);
        break;
    case ZINC_OPT_INT:
    case ZINC_OPT_INT64:
    case ZINC_OPT_BOOL:
        n = (size_t)snprintf(tmp, sizeof tmp, "%" PRId64, val->i);
        break;
    case ZINC_OPT_CURVE_KEY:
        options_z85_encode(tmp, val->key);
        n = ZI_CURVE_KEY_Z85_LEN;
        break;
    default:
        src = val->len ? (const char *)val->data : "";
        n = val->len;
        break;
    }
    if (*len < n + 1) {
        size_t cap = *len;
        *len = n;
        return zi_fail(EINVAL, "%s: the value needs %zu octets with its NUL, the buffer has %zu",
                       opt->name, n + 1, cap);
    }
    memcpy(buf, src, n);
    buf[n] = '\0';
    *len = n;
    return 0;
}

/* ---- public accessors ---------------------------------------------------- */

const zinc_option_t *zinc_option_find(const char *name)
{
    return zi_option_find_in(zi_option_table, ZI_OPT_COUNT, name, "option");
}

const zinc_option_t *zinc_option_find_id(int id)
{
    if (id >= 0)
        for (size_t i = 0; i < ZI_OPT_COUNT; i++)
            if (zi_option_table[i].id == id)
                return &zi_option_table[i];
    zi_fail(EINVAL, "unknown option id %d", id);
    return NULL;
}

const zinc_option_t *zinc_option_next(const zinc_option_t *prev)
{
    if (!prev)
        return &zi_option_table[0];
    if (prev < zi_option_table || prev >= zi_option_table + ZI_OPT_COUNT - 1)
        return NULL;
    return prev + 1;
}

const char *zinc_option_name(const zinc_option_t *o)
{
    return o ? o->name : NULL;
}

const char *zinc_option_aliases(const zinc_option_t *o)
{
    return o ? (o->aliases ? o->aliases : "") : NULL;
}

int zinc_option_id(const zinc_option_t *o)
{
    return o ? o->id : -1;
}

int zinc_option_type(const zinc_option_t *o)
{
    return o ? o->type : 0;
}

const char *zinc_option_type_name(int type)
{
    if (type < ZINC_OPT_INT || type > ZINC_OPT_CURVE_KEY)
        return "?";
    return options_type_names[type];
}

int zinc_option_access(const zinc_option_t *o)
{
    return o ? o->access : 0;
}

const char *zinc_option_default_text(const zinc_option_t *o)
{
    return o ? o->def_text : NULL;
}

int zinc_option_range(const zinc_option_t *o, int64_t *min, int64_t *max)
{
    if (!o) {
        errno = EINVAL;
        return -1;
    }
    if (min)
        *min = o->min;
    if (max)
        *max = o->max;
    return 0;
}

bool zinc_option_applies_to(const zinc_option_t *o, int socket_type)
{
    return o && socket_type >= 0 && socket_type <= ZI_SOCKTYPE_MAX &&
           (o->types & ZI_ST(socket_type));
}

int zinc_option_takes_effect(const zinc_option_t *o)
{
    return o ? o->effect : 0;
}

int zinc_option_status(const zinc_option_t *o)
{
    return o ? o->status : -1;
}

bool zinc_option_implemented(const zinc_option_t *o)
{
    return o && o->implemented;
}

const char *zinc_option_doc(const zinc_option_t *o)
{
    return o ? o->doc : NULL;
}

int zinc_option_suggest(const char *name, char *buf, size_t cap)
{
    if (!name || !buf || cap == 0) {
        errno = EINVAL;
        return -1;
    }
    const zi_option_t *const tables[] = {zi_option_table};
    const size_t counts[] = {ZI_OPT_COUNT};
    return zi_option_suggest_in(tables, counts, 1, name, buf, cap, 3);
}
