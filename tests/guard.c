/* Guard-page copies: see guard.h.
 *
 * Layout of one mapping (page-sized units):
 *
 *   [ ... header | data ][ PROT_NONE guard page ]
 *                       ^ page boundary
 *
 * The header (base and length of the mapping) sits right before the data so
 * zt_guard_free can find the mapping from the data pointer alone; it is read
 * with memcpy because it is not aligned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard.h"

#define GUARD_MAGIC 0x7a74677561726421ull /* "ztguard!" */

typedef struct {
    void *base;
    size_t len;
    uint64_t magic;
} guard_hdr_t;

static void guard_die(const char *what)
{
    fprintf(stderr, "guard: %s\n", what);
    abort();
}

uint8_t *zt_guard_copy(const void *data, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (n > SIZE_MAX - sizeof(guard_hdr_t) - 2 * page)
        guard_die("size too large");
    size_t data_pages = (sizeof(guard_hdr_t) + n + page - 1) / page;
    size_t len = (data_pages + 1) * page;
    uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        guard_die("mmap failed");
    uint8_t *guard = base + data_pages * page;
    if (mprotect(guard, page, PROT_NONE) != 0)
        guard_die("mprotect failed");
    uint8_t *p = guard - n;
    guard_hdr_t h = {base, len, GUARD_MAGIC};
    memcpy(p - sizeof h, &h, sizeof h);
    if (n)
        memcpy(p, data, n);
    return p;
}

void zt_guard_free(uint8_t *p)
{
    if (!p)
        return;
    guard_hdr_t h;
    memcpy(&h, p - sizeof h, sizeof h);
    if (h.magic != GUARD_MAGIC)
        guard_die("zt_guard_free of a pointer zt_guard_copy did not return");
    if (munmap(h.base, h.len) != 0)
        guard_die("munmap failed");
}
