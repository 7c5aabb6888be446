/* Property lists: ordered (name, value) pairs, such as a connection's ZMTP
 * metadata. Names are compared without case. Values are octets and are kept
 * with a trailing NUL so that text values can be handed out as C strings.
 *
 * Refcounted: a list is built by one thread, then shared read-only (for
 * example by every frame received on one connection); zi_props_ref/unref are
 * thread-safe, zi_props_add is not and must only be used before sharing.
 */
#ifndef ZI_UTIL_PROPS_H
#define ZI_UTIL_PROPS_H

#include <stddef.h>

#include "util/err.h"

typedef struct zi_props zi_props_t;

/* A new empty list with one reference; NULL on ENOMEM. */
zi_props_t *zi_props_new(void);
zi_props_t *zi_props_ref(zi_props_t *p);
void zi_props_unref(zi_props_t *p);

/* Appends a property (copies name and value). A name that is already present
 * is replaced. ZI_EINVAL when the name contains a NUL octet. */
ZI_MUST_USE zi_err zi_props_set(zi_props_t *p, const char *name, size_t name_len, const void *value,
                                size_t value_len);
/* Value of name (any case), or NULL. *value_len gets its length if non-NULL. */
const char *zi_props_get(const zi_props_t *p, const char *name, size_t *value_len);
size_t zi_props_count(const zi_props_t *p);
/* The i-th property in insertion order. */
void zi_props_at(const zi_props_t *p, size_t i, const char **name, const char **value,
                 size_t *value_len);

#endif
