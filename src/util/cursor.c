#include <string.h>

#include "util/cursor.h"

zi_err zi_cur_u8(zi_cur_t *c, uint8_t *out)
{
    if (zi_cur_left(c) < 1)
        return ZI_ETRUNC;
    *out = c->p[c->pos++];
    return ZI_OK;
}

zi_err zi_cur_u16be(zi_cur_t *c, uint16_t *out)
{
    if (zi_cur_left(c) < 2)
        return ZI_ETRUNC;
    *out = zi_get_u16be(c->p + c->pos);
    c->pos += 2;
    return ZI_OK;
}

zi_err zi_cur_u32be(zi_cur_t *c, uint32_t *out)
{
    if (zi_cur_left(c) < 4)
        return ZI_ETRUNC;
    *out = zi_get_u32be(c->p + c->pos);
    c->pos += 4;
    return ZI_OK;
}

zi_err zi_cur_u64be(zi_cur_t *c, uint64_t *out)
{
    if (zi_cur_left(c) < 8)
        return ZI_ETRUNC;
    *out = zi_get_u64be(c->p + c->pos);
    c->pos += 8;
    return ZI_OK;
}

zi_err zi_cur_bytes(zi_cur_t *c, size_t n, const uint8_t **view)
{
    if (zi_cur_left(c) < n)
        return ZI_ETRUNC;
    *view = c->p + c->pos;
    c->pos += n;
    return ZI_OK;
}

zi_err zi_cur_copy(zi_cur_t *c, void *out, size_t n)
{
    if (zi_cur_left(c) < n)
        return ZI_ETRUNC;
    if (n)
        memcpy(out, c->p + c->pos, n);
    c->pos += n;
    return ZI_OK;
}

zi_err zi_cur_sub(zi_cur_t *c, size_t n, zi_cur_t *sub)
{
    if (zi_cur_left(c) < n)
        return ZI_ETRUNC;
    *sub = zi_cur_make(c->p + c->pos, n);
    c->pos += n;
    return ZI_OK;
}

zi_err zi_cur_skip(zi_cur_t *c, size_t n)
{
    if (zi_cur_left(c) < n)
        return ZI_ETRUNC;
    c->pos += n;
    return ZI_OK;
}

zi_err zi_cur_expect_end(const zi_cur_t *c)
{
    return zi_cur_left(c) == 0 ? ZI_OK : ZI_ETRAILING;
}
