/* CURVE key pairs, the certificate object, its metadata and its text (ZPL
 * read through zpl.h, and written): see cert.h. Files: cert_file.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ext/cert.h"
#include "ext/zpl.h"
#include "zinc.h"

#define CERT_KEY_LEN 32
#define CERT_TXT_LEN 40
/* Most metadata entries a certificate holds (set or read). */
#define CERT_META_COUNT_MAX 256

typedef struct {
    char *name;
    char *value;
} cert_meta_t;

struct zinc_cert {
    uint8_t public_key[CERT_KEY_LEN];
    uint8_t secret_key[CERT_KEY_LEN];
    char public_txt[CERT_TXT_LEN + 1];
    char secret_txt[CERT_TXT_LEN + 1];
    bool has_secret;
    cert_meta_t *meta;
    size_t meta_len, meta_cap;
};

/* Sets errno and the thread's error detail; returns -1. */
__attribute__((format(printf, 2, 3))) static int cert_fail(int err, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[0] = '\0';
    zinc_set_error_detail("%s", buf);
    errno = err;
    return -1;
}

static int cert_sodium(void)
{
    if (sodium_init() < 0)
        return cert_fail(ENOTSUP, "curve: libsodium could not be initialised");
    return 0;
}

/* ---- key pairs ------------------------------------------------------------ */

int zinc_curve_keypair(char *z85_public, char *z85_secret)
{
    if (!z85_public || !z85_secret)
        return cert_fail(EINVAL, "curve_keypair: a NULL buffer");
    if (cert_sodium() != 0)
        return -1;
    uint8_t pub[CERT_KEY_LEN], sec[CERT_KEY_LEN];
    int rc = crypto_box_keypair(pub, sec);
    if (rc == 0 && (!zinc_z85_encode(z85_public, pub, sizeof pub) ||
                    !zinc_z85_encode(z85_secret, sec, sizeof sec)))
        rc = -1;
    sodium_memzero(sec, sizeof sec);
    if (rc != 0)
        return cert_fail(EINVAL, "curve_keypair: the key pair could not be made");
    return 0;
}

/* Decodes n characters of Z85 text (not NUL-terminated) into a 32-octet
 * key; -1 unless they are 40 characters of Z85. out is untouched then. */
static int cert_key_decode(uint8_t out[CERT_KEY_LEN], const uint8_t *txt, size_t n)
{
    if (n != CERT_TXT_LEN)
        return -1;
    char buf[CERT_TXT_LEN + 1];
    memcpy(buf, txt, CERT_TXT_LEN);
    buf[CERT_TXT_LEN] = '\0';
    uint8_t key[CERT_KEY_LEN];
    int rc = zinc_z85_decode(key, buf) ? 0 : -1;
    if (rc == 0)
        memcpy(out, key, CERT_KEY_LEN);
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(key, sizeof key);
    return rc;
}

int zinc_curve_public(char *z85_public, const char *z85_secret)
{
    if (!z85_public || !z85_secret)
        return cert_fail(EINVAL, "curve_public: a NULL argument");
    size_t n = strnlen(z85_secret, CERT_TXT_LEN + 1);
    uint8_t sec[CERT_KEY_LEN], pub[CERT_KEY_LEN];
    if (cert_key_decode(sec, (const uint8_t *)z85_secret, n) != 0)
        return cert_fail(EINVAL, "curve_public: the secret key is not 40 Z85 characters");
    if (cert_sodium() != 0) {
        sodium_memzero(sec, sizeof sec);
        return -1;
    }
    int rc = crypto_scalarmult_base(pub, sec);
    sodium_memzero(sec, sizeof sec);
    if (rc != 0 || !zinc_z85_encode(z85_public, pub, sizeof pub))
        return cert_fail(EINVAL, "curve_public: no public key for that secret key");
    return 0;
}

/* Whether sec is the secret key of pub. */
static bool cert_keys_match(const uint8_t *pub, const uint8_t *sec)
{
    uint8_t derived[CERT_KEY_LEN];
    if (crypto_scalarmult_base(derived, sec) != 0)
        return false;
    bool same = sodium_memcmp(derived, pub, CERT_KEY_LEN) == 0;
    sodium_memzero(derived, sizeof derived);
    return same;
}

/* ---- the certificate object --------------------------------------------------- */

static void cert_set_public(zinc_cert_t *c, const uint8_t *pub)
{
    memcpy(c->public_key, pub, CERT_KEY_LEN);
    /* 32 octets always encode into 41 chars. */
    if (!zinc_z85_encode(c->public_txt, c->public_key, CERT_KEY_LEN))
        c->public_txt[0] = '\0';
}

static void cert_set_secret(zinc_cert_t *c, const uint8_t *sec)
{
    memmove(c->secret_key, sec, CERT_KEY_LEN);
    if (!zinc_z85_encode(c->secret_txt, c->secret_key, CERT_KEY_LEN))
        c->secret_txt[0] = '\0';
    c->has_secret = true;
}

static zinc_cert_t *cert_alloc(void)
{
    zinc_cert_t *c = calloc(1, sizeof *c);
    if (!c)
        cert_fail(ENOMEM, "certificate: out of memory");
    return c;
}

zinc_cert_t *zinc_cert_new_from(const uint8_t *public_key, const uint8_t *secret_key)
{
    if (!public_key) {
        cert_fail(EINVAL, "cert_new_from: public_key is NULL");
        return NULL;
    }
    if (cert_sodium() != 0)
        return NULL;
    if (secret_key && !cert_keys_match(public_key, secret_key)) {
        cert_fail(EINVAL, "cert_new_from: the secret key does not belong to the public key");
        return NULL;
    }
    zinc_cert_t *c = cert_alloc();
    if (!c)
        return NULL;
    cert_set_public(c, public_key);
    if (secret_key)
        cert_set_secret(c, secret_key);
    return c;
}

zinc_cert_t *zinc_cert_new(void)
{
    if (cert_sodium() != 0)
        return NULL;
    zinc_cert_t *c = cert_alloc();
    if (!c)
        return NULL;
    uint8_t pub[CERT_KEY_LEN];
    if (crypto_box_keypair(pub, c->secret_key) != 0) {
        zinc_cert_free(c);
        cert_fail(ENOTSUP, "cert_new: libsodium made no key pair");
        return NULL;
    }
    cert_set_public(c, pub);
    cert_set_secret(c, c->secret_key);
    return c;
}

void zi_cert_wipe(zinc_cert_t *c)
{
    if (!c)
        return;
    sodium_memzero(c->secret_key, sizeof c->secret_key);
    sodium_memzero(c->secret_txt, sizeof c->secret_txt);
    c->has_secret = false;
}

void zinc_cert_free(zinc_cert_t *c)
{
    if (!c)
        return;
    int saved = errno;
    zi_cert_wipe(c);
    for (size_t i = 0; i < c->meta_len; i++) {
        free(c->meta[i].name);
        free(c->meta[i].value);
    }
    free(c->meta);
    sodium_memzero(c, sizeof *c);
    free(c);
    errno = saved;
}

const uint8_t *zinc_cert_public_key(const zinc_cert_t *c)
{
    return c ? c->public_key : NULL;
}

const uint8_t *zinc_cert_secret_key(const zinc_cert_t *c)
{
    return c && c->has_secret ? c->secret_key : NULL;
}

const char *zinc_cert_public_txt(const zinc_cert_t *c)
{
    return c ? c->public_txt : NULL;
}

const char *zinc_cert_secret_txt(const zinc_cert_t *c)
{
    return c && c->has_secret ? c->secret_txt : NULL;
}

int zinc_cert_apply(const zinc_cert_t *c, zinc_socket_t *s)
{
    if (!c || !s)
        return cert_fail(EINVAL, "cert_apply: a NULL argument");
    if (!c->has_secret)
        return cert_fail(EINVAL, "cert_apply: the certificate has no secret key");
    if (zinc_set_bytes(s, "curve_publickey", c->public_key, CERT_KEY_LEN) != 0)
        return -1;
    return zinc_set_bytes(s, "curve_secretkey", c->secret_key, CERT_KEY_LEN);
}

/* ---- metadata ------------------------------------------------------------------- */

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool cert_utf8_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1, cp = c & 0x1Fu, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2, cp = c & 0x0Fu, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3, cp = c & 0x07u, min = 0x10000;
        } else {
            return false;
        }
        if (n - i - 1 < k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            uint8_t d = p[i + j];
            if ((d & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (d & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

/* Why a metadata name is refused, or NULL when it is fine. */
static const char *cert_name_problem(const uint8_t *p, size_t n)
{
    if (n == 0)
        return "a metadata name is empty";
    if (n > ZINC_CERT_META_NAME_MAX)
        return "a metadata name is longer than 255 octets";
    for (size_t i = 0; i < n; i++)
        if (!zi_zpl_name_char(p[i]))
            return "a metadata name has a character outside letters, digits and $-_@.&+/";
    return NULL;
}

/* Why a metadata value is refused, or NULL when it is fine. */
static const char *cert_value_problem(const uint8_t *p, size_t n)
{
    if (n > ZINC_CERT_META_VALUE_MAX)
        return "a metadata value is longer than 4096 octets";
    bool dq = false, sq = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return "a metadata value has a control character";
        dq |= c == '"';
        sq |= c == '\'';
    }
    if (dq && sq)
        return "a metadata value holds both kinds of quote";
    if (!cert_utf8_ok(p, n))
        return "a metadata value is not UTF-8";
    return NULL;
}

static cert_meta_t *cert_meta_find(const zinc_cert_t *c, const uint8_t *name, size_t n)
{
    for (size_t i = 0; i < c->meta_len; i++)
        if (strlen(c->meta[i].name) == n && memcmp(c->meta[i].name, name, n) == 0)
            return &c->meta[i];
    return NULL;
}

static char *cert_strndup(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        if (n)
            memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* Sets name (checked by the caller) to value; replaces an existing value.
 * -1 with ENOMEM or EINVAL (too many entries). */
static int cert_meta_put(zinc_cert_t *c, const uint8_t *name, size_t nl, const uint8_t *value,
                         size_t vl)
{
    cert_meta_t *m = cert_meta_find(c, name, nl);
    char *v = cert_strndup(value, vl);
    if (!v)
        return cert_fail(ENOMEM, "certificate: out of memory");
    if (m) {
        free(m->value);
        m->value = v;
        return 0;
    }
    if (c->meta_len >= CERT_META_COUNT_MAX) {
        free(v);
        return cert_fail(EINVAL, "certificate: more than 256 metadata entries");
    }
    if (c->meta_len == c->meta_cap) {
        size_t cap = c->meta_cap ? c->meta_cap * 2 : 8;
        cert_meta_t *nm = realloc(c->meta, cap * sizeof *nm);
        if (!nm) {
            free(v);
            return cert_fail(ENOMEM, "certificate: out of memory");
        }
        c->meta = nm;
        c->meta_cap = cap;
    }
    char *k = cert_strndup(name, nl);
    if (!k) {
        free(v);
        return cert_fail(ENOMEM, "certificate: out of memory");
    }
    c->meta[c->meta_len].name = k;
    c->meta[c->meta_len].value = v;
    c->meta_len++;
    return 0;
}

int zinc_cert_set_meta(zinc_cert_t *c, const char *name, const char *value)
{
    if (!c || !name)
        return cert_fail(EINVAL, "cert_set_meta: a NULL argument");
    size_t nl = strlen(name);
    const char *why = cert_name_problem((const uint8_t *)name, nl);
    if (why)
        return cert_fail(EINVAL, "cert_set_meta: %s", why);
    if (!value) {
        cert_meta_t *m = cert_meta_find(c, (const uint8_t *)name, nl);
        if (m) {
            size_t i = (size_t)(m - c->meta);
            free(m->name);
            free(m->value);
            memmove(&c->meta[i], &c->meta[i + 1], (c->meta_len - i - 1) * sizeof *m);
            c->meta_len--;
        }
        return 0;
    }
    size_t vl = strlen(value);
    why = cert_value_problem((const uint8_t *)value, vl);
    if (why)
        return cert_fail(EINVAL, "cert_set_meta: %s", why);
    return cert_meta_put(c, (const uint8_t *)name, nl, (const uint8_t *)value, vl);
}

const char *zinc_cert_meta(const zinc_cert_t *c, const char *name)
{
    if (!c || !name)
        return NULL;
    cert_meta_t *m = cert_meta_find(c, (const uint8_t *)name, strlen(name));
    return m ? m->value : NULL;
}

size_t zinc_cert_meta_count(const zinc_cert_t *c)
{
    return c ? c->meta_len : 0;
}

const char *zinc_cert_meta_name(const zinc_cert_t *c, size_t i)
{
    return c && i < c->meta_len ? c->meta[i].name : NULL;
}

zinc_cert_t *zinc_cert_dup(const zinc_cert_t *c)
{
    if (!c) {
        cert_fail(EINVAL, "cert_dup: cert is NULL");
        return NULL;
    }
    zinc_cert_t *d = cert_alloc();
    if (!d)
        return NULL;
    cert_set_public(d, c->public_key);
    if (c->has_secret)
        cert_set_secret(d, c->secret_key);
    for (size_t i = 0; i < c->meta_len; i++) {
        const cert_meta_t *m = &c->meta[i];
        if (cert_meta_put(d, (const uint8_t *)m->name, strlen(m->name), (const uint8_t *)m->value,
                          strlen(m->value)) != 0) {
            zinc_cert_free(d);
            return NULL;
        }
    }
    return d;
}

/* ---- reading certificate text ------------------------------------------------------------ */

enum { CERT_SEC_OTHER, CERT_SEC_METADATA, CERT_SEC_CURVE };

typedef struct {
    zinc_cert_t *c;
    int section;
    bool seen_public, seen_secret;
    bool out_of_memory;
    char why[128]; /* a reason that needs formatting */
} cert_read_t;

static bool cert_is(const uint8_t *p, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(p, word, n) == 0;
}

static const char *cert_read_key(cert_read_t *r, bool secret, const zi_zpl_prop_t *prop)
{
    bool *seen = secret ? &r->seen_secret : &r->seen_public;
    if (*seen)
        return secret ? "a second secret-key" : "a second public-key";
    *seen = true;
    if (secret && prop->value_len == 0)
        return NULL; /* an empty secret-key: a public certificate */
    uint8_t key[CERT_KEY_LEN];
    if (cert_key_decode(key, prop->value, prop->value_len) != 0)
        return secret ? "secret-key is not 40 Z85 characters"
                      : "public-key is not 40 Z85 characters";
    if (secret)
        cert_set_secret(r->c, key);
    else
        cert_set_public(r->c, key);
    sodium_memzero(key, sizeof key);
    return NULL;
}

/* zi_zpl_fn: one property of a certificate file. Sections are the level-0
 * names; what certificates hold is at level 1; anything else is ignored. */
static const char *cert_read_prop(const zi_zpl_prop_t *prop, void *ctx)
{
    cert_read_t *r = ctx;
    if (prop->level == 0) {
        r->section = cert_is(prop->name, prop->name_len, "metadata") ? CERT_SEC_METADATA
                     : cert_is(prop->name, prop->name_len, "curve")  ? CERT_SEC_CURVE
                                                                     : CERT_SEC_OTHER;
        return NULL;
    }
    if (prop->level > 1)
        return NULL;
    if (r->section == CERT_SEC_CURVE) {
        if (cert_is(prop->name, prop->name_len, "public-key"))
            return cert_read_key(r, false, prop);
        if (cert_is(prop->name, prop->name_len, "secret-key"))
            return cert_read_key(r, true, prop);
        return NULL;
    }
    if (r->section != CERT_SEC_METADATA)
        return NULL;
    const char *why = cert_name_problem(prop->name, prop->name_len);
    if (!why)
        why = cert_value_problem(prop->value, prop->value_len);
    if (why)
        return why;
    if (cert_meta_find(r->c, prop->name, prop->name_len)) {
        snprintf(r->why, sizeof r->why, "a second metadata entry '%.*s'", (int)prop->name_len,
                 (const char *)prop->name);
        return r->why;
    }
    if (cert_meta_put(r->c, prop->name, prop->name_len, prop->value, prop->value_len) != 0) {
        r->out_of_memory = errno == ENOMEM;
        return errno == ENOMEM ? "out of memory" : "more than 256 metadata entries";
    }
    return NULL;
}

/* Parses n octets of certificate text into c (fresh from cert_alloc);
 * details name origin (a path, or "certificate") and the line. */
static int cert_parse(zinc_cert_t *c, const uint8_t *p, size_t n, const char *origin)
{
    if (n > ZINC_CERT_FILE_MAX)
        return cert_fail(EINVAL, "%s: larger than %d octets", origin, ZINC_CERT_FILE_MAX);
    cert_read_t r = {.c = c};
    size_t line = 0;
    const char *why = zi_zpl_parse(p, n, cert_read_prop, &r, &line);
    if (why)
        return cert_fail(r.out_of_memory ? ENOMEM : EINVAL, "%s:%zu: %s", origin, line, why);
    if (!r.seen_public)
        return cert_fail(EINVAL, "%s: no public-key in a curve section", origin);
    if (c->has_secret) {
        if (cert_sodium() != 0)
            return -1;
        if (!cert_keys_match(c->public_key, c->secret_key))
            return cert_fail(EINVAL, "%s: the secret-key does not belong to the public-key",
                             origin);
    }
    return 0;
}

zinc_cert_t *zi_cert_parse(const uint8_t *p, size_t n, const char *origin)
{
    zinc_cert_t *c = cert_alloc();
    if (c && cert_parse(c, p, n, origin) != 0) {
        zinc_cert_free(c);
        c = NULL;
    }
    return c;
}

zinc_cert_t *zinc_cert_from_text(const char *text, size_t len)
{
    if (!text && len) {
        cert_fail(EINVAL, "cert_from_text: text is NULL");
        return NULL;
    }
    return zi_cert_parse((const uint8_t *)text, len, "certificate");
}

/* ---- the writer -------------------------------------------------------------------------- */

/* Counts (p NULL) or writes what cert_emit produces. */
typedef struct {
    char *p;
    size_t len, cap;
} cert_out_t;

static void cert_put(cert_out_t *o, const char *s, size_t n)
{
    if (o->p && n <= o->cap - o->len)
        memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void cert_puts(cert_out_t *o, const char *s)
{
    cert_put(o, s, strlen(s));
}

static void cert_emit(cert_out_t *o, const zinc_cert_t *c, bool secret, const char *stamp)
{
    cert_puts(o, secret ? "#   ZeroMQ CURVE **Secret** Certificate\n"
                        : "#   ZeroMQ CURVE Public Certificate\n");
    cert_puts(o, "#   Written by zinc");
    if (stamp && *stamp) {
        cert_puts(o, " on ");
        cert_puts(o, stamp);
    }
    cert_puts(o, ".\n");
    cert_puts(o, secret ? "#   Keep this file to yourself: whoever reads it can act as this peer.\n"
                        : "#   Give it to the peers that should know this key, and let them\n"
                          "#   check the key with you over a channel you trust.\n");
    cert_puts(o, "\nmetadata\n");
    for (size_t i = 0; i < c->meta_len; i++) {
        const char *v = c->meta[i].value;
        const char *q = strchr(v, '"') ? "'" : "\"";
        cert_puts(o, "    ");
        cert_puts(o, c->meta[i].name);
        cert_puts(o, " = ");
        cert_puts(o, q);
        cert_puts(o, v);
        cert_puts(o, q);
        cert_puts(o, "\n");
    }
    cert_puts(o, "curve\n    public-key = \"");
    cert_puts(o, c->public_txt);
    cert_puts(o, "\"\n");
    if (secret) {
        cert_puts(o, "    secret-key = \"");
        cert_puts(o, c->secret_txt);
        cert_puts(o, "\"\n");
    }
}

char *zi_cert_format(const zinc_cert_t *c, bool secret, const char *stamp, size_t *len)
{
    if (!c || !len) {
        cert_fail(EINVAL, "cert_format: a NULL argument");
        return NULL;
    }
    if (secret && !c->has_secret) {
        cert_fail(EINVAL, "certificate: there is no secret key to write");
        return NULL;
    }
    cert_out_t count = {0};
    cert_emit(&count, c, secret, stamp);
    cert_out_t o = {malloc(count.len + 1), 0, count.len};
    if (!o.p) {
        cert_fail(ENOMEM, "certificate: out of memory");
        return NULL;
    }
    cert_emit(&o, c, secret, stamp);
    o.p[count.len] = '\0';
    *len = count.len;
    return o.p;
}

void zi_cert_text_free(char *text, size_t len)
{
    if (!text)
        return;
    sodium_memzero(text, len);
    free(text);
}
