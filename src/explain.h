/* explain.h — the fully resolved experiment: the Spec written back as .lr
 * text with every default filled in. run.json records it (and its hash
 * identifies the experiment for resuming). */
#ifndef LR_EXPLAIN_H
#define LR_EXPLAIN_H
#include "fileio.h"
#include "spec.h"

/* Appends the resolved experiment, one statement per line. */
void explain_spec(const LrSpec *spec, LrBuffer *out);

#endif
