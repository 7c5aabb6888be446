/* Send/receive helpers (pyzmq's send_string, send_json, send_multipart,
 * send_serialized and their receives), written on zinc_send_frame and
 * zinc_recv_frame only: nothing here knows a socket's insides.
 *
 * Rules kept everywhere: a receive consumes what it read even when it then
 * fails (a bad frame never blocks the ones behind it); a send checks its
 * arguments and builds every frame before the first one goes out, so a
 * refused send leaves nothing behind; no error path leaks. Threads: as the
 * socket used (one at a time); the functions keep no state of their own.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/frame.h"
#include "zinc.h"

void zinc_free(void *p)
{
    free(p);
}

/* ---- text ------------------------------------------------------------ */

/* Offset of the first octet that breaks UTF-8 (RFC 3629 §3-4: shortest form
 * only, no surrogates, at most U+10FFFF) or is NUL; n when all is well. */
static size_t helpers_utf8_check(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            if (c == 0)
                return i;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1Fu, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0Fu, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else {
            return i; /* a continuation octet, C0/C1, or F5..FF */
        }
        if (n - i < len)
            return i;
        for (size_t k = 1; k < len; k++) {
            uint8_t b = s[i + k];
            if ((b & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/* 0 when data is text, else -1 with EILSEQ and a detail naming what. */
static int helpers_text_check(const void *data, size_t n, const char *what)
{
    size_t bad = helpers_utf8_check(data, n);
    if (bad == n)
        return 0;
    if (((const uint8_t *)data)[bad] == 0)
        return zi_fail(EILSEQ, "%s: NUL octet at offset %zu of %zu", what, bad, n);
    return zi_fail(EILSEQ, "%s: invalid UTF-8 at offset %zu of %zu", what, bad, n);
}

/* Drops a received frame without touching errno (received frames are never
 * zero-copy, but keep the promise anyway). */
static void helpers_drop(zinc_frame_t *f)
{
    int err = errno;
    zinc_frame_unref(f);
    errno = err;
}

int zinc_send_string(zinc_socket_t *s, const char *str, int flags)
{
    if (!str)
        return zi_fail(EINVAL, "send_string: NULL string");
    size_t len = strlen(str);
    if (len > INT32_MAX)
        return zi_fail(EINVAL, "send_string: %zu octets is over INT32_MAX", len);
    if (helpers_text_check(str, len, "send_string") != 0)
        return -1;
    return zinc_send(s, str, len, flags);
}

char *zinc_recv_string(zinc_socket_t *s, int flags)
{
    zinc_frame_t *f = zinc_recv_frame(s, flags);
    if (!f)
        return NULL;
    size_t n = zinc_frame_size(f);
    char *out = NULL;
    if (helpers_text_check(zinc_frame_data(f), n, "recv_string") == 0) {
        out = malloc(n + 1);
        if (out) {
            memcpy(out, zinc_frame_data(f), n);
            out[n] = '\0';
        } else {
            errno = ENOMEM;
        }
    }
    helpers_drop(f);
    return out;
}

/* ---- JSON ------------------------------------------------------------ */

static void helpers_json_text_free(void *data, void *hint)
{
    (void)hint;
    cJSON_free(data);
}

int zinc_send_json(zinc_socket_t *s, const struct cJSON *json, int flags)
{
    if (!json)
        return zi_fail(EINVAL, "send_json: NULL value");
    if ((json->type & 0xFF) == cJSON_Invalid)
        return zi_fail(EINVAL, "send_json: the value has no valid cJSON type");
    char *text = cJSON_PrintUnformatted(json);
    if (!text)
        return zi_fail(ENOMEM, "send_json: cJSON could not print the value");
    size_t len = strlen(text);
    if (len > INT32_MAX) {
        cJSON_free(text);
        return zi_fail(EINVAL, "send_json: %zu octets is over INT32_MAX", len);
    }
    /* The printed text goes out as is: no second copy of a large document. */
    zinc_frame_t *f = zinc_frame_new_zerocopy(text, len, helpers_json_text_free, NULL, false);
    if (!f) {
        cJSON_free(text);
        errno = ENOMEM;
        return -1;
    }
    if (zinc_send_frame(s, f, flags) != 0) {
        int err = errno;
        zinc_frame_unref(f);
        errno = err;
        return -1;
    }
    return (int)len;
}

static bool helpers_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct cJSON *zinc_recv_json(zinc_socket_t *s, int flags)
{
    zinc_frame_t *f = zinc_recv_frame(s, flags);
    if (!f)
        return NULL;
    const char *text = zinc_frame_data(f);
    size_t n = zinc_frame_size(f);
    cJSON *json = NULL;
    if (helpers_text_check(text, n, "recv_json") != 0)
        goto out;
    /* No NUL inside (checked above), so cJSON stops at n at the latest; its
     * own nesting limit bounds the recursion. */
    const char *end = NULL;
    json = n ? cJSON_ParseWithLengthOpts(text, n, &end, false) : NULL;
    if (!json) {
        size_t at = end && end >= text && end <= text + n ? (size_t)(end - text) : 0;
        zi_fail(EPROTO, "recv_json: not JSON (%zu octets; error at offset %zu)", n, at);
        goto out;
    }
    size_t at = (size_t)(end - text);
    while (at < n && helpers_json_space(text[at]))
        at++;
    if (at != n) {
        cJSON_Delete(json);
        json = NULL;
        zi_fail(EPROTO, "recv_json: text after the JSON value at offset %zu of %zu", at, n);
    }
out:
    helpers_drop(f);
    return json;
}

/* ---- multipart messages ------------------------------------------------ */

#define HELPERS_INLINE_FRAMES 4

struct zinc_multipart {
    size_t count, cap;
    zinc_frame_t **frames; /* inline_frames, or a heap array past 4 */
    zinc_frame_t *inline_frames[HELPERS_INLINE_FRAMES];
};

zinc_multipart_t *zinc_multipart_new(void)
{
    zinc_multipart_t *m = malloc(sizeof *m);
    if (!m) {
        errno = ENOMEM;
        return NULL;
    }
    m->count = 0;
    m->cap = HELPERS_INLINE_FRAMES;
    m->frames = m->inline_frames;
    return m;
}

int zinc_multipart_add(zinc_multipart_t *m, zinc_frame_t *f)
{
    if (!m || !f)
        return zi_fail(EINVAL, "multipart_add: NULL %s", m ? "frame" : "message");
    if (m->count == m->cap) {
        if (m->cap > SIZE_MAX / 2 / sizeof *m->frames) {
            errno = ENOMEM;
            return -1;
        }
        size_t cap = m->cap * 2;
        zinc_frame_t **a = m->frames == m->inline_frames ? malloc(cap * sizeof *a)
                                                         : realloc(m->frames, cap * sizeof *a);
        if (!a) {
            errno = ENOMEM;
            return -1;
        }
        if (m->frames == m->inline_frames)
            memcpy(a, m->inline_frames, sizeof m->inline_frames);
        m->frames = a;
        m->cap = cap;
    }
    m->frames[m->count++] = f;
    return 0;
}

int zinc_multipart_add_copy(zinc_multipart_t *m, const void *data, size_t size)
{
    if (!m || (!data && size))
        return zi_fail(EINVAL, "multipart_add_copy: NULL %s", m ? "data" : "message");
    zinc_frame_t *f = zinc_frame_new(data, size);
    if (!f)
        return -1;
    if (zinc_multipart_add(m, f) != 0) {
        zinc_frame_unref(f);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

size_t zinc_multipart_count(const zinc_multipart_t *m)
{
    return m ? m->count : 0;
}

zinc_frame_t *zinc_multipart_frame(const zinc_multipart_t *m, size_t i)
{
    if (!m || i >= m->count) {
        errno = EINVAL;
        return NULL;
    }
    return m->frames[i];
}

zinc_frame_t *const *zinc_multipart_frames(const zinc_multipart_t *m)
{
    return m && m->count ? m->frames : NULL;
}

size_t zinc_multipart_bytes(const zinc_multipart_t *m)
{
    size_t total = 0;
    for (size_t i = 0; m && i < m->count; i++)
        total += zinc_frame_size(m->frames[i]);
    return total;
}

void zinc_multipart_free(zinc_multipart_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        zinc_frame_unref(m->frames[i]);
    if (m->frames != m->inline_frames)
        free(m->frames);
    free(m);
}

/* Frees a frame array of the send path (stack or heap). */
static void helpers_frames_release(zinc_frame_t **fs, size_t from, size_t count,
                                   zinc_frame_t **heap)
{
    for (size_t i = from; i < count; i++)
        zinc_frame_unref(fs[i]);
    free(heap);
}

/* Sends fs[0..count) as one message, taking every reference whatever
 * happens. Only the first frame may wait for the high-water mark; the rest
 * belong to a message already started, which the pipe never refuses. */
static int helpers_send_owned(zinc_socket_t *s, zinc_frame_t **fs, size_t count, int flags,
                              zinc_frame_t **heap)
{
    for (size_t i = 0; i < count; i++) {
        int fl = (flags & ZINC_DONTWAIT) | ((i + 1 < count || (flags & ZINC_MORE)) ? ZINC_MORE : 0);
        if (zinc_send_frame(s, fs[i], fl) != 0) {
            int err = errno;
            helpers_frames_release(fs, i, count, heap);
            errno = err;
            return -1;
        }
    }
    free(heap);
    return 0;
}

/* A frame array for count entries: stack when small, else heap (*heap). */
static zinc_frame_t **helpers_frames_array(zinc_frame_t **stack, size_t stack_n, size_t count,
                                           zinc_frame_t ***heap)
{
    *heap = NULL;
    if (count <= stack_n)
        return stack;
    if (count > SIZE_MAX / sizeof **heap) {
        errno = ENOMEM;
        return NULL;
    }
    *heap = malloc(count * sizeof **heap);
    if (!*heap)
        errno = ENOMEM;
    return *heap;
}

static void helpers_unref_hint(void *data, void *hint)
{
    (void)data;
    zinc_frame_unref(hint);
}

/* Our own handle on the caller's frame f. A frame nobody else holds is sent
 * itself, with a reference added (its MORE flag may be written: no other
 * thread can see it). A shared frame may be in flight elsewhere (an earlier
 * send, or twice in this message) and its flags must not change under a
 * reader, so a new frame header is made over the same octets, keeping f
 * alive (and f's tracker pending) until it is released. */
static zinc_frame_t *helpers_borrow(zinc_frame_t *f)
{
    if (atomic_load_explicit(&f->refs, memory_order_acquire) == 1)
        return zinc_frame_ref(f);
    zinc_frame_t *alias = zinc_frame_new_zerocopy(f->data, f->size, helpers_unref_hint, f, false);
    if (alias)
        zinc_frame_ref(f);
    return alias;
}

#define HELPERS_STACK_FRAMES 16

int zinc_send_multipart(zinc_socket_t *s, zinc_frame_t *const *frames, size_t count, int flags)
{
    if (!frames || count == 0)
        return zi_fail(EINVAL, "send_multipart: no frame to send");
    for (size_t i = 0; i < count; i++)
        if (!frames[i])
            return zi_fail(EINVAL, "send_multipart: frame %zu of %zu is NULL", i, count);
    zinc_frame_t *stack[HELPERS_STACK_FRAMES], **heap;
    zinc_frame_t **fs = helpers_frames_array(stack, HELPERS_STACK_FRAMES, count, &heap);
    if (!fs)
        return -1;
    for (size_t i = 0; i < count; i++) {
        fs[i] = helpers_borrow(frames[i]);
        if (!fs[i]) {
            helpers_frames_release(fs, 0, i, heap);
            errno = ENOMEM;
            return -1;
        }
    }
    return helpers_send_owned(s, fs, count, flags, heap);
}

int zinc_send_multipart_bufs(zinc_socket_t *s, const zinc_buf_t *parts, size_t count, int flags)
{
    if (!parts || count == 0)
        return zi_fail(EINVAL, "send_multipart: no part to send");
    for (size_t i = 0; i < count; i++)
        if (!parts[i].data && parts[i].size)
            return zi_fail(EINVAL, "send_multipart: part %zu of %zu has size %zu and no data", i,
                           count, parts[i].size);
    zinc_frame_t *stack[HELPERS_STACK_FRAMES], **heap;
    zinc_frame_t **fs = helpers_frames_array(stack, HELPERS_STACK_FRAMES, count, &heap);
    if (!fs)
        return -1;
    for (size_t i = 0; i < count; i++) {
        fs[i] = zinc_frame_new(parts[i].data, parts[i].size);
        if (!fs[i]) {
            helpers_frames_release(fs, 0, i, heap);
            errno = ENOMEM;
            return -1;
        }
    }
    return helpers_send_owned(s, fs, count, flags, heap);
}

/* Reads and drops the rest of a message after a frame with more. */
static void helpers_skip_rest(zinc_socket_t *s, int flags)
{
    int err = errno;
    for (;;) {
        zinc_frame_t *f = zinc_recv_frame(s, flags);
        if (!f)
            break;
        bool more = zinc_frame_more(f);
        zinc_frame_unref(f);
        if (!more)
            break;
    }
    errno = err;
}

zinc_multipart_t *zinc_recv_multipart(zinc_socket_t *s, int flags)
{
    zinc_frame_t *f = zinc_recv_frame(s, flags);
    if (!f)
        return NULL;
    zinc_multipart_t *m = zinc_multipart_new();
    for (;;) {
        bool more = zinc_frame_more(f);
        if (!m || zinc_multipart_add(m, f) != 0) {
            helpers_drop(f);
            if (more)
                helpers_skip_rest(s, flags);
            zinc_multipart_free(m);
            errno = ENOMEM;
            return NULL;
        }
        if (!more)
            return m;
        f = zinc_recv_frame(s, flags);
        if (!f) {
            int err = errno;
            zinc_multipart_free(m);
            errno = err;
            return NULL;
        }
    }
}

/* ---- user serialization ------------------------------------------------ */

int zinc_send_serialized(zinc_socket_t *s, const void *obj, zinc_serialize_fn *fn, void *hint,
                         int flags)
{
    if (!fn)
        return zi_fail(EINVAL, "send_serialized: no serializer");
    zinc_multipart_t *m = zinc_multipart_new();
    if (!m)
        return -1;
    errno = 0;
    int rc = fn(obj, m, hint);
    if (rc != 0) {
        int err = errno ? errno : EINVAL;
        zinc_multipart_free(m);
        return zi_fail(err, "send_serialized: the serializer failed (%s)", zinc_strerror(err));
    }
    if (m->count == 0) {
        zinc_multipart_free(m);
        return zi_fail(EINVAL, "send_serialized: the serializer made no frame");
    }
    rc = zinc_send_multipart(s, m->frames, m->count, flags);
    int err = errno;
    zinc_multipart_free(m);
    errno = err;
    return rc;
}

void *zinc_recv_serialized(zinc_socket_t *s, zinc_deserialize_fn *fn, void *hint, int flags)
{
    if (!fn) {
        zi_fail(EINVAL, "recv_serialized: no deserializer");
        return NULL;
    }
    zinc_multipart_t *m = zinc_recv_multipart(s, flags);
    if (!m)
        return NULL;
    errno = 0;
    void *obj = fn(m, hint);
    int err = errno ? errno : EPROTO;
    zinc_multipart_free(m);
    if (!obj)
        zi_fail(err, "recv_serialized: the deserializer failed (%s)", zinc_strerror(err));
    return obj;
}
