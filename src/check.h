/* check.h — the checker: resolves `let` names, folds constants, checks
 * names, types, arities and ranges, fills Keras defaults, and produces the
 * Spec. Every error that can be found before running is found here; several
 * may be reported. */
#ifndef LR_CHECK_H
#define LR_CHECK_H
#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "sandbox.h"
#include "spec.h"

/* What the command line adds to a file. */
typedef struct LrCheckOptions {
    const char *const *module_path; /* directories searched by `use name`, in order */
    int module_path_count;
    const char *const *sets;        /* "NAME=VALUE" of each --set */
    int set_count;
    const LrSandbox *sandbox;       /* what the file may read and write; NULL: anything */
    bool from_stream;               /* the file is standard input or a pipe, not a file in a
                                       directory: its relative paths start at the current one */
    /* Called after the check for each `let` defined (the modules' too), with
     * its number when it folds to one (else NULL), for the language
     * server's hover and definitions; NULL: not called. */
    void (*on_let)(void *ctx, const LrStmt *let, const double *number);
    void *on_let_ctx;
    /* Where a data file's relative path is looked for when it is not
     * beside the file that names it, in order (LRC_DATA_PATH); NULL: nowhere. */
    const char *const *data_path;
    int data_path_count;
} LrCheckOptions;

/* Checks a parsed program into spec (allocated in arena). Returns 0, or -1
 * after reporting every error found to diag. Modules (`use`) and --set
 * values are appended to src as segments (so src->text may move). */
int check_program_with(const LrProgram *prog, LrSource *src, const LrCheckOptions *options,
                       LrArena *arena, LrDiag *diag, LrSpec *spec);
/* The same without modules' search path or --set. */
int check_program(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrSpec *spec);

/* Checks prog->expr (from parse_expression) as a learning-rate schedule. */
int check_schedule(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrScheduleSpec *out);

#endif
