#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/tracker.h"

zinc_frame_t *zi_frame_alloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(zinc_frame_t)) {
        errno = ENOMEM;
        return NULL;
    }
    zinc_frame_t *f = malloc(sizeof *f + size);
    if (!f) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&f->refs, 1);
    f->flags = 0;
    f->size = size;
    f->data = f->body;
    f->free_fn = NULL;
    f->hint = NULL;
    f->meta = NULL;
    f->tracker = NULL;
    return f;
}

zinc_frame_t *zinc_frame_new(const void *data, size_t size)
{
    if (!data && size) {
        errno = EINVAL;
        return NULL;
    }
    zinc_frame_t *f = zi_frame_alloc(size);
    if (f && size)
        memcpy(f->data, data, size);
    return f;
}

zinc_frame_t *zinc_frame_new_size(size_t size)
{
    return zi_frame_alloc(size);
}

zinc_frame_t *zinc_frame_new_zerocopy(void *data, size_t size, zinc_free_fn *fn, void *hint,
                                      bool track)
{
    if (!data && size) {
        errno = EINVAL;
        return NULL;
    }
    zinc_frame_t *f = zi_frame_alloc(0);
    if (!f)
        return NULL;
    f->flags = ZI_FRAME_ZEROCOPY;
    f->data = data;
    f->size = size;
    f->free_fn = fn;
    f->hint = hint;
    if (track) {
        zinc_tracker_t *t = zinc_tracker_new();
        if (!t) {
            free(f);
            return NULL;
        }
        /* The application's reference is the one zinc_tracker_new made; the
         * frame takes its own. */
        zi_tracker_attach(t);
        f->tracker = t;
        f->flags |= ZI_FRAME_TRACKED;
    }
    return f;
}

zinc_frame_t *zinc_frame_ref(zinc_frame_t *f)
{
    if (f)
        atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    return f;
}

void zinc_frame_unref(zinc_frame_t *f)
{
    if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
        return;
    if ((f->flags & ZI_FRAME_ZEROCOPY) && f->free_fn)
        f->free_fn(f->data, f->hint);
    zi_props_unref(f->meta);
    if (f->tracker)
        zi_tracker_release(f->tracker);
    free(f);
}

const void *zinc_frame_data(const zinc_frame_t *f)
{
    return f ? f->data : NULL;
}

void *zinc_frame_data_mut(zinc_frame_t *f)
{
    if (!f || (f->flags & ZI_FRAME_ZEROCOPY) ||
        atomic_load_explicit(&f->refs, memory_order_acquire) != 1) {
        errno = EBUSY;
        return NULL;
    }
    return f->data;
}

size_t zinc_frame_size(const zinc_frame_t *f)
{
    return f ? f->size : 0;
}

bool zinc_frame_more(const zinc_frame_t *f)
{
    return f && zi_frame_is_more(f);
}

void zi_frame_set_meta(zinc_frame_t *f, zi_props_t *meta)
{
    zi_props_t *old = f->meta;
    f->meta = zi_props_ref(meta);
    zi_props_unref(old);
}

const char *zinc_frame_meta(const zinc_frame_t *f, const char *property)
{
    const char *v = f ? zi_props_get(f->meta, property, NULL) : NULL;
    if (!v)
        errno = f && property ? ENOENT : EINVAL;
    return v;
}
