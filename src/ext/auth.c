/* The authenticator (see auth.h and include/zinc.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext/auth.h"

#define AUTH_ENDPOINT "inproc://zeromq.zap.01"
#define AUTH_FIELD_MAX 255 /* PLAIN fields and domains: one octet of length */
#define AUTH_KEY_LEN 32
#define AUTH_REQ_FRAMES 10 /* routing id, delimiter, 6 fields, 2 credentials */
#define AUTH_LINE_MAX 1024

typedef struct {
    char *user, *pass;
} auth_user_t;

enum auth_curve { AUTH_CURVE_NONE, AUTH_CURVE_ANY, AUTH_CURVE_LIST };

typedef struct {
    char *name; /* "*": every domain without its own entry */
    auth_user_t *users;
    size_t nusers;
    enum auth_curve curve;
    uint8_t (*keys)[AUTH_KEY_LEN];
    size_t nkeys;
} auth_domain_t;

/* An address as 16 octets: IPv4 as IPv4-mapped IPv6, so "127.0.0.1" and
 * "::ffff:127.0.0.1" are the same peer. */
typedef struct {
    uint8_t a[16];
} auth_ip_t;

struct zinc_auth {
    pthread_mutex_t mu;
    auth_domain_t *domains;
    size_t ndomains;
    auth_ip_t *allow, *deny;
    size_t nallow, ndeny;
    zinc_auth_log_fn *log;
    void *log_user;

    zinc_socket_t *sock; /* the handler thread's */
    int stop[2];         /* a byte on stop[1] ends the thread */
    pthread_t thread;
};

/* ---- helpers -------------------------------------------------------------- */

static void auth_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

static void auth_free_secret(char *s)
{
    if (s) {
        auth_wipe(s, strlen(s));
        free(s);
    }
}

/* Equal in time that depends on the lengths only. */
static bool auth_secret_equal(const uint8_t *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    uint8_t diff = alen != blen;
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++)
        diff |= a[i] ^ (uint8_t)b[i];
    return diff == 0;
}

static char *auth_strndup(const void *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static bool auth_parse_ip(const char *text, size_t len, auth_ip_t *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    memset(out, 0, sizeof *out);
    struct in_addr v4;
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        out->a[10] = out->a[11] = 0xff;
        memcpy(out->a + 12, &v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, buf, out->a) == 1;
}

static bool auth_ip_listed(const auth_ip_t *list, size_t n, const auth_ip_t *ip)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(list[i].a, ip->a, sizeof ip->a) == 0)
            return true;
    return false;
}

static int auth_grow(void **arr, size_t n, size_t elem)
{
    void *p = realloc(*arr, (n + 1) * elem);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    *arr = p;
    return 0;
}

/* Copies network text for the log: at most cap - 1 octets, the
 * non-printable ones as '?'. */
static void auth_printable(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        dst[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    dst[k] = '\0';
}

/* ---- configuration (any thread, under mu) ------------------------------------ */

static const char *auth_domain_name(const char *domain)
{
    return domain ? domain : "*";
}

static auth_domain_t *auth_domain_find(zinc_auth_t *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->ndomains; i++)
        if (strlen(a->domains[i].name) == len && memcmp(a->domains[i].name, name, len) == 0)
            return &a->domains[i];
    return NULL;
}

/* The domain's entry, made if missing. NULL with errno. */
static auth_domain_t *auth_domain_get(zinc_auth_t *a, const char *name)
{
    size_t len = strlen(name);
    auth_domain_t *d = auth_domain_find(a, name, len);
    if (d)
        return d;
    char *copy = auth_strndup(name, len);
    if (!copy || auth_grow((void **)&a->domains, a->ndomains, sizeof *a->domains) != 0) {
        free(copy);
        errno = ENOMEM;
        return NULL;
    }
    d = &a->domains[a->ndomains++];
    memset(d, 0, sizeof *d);
    d->name = copy;
    return d;
}

static bool auth_domain_ok(const char *domain)
{
    return !domain || strlen(domain) <= AUTH_FIELD_MAX;
}

/* Sets user's password in d (copies both). */
static int auth_user_put(auth_domain_t *d, const char *user, size_t ulen, const char *pass,
                         size_t plen)
{
    char *p = auth_strndup(pass, plen);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < d->nusers; i++)
        if (strlen(d->users[i].user) == ulen && memcmp(d->users[i].user, user, ulen) == 0) {
            auth_free_secret(d->users[i].pass);
            d->users[i].pass = p;
            return 0;
        }
    char *u = auth_strndup(user, ulen);
    if (!u || auth_grow((void **)&d->users, d->nusers, sizeof *d->users) != 0) {
        free(u);
        auth_free_secret(p);
        errno = ENOMEM;
        return -1;
    }
    d->users[d->nusers++] = (auth_user_t){u, p};
    return 0;
}

static int auth_ip_add(zinc_auth_t *a, const char *ip, bool allow)
{
    auth_ip_t v;
    if (!a || !ip) {
        errno = EFAULT;
        return -1;
    }
    if (!auth_parse_ip(ip, strlen(ip), &v)) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    auth_ip_t **list = allow ? &a->allow : &a->deny;
    size_t *n = allow ? &a->nallow : &a->ndeny;
    int rc = 0;
    if (!auth_ip_listed(*list, *n, &v)) {
        rc = auth_grow((void **)list, *n, sizeof **list);
        if (rc == 0)
            (*list)[(*n)++] = v;
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int zinc_auth_allow(zinc_auth_t *a, const char *ip)
{
    return auth_ip_add(a, ip, true);
}

int zinc_auth_deny(zinc_auth_t *a, const char *ip)
{
    return auth_ip_add(a, ip, false);
}

int zinc_auth_plain_set(zinc_auth_t *a, const char *domain, const char *user, const char *password)
{
    if (!a || !user || !password) {
        errno = EFAULT;
        return -1;
    }
    size_t ulen = strlen(user), plen = strlen(password);
    if (ulen == 0 || ulen > AUTH_FIELD_MAX || plen > AUTH_FIELD_MAX || !auth_domain_ok(domain)) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    auth_domain_t *d = auth_domain_get(a, auth_domain_name(domain));
    int rc = d ? auth_user_put(d, user, ulen, password, plen) : -1;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* One line of a password file: *user and *pass point into line (which is
 * cut at the '='). 1: an entry; 0: nothing (blank, comment); -1: bad. */
static int auth_file_line(char *line, char **user, char **pass)
{
    line[strcspn(line, "\r\n")] = '\0';
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return 0;
    char *eq = strchr(line, '=');
    if (!eq || eq == line)
        return -1;
    *eq = '\0';
    *user = line;
    *pass = eq + 1;
    if (strlen(*user) > AUTH_FIELD_MAX || strlen(*pass) > AUTH_FIELD_MAX)
        return -1;
    return 1;
}

int zinc_auth_plain_file(zinc_auth_t *a, const char *domain, const char *path)
{
    if (!a || !path) {
        errno = EFAULT;
        return -1;
    }
    if (!auth_domain_ok(domain)) {
        errno = EINVAL;
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    /* Read it all first, so a bad line leaves the configuration as it was. */
    auth_domain_t tmp = {0};
    char line[2 * AUTH_FIELD_MAX + 8];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        if (!strchr(line, '\n') && !feof(f)) {
            errno = EINVAL; /* longer than any valid entry */
            rc = -1;
            break;
        }
        char *u, *p;
        int k = auth_file_line(line, &u, &p);
        if (k < 0) {
            errno = EINVAL;
            rc = -1;
        } else if (k > 0) {
            rc = auth_user_put(&tmp, u, strlen(u), p, strlen(p));
        }
        auth_wipe(line, sizeof line);
    }
    if (rc == 0 && ferror(f)) {
        errno = EIO;
        rc = -1;
    }
    fclose(f);
    if (rc == 0) {
        pthread_mutex_lock(&a->mu);
        auth_domain_t *d = auth_domain_get(a, auth_domain_name(domain));
        for (size_t i = 0; d && rc == 0 && i < tmp.nusers; i++)
            rc = auth_user_put(d, tmp.users[i].user, strlen(tmp.users[i].user), tmp.users[i].pass,
                               strlen(tmp.users[i].pass));
        if (!d)
            rc = -1;
        pthread_mutex_unlock(&a->mu);
    }
    int err = errno;
    for (size_t i = 0; i < tmp.nusers; i++) {
        free(tmp.users[i].user);
        auth_free_secret(tmp.users[i].pass);
    }
    free(tmp.users);
    errno = err;
    return rc;
}

int zinc_auth_curve_any(zinc_auth_t *a, const char *domain)
{
    if (!a) {
        errno = EFAULT;
        return -1;
    }
    if (!auth_domain_ok(domain)) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    auth_domain_t *d = auth_domain_get(a, auth_domain_name(domain));
    if (d)
        d->curve = AUTH_CURVE_ANY;
    pthread_mutex_unlock(&a->mu);
    return d ? 0 : -1;
}

/* Adds a raw key to the domain's list (under mu). */
static int auth_key_add(zinc_auth_t *a, const char *domain, const uint8_t *key)
{
    auth_domain_t *d = auth_domain_get(a, auth_domain_name(domain));
    if (!d)
        return -1;
    if (d->curve == AUTH_CURVE_NONE)
        d->curve = AUTH_CURVE_LIST;
    for (size_t i = 0; i < d->nkeys; i++)
        if (memcmp(d->keys[i], key, AUTH_KEY_LEN) == 0)
            return 0;
    if (auth_grow((void **)&d->keys, d->nkeys, sizeof *d->keys) != 0)
        return -1;
    memcpy(d->keys[d->nkeys++], key, AUTH_KEY_LEN);
    return 0;
}

int zinc_auth_curve_allow(zinc_auth_t *a, const char *domain, const void *key, size_t len)
{
    if (!a || !key) {
        errno = EFAULT;
        return -1;
    }
    uint8_t raw[AUTH_KEY_LEN];
    if (!auth_domain_ok(domain) || (len != AUTH_KEY_LEN && len != 40)) {
        errno = EINVAL;
        return -1;
    }
    if (len == 40) {
        char z[41];
        memcpy(z, key, 40);
        z[40] = '\0';
        if (!zinc_z85_decode(raw, z)) {
            errno = EINVAL;
            return -1;
        }
    } else {
        memcpy(raw, key, AUTH_KEY_LEN);
    }
    pthread_mutex_lock(&a->mu);
    int rc = auth_key_add(a, domain, raw);
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* CURVE: every public certificate (`*.key`) in dir (not recursing; `*_secret` files and
 * anything else are ignored). */
int zinc_auth_curve_dir(zinc_auth_t *a, const char *domain, const char *dir)
{
    if (!a || !dir) {
        errno = EFAULT;
        return -1;
    }
    if (!auth_domain_ok(domain)) {
        errno = EINVAL;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    uint8_t(*keys)[AUTH_KEY_LEN] = NULL;
    size_t nkeys = 0;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".key") != 0)
            continue;
        char full[4096];
        int n = snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof full) {
            errno = ENAMETOOLONG;
            rc = -1;
            break;
        }
        struct stat st;
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        zinc_cert_t *cert = zinc_cert_load(full);
        if (!cert) {
            rc = -1;
            break;
        }
        rc = auth_grow((void **)&keys, nkeys, sizeof *keys);
        if (rc == 0)
            memcpy(keys[nkeys++], zinc_cert_public_key(cert), AUTH_KEY_LEN);
        zinc_cert_free(cert);
    }
    closedir(d);
    if (rc == 0) {
        pthread_mutex_lock(&a->mu);
        auth_domain_t *dom = auth_domain_get(a, auth_domain_name(domain));
        if (!dom)
            rc = -1;
        else if (dom->curve == AUTH_CURVE_NONE)
            dom->curve = AUTH_CURVE_LIST; /* an empty directory allows no key */
        for (size_t i = 0; rc == 0 && i < nkeys; i++)
            rc = auth_key_add(a, domain, keys[i]);
        pthread_mutex_unlock(&a->mu);
    }
    int err = errno;
    free(keys);
    errno = err;
    return rc;
}

int zinc_auth_set_log(zinc_auth_t *a, zinc_auth_log_fn *fn, void *user)
{
    if (!a) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&a->mu);
    a->log = fn;
    a->log_user = user;
    pthread_mutex_unlock(&a->mu);
    return 0;
}

/* ---- deciding (handler thread, under mu) ---------------------------------- */

typedef struct {
    const uint8_t *p[AUTH_REQ_FRAMES];
    size_t len[AUTH_REQ_FRAMES];
    size_t n;
} auth_req_t;

/* Request frames after the routing id and the delimiter (RFC 27). */
enum { REQ_VERSION = 2, REQ_ID, REQ_DOMAIN, REQ_ADDRESS, REQ_IDENTITY, REQ_MECH, REQ_CRED };

static bool auth_field_is(const auth_req_t *r, int i, const char *s)
{
    return r->len[i] == strlen(s) && memcmp(r->p[i], s, r->len[i]) == 0;
}

typedef struct {
    bool allowed;
    const char *reason;
    char user_id[AUTH_FIELD_MAX + 1]; /* the PLAIN user or the Z85 key */
    size_t user_id_len;
} auth_verdict_t;

/* The configuration for the request's domain, else "*". */
static const auth_domain_t *auth_domain_for(zinc_auth_t *a, const auth_req_t *r)
{
    const auth_domain_t *d =
        auth_domain_find(a, (const char *)r->p[REQ_DOMAIN], r->len[REQ_DOMAIN]);
    return d ? d : auth_domain_find(a, "*", 1);
}

static void auth_check_plain(zinc_auth_t *a, const auth_req_t *r, auth_verdict_t *v)
{
    v->allowed = false;
    if (r->n != REQ_CRED + 2 || r->len[REQ_CRED] > AUTH_FIELD_MAX) {
        v->reason = "invalid PLAIN credentials";
        return;
    }
    const auth_domain_t *d = auth_domain_for(a, r);
    if (!d || d->nusers == 0) {
        v->reason = "no PLAIN passwords for this domain";
        return;
    }
    const uint8_t *user = r->p[REQ_CRED], *pass = r->p[REQ_CRED + 1];
    size_t ulen = r->len[REQ_CRED], plen = r->len[REQ_CRED + 1];
    memcpy(v->user_id, user, ulen);
    v->user_id_len = ulen;
    for (size_t i = 0; i < d->nusers; i++) {
        if (strlen(d->users[i].user) != ulen || memcmp(d->users[i].user, user, ulen) != 0)
            continue;
        v->allowed = auth_secret_equal(pass, plen, d->users[i].pass);
        v->reason = v->allowed ? "password ok" : "invalid password";
        return;
    }
    v->reason = "invalid user name";
}

static void auth_check_curve(zinc_auth_t *a, const auth_req_t *r, auth_verdict_t *v)
{
    v->allowed = false;
    if (r->n != REQ_CRED + 1 || r->len[REQ_CRED] != AUTH_KEY_LEN) {
        v->reason = "invalid CURVE credentials";
        return;
    }
    const uint8_t *key = r->p[REQ_CRED];
    if (!zinc_z85_encode(v->user_id, key, AUTH_KEY_LEN)) {
        v->reason = "invalid CURVE credentials";
        return;
    }
    v->user_id_len = 40;
    const auth_domain_t *d = auth_domain_for(a, r);
    if (!d || d->curve == AUTH_CURVE_NONE) {
        v->reason = "no CURVE keys for this domain";
        return;
    }
    if (d->curve == AUTH_CURVE_ANY) {
        v->allowed = true;
        v->reason = "any key";
        return;
    }
    for (size_t i = 0; i < d->nkeys; i++)
        if (memcmp(d->keys[i], key, AUTH_KEY_LEN) == 0) {
            v->allowed = true;
            v->reason = "key allowed";
            return;
        }
    v->reason = "key not allowed";
}

/* The decision for a well-formed request, as pyzmq's handle_zap_message. */
static void auth_decide(zinc_auth_t *a, const auth_req_t *r, auth_verdict_t *v)
{
    bool denied = false;
    memset(v, 0, sizeof *v);
    v->reason = "no access";
    auth_ip_t ip;
    bool have_ip = auth_parse_ip((const char *)r->p[REQ_ADDRESS], r->len[REQ_ADDRESS], &ip);
    if (a->nallow) {
        if (have_ip && auth_ip_listed(a->allow, a->nallow, &ip)) {
            v->allowed = true;
            v->reason = "address allowed";
        } else {
            denied = true;
            v->reason = "address not in the allow list";
        }
    } else if (a->ndeny) {
        if (have_ip && auth_ip_listed(a->deny, a->ndeny, &ip)) {
            denied = true;
            v->reason = "address denied";
        } else {
            v->allowed = true;
            v->reason = "address not denied";
        }
    }
    if (denied) {
        v->allowed = false;
        return;
    }
    if (auth_field_is(r, REQ_MECH, "NULL")) {
        if (!v->allowed)
            v->reason = "NULL";
        v->allowed = true;
    } else if (auth_field_is(r, REQ_MECH, "PLAIN")) {
        auth_check_plain(a, r, v); /* even an allowed address must log in */
    } else if (auth_field_is(r, REQ_MECH, "CURVE")) {
        auth_check_curve(a, r, v);
    } else {
        v->allowed = false;
        v->reason = "unsupported mechanism";
    }
}

static void auth_log(zinc_auth_t *a, const auth_req_t *r, const auth_verdict_t *v)
{
    if (!a->log)
        return;
    char domain[64], address[64], mech[16], who[AUTH_FIELD_MAX + 1], line[AUTH_LINE_MAX];
    auth_printable(domain, sizeof domain, r->p[REQ_DOMAIN], r->len[REQ_DOMAIN]);
    auth_printable(address, sizeof address, r->p[REQ_ADDRESS], r->len[REQ_ADDRESS]);
    auth_printable(mech, sizeof mech, r->p[REQ_MECH], r->len[REQ_MECH]);
    bool curve = auth_field_is(r, REQ_MECH, "CURVE");
    auth_printable(who, sizeof who, (const uint8_t *)v->user_id, v->user_id_len);
    snprintf(line, sizeof line, "ZAP domain=\"%s\" address=%s mechanism=%s %s=\"%s\": %s (%s)",
             domain, address[0] ? address : "-", mech, curve ? "key" : "user", who,
             v->allowed ? "allowed" : "denied", v->reason);
    a->log(a->log_user, line);
}

/* ---- the handler thread ------------------------------------------------------ */

static int auth_send(zinc_socket_t *s, const void *p, size_t n, bool more)
{
    return zinc_send(s, p, n, more ? ZINC_MORE : 0) < 0 ? -1 : 0;
}

/* RFC 27 "Reply": routing id, delimiter, version, request id, status code,
 * status text, user id, metadata (none). */
static void auth_reply(zinc_socket_t *s, const auth_req_t *r, const char *status, const char *text,
                       const char *user_id, size_t user_id_len)
{
    if (auth_send(s, r->p[0], r->len[0], true) || auth_send(s, "", 0, true) ||
        auth_send(s, "1.0", 3, true) || auth_send(s, r->p[REQ_ID], r->len[REQ_ID], true) ||
        auth_send(s, status, 3, true) || auth_send(s, text, strlen(text), true) ||
        auth_send(s, user_id, user_id_len, true))
        return;
    (void)auth_send(s, "", 0, false);
}

static void auth_handle(zinc_auth_t *a, zinc_frame_t **f, size_t n, bool truncated)
{
    auth_req_t r = {.n = n};
    for (size_t i = 0; i < n; i++) {
        r.p[i] = zinc_frame_data(f[i]);
        r.len[i] = zinc_frame_size(f[i]);
    }
    /* Without a request id there is nobody to answer. */
    if (n <= REQ_ID || r.len[1] != 0)
        return;
    if (truncated || n < REQ_CRED || !auth_field_is(&r, REQ_VERSION, "1.0")) {
        auth_reply(a->sock, &r, "400", "malformed ZAP request", "", 0);
        return;
    }
    auth_verdict_t v;
    pthread_mutex_lock(&a->mu);
    auth_decide(a, &r, &v);
    auth_log(a, &r, &v);
    pthread_mutex_unlock(&a->mu);
    if (v.allowed)
        auth_reply(a->sock, &r, "200", "OK", v.user_id, v.user_id_len);
    else
        auth_reply(a->sock, &r, "400", v.reason, "", 0);
    auth_wipe(v.user_id, sizeof v.user_id);
}

/* Reads one request (all its frames); false on ETERM or an error. */
static bool auth_serve_one(zinc_auth_t *a)
{
    zinc_frame_t *f[AUTH_REQ_FRAMES];
    size_t n = 0;
    bool truncated = false, more = true;
    while (more) {
        zinc_frame_t *fr = zinc_recv_frame(a->sock, ZINC_DONTWAIT);
        if (!fr) {
            for (size_t i = 0; i < n; i++)
                zinc_frame_unref(f[i]);
            return errno == EAGAIN;
        }
        more = zinc_frame_more(fr);
        if (n < AUTH_REQ_FRAMES)
            f[n++] = fr;
        else {
            truncated = true;
            zinc_frame_unref(fr);
        }
    }
    auth_handle(a, f, n, truncated);
    for (size_t i = 0; i < n; i++)
        zinc_frame_unref(f[i]);
    return true;
}

static void *auth_thread(void *arg)
{
    zinc_auth_t *a = arg;
    for (;;) {
        zinc_pollitem_t items[2] = {{a->sock, -1, ZINC_POLLIN, 0},
                                    {NULL, a->stop[0], ZINC_POLLIN, 0}};
        int rc = zinc_poll(items, 2, -1);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            break; /* ETERM: the context is ending */
        }
        if (items[1].revents)
            break;
        if ((items[0].revents & ZINC_POLLIN) && !auth_serve_one(a))
            break;
    }
    zinc_socket_close(a->sock);
    a->sock = NULL;
    return NULL;
}

/* ---- life -------------------------------------------------------------------- */

static void auth_config_free(zinc_auth_t *a)
{
    for (size_t i = 0; i < a->ndomains; i++) {
        auth_domain_t *d = &a->domains[i];
        for (size_t k = 0; k < d->nusers; k++) {
            free(d->users[k].user);
            auth_free_secret(d->users[k].pass);
        }
        free(d->users);
        free(d->keys);
        free(d->name);
    }
    free(a->domains);
    free(a->allow);
    free(a->deny);
}

zinc_auth_t *zinc_auth_new(zinc_ctx_t *ctx)
{
    if (!ctx) {
        errno = EFAULT;
        return NULL;
    }
    zinc_auth_t *a = calloc(1, sizeof *a);
    if (!a) {
        errno = ENOMEM;
        return NULL;
    }
    a->stop[0] = a->stop[1] = -1;
    pthread_mutex_init(&a->mu, NULL);
    int err;
    if (pipe2(a->stop, O_CLOEXEC | O_NONBLOCK) != 0)
        goto fail;
    a->sock = zinc_socket_new(ctx, ZINC_ROUTER);
    if (!a->sock || zinc_set_int(a->sock, "linger", 0) != 0 ||
        zinc_bind(a->sock, AUTH_ENDPOINT) != 0)
        goto fail;
    err = pthread_create(&a->thread, NULL, auth_thread, a);
    if (err != 0) {
        errno = err == EAGAIN ? ENOMEM : err;
        goto fail;
    }
    return a;
fail:
    err = errno;
    if (a->sock)
        zinc_socket_close(a->sock);
    if (a->stop[0] >= 0) {
        close(a->stop[0]);
        close(a->stop[1]);
    }
    pthread_mutex_destroy(&a->mu);
    free(a);
    errno = err;
    return NULL;
}

void zinc_auth_free(zinc_auth_t *a)
{
    if (!a)
        return;
    int err = errno;
    ssize_t w;
    do
        w = write(a->stop[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(a->thread, NULL);
    close(a->stop[0]);
    close(a->stop[1]);
    auth_config_free(a);
    pthread_mutex_destroy(&a->mu);
    free(a);
    errno = err;
}
