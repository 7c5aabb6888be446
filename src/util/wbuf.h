/* Bounded write buffer (STYLE.md §6, after curl's dynbuf).
 *
 * Created with a maximum size; it grows on demand up to that maximum and a
 * write past it fails with ZI_EFULL, leaving the contents unchanged. The
 * buffer owns its storage; zi_wbuf_fini releases it. Not thread-safe.
 */
#ifndef ZI_UTIL_WBUF_H
#define ZI_UTIL_WBUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    uint8_t *data;
    size_t len; /* bytes written */
    size_t cap; /* bytes allocated */
    size_t max; /* hard limit */
} zi_wbuf_t;

void zi_wbuf_init(zi_wbuf_t *b, size_t max);
void zi_wbuf_fini(zi_wbuf_t *b);
/* Forget the contents, keep the storage. */
static inline void zi_wbuf_reset(zi_wbuf_t *b)
{
    b->len = 0;
}
/* Make room for n more bytes (allocating if needed). */
ZI_MUST_USE zi_err zi_wbuf_reserve(zi_wbuf_t *b, size_t n);
ZI_MUST_USE zi_err zi_wbuf_put(zi_wbuf_t *b, const void *p, size_t n);
ZI_MUST_USE zi_err zi_wbuf_u8(zi_wbuf_t *b, uint8_t v);
ZI_MUST_USE zi_err zi_wbuf_u16be(zi_wbuf_t *b, uint16_t v);
ZI_MUST_USE zi_err zi_wbuf_u32be(zi_wbuf_t *b, uint32_t v);
ZI_MUST_USE zi_err zi_wbuf_u64be(zi_wbuf_t *b, uint64_t v);
/* Writes a u8 length then the bytes; ZI_EINVAL when n > 255. */
ZI_MUST_USE zi_err zi_wbuf_short_str(zi_wbuf_t *b, const void *p, size_t n);

#endif
