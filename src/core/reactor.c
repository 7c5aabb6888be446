/* Reactor: epoll + timer heap + mailbox (see reactor.h).
 *
 * fd handles removed during a dispatch batch are only marked (retired) and
 * freed after the batch, so an event already fetched for them is skipped
 * rather than touching freed memory. Timers live in a slot table (id =
 * generation << 32 | slot + 1, so a stale id never matches a reused slot) and
 * a binary heap of (deadline, sequence, slot); each slot knows its heap index,
 * so cancel is O(log n).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/reactor.h"
#include "util/clock.h"

#define REACTOR_MAX_EVENTS 256
#define REACTOR_CMD_BATCH 256

struct zi_reactor_fd {
    int fd;
    const zi_reactor_fd_ops_t *ops;
    void *arg;
    bool retired;
    struct zi_reactor_fd *prev, *next; /* live list, or retired list (next) */
};

typedef struct {
    int64_t deadline;
    uint64_t seq;
    uint32_t slot;
} reactor_heap_ent_t;

typedef struct {
    zi_reactor_fn *fn;
    void *arg;
    uint32_t gen;
    int32_t pos;        /* heap index; -1 when the slot is free */
    uint32_t next_free; /* free list link (slot index + 1, 0 = end) */
} reactor_timer_t;

struct zi_reactor {
    int epfd;
    zi_mailbox_t *mb;
    zi_reactor_fd_t mb_handle;
    zi_reactor_fd_ops_t mb_ops;
    zi_reactor_fd_t *live; /* registered by users */
    zi_reactor_fd_t *retired;
    atomic_uint load;

    reactor_heap_ent_t *heap;
    size_t heap_len, heap_cap;
    reactor_timer_t *slots;
    uint32_t nslots, free_slot;
    uint64_t timer_seq;

    void (*cmd_fn)(void *ctx, const zi_cmd_t *cmd);
    void *cmd_ctx;

    uint8_t *scratch; /* zi_reactor_scratch, made on first use */

    bool stopping;
    int ran; /* callbacks run in the current iteration */
    bool started, joined;
    pthread_t thread;
    char name[16];
};

/* The reactor whose loop runs on this thread, if any. */
static _Thread_local zi_reactor_t *reactor_current;

/* ---- timers ----------------------------------------------------------- */

static bool reactor_heap_less(const reactor_heap_ent_t *a, const reactor_heap_ent_t *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void reactor_heap_put(zi_reactor_t *r, size_t i, reactor_heap_ent_t e)
{
    r->heap[i] = e;
    r->slots[e.slot].pos = (int32_t)i;
}

static void reactor_heap_up(zi_reactor_t *r, size_t i)
{
    reactor_heap_ent_t e = r->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!reactor_heap_less(&e, &r->heap[parent]))
            break;
        reactor_heap_put(r, i, r->heap[parent]);
        i = parent;
    }
    reactor_heap_put(r, i, e);
}

static void reactor_heap_down(zi_reactor_t *r, size_t i)
{
    reactor_heap_ent_t e = r->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= r->heap_len)
            break;
        if (child + 1 < r->heap_len && reactor_heap_less(&r->heap[child + 1], &r->heap[child]))
            child++;
        if (!reactor_heap_less(&r->heap[child], &e))
            break;
        reactor_heap_put(r, i, r->heap[child]);
        i = child;
    }
    reactor_heap_put(r, i, e);
}

static void reactor_heap_remove(zi_reactor_t *r, size_t i)
{
    reactor_heap_ent_t last = r->heap[--r->heap_len];
    if (i < r->heap_len) {
        reactor_heap_put(r, i, last);
        reactor_heap_down(r, i);
        reactor_heap_up(r, (size_t)r->slots[last.slot].pos);
    }
}

static void reactor_slot_release(zi_reactor_t *r, uint32_t slot)
{
    reactor_timer_t *t = &r->slots[slot];
    t->pos = -1;
    t->gen++;
    if (t->gen == 0)
        t->gen = 1;
    t->next_free = r->free_slot;
    r->free_slot = slot + 1;
}

uint64_t zi_reactor_timer_add(zi_reactor_t *r, int64_t delay_ms, zi_reactor_fn *fn, void *arg)
{
    if (r->heap_len == r->heap_cap) {
        size_t cap = r->heap_cap ? r->heap_cap * 2 : 16;
        reactor_heap_ent_t *h = realloc(r->heap, cap * sizeof *h);
        if (!h)
            return 0;
        r->heap = h;
        r->heap_cap = cap;
    }
    if (r->free_slot == 0) {
        if (r->nslots == UINT32_MAX - 1)
            return 0;
        uint32_t n = r->nslots ? r->nslots * 2 : 16;
        reactor_timer_t *s = realloc(r->slots, n * sizeof *s);
        if (!s)
            return 0;
        r->slots = s;
        for (uint32_t i = n; i-- > r->nslots;) {
            s[i] = (reactor_timer_t){.gen = 1, .pos = -1, .next_free = r->free_slot};
            r->free_slot = i + 1;
        }
        r->nslots = n;
    }
    uint32_t slot = r->free_slot - 1;
    reactor_timer_t *t = &r->slots[slot];
    r->free_slot = t->next_free;
    t->fn = fn;
    t->arg = arg;
    reactor_heap_ent_t e = {zi_clock_ms() + (delay_ms > 0 ? delay_ms : 0), r->timer_seq++, slot};
    r->heap[r->heap_len] = e;
    reactor_heap_up(r, r->heap_len++);
    return (uint64_t)t->gen << 32 | (slot + 1);
}

bool zi_reactor_timer_cancel(zi_reactor_t *r, uint64_t id)
{
    uint32_t slot = (uint32_t)(id & 0xffffffffu) - 1;
    if ((id & 0xffffffffu) == 0 || slot >= r->nslots)
        return false;
    reactor_timer_t *t = &r->slots[slot];
    if (t->gen != (uint32_t)(id >> 32) || t->pos < 0)
        return false;
    reactor_heap_remove(r, (size_t)t->pos);
    reactor_slot_release(r, slot);
    return true;
}

/* Fires due timers; returns ms until the next one, or -1 if none. Timers
 * added by a callback wait for the next round, so a zero-delay timer that
 * re-arms itself cannot hold the loop. */
static int reactor_fire_timers(zi_reactor_t *r)
{
    uint64_t limit = r->timer_seq;
    int64_t now = zi_clock_ms();
    while (r->heap_len > 0 && !r->stopping) {
        reactor_heap_ent_t top = r->heap[0];
        if (top.deadline > now || top.seq >= limit)
            break;
        reactor_heap_remove(r, 0);
        reactor_timer_t *t = &r->slots[top.slot];
        zi_reactor_fn *fn = t->fn;
        void *arg = t->arg;
        reactor_slot_release(r, top.slot);
        fn(arg);
        r->ran++;
    }
    if (r->heap_len == 0)
        return -1;
    int64_t wait = r->heap[0].deadline - zi_clock_ms();
    if (wait < 0 || r->heap[0].seq >= limit)
        return 0;
    return wait > INT32_MAX ? INT32_MAX : (int)wait;
}

/* ---- commands --------------------------------------------------------- */

static void reactor_mailbox_in(void *arg)
{
    zi_reactor_t *r = arg;
    zi_cmd_t cmd;
    for (int i = 0; i < REACTOR_CMD_BATCH && !r->stopping && zi_mailbox_recv(r->mb, &cmd); i++) {
        r->ran++;
        switch (cmd.type) {
        case ZI_CMD_CALL:
            cmd.fn(cmd.arg);
            break;
        case ZI_CMD_STOP:
            r->stopping = true;
            break;
        default:
            if (r->cmd_fn)
                r->cmd_fn(r->cmd_ctx, &cmd);
            break;
        }
    }
}

zi_err zi_reactor_post(zi_reactor_t *r, const zi_cmd_t *cmd)
{
    return zi_mailbox_send(r->mb, cmd);
}

zi_err zi_reactor_call(zi_reactor_t *r, zi_reactor_fn *fn, void *arg)
{
    zi_cmd_t cmd = {.type = ZI_CMD_CALL, .fn = fn, .arg = arg};
    return zi_mailbox_send(r->mb, &cmd);
}

void zi_reactor_set_cmd_handler(zi_reactor_t *r, void (*fn)(void *ctx, const zi_cmd_t *cmd),
                                void *ctx)
{
    r->cmd_fn = fn;
    r->cmd_ctx = ctx;
}

/* ---- fds -------------------------------------------------------------- */

static int reactor_epoll_ctl(zi_reactor_t *r, int op, zi_reactor_fd_t *h, unsigned events)
{
    struct epoll_event ev = {0};
    ev.events = (events & ZI_REACTOR_IN ? EPOLLIN : 0) | (events & ZI_REACTOR_OUT ? EPOLLOUT : 0);
    ev.data.ptr = h;
    return epoll_ctl(r->epfd, op, h->fd, &ev);
}

zi_reactor_fd_t *zi_reactor_add_fd(zi_reactor_t *r, int fd, const zi_reactor_fd_ops_t *ops,
                                   void *arg)
{
    zi_reactor_fd_t *h = calloc(1, sizeof *h);
    if (!h) {
        errno = ENOMEM;
        return NULL;
    }
    h->fd = fd;
    h->ops = ops;
    h->arg = arg;
    if (reactor_epoll_ctl(r, EPOLL_CTL_ADD, h, 0) < 0) {
        int e = errno;
        free(h);
        errno = e;
        return NULL;
    }
    h->next = r->live;
    if (r->live)
        r->live->prev = h;
    r->live = h;
    atomic_fetch_add_explicit(&r->load, 1, memory_order_relaxed);
    return h;
}

zi_err zi_reactor_set_events(zi_reactor_t *r, zi_reactor_fd_t *h, unsigned events)
{
    if (h->retired)
        return ZI_EINVAL;
    return reactor_epoll_ctl(r, EPOLL_CTL_MOD, h, events) < 0 ? ZI_EINVAL : ZI_OK;
}

void zi_reactor_rm_fd(zi_reactor_t *r, zi_reactor_fd_t *h)
{
    if (!h || h->retired)
        return;
    epoll_ctl(r->epfd, EPOLL_CTL_DEL, h->fd, NULL);
    if (h->prev)
        h->prev->next = h->next;
    else
        r->live = h->next;
    if (h->next)
        h->next->prev = h->prev;
    h->retired = true;
    h->next = r->retired;
    r->retired = h;
    atomic_fetch_sub_explicit(&r->load, 1, memory_order_relaxed);
}

static void reactor_free_retired(zi_reactor_t *r)
{
    while (r->retired) {
        zi_reactor_fd_t *h = r->retired;
        r->retired = h->next;
        free(h);
    }
}

static void reactor_dispatch(zi_reactor_t *r, zi_reactor_fd_t *h, uint32_t ev)
{
    const zi_reactor_fd_ops_t *ops = h->ops;
    bool in_ran = false;
    if ((ev & EPOLLOUT) && ops->out) {
        ops->out(h->arg);
        r->ran++;
        if (h->retired)
            return;
    }
    if ((ev & EPOLLIN) && ops->in) {
        ops->in(h->arg);
        r->ran++;
        in_ran = true;
        if (h->retired)
            return;
    }
    if ((ev & (EPOLLERR | EPOLLHUP)) && !in_ran) {
        void (*fn)(void *) = ops->err ? ops->err : ops->in;
        if (fn) {
            fn(h->arg);
            r->ran++;
        }
    }
}

/* ---- loop ------------------------------------------------------------- */

static int reactor_iterate(zi_reactor_t *r, int max_wait)
{
    r->ran = 0;
    int timeout = reactor_fire_timers(r);
    if (r->stopping)
        return r->ran;
    if (max_wait >= 0 && (timeout < 0 || timeout > max_wait))
        timeout = max_wait;
    struct epoll_event events[REACTOR_MAX_EVENTS];
    int n = epoll_wait(r->epfd, events, REACTOR_MAX_EVENTS, timeout);
    for (int i = 0; i < n && !r->stopping; i++) {
        zi_reactor_fd_t *h = events[i].data.ptr;
        if (!h->retired)
            reactor_dispatch(r, h, events[i].events);
    }
    reactor_free_retired(r);
    return r->ran;
}

int zi_reactor_poll(zi_reactor_t *r, int timeout_ms)
{
    int ran = reactor_iterate(r, timeout_ms);
    r->stopping = false; /* a STOP command only ends the current poll */
    return ran;
}

static void *reactor_main(void *arg)
{
    zi_reactor_t *r = arg;
    reactor_current = r;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    while (!r->stopping)
        reactor_iterate(r, -1);
    return NULL;
}

zi_reactor_t *zi_reactor_new(void)
{
    zi_reactor_t *r = calloc(1, sizeof *r);
    if (!r) {
        errno = ENOMEM;
        return NULL;
    }
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epfd < 0)
        goto error;
    r->mb = zi_mailbox_new();
    if (!r->mb)
        goto error;
    r->mb_ops = (zi_reactor_fd_ops_t){.in = reactor_mailbox_in};
    r->mb_handle = (zi_reactor_fd_t){.fd = zi_mailbox_fd(r->mb), .ops = &r->mb_ops, .arg = r};
    if (reactor_epoll_ctl(r, EPOLL_CTL_ADD, &r->mb_handle, ZI_REACTOR_IN) < 0)
        goto error;
    atomic_init(&r->load, 0);
    return r;
error:;
    int e = errno;
    if (r->mb)
        zi_mailbox_free(r->mb);
    if (r->epfd >= 0)
        close(r->epfd);
    free(r);
    errno = e;
    return NULL;
}

void zi_reactor_free(zi_reactor_t *r)
{
    if (!r)
        return;
    zi_reactor_stop(r);
    while (r->live)
        zi_reactor_rm_fd(r, r->live);
    reactor_free_retired(r);
    close(r->epfd);
    zi_mailbox_free(r->mb);
    free(r->heap);
    free(r->slots);
    free(r->scratch);
    free(r);
}

uint8_t *zi_reactor_scratch(zi_reactor_t *r)
{
    if (!r->scratch)
        r->scratch = malloc(ZI_REACTOR_SCRATCH);
    return r->scratch;
}

zi_err zi_reactor_start(zi_reactor_t *r, const char *name)
{
    if (r->started)
        return ZI_EINVAL;
    const char *n = name ? name : "zinc-io";
    size_t len = strlen(n);
    if (len >= sizeof r->name)
        len = sizeof r->name - 1;
    memcpy(r->name, n, len);
    r->name[len] = '\0';
    r->stopping = false;
    if (pthread_create(&r->thread, NULL, reactor_main, r) != 0)
        return ZI_ENOMEM;
    pthread_setname_np(r->thread, r->name);
    r->started = true;
    return ZI_OK;
}

void zi_reactor_stop(zi_reactor_t *r)
{
    if (!r->started || r->joined)
        return;
    assert(!zi_reactor_in_thread(r));
    zi_cmd_t cmd = {.type = ZI_CMD_STOP};
    while (zi_mailbox_send(r->mb, &cmd) != ZI_OK)
        sched_yield(); /* ENOMEM: nothing better to do than retry */
    pthread_join(r->thread, NULL);
    r->joined = true;
}

bool zi_reactor_in_thread(const zi_reactor_t *r)
{
    return reactor_current == r;
}

unsigned zi_reactor_load(const zi_reactor_t *r)
{
    return atomic_load_explicit(&((zi_reactor_t *)r)->load, memory_order_relaxed);
}
