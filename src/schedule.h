/* schedule.h — learning-rate schedules as pure functions of the step, with
 * Keras semantics: step counts updates already applied (0 for the first). */
#ifndef LR_SCHEDULE_H
#define LR_SCHEDULE_H
#include <stdint.h>

#include "spec.h"

double schedule_lr(const LrScheduleSpec *s, int64_t step);

#endif
