/* Certificate files on disk: zinc_cert_load, zinc_cert_save and friends.
 * See cert.h. Built on the public certificate API and cert.h's text
 * helpers (zi_cert_parse, zi_cert_format); the files' contents are wiped
 * from memory once used, since a secret file holds a secret key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ext/cert.h"
#include "zinc.h"

/* Sets errno and the thread's error detail; returns -1. */
__attribute__((format(printf, 2, 3))) static int file_fail(int err, const char *fmt, ...)
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

/* path + "_secret" in a new string, or NULL (ENOMEM). */
static char *file_secret_path(const char *path)
{
    size_t pl = strlen(path);
    char *s = malloc(pl + sizeof "_secret");
    if (!s) {
        file_fail(ENOMEM, "certificate: out of memory");
        return NULL;
    }
    memcpy(s, path, pl);
    memcpy(s + pl, "_secret", sizeof "_secret");
    return s;
}

/* ---- writing ------------------------------------------------------------------------------ */

static void file_stamp(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        buf[0] = '\0';
}

/* Writes len octets to path through a temporary file beside it (created
 * 0600 by mkostemp, then given mode), renamed into place: a reader sees the
 * old file or the new one, never half of one. */
static int file_write(const char *path, const char *text, size_t len, mode_t mode)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + sizeof ".XXXXXX");
    if (!tmp)
        return file_fail(ENOMEM, "certificate: out of memory");
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".XXXXXX", sizeof ".XXXXXX");
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return file_fail(e, "%s: cannot create a file there: %s", path, strerror(e));
    }
    const char *step = "cannot set its mode";
    if (fchmod(fd, mode) != 0)
        goto fail;
    step = "cannot write it";
    for (size_t done = 0; done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        done += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    int rc = close(fd);
    fd = -1;
    if (rc != 0)
        goto fail;
    step = "cannot rename the new file into place";
    if (rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    return 0;
fail : {
    int e = errno ? errno : EIO;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return file_fail(e, "%s: %s: %s", path, step, strerror(e));
}
}

static int file_save_one(const zinc_cert_t *c, const char *path, bool secret)
{
    if (!c || !path)
        return file_fail(EINVAL, "cert_save: a NULL argument");
    char stamp[64];
    file_stamp(stamp, sizeof stamp);
    size_t len;
    char *text = zi_cert_format(c, secret, stamp, &len);
    if (!text)
        return -1;
    int rc = file_write(path, text, len, secret ? 0600 : 0644);
    zi_cert_text_free(text, len);
    return rc;
}

int zinc_cert_save_public(const zinc_cert_t *c, const char *path)
{
    return file_save_one(c, path, false);
}

int zinc_cert_save_secret(const zinc_cert_t *c, const char *path)
{
    return file_save_one(c, path, true);
}

int zinc_cert_save(const zinc_cert_t *c, const char *path)
{
    if (!c || !path)
        return file_fail(EINVAL, "cert_save: a NULL argument");
    if (!zinc_cert_secret_key(c))
        return file_fail(EINVAL, "cert_save: the certificate has no secret key "
                                 "(zinc_cert_save_public writes the public file alone)");
    char *sp = file_secret_path(path);
    if (!sp)
        return -1;
    int rc = file_save_one(c, path, false);
    if (rc == 0)
        rc = file_save_one(c, sp, true);
    free(sp);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* Reads a whole regular file of at most ZINC_CERT_FILE_MAX octets into a new
 * buffer. -1 with errno (the detail is set only for EINVAL and ENOMEM). */
static int file_read(const char *path, uint8_t **out, size_t *len)
{
    /* O_NONBLOCK: a FIFO in place of a certificate must not hang open(). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return file_fail(EINVAL, "%s: not a regular file", path);
    }
    size_t cap = ZINC_CERT_FILE_MAX + 1;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return file_fail(ENOMEM, "certificate: out of memory");
    }
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            sodium_memzero(buf, n);
            free(buf);
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > ZINC_CERT_FILE_MAX) {
        sodium_memzero(buf, n);
        free(buf);
        return file_fail(EINVAL, "%s: larger than %d octets", path, ZINC_CERT_FILE_MAX);
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Loads and parses one file into a new certificate. */
static zinc_cert_t *file_load_one(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (file_read(path, &buf, &len) != 0) {
        if (errno != EINVAL && errno != ENOMEM)
            file_fail(errno, "%s: %s", path, strerror(errno));
        return NULL;
    }
    zinc_cert_t *c = zi_cert_parse(buf, len, path);
    int e = errno;
    sodium_memzero(buf, len);
    free(buf);
    errno = e;
    return c;
}

/* Copies every metadata entry of from that to lacks. */
static int file_copy_meta(zinc_cert_t *to, const zinc_cert_t *from)
{
    for (size_t i = 0; i < zinc_cert_meta_count(from); i++) {
        const char *name = zinc_cert_meta_name(from, i);
        if (!zinc_cert_meta(to, name) && zinc_cert_set_meta(to, name, zinc_cert_meta(from, name)))
            return -1;
    }
    return 0;
}

/* The certificate of the public file pub and the secret file sec: the keys
 * of sec, which must have pub's public key; pub's metadata, then what sec
 * adds. */
static zinc_cert_t *file_merge(const zinc_cert_t *pub, const zinc_cert_t *sec, const char *spath)
{
    if (!zinc_cert_secret_key(sec)) {
        file_fail(EINVAL, "%s: no secret-key in the secret file", spath);
        return NULL;
    }
    if (sodium_memcmp(zinc_cert_public_key(sec), zinc_cert_public_key(pub), 32) != 0) {
        file_fail(EINVAL, "%s: its public-key differs from the public file's", spath);
        return NULL;
    }
    zinc_cert_t *c = zinc_cert_new_from(zinc_cert_public_key(sec), zinc_cert_secret_key(sec));
    if (c && (file_copy_meta(c, pub) != 0 || file_copy_meta(c, sec) != 0)) {
        zinc_cert_free(c);
        c = NULL;
    }
    return c;
}

zinc_cert_t *zinc_cert_load(const char *path)
{
    if (!path) {
        file_fail(EINVAL, "cert_load: path is NULL");
        return NULL;
    }
    zinc_cert_t *pub = file_load_one(path);
    if (!pub || zinc_cert_secret_key(pub))
        return pub; /* failed, or path was itself a secret file */
    char *sp = file_secret_path(path);
    if (!sp) {
        zinc_cert_free(pub);
        return NULL;
    }
    zinc_cert_t *sec = file_load_one(sp), *c = pub;
    if (!sec) {
        /* No secret file, or one we may not read: the public certificate. */
        int e_read = errno;
        if (e_read != ENOENT && e_read != ENOTDIR && e_read != EACCES && e_read != EPERM) {
            zinc_cert_free(pub);
            c = NULL;
        }
    } else {
        c = file_merge(pub, sec, sp);
        zinc_cert_free(pub);
        zinc_cert_free(sec);
    }
    int e = errno;
    free(sp);
    errno = e;
    return c;
}
