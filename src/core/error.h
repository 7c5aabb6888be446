/* Per-thread "last error detail": one sentence saying which rule a failed
 * call broke, read back with zinc_last_error_detail().
 *
 * The buffer is thread-local, so these functions may be called from any
 * thread without locking; each thread sees only its own detail. A detail is
 * only written on failure (like errno), never cleared on success.
 */
#ifndef ZI_CORE_ERROR_H
#define ZI_CORE_ERROR_H

#include <stddef.h>

/* Capacity of the detail buffer, NUL included; longer details are truncated. */
#define ZI_DETAIL_MAX 256

/* Formats the calling thread's detail (vsnprintf rules, truncated to fit). */
void zi_set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sets errno to err, formats the detail and returns -1, so that a failing
 * path reads `return zi_fail(EINVAL, "linger: ...", ...);`. */
int zi_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies at most max octets of untrusted text s into out (capacity cap) for
 * quoting in a detail: non-printable octets become '?', and "..." marks a
 * cut. Returns out. */
char *zi_detail_quote(char *out, size_t cap, const char *s, size_t max);

#endif
