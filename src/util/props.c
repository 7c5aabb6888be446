#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/props.h"

typedef struct {
    char *name;
    char *value; /* value_len octets + NUL */
    size_t value_len;
} prop_t;

struct zi_props {
    atomic_uint refs;
    size_t count, cap;
    prop_t *items;
};

zi_props_t *zi_props_new(void)
{
    zi_props_t *p = calloc(1, sizeof *p);
    if (p)
        atomic_init(&p->refs, 1);
    return p;
}

zi_props_t *zi_props_ref(zi_props_t *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    return p;
}

void zi_props_unref(zi_props_t *p)
{
    if (!p || atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].name);
        free(p->items[i].value);
    }
    free(p->items);
    free(p);
}

static prop_t *props_find(const zi_props_t *p, const char *name, size_t name_len)
{
    for (size_t i = 0; i < p->count; i++)
        if (strlen(p->items[i].name) == name_len &&
            strncasecmp(p->items[i].name, name, name_len) == 0)
            return &p->items[i];
    return NULL;
}

zi_err zi_props_set(zi_props_t *p, const char *name, size_t name_len, const void *value,
                    size_t value_len)
{
    /* Names are kept as C strings: one with a NUL inside would be cut short
     * and then match a different name. */
    if (value_len == SIZE_MAX || name_len == SIZE_MAX || memchr(name, '\0', name_len))
        return ZI_EINVAL;
    char *v = malloc(value_len + 1);
    if (!v)
        return ZI_ENOMEM;
    if (value_len)
        memcpy(v, value, value_len);
    v[value_len] = '\0';
    prop_t *old = props_find(p, name, name_len);
    if (old) {
        free(old->value);
        old->value = v;
        old->value_len = value_len;
        return ZI_OK;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        prop_t *items = realloc(p->items, cap * sizeof *items);
        if (!items) {
            free(v);
            return ZI_ENOMEM;
        }
        p->items = items;
        p->cap = cap;
    }
    char *n = malloc(name_len + 1);
    if (!n) {
        free(v);
        return ZI_ENOMEM;
    }
    memcpy(n, name, name_len);
    n[name_len] = '\0';
    p->items[p->count++] = (prop_t){n, v, value_len};
    return ZI_OK;
}

const char *zi_props_get(const zi_props_t *p, const char *name, size_t *value_len)
{
    if (!p || !name)
        return NULL;
    const prop_t *it = props_find(p, name, strlen(name));
    if (!it)
        return NULL;
    if (value_len)
        *value_len = it->value_len;
    return it->value;
}

size_t zi_props_count(const zi_props_t *p)
{
    return p ? p->count : 0;
}

void zi_props_at(const zi_props_t *p, size_t i, const char **name, const char **value,
                 size_t *value_len)
{
    *name = p->items[i].name;
    *value = p->items[i].value;
    *value_len = p->items[i].value_len;
}
