/* Trackers (the public zinc_tracker_t): know when frames are released.
 *
 * A tracker counts the frames attached to it that zinc has not released yet;
 * it is done when that count reaches zero. It is refcounted: one reference
 * for the application and one per attached frame, so it outlives its frames
 * until zinc_tracker_free. Completion is signalled without a lock when nobody
 * waits and no fd was asked for, so tracking costs little per send.
 */
#ifndef ZI_CORE_TRACKER_H
#define ZI_CORE_TRACKER_H

#include "zinc.h"

/* Attaches t to a frame: one more frame pending and one more reference. */
void zi_tracker_attach(zinc_tracker_t *t);
/* A frame attached to t was released (any thread): may finish t, drops the
 * frame's reference. */
void zi_tracker_release(zinc_tracker_t *t);

#endif
