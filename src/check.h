/* check.h — the checker: resolves `let` names, folds constants, checks
 * names, types, arities and ranges, fills Keras defaults, and produces the
 * Spec. Every error that can be found before running is found here; several
 * may be reported. */
#ifndef LR_CHECK_H
#define LR_CHECK_H
#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "spec.h"

/* Checks a parsed program into spec (allocated in arena). Returns 0, or -1
 * after reporting every error found to diag. */
int check_program(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrSpec *spec);

/* Checks prog->expr (from parse_expression) as a learning-rate schedule. */
int check_schedule(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrScheduleSpec *out);

#endif
