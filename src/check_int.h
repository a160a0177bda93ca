/* check_int.h — what the checker's files share: the Checker, lets and
 * scopes, and the functions each file offers the others. Not an interface
 * of the checker (that is check.h).
 *
 *   check.c    the statements, and the language's words (lookup tables)
 *   fold.c     lets, scopes, constant folding through expr.c
 *   modules.c  `use` and the paths of files, with the sandbox
 *   sets.c     --set values, and sweeps
 *   compile.c  a minimize's formula to expr.c's tape
 */
#ifndef LR_CHECK_INT_H
#define LR_CHECK_INT_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "expr.h"
#include "spec.h"

/* check.h's, named by tag: including check.h here would make the checker's
 * modules include each other. */
struct LrCheckOptions;

typedef struct LetBinding {
    LrSpan name;
    const LrStmt *stmt;
    const LrNode *value; /* the statement's value, or its --set override */
    bool overridden;
    bool failed;         /* its value, or a let it names, has an error that
                          * is reported: its uses say nothing more */
    int folded;          /* 0 not yet, 1 number holds its value, -1 it failed */
    double number;       /* a number let's folded value, computed once: lets
                          * used twice in each next one would otherwise cost
                          * 2^n evaluations */
} LetBinding;

enum { CHECK_MAX_LETS = 4096 };

enum { CHECK_MAX_MODULES = 64, CHECK_MAX_MODULE_DEPTH = 16 };

/* The lets a `use` statement brought in: [first, end) of Checker.lets. */
typedef struct UseRecord {
    const LrStmt *stmt;
    int first, end;
} UseRecord;

typedef struct Checker {
    const LrSource *src;
    LrSource *modules_src; /* the same source, to append modules and --set values to */
    const struct LrCheckOptions *options;
    LrArena *arena;
    LrDiag *diag;
    UseRecord uses[CHECK_MAX_MODULES];
    int use_count;
    char *loaded[CHECK_MAX_MODULES]; /* real paths of modules read */
    int loaded_count;
    char *loading[CHECK_MAX_MODULE_DEPTH]; /* real paths being read, outermost first */
    int loading_depth;
    LetBinding *lets;  /* every `let` of the program, in order */
    int *let_index;    /* hash of names to lets (open addressing; -1 empty):
                        * lookups stay O(1) in files with thousands of lets */
    int all_lets;
    int let_count;     /* how many of them are defined at this point */
    int failed_datasets; /* dataset statements with errors: references to
                          * datasets then report nothing more (cascades) */
    const LrStmt *failed_use; /* the first `use` whose module did not load: in
                               * its file, after it, a name the module may
                               * have defined is not reported unknown */
    long fold_steps;     /* work spent folding constants, bounded so that
                          * nested function calls cannot take forever */
    int nesting;          /* levels of folding and compiling under way: they
                           * recurse through lets and functions */
    bool nesting_exceeded;
    bool *formula_lets;  /* per let: a minimize's formula names it (LrSpec.lets) */
    const LrProgram *prog;
} Checker;

/* The parameters in effect inside a function body (or the variables of a
 * `minimize`): names, and either their values (folding) or their tape
 * entries (compiling for exact derivatives). */
typedef struct Frame {
    const LrNode *names; /* AST_NAME params or AST_KEYWORD `from` items, by next */
    int count;
    const double *values;
    const int *entries;
} Frame;

/* A node together with the number of `let`s visible where it was written
 * and the frame it is read in (NULL outside function bodies and minimize). */
typedef struct Scoped {
    const LrNode *node;
    int scope;
    const Frame *frame;
} Scoped;

enum { MAX_CALL_ARGS = 64 };

/* ----------------------------------------------------------- check.c */

/* Words of the language, for the files that do not read the tables. */
int check_span_is(const Checker *c, LrSpan span, const char *word);
/* What a word that is not a math function is ("a schedule", ...), or NULL. */
const char *check_word_kind(const Checker *c, LrSpan name);
/* Whether span is a word of the language (pi and e included). */
int check_is_known_word(const Checker *c, LrSpan span);
/* A sample's shape, [n] or [height, width, channels] (model input=,
 * reshape, csv's shape=); what names it in messages. */
int check_shape(Checker *c, Scoped v, const char *what, LrShape *out);
/* Whether name is a built-in constant (pi, e); *value gets it (may be NULL). */
bool check_constant(const Checker *c, LrSpan name, double *value);
/* Whether name is in the math functions' table (sweep included). */
bool check_is_function(const Checker *c, LrSpan name);
bool check_is_activation(const Checker *c, LrSpan name);
/* The math function name names as expr.c's operation, with its number of
 * arguments in *arity (-1: one or more), both from words.h's functions
 * table; -1 when it names none (sweep included), reported when report is
 * set. */
int check_math_function(Checker *c, LrSpan name, bool report, int *arity);
/* Whether span is a name that a statement dropped by a syntax error would
 * have bound (its uses are not reported). */
bool check_is_dropped_name(const Checker *c, LrSpan span);
/* span's text, copied into the arena (NULL when out of memory). */
char *check_span_string(Checker *c, LrSpan span);

/* ------------------------------------------------------------ fold.c */

/* Allocates the lets and their index; -1 when out of memory. */
int fold_init_lets(Checker *c);
/* Registers a let (its name checked unique) before any statement is checked. */
int fold_register_let(Checker *c, const LrStmt *st);
/* The let named name among the first scope lets, or NULL. */
const LetBinding *fold_let_find(const Checker *c, LrSpan name, int scope);
/* The index of name among a frame's names, or -1. */
int fold_frame_find(const Checker *c, const Frame *f, LrSpan name);
/* Follows let names (and a sweep's first value) to what they stand for. */
Scoped fold_resolve(const Checker *c, Scoped v);
int fold_line_of(const Checker *c, LrSpan span);
/* "a number", "a list", ... for "expected X, got Y". */
const char *fold_describe(const LrNode *n);
bool fold_is_sweep(const Checker *c, const LrNode *n);
/* The function let a call names, or NULL; fold_check_call checks its
 * arity and that no argument is named. */
const LetBinding *fold_called_function(const Checker *c, Scoped v);
int fold_check_call(Checker *c, const LrNode *n, const LetBinding *fn);
/* The operation of an AST_BINARY node's op ('+', '-', '*', '/', '^'). */
LrExprOp fold_operator(int op);
/* Whether folding and compiling nest too deeply at n (reported once). */
int fold_too_deep(Checker *c, const LrNode *n);
/* Folded values; each reports at the value and returns -1 on error. */
int fold_number(Checker *c, Scoped v, double *out);
int fold_bool(Checker *c, Scoped v, bool *out);
int fold_int(Checker *c, Scoped v, const char *what, double lo, double hi, int64_t *out);
int fold_number_list(Checker *c, Scoped v, const char *what, double **out, int *count);
/* Integers from 1 to hi: a list of min_count to max_count of them into
 * dims (count), or with scalar also one integer alone (count 1). */
int fold_dims(Checker *c, Scoped v, const char *what, bool scalar, int min_count, int max_count,
              int64_t hi, int *dims, int *count);
/* Name checks of let values where they are written, and of sweeps. */
/* Whether n (and the nodes after it through next, when chained) names a
 * let that failed (LetBinding.failed) among the first scope lets. */
bool fold_uses_failed_let(const Checker *c, const LrNode *n, int scope, bool chained);
/* Marks the let at index i failed when status < 0 or its value names a
 * failed let; returns status. */
int fold_mark_let(Checker *c, int i, int status);
int fold_check_names(Checker *c, const LrNode *n, int scope, const Frame *frame,
                     const LetBinding *self);
int fold_check_let(Checker *c, const LrStmt *st);
int fold_check_no_sweep(Checker *c, const LrNode *n);

/* --------------------------------------------------------- modules.c */

/* Marks the experiment file as being loaded (a module using it is a cycle). */
void modules_begin(Checker *c);
/* Registers a program's lets, and its modules' at the place of each use. */
void modules_register_program(Checker *c, const LrProgram *prog);
/* Makes a use's module lets visible from here on; -1 when it failed to load. */
int modules_use(Checker *c, const LrStmt *st);
/* Whether the sandbox lets the file read (or write) path; reports at span. */
int modules_sandbox_allows(Checker *c, LrSpan span, const char *path, bool write);
/* path relative to the directory of the file that wrote it at where. */
const char *modules_resolve_path(Checker *c, const char *path, LrSpan where);
/* path as the main file would write it (--explain, resume's digest). */
const char *modules_portable_path(Checker *c, const char *path, LrSpan where);
/* A data file's path written at span: relative to the writing file's
 * directory (modules_resolve_path), or, when no file is there, the first
 * found along the data path (LrCheckOptions.data_path) in order; found
 * nowhere, the first (reading it reports that, with the places looked
 * at). Sets *resolved (to open) and *portable (modules_portable_path, or
 * the path found along the data path); reports a path the sandbox
 * refuses at span. Returns 0 or -1. */
int modules_find_data(Checker *c, const char *path, LrSpan span, const char **resolved,
                      const char **portable);

/* ------------------------------------------------------------ sets.c */

/* --set NAME=VALUE replaces a let's value with one of the same type. */
void sets_apply(Checker *c);
/* Every let whose value is sweep(...) and that no --set replaced, into spec. */
void sets_collect_sweeps(Checker *c, LrSpec *spec);

/* --------------------------------------------------------- compile.c */

/* Compiles value, a formula of the var_count variables listed (AST_KEYWORD
 * `from` items), to a tape in the arena: out's entries 0 .. var_count - 1
 * are the variables. -1 after reporting. */
int compile_formula(Checker *c, const LrNode *vars, int var_count, Scoped value, LrExpr *out);
/* Notes the lets that a compiled formula names, itself or through the
 * functions it calls (vars as compile_formula's); -1 when out of memory. */
int compile_note_lets(Checker *c, const LrNode *vars, int var_count, Scoped value);
/* The lets noted, in the order defined, into spec->lets: values folded,
 * functions written out as .lr text. -1 after reporting. */
int compile_formula_lets(Checker *c, LrSpec *spec);

#endif
