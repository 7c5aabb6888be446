#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/wbuf.h"

void zi_wbuf_init(zi_wbuf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void zi_wbuf_fini(zi_wbuf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

zi_err zi_wbuf_reserve(zi_wbuf_t *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return ZI_EFULL;
    size_t need = b->len + n;
    if (need <= b->cap)
        return ZI_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max)
        cap = b->max;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return ZI_ENOMEM;
    b->data = p;
    b->cap = cap;
    return ZI_OK;
}

zi_err zi_wbuf_put(zi_wbuf_t *b, const void *p, size_t n)
{
    zi_err e = zi_wbuf_reserve(b, n);
    if (e != ZI_OK)
        return e;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return ZI_OK;
}

zi_err zi_wbuf_u8(zi_wbuf_t *b, uint8_t v)
{
    return zi_wbuf_put(b, &v, 1);
}

zi_err zi_wbuf_u16be(zi_wbuf_t *b, uint16_t v)
{
    uint8_t t[2];
    zi_put_u16be(t, v);
    return zi_wbuf_put(b, t, 2);
}

zi_err zi_wbuf_u32be(zi_wbuf_t *b, uint32_t v)
{
    uint8_t t[4];
    zi_put_u32be(t, v);
    return zi_wbuf_put(b, t, 4);
}

zi_err zi_wbuf_u64be(zi_wbuf_t *b, uint64_t v)
{
    uint8_t t[8];
    zi_put_u64be(t, v);
    return zi_wbuf_put(b, t, 8);
}

zi_err zi_wbuf_short_str(zi_wbuf_t *b, const void *p, size_t n)
{
    if (n > 255)
        return ZI_EINVAL;
    zi_err e = zi_wbuf_reserve(b, n + 1);
    if (e != ZI_OK)
        return e;
    b->data[b->len++] = (uint8_t)n;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return ZI_OK;
}
