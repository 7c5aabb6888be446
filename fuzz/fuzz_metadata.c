/* Fuzz target: metadata parsing (src/zmtp/metadata.c).
 *
 * Input: the metadata part of a READY (or INITIATE) command. It is parsed
 * into a fresh property list. When that succeeds, every property is encoded
 * again with zmtp_metadata_put and the result parsed into a second list: the
 * lists must be equal, and since the encoding has a single form, the bytes
 * must equal the input. Each name must also be found in another case.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz_common.h"
#include "zmtp/metadata.h"

static void metadata_same(const zi_props_t *a, const zi_props_t *b)
{
    FZ_CHECK(zi_props_count(a) == zi_props_count(b));
    for (size_t i = 0; i < zi_props_count(a); i++) {
        const char *na, *va, *nb, *vb;
        size_t la, lb;
        zi_props_at(a, i, &na, &va, &la);
        zi_props_at(b, i, &nb, &vb, &lb);
        FZ_CHECK(strcmp(na, nb) == 0);
        FZ_CHECK(la == lb && memcmp(va, vb, la) == 0);
        FZ_CHECK(va[la] == '\0'); /* values are kept NUL-terminated */
    }
}

/* Lookup is case-insensitive (RFC 37), and names are unique in any case. */
static void metadata_lookup(const zi_props_t *p)
{
    for (size_t i = 0; i < zi_props_count(p); i++) {
        const char *name, *value;
        size_t len;
        zi_props_at(p, i, &name, &value, &len);
        char other[256];
        size_t n = strlen(name);
        FZ_CHECK(n >= 1 && n <= 255);
        for (size_t k = 0; k <= n; k++) {
            unsigned char c = (unsigned char)name[k];
            other[k] = (char)(islower(c) ? toupper(c) : tolower(c));
        }
        size_t got_len = 0;
        const char *got = zi_props_get(p, other, &got_len);
        FZ_CHECK(got == value && got_len == len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zi_props_t *first = zi_props_new();
    zi_props_t *second = NULL;
    zi_wbuf_t w;
    zi_wbuf_init(&w, SIZE_MAX);
    if (!first)
        goto out;
    zi_err err = zmtp_metadata_parse(data, size, first);
    if (err != ZI_OK) {
        FZ_CHECK(err == ZI_EPROTO || err == ZI_ENOMEM);
        goto out;
    }
    metadata_lookup(first);

    for (size_t i = 0; i < zi_props_count(first); i++) {
        const char *name, *value;
        size_t len;
        zi_props_at(first, i, &name, &value, &len);
        size_t before = w.len;
        err = zmtp_metadata_put(&w, name, value, len);
        if (err == ZI_ENOMEM)
            goto out;
        FZ_CHECK(err == ZI_OK);
        FZ_CHECK(w.len - before == zmtp_metadata_size(strlen(name), len));
    }
    FZ_CHECK(w.len == size);
    FZ_CHECK(size == 0 || memcmp(w.data, data, size) == 0);

    second = zi_props_new();
    if (!second)
        goto out;
    err = zmtp_metadata_parse(w.data, w.len, second);
    if (err == ZI_ENOMEM)
        goto out;
    FZ_CHECK(err == ZI_OK);
    metadata_same(first, second);
out:
    zi_wbuf_fini(&w);
    zi_props_unref(second);
    zi_props_unref(first);
    return 0;
}
