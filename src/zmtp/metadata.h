/* ZMTP metadata (RFC 37 "Metadata"): name-len (u8), name, value-len (u32
 * BE), value, repeated to the end of the command. */
#ifndef ZI_ZMTP_METADATA_H
#define ZI_ZMTP_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/props.h"
#include "util/wbuf.h"

/* Parses every property into out (which it adds to). Trailing octets, an
 * empty name, a name with characters outside RFC 37's name-char set, or a
 * name given twice are ZI_EPROTO. */
ZI_MUST_USE zi_err zmtp_metadata_parse(const uint8_t *p, size_t len, zi_props_t *out);

/* Appends one property (name 1..255 octets). */
ZI_MUST_USE zi_err zmtp_metadata_put(zi_wbuf_t *out, const char *name, const void *value,
                                     size_t value_len);
/* Size one property takes on the wire. */
static inline size_t zmtp_metadata_size(size_t name_len, size_t value_len)
{
    return 1 + name_len + 4 + value_len;
}

#endif
