/* Frames, and the per-thread block caches (see frame.h).
 *
 * A pooled block's `pool` is its cache's address (64-aligned) or'd with its
 * size class. A free block is linked through its `hint`.
 *
 * Each cache has, per class, a free list of its own and a return stack,
 * `remote`, for blocks freed on other threads: pushed with a CAS loop, taken
 * whole with an exchange by the owner when its list is empty, and spliced in
 * as the new list without being walked (push-only CAS plus take-all has no
 * ABA problem). `remote` holds FRAME_DEAD while no thread owns the cache; a
 * thread pushing then sees it and frees the block to the heap instead.
 *
 * Memory: a cache makes at most FRAME_KEEP_BLOCKS pooled blocks per class;
 * past that, frames get plain heap blocks (pool 0), so what a cache holds
 * idle is bounded without counting its lists. Blocks stay pooled until the
 * thread exits. Caches are never freed: a thread that exits frees its
 * blocks, gives its cache back to the registry, and the next thread to need
 * one adopts it, so their number is the largest number of threads that were
 * using frames at once. (Blocks of the old owner still alive then come back
 * to the new one, outside its count: at most twice the bound.)
 *
 * Limits: the thread-exit hook is a pthread key destructor, so the library
 * must not be dlclose'd while threads that made frames still run; the cache
 * pointer is initial-exec TLS (16 octets of the static TLS surplus when the
 * library is dlopen'd). As with libzmq, a forked child must not use frames
 * made before the fork (nor a context).
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/tracker.h"

#if defined(__SANITIZE_ADDRESS__)
#define FRAME_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRAME_ASAN 1
#endif
#endif
#ifdef FRAME_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define FRAME_CLASSES 5
/* Data capacity of each class. */
static const size_t frame_class_cap[FRAME_CLASSES] = {64, 256, 1024, 4096, ZI_FRAME_POOL_MAX};
/* A cache makes at most this many pooled blocks per class; the rest comes
 * from, and goes back to, the heap. Enough for a full inproc pipe at the
 * default hwm (1000 on each side: 2000 messages in flight) in every class: a
 * smaller bound sends the surplus of every returned batch back to the heap,
 * which trims and regrows, a page fault per 4 KiB (measured on inproc 16 KiB
 * PUSH/PULL on one CPU: 10 times slower with a 4 MiB bound). The memory a
 * thread keeps is its peak of frames alive at once, at most this many per
 * class: about 45 MiB if every class once had a full pipe, 33 MiB of it the
 * 16 KiB class. */
#define FRAME_KEEP_BLOCKS 2048u
#define FRAME_CLASS_MASK ((uintptr_t)7)

typedef struct frame_cache frame_cache_t;
struct frame_cache {
    /* Blocks freed on other threads, per class; FRAME_DEAD while unowned. */
    alignas(64) _Atomic(zinc_frame_t *) remote[FRAME_CLASSES];
    /* The owner's own, from here on. */
    alignas(64) zinc_frame_t *local[FRAME_CLASSES];
    uint32_t made[FRAME_CLASSES]; /* pooled blocks made (never freed while owned) */
    bool owned;                   /* under frame_registry_mu */
    frame_cache_t *next;          /* registry: every cache made */
};

static zinc_frame_t frame_dead_mark;
#define FRAME_DEAD (&frame_dead_mark)

static pthread_mutex_t frame_registry_mu = PTHREAD_MUTEX_INITIALIZER;
static frame_cache_t *frame_registry;
static pthread_once_t frame_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t frame_key;
static bool frame_key_ok;

enum { FRAME_TLS_NONE, FRAME_TLS_CACHE, FRAME_TLS_GONE };
/* Initial-exec: a frame's alloc and free read this without a call to
 * __tls_get_addr (the library's static TLS is these 16 octets). */
static _Thread_local struct {
    frame_cache_t *cache; /* non-NULL exactly when state == FRAME_TLS_CACHE */
    int state;
} frame_tls __attribute__((tls_model("initial-exec")));

static size_t frame_block_size(unsigned cls)
{
    return sizeof(zinc_frame_t) + frame_class_cap[cls];
}

static zinc_frame_t *frame_link(const zinc_frame_t *f)
{
    return f->hint;
}

static void frame_set_link(zinc_frame_t *f, zinc_frame_t *next)
{
    f->hint = next;
}

/* A free block is off limits but for its link (`hint`) and `pool`. */
static void frame_poison(zinc_frame_t *f, unsigned cls)
{
#ifdef FRAME_ASAN
    uint8_t *b = (uint8_t *)f;
    size_t link = offsetof(zinc_frame_t, hint), pool = offsetof(zinc_frame_t, pool);
    ASAN_POISON_MEMORY_REGION(b, link);
    ASAN_POISON_MEMORY_REGION(b + link + sizeof f->hint, pool - link - sizeof f->hint);
    ASAN_POISON_MEMORY_REGION(f->body, frame_class_cap[cls]);
#else
    (void)f;
    (void)cls;
#endif
}

static void frame_unpoison(zinc_frame_t *f, unsigned cls)
{
#ifdef FRAME_ASAN
    ASAN_UNPOISON_MEMORY_REGION(f, frame_block_size(cls));
#else
    (void)f;
    (void)cls;
#endif
}

static void frame_free_chain(zinc_frame_t *f, unsigned cls)
{
    while (f && f != FRAME_DEAD) {
        zinc_frame_t *next = frame_link(f);
        frame_unpoison(f, cls);
        free(f);
        f = next;
    }
}

/* Thread exit (the key's destructor): blocks to the heap, cache unowned. */
static void frame_cache_release(void *arg)
{
    frame_cache_t *c = arg;
    frame_tls.cache = NULL;
    frame_tls.state = FRAME_TLS_GONE;
    for (unsigned i = 0; i < FRAME_CLASSES; i++) {
        frame_free_chain(c->local[i], i);
        c->local[i] = NULL;
        c->made[i] = 0;
        frame_free_chain(atomic_exchange_explicit(&c->remote[i], FRAME_DEAD, memory_order_acquire),
                         i);
    }
    pthread_mutex_lock(&frame_registry_mu);
    c->owned = false;
    pthread_mutex_unlock(&frame_registry_mu);
}

static void frame_key_init(void)
{
    frame_key_ok = pthread_key_create(&frame_key, frame_cache_release) == 0;
}

/* This thread's cache, adopted or made on first use; NULL when none can be
 * had (out of memory, or the thread is exiting): then the heap is used. */
static frame_cache_t *frame_cache_get(void)
{
    if (frame_tls.state == FRAME_TLS_CACHE)
        return frame_tls.cache;
    if (frame_tls.state == FRAME_TLS_GONE)
        return NULL;
    pthread_once(&frame_key_once, frame_key_init);
    if (!frame_key_ok)
        return NULL;
    pthread_mutex_lock(&frame_registry_mu);
    frame_cache_t *c = frame_registry;
    while (c && c->owned)
        c = c->next;
    if (!c) {
        c = aligned_alloc(64, sizeof *c);
        if (c) {
            memset(c, 0, sizeof *c);
            for (unsigned i = 0; i < FRAME_CLASSES; i++)
                atomic_init(&c->remote[i], FRAME_DEAD);
            c->next = frame_registry;
            frame_registry = c;
        }
    }
    if (c)
        c->owned = true;
    pthread_mutex_unlock(&frame_registry_mu);
    if (!c)
        return NULL; /* try again next time */
    if (pthread_setspecific(frame_key, c) != 0) {
        pthread_mutex_lock(&frame_registry_mu);
        c->owned = false;
        pthread_mutex_unlock(&frame_registry_mu);
        return NULL;
    }
    for (unsigned i = 0; i < FRAME_CLASSES; i++)
        atomic_store_explicit(&c->remote[i], NULL, memory_order_release);
    frame_tls.cache = c;
    frame_tls.state = FRAME_TLS_CACHE;
    return c;
}

/* Big blocks: data over ZI_FRAME_POOL_MAX, capacity rounded up to
 * FRAME_BIG_ROUND and kept in `pool` as capacity | FRAME_BIG. A few freed big
 * blocks wait in process-wide slots for the next frame of about their size,
 * whichever thread makes it: a 1 MiB message is made on one thread and freed
 * on another (the application's and the I/O thread's), and without the slots
 * many are fresh heap memory, a page fault per 4 KiB (measured on tcp 1 MiB
 * PUSH/PULL at hwm 64, both processes: 40-46 faults per message, about 20
 * with the slots, libzmq 21-26). Slots are taken and filled with one atomic
 * exchange or CAS each; a block that does not fit the frame at hand is freed,
 * so stale sizes do not stay. Idle memory: at most FRAME_BIG_KEEP octets. */
#define FRAME_BIG ((uintptr_t)7)
#define FRAME_BIG_ROUND ((size_t)4096)
#define FRAME_BIG_SLOTS 8
#define FRAME_BIG_MAX ((size_t)4 << 20) /* larger blocks are never kept */
#define FRAME_BIG_KEEP ((size_t)8 << 20)

static _Atomic(zinc_frame_t *) frame_big_slot[FRAME_BIG_SLOTS];
static atomic_size_t frame_big_kept; /* capacity of the blocks in the slots */

static size_t frame_big_cap(const zinc_frame_t *f)
{
    return f->pool & ~FRAME_CLASS_MASK;
}

static void frame_big_poison(zinc_frame_t *f, bool off_limits)
{
#ifdef FRAME_ASAN
    if (off_limits)
        ASAN_POISON_MEMORY_REGION(f->body, frame_big_cap(f));
    else
        ASAN_UNPOISON_MEMORY_REGION(f->body, frame_big_cap(f));
#else
    (void)f;
    (void)off_limits;
#endif
}

static void frame_big_drop(zinc_frame_t *f)
{
    frame_big_poison(f, false);
    free(f);
}

static zinc_frame_t *frame_big_alloc(size_t size)
{
    if (size <= FRAME_BIG_MAX) {
        for (unsigned i = 0; i < FRAME_BIG_SLOTS; i++) {
            if (!atomic_load_explicit(&frame_big_slot[i], memory_order_relaxed))
                continue;
            zinc_frame_t *f =
                atomic_exchange_explicit(&frame_big_slot[i], NULL, memory_order_acquire);
            if (!f)
                continue;
            size_t cap = frame_big_cap(f);
            atomic_fetch_sub_explicit(&frame_big_kept, cap, memory_order_relaxed);
            if (cap >= size && cap - size <= size / 4) {
                frame_big_poison(f, false);
                return f;
            }
            frame_big_drop(f);
        }
    }
    size_t cap = (size + FRAME_BIG_ROUND - 1) & ~(FRAME_BIG_ROUND - 1);
    zinc_frame_t *f = malloc(sizeof *f + cap);
    if (f)
        f->pool = (uintptr_t)cap | FRAME_BIG;
    return f;
}

static void frame_big_free(zinc_frame_t *f)
{
    size_t cap = frame_big_cap(f);
    if (cap <= FRAME_BIG_MAX &&
        atomic_fetch_add_explicit(&frame_big_kept, cap, memory_order_relaxed) + cap <=
            FRAME_BIG_KEEP) {
        frame_big_poison(f, true);
        for (unsigned i = 0; i < FRAME_BIG_SLOTS; i++) {
            zinc_frame_t *empty = NULL;
            if (atomic_compare_exchange_strong_explicit(&frame_big_slot[i], &empty, f,
                                                        memory_order_release, memory_order_relaxed))
                return;
        }
    }
    atomic_fetch_sub_explicit(&frame_big_kept, cap, memory_order_relaxed);
    frame_big_drop(f);
}

static unsigned frame_class_of(size_t size)
{
    unsigned cls = 0;
    while (cls < FRAME_CLASSES && size > frame_class_cap[cls])
        cls++;
    return cls;
}

static zinc_frame_t *frame_block_alloc(size_t size)
{
    unsigned cls = frame_class_of(size);
    frame_cache_t *c = cls < FRAME_CLASSES ? frame_cache_get() : NULL;
    if (c) {
        zinc_frame_t *f = c->local[cls];
        if (!f && atomic_load_explicit(&c->remote[cls], memory_order_relaxed))
            f = atomic_exchange_explicit(&c->remote[cls], NULL, memory_order_acquire);
        if (f) {
            c->local[cls] = frame_link(f);
            frame_unpoison(f, cls);
            return f;
        }
        if (c->made[cls] < FRAME_KEEP_BLOCKS) {
            f = malloc(frame_block_size(cls));
            if (!f)
                return NULL;
            c->made[cls]++;
            f->pool = (uintptr_t)c | cls;
            return f;
        }
    }
    if (cls == FRAME_CLASSES && size <= SIZE_MAX - sizeof(zinc_frame_t) - FRAME_BIG_ROUND)
        return frame_big_alloc(size);
    zinc_frame_t *f = malloc(sizeof *f + size);
    if (f)
        f->pool = 0;
    return f;
}

static void frame_block_free(zinc_frame_t *f)
{
    if (!f->pool) {
        free(f);
        return;
    }
    if ((f->pool & FRAME_CLASS_MASK) == FRAME_BIG) {
        frame_big_free(f);
        return;
    }
    frame_cache_t *owner = (frame_cache_t *)(f->pool & ~FRAME_CLASS_MASK);
    unsigned cls = (unsigned)(f->pool & FRAME_CLASS_MASK);
    frame_poison(f, cls);
    if (frame_tls.cache == owner) {
        frame_set_link(f, owner->local[cls]);
        owner->local[cls] = f;
        return;
    }
    /* Poisoned before it is published: once pushed, the owner may take it. */
    _Atomic(zinc_frame_t *) *stack = &owner->remote[cls];
    zinc_frame_t *head = atomic_load_explicit(stack, memory_order_relaxed);
    do {
        if (head == FRAME_DEAD) {
            frame_unpoison(f, cls);
            free(f);
            return;
        }
        frame_set_link(f, head);
    } while (!atomic_compare_exchange_weak_explicit(stack, &head, f, memory_order_release,
                                                    memory_order_relaxed));
}

zinc_frame_t *zi_frame_alloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(zinc_frame_t)) {
        errno = ENOMEM;
        return NULL;
    }
    zinc_frame_t *f = frame_block_alloc(size);
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
            frame_block_free(f);
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
    if (!f)
        return;
    /* The only reference (the common case: a frame sent or received once)
     * needs no read-modify-write: nobody else can take a new one. The
     * acquire load pairs with the release of the last other owner's drop. */
    if (atomic_load_explicit(&f->refs, memory_order_acquire) != 1 &&
        atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
        return;
    if ((f->flags & ZI_FRAME_ZEROCOPY) && f->free_fn)
        f->free_fn(f->data, f->hint);
    zi_props_unref(f->meta);
    if (f->tracker)
        zi_tracker_release(f->tracker);
    frame_block_free(f);
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
