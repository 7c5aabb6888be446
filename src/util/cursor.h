/* Bounded read cursor over bytes that came from the wire (STYLE.md §6).
 *
 * Every read checks the remaining length first; a read that fails returns
 * ZI_ETRUNC and leaves the cursor where it was. The cursor never owns the
 * bytes it points at. Pure functions: callable from any thread.
 */
#ifndef ZI_UTIL_CURSOR_H
#define ZI_UTIL_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    const uint8_t *p; /* first byte */
    size_t len;       /* bytes in the view */
    size_t pos;       /* bytes consumed */
} zi_cur_t;

/* p may be NULL when len is 0 (an empty zero-copy frame); the cursor then
 * points at a static empty string so that p + pos stays defined. */
static inline zi_cur_t zi_cur_make(const void *p, size_t len)
{
    zi_cur_t c = {p ? (const uint8_t *)p : (const uint8_t *)"", len, 0};
    return c;
}

static inline size_t zi_cur_left(const zi_cur_t *c)
{
    return c->len - c->pos;
}
static inline const uint8_t *zi_cur_ptr(const zi_cur_t *c)
{
    return c->p + c->pos;
}

ZI_MUST_USE zi_err zi_cur_u8(zi_cur_t *c, uint8_t *out);
ZI_MUST_USE zi_err zi_cur_u16be(zi_cur_t *c, uint16_t *out);
ZI_MUST_USE zi_err zi_cur_u32be(zi_cur_t *c, uint32_t *out);
ZI_MUST_USE zi_err zi_cur_u64be(zi_cur_t *c, uint64_t *out);
/* A view of the next n bytes (no copy); *view points into the cursor's buffer. */
ZI_MUST_USE zi_err zi_cur_bytes(zi_cur_t *c, size_t n, const uint8_t **view);
/* Copies the next n bytes into out. */
ZI_MUST_USE zi_err zi_cur_copy(zi_cur_t *c, void *out, size_t n);
/* A sub-cursor over the next n bytes; the parent advances past them. */
ZI_MUST_USE zi_err zi_cur_sub(zi_cur_t *c, size_t n, zi_cur_t *sub);
ZI_MUST_USE zi_err zi_cur_skip(zi_cur_t *c, size_t n);
/* ZI_OK when every byte was consumed, else ZI_ETRAILING. */
ZI_MUST_USE zi_err zi_cur_expect_end(const zi_cur_t *c);

/* Big-endian helpers for fixed-size fields; never cast wire bytes. */
static inline uint16_t zi_get_u16be(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t zi_get_u32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t zi_get_u64be(const uint8_t *p)
{
    return (uint64_t)zi_get_u32be(p) << 32 | zi_get_u32be(p + 4);
}
static inline void zi_put_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void zi_put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void zi_put_u64be(uint8_t *p, uint64_t v)
{
    zi_put_u32be(p, (uint32_t)(v >> 32));
    zi_put_u32be(p + 4, (uint32_t)v);
}

#endif
