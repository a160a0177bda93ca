/* parse.h — the parser: .lr text to a syntax tree (ast.h). The first error
 * (lexical or syntactic) of a statement is reported and drops that
 * statement; the parse resumes at the next one. What the driver
 * (src/parse.c) and the grammar (grammar/lr.y) share is in parse_int.h. */
#ifndef LR_PARSE_H
#define LR_PARSE_H
#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* Parses src as a whole program into prog (nodes in arena). Returns 0, or -1
 * after reporting each statement's first error to diag: prog then holds the
 * statements that parsed and counts those dropped (prog->dropped), unless
 * the parse could not go on (out of memory, a limit), when it is empty. */
int parse_program(const LrSource *src, LrArena *arena, LrDiag *diag, LrProgram *prog);
/* Parses src as a single expression (prog->expr), e.g. for
 * `lrc schedule EXPR`: the first error ends it. */
int parse_expression(const LrSource *src, LrArena *arena, LrDiag *diag, LrProgram *prog);
/* The same for one segment of src (a module, a --set value). */
int parse_segment(const LrSource *src, int segment, LrArena *arena, LrDiag *diag,
                  LrProgram *prog);
int parse_expression_segment(const LrSource *src, int segment, LrArena *arena, LrDiag *diag,
                             LrProgram *prog);

#endif
