/* Guard-page copies for parser tests (after picohttpparser's test.c).
 *
 * zt_guard_copy places a copy of the input so that its last octet sits right
 * before a PROT_NONE page: a parser that reads even one octet past the end
 * faults at once instead of reading whatever follows in the heap. Test-only;
 * thread-safe (each copy is its own mapping). Failure to map aborts the test.
 */
#ifndef ZT_GUARD_H
#define ZT_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* A writable copy of n octets of data (data may be NULL when n == 0), ending
 * at a PROT_NONE page. For n == 0 the pointer is the guard page itself, so
 * any read through it faults. Release with zt_guard_free. */
uint8_t *zt_guard_copy(const void *data, size_t n);

/* Unmaps a zt_guard_copy result. NULL is ignored. */
void zt_guard_free(uint8_t *p);

#endif
