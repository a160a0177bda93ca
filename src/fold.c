/* fold.c — lets, their scopes, and constant folding (check_int.h).
 *
 * A `let` name stands for its expression, evaluated in the scope of its
 * definition (only earlier lets are visible), so a name can never refer to
 * itself or to something defined later. Folding evaluates every operation
 * through expr.c's expr_apply, as a minimize's tape does, so each math
 * function means one thing everywhere; every intermediate must be finite. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "check_int.h"


enum { LET_INDEX_SIZE = 2 * CHECK_MAX_LETS }; /* a power of two, half full at most */

int fold_init_lets(Checker *c)
{
    c->lets = arena_array(c->arena, CHECK_MAX_LETS, sizeof *c->lets);
    c->let_index = arena_array(c->arena, LET_INDEX_SIZE, sizeof *c->let_index);
    if (!c->lets || !c->let_index)
        return -1;
    memset(c->let_index, 0xff, LET_INDEX_SIZE * sizeof *c->let_index); /* all -1 */
    return 0;
}

static unsigned name_hash(const char *s, size_t n)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The slot of name in the index: its let, or the empty slot to put it in. */
static int *let_slot(const Checker *c, LrSpan name)
{
    unsigned h = name_hash(AST_TEXT(c->src, name), name.length) & (LET_INDEX_SIZE - 1);
    for (;; h = (h + 1) & (LET_INDEX_SIZE - 1)) {
        int i = c->let_index[h];
        if (i < 0)
            return &c->let_index[h];
        const LetBinding *b = &c->lets[i];
        if (b->name.length == name.length &&
            memcmp(AST_TEXT(c->src, b->name), AST_TEXT(c->src, name), name.length) == 0)
            return &c->let_index[h];
    }
}

/* The let named name among the first scope lets (names are unique). */
const LetBinding *fold_let_find(const Checker *c, LrSpan name, int scope)
{
    if (scope == 0)
        return NULL; /* also: `lrc schedule` checks without any lets */
    int i = *let_slot(c, name);
    return i >= 0 && i < scope ? &c->lets[i] : NULL;
}

/* The index of name among a frame's names, or -1. */
int fold_frame_find(const Checker *c, const Frame *f, LrSpan name)
{
    int i = 0;
    for (const LrNode *p = f ? f->names : NULL; p; p = p->next, i++)
        if (p->name.length == name.length &&
            memcmp(AST_TEXT(c->src, p->name), AST_TEXT(c->src, name), name.length) == 0)
            return i;
    return -1;
}

/* Follows `let` names to the expression they stand for. A sweep stands for
 * its first value when the file is checked as a whole (each run of the
 * sweep checks its own value). */
Scoped fold_resolve(const Checker *c, Scoped v)
{
    for (;;) {
        if (v.node->kind == AST_CALL && fold_is_sweep(c, v.node) && v.node->items) {
            v.node = v.node->items;
            continue;
        }
        if (v.node->kind != AST_NAME || fold_frame_find(c, v.frame, v.node->name) >= 0)
            return v;
        const LetBinding *b = fold_let_find(c, v.node->name, v.scope);
        if (!b || b->stmt->is_function)
            return v;
        v.node = b->value;
        v.scope = (int)(b - c->lets);
        v.frame = NULL; /* a let sees no caller's parameters */
    }
}

int fold_line_of(const Checker *c, LrSpan span)
{
    int line, col;
    source_position(c->src, span.offset, &line, &col);
    return line;
}

/* Reports a name that is neither a let visible here nor a known word: it may
 * be defined later, or be a typo of a visible name. */
static void report_unknown_name(Checker *c, Scoped v, const char *const extra[])
{
    LrSpan span = v.node->name;
    /* Reported already: the statement or module that would define it. */
    const LrStmt *use = c->failed_use;
    if ((use && span.offset > use->span.offset &&
         source_name_at(c->src, span.offset) == source_name_at(c->src, use->span.offset)) ||
        check_is_dropped_name(c, span))
        return;
    if (!diag_showing(c->diag)) { /* counted only: no line or suggestion to find */
        diag_error(c->diag, c->src, span, "unknown name");
        return;
    }
    const LetBinding *later = fold_let_find(c, span, c->all_lets);
    if (later && (int)(later - c->lets) >= v.scope) {
        diag_error(c->diag, c->src, span, "'%.*s' is used before it is defined (at line %d)",
                   (int)span.length, AST_TEXT(c->src, span), fold_line_of(c, later->name));
        return;
    }
    enum { MAX_NAMES = 256 };
    const char *names[MAX_NAMES + 1];
    int n = 0;
    for (int i = 0; extra && extra[i] && n < MAX_NAMES; i++)
        names[n++] = extra[i];
    for (int i = v.scope - 1; i >= 0 && n < MAX_NAMES; i--) {
        char *s = arena_strndup(c->arena, AST_TEXT(c->src, c->lets[i].name),
                                c->lets[i].name.length);
        if (s)
            names[n++] = s;
    }
    names[n] = NULL;
    const char *guess = diag_suggest(AST_TEXT(c->src, span), span.length, names);
    if (guess)
        diag_error(c->diag, c->src, span, "unknown name '%.*s'; did you mean '%s'?",
                   (int)span.length, AST_TEXT(c->src, span), guess);
    else
        diag_error(c->diag, c->src, span, "unknown name '%.*s'", (int)span.length,
                   AST_TEXT(c->src, span));
}

const char *fold_describe(const LrNode *n)
{
    switch (n->kind) {
    case AST_NUMBER: return "a number";
    case AST_STRING: return "a string";
    case AST_BOOL: return "a boolean";
    case AST_LIST: return "a list";
    case AST_CALL: return "a call";
    case AST_CHAIN: return "a layer chain";
    case AST_MEMBER: return "a member reference";
    case AST_KEYWORD: return "an option";
    case AST_NAME: return "a name";
    case AST_UNARY:
    case AST_BINARY: return "an arithmetic expression";
    }
    return "a value";
}

/* ------------------------------------------------------------- numbers */

/* The function `let` a call names, or NULL. */
LrExprOp fold_operator(int op)
{
    switch (op) {
    case '+': return EXPR_ADD;
    case '-': return EXPR_SUB;
    case '*': return EXPR_MUL;
    case '/': return EXPR_DIV;
    default: return EXPR_POW; /* '^' */
    }
}

const LetBinding *fold_called_function(const Checker *c, Scoped v)
{
    const LetBinding *b = fold_let_find(c, v.node->name, v.scope);
    return b && b->stmt->is_function ? b : NULL;
}

/* Checks a call of a `let` function: arity, no named arguments. */
int fold_check_call(Checker *c, const LrNode *n, const LetBinding *fn)
{
    int given = 0;
    for (const LrNode *a = n->items; a; a = a->next, given++) {
        if (a->kind == AST_KEYWORD) {
            diag_error(c->diag, c->src, a->span, "'%.*s' takes no named arguments",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
    }
    if (given != fn->stmt->param_count) {
        diag_error(c->diag, c->src, n->span, "'%.*s' takes %d argument%s, not %d (defined at line %d)",
                   (int)n->name.length, AST_TEXT(c->src, n->name), fn->stmt->param_count,
                   fn->stmt->param_count == 1 ? "" : "s", given, fold_line_of(c, fn->name));
        return -1;
    }
    return 0;
}

static int fold_call(Checker *c, Scoped v, double *out)
{
    const LrNode *n = v.node;
    const LetBinding *user = fold_called_function(c, v);
    if (user) {
        double args[MAX_CALL_ARGS];
        int count = 0;
        if (fold_check_call(c, n, user) < 0)
            return -1;
        for (const LrNode *a = n->items; a; a = a->next)
            if (count == MAX_CALL_ARGS ||
                fold_number(c, (Scoped){a, v.scope, v.frame}, &args[count++]) < 0)
                return -1;
        Frame frame = {user->stmt->params, user->stmt->param_count, args, NULL};
        return fold_number(c, (Scoped){user->value, (int)(user - c->lets), &frame}, out);
    }
    const char *kind = check_is_function(c, n->name) ? NULL : check_word_kind(c, n->name);
    if (kind) {
        diag_error(c->diag, c->src, n->span, "expected a number, got %s ('%.*s')", kind,
                   (int)n->name.length, AST_TEXT(c->src, n->name));
        return -1;
    }
    int want;
    int op = check_math_function(c, n->name, true, &want);
    if (op < 0)
        return -1;
    double args[MAX_CALL_ARGS];
    int count = 0;
    for (const LrNode *a = n->items; a; a = a->next) {
        if (a->kind == AST_KEYWORD) {
            diag_error(c->diag, c->src, a->span, "'%.*s' takes no named arguments",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        if (count == MAX_CALL_ARGS) {
            diag_error(c->diag, c->src, a->span, "too many arguments (limit is %d)", MAX_CALL_ARGS);
            return -1;
        }
        if (fold_number(c, (Scoped){a, v.scope, v.frame}, &args[count++]) < 0)
            return -1;
    }
    if ((want > 0 && count != want) || (want < 0 && count < 1)) {
        if (want > 0)
            diag_error(c->diag, c->src, n->span, "'%.*s' takes %d argument%s, not %d",
                       (int)n->name.length, AST_TEXT(c->src, n->name), want,
                       want == 1 ? "" : "s", count);
        else
            diag_error(c->diag, c->src, n->span, "'%.*s' needs at least one argument",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
        return -1;
    }
    /* min and max of several: pairwise, from the left. */
    double r = want < 0 ? args[0] : expr_apply((LrExprOp)op, args[0], want == 2 ? args[1] : 0);
    for (int i = 1; want < 0 && i < count; i++)
        r = expr_apply((LrExprOp)op, r, args[i]);
    *out = r;
    return 0;
}

/* Folding work beyond this is an error, not a hang (functions that call
 * others twice grow exponentially). */
enum { CHECK_MAX_FOLD_STEPS = 10000000 };

/* Recursion of fold_number and compile_expr: each expression is at most
 * AST_MAX_DEPTH deep, but lets and functions chain expressions. A count of
 * levels, so that the limit is the same in every build. A level takes up
 * to about 2.5 KiB of stack (gcc -O2 with ASan; 1 KiB without), so this
 * stays within 4 MiB of the usual 8 in every build (tests/golden/
 * diagnostics.sh runs a chain at the limit). */
enum { CHECK_MAX_NESTING = 1500 };

int fold_too_deep(Checker *c, const LrNode *n)
{
    if (c->nesting < CHECK_MAX_NESTING)
        return 0;
    if (!c->nesting_exceeded)
        diag_error(c->diag, c->src, n->span,
                   "lets and functions nest too deeply here (limit is %d levels)",
                   CHECK_MAX_NESTING);
    c->nesting_exceeded = true; /* reported once */
    return 1;
}

static int fold_number_at(Checker *c, Scoped v, double *out);

/* Folds a numeric expression; every intermediate must be finite. */
int fold_number(Checker *c, Scoped v, double *out)
{
    if (fold_too_deep(c, v.node))
        return -1;
    c->nesting++;
    int status = fold_number_at(c, v, out);
    c->nesting--;
    return status;
}

static int fold_number_at(Checker *c, Scoped v, double *out)
{
    if (++c->fold_steps > CHECK_MAX_FOLD_STEPS) {
        if (c->fold_steps == CHECK_MAX_FOLD_STEPS + 1)
            diag_error(c->diag, c->src, v.node->span,
                       "this takes too long to evaluate (limit is %d operations)",
                       CHECK_MAX_FOLD_STEPS);
        return -1;
    }
    /* A number let is folded once, where it is defined. */
    if (v.node->kind == AST_NAME && fold_frame_find(c, v.frame, v.node->name) < 0) {
        LetBinding *b = (LetBinding *)fold_let_find(c, v.node->name, v.scope);
        if (b && !b->stmt->is_function && b->folded != 0) {
            *out = b->number;
            return b->folded > 0 ? 0 : -1;
        }
        if (b && !b->stmt->is_function) {
            int status = fold_number(c, (Scoped){b->value, (int)(b - c->lets), NULL}, &b->number);
            b->folded = status == 0 ? 1 : -1;
            b->failed |= status < 0; /* reported here: later statements skip it */
            *out = b->number;
            return status;
        }
    }
    v = fold_resolve(c, v);
    const LrNode *n = v.node;
    double a, b;
    switch (n->kind) {
    case AST_NUMBER:
        *out = n->number;
        return 0;
    case AST_NAME: {
        int param = fold_frame_find(c, v.frame, n->name);
        if (param >= 0 && v.frame->values) {
            *out = v.frame->values[param];
            return 0;
        }
        if (param >= 0) {
            diag_error(c->diag, c->src, n->span, "'%.*s' is a variable here, not a constant",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        if (check_constant(c, n->name, out))
            return 0;
        const LetBinding *fn = fold_let_find(c, n->name, v.scope);
        if (fn && fn->stmt->is_function) {
            diag_error(c->diag, c->src, n->span, "'%.*s' is a function: call it, as in %.*s(...)",
                       (int)n->name.length, AST_TEXT(c->src, n->name), (int)n->name.length,
                       AST_TEXT(c->src, n->name));
            return -1;
        }
        const char *kind = check_word_kind(c, n->name);
        if (kind) {
            diag_error(c->diag, c->src, n->span, "expected a number, got %s ('%.*s')", kind,
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        report_unknown_name(c, v, words_constant_names);
        return -1;
    }
    case AST_UNARY:
        if (fold_number(c, (Scoped){n->lhs, v.scope, v.frame}, &a) < 0)
            return -1;
        *out = expr_apply(EXPR_NEG, a, 0);
        return 0;
    case AST_BINARY:
        if (fold_number(c, (Scoped){n->lhs, v.scope, v.frame}, &a) < 0 ||
            fold_number(c, (Scoped){n->rhs, v.scope, v.frame}, &b) < 0)
            return -1;
        if (n->op == '/' && b == 0) {
            diag_error(c->diag, c->src, n->span, "division by zero");
            return -1;
        }
        *out = expr_apply(fold_operator(n->op), a, b);
        break;
    case AST_CALL:
        if (fold_call(c, v, out) < 0)
            return -1;
        break;
    default:
        diag_error(c->diag, c->src, n->span, "expected a number, got %s", fold_describe(n));
        return -1;
    }
    if (!isfinite(*out)) {
        diag_error(c->diag, c->src, n->span, "value is not a finite number");
        return -1;
    }
    return 0;
}

int fold_bool(Checker *c, Scoped v, bool *out)
{
    v = fold_resolve(c, v);
    if (v.node->kind != AST_BOOL) {
        diag_error(c->diag, c->src, v.node->span, "expected true or false, got %s",
                   fold_describe(v.node));
        return -1;
    }
    *out = v.node->number != 0;
    return 0;
}

/* An integer in [lo, hi]; what names the value in the message. */
int fold_int(Checker *c, Scoped v, const char *what, double lo, double hi, int64_t *out)
{
    double x;
    if (fold_number(c, v, &x) < 0)
        return -1;
    if (x != floor(x) || x < lo || x > hi) {
        const LrNode *n = fold_resolve(c, v).node;
        if (hi >= 9e15)
            diag_error(c->diag, c->src, n->span, "%s must be an integer >= %.0f", what, lo);
        else
            diag_error(c->diag, c->src, n->span, "%s must be an integer from %.0f to %.0f",
                       what, lo, hi);
        return -1;
    }
    *out = (int64_t)x;
    return 0;
}

int fold_dims(Checker *c, Scoped v, const char *what, bool scalar, int min_count, int max_count,
              int64_t hi, int *dims, int *count)
{
    v = fold_resolve(c, v);
    if (v.node->kind != AST_LIST) {
        if (!scalar) {
            diag_error(c->diag, c->src, v.node->span, "%s must be a list of integers, got %s",
                       what, fold_describe(v.node));
            return -1;
        }
        int64_t x;
        if (fold_int(c, v, what, 1, (double)hi, &x) < 0)
            return -1;
        *count = 1;
        dims[0] = (int)x;
        return 0;
    }
    int n = 0;
    for (const LrNode *e = v.node->items; e; e = e->next)
        n++;
    if (n < min_count || n > max_count) {
        if (min_count == max_count)
            diag_error(c->diag, c->src, v.node->span, "%s must list %d integers, not %d", what,
                       min_count, n);
        else
            diag_error(c->diag, c->src, v.node->span, "%s must list %d to %d integers, not %d",
                       what, min_count, max_count, n);
        return -1;
    }
    int i = 0;
    for (const LrNode *e = v.node->items; e; e = e->next, i++) {
        int64_t x;
        if (fold_int(c, (Scoped){e, v.scope, NULL}, what, 1, (double)hi, &x) < 0)
            return -1;
        dims[i] = (int)x;
    }
    *count = n;
    return 0;
}

/* A list of numbers, copied into the arena. */
int fold_number_list(Checker *c, Scoped v, const char *what, double **out, int *count)
{
    v = fold_resolve(c, v);
    if (v.node->kind != AST_LIST) {
        diag_error(c->diag, c->src, v.node->span, "%s must be a list of numbers, got %s", what,
                   fold_describe(v.node));
        return -1;
    }
    double *xs = arena_array(c->arena, (size_t)v.node->count + 1, sizeof *xs);
    if (!xs) {
        diag_error(c->diag, c->src, v.node->span, "out of memory");
        return -1;
    }
    int i = 0;
    for (const LrNode *e = v.node->items; e; e = e->next)
        if (fold_number(c, (Scoped){e, v.scope, NULL}, &xs[i++]) < 0)
            return -1;
    *out = xs;
    *count = i;
    return 0;
}

/* Registers a `let` before any statement is checked, so that a name used
 * too early can be told apart from an unknown one. */
int fold_register_let(Checker *c, const LrStmt *st)
{
    if (check_constant(c, st->name, NULL)) {
        diag_error(c->diag, c->src, st->name, "'%.*s' is a built-in constant",
                   (int)st->name.length, AST_TEXT(c->src, st->name));
        return -1;
    }
    const LetBinding *prev = fold_let_find(c, st->name, c->all_lets);
    if (prev) {
        const char *file = source_name_at(c->src, prev->name.offset);
        if (file == source_name_at(c->src, st->name.offset))
            diag_error(c->diag, c->src, st->name, "'%.*s' is already defined (at line %d)",
                       (int)st->name.length, AST_TEXT(c->src, st->name),
                       fold_line_of(c, prev->name));
        else
            diag_error(c->diag, c->src, st->name, "'%.*s' is already defined (at %s:%d)",
                       (int)st->name.length, AST_TEXT(c->src, st->name), file,
                       fold_line_of(c, prev->name));
        return -1;
    }
    for (const LrNode *p = st->params; p; p = p->next) {
        for (const LrNode *q = st->params; q != p; q = q->next) {
            if (q->name.length == p->name.length &&
                memcmp(AST_TEXT(c->src, q->name), AST_TEXT(c->src, p->name), p->name.length) == 0) {
                diag_error(c->diag, c->src, p->span, "parameter '%.*s' is listed twice",
                           (int)p->name.length, AST_TEXT(c->src, p->name));
                return -1;
            }
        }
    }
    if (c->all_lets == CHECK_MAX_LETS) {
        diag_error(c->diag, c->src, st->name, "too many names (limit is %d)", CHECK_MAX_LETS);
        return -1;
    }
    *let_slot(c, st->name) = c->all_lets;
    LetBinding *bind = &c->lets[c->all_lets++];
    bind->name = st->name;
    bind->stmt = st;
    bind->value = st->value;
    return 0;
}

bool fold_is_sweep(const Checker *c, const LrNode *n)
{
    return n->kind == AST_CALL && check_span_is(c, n->name, LR_SWEEP_WORD);
}

/* A sweep is a let's value, which runs replace one by one (--set); written
 * anywhere else it would stand for its first value only. */
static const char misplaced_sweep[] =
    "sweep(...) must be the whole value of a let, as in let rate = sweep(0.1, 0.01)";

/* Reports each sweep(...) written in a statement's expression n (the
 * parser bounds its depth). */
int fold_check_no_sweep(Checker *c, const LrNode *n)
{
    int status = 0;
    for (; n; n = n->next) {
        if (fold_is_sweep(c, n)) {
            diag_error(c->diag, c->src, n->span, "%s", misplaced_sweep);
            status = -1;
            continue;
        }
        if (n->lhs)
            status |= fold_check_no_sweep(c, n->lhs);
        if (n->rhs)
            status |= fold_check_no_sweep(c, n->rhs);
        status |= fold_check_no_sweep(c, n->items);
    }
    return status;
}

/* A `let` value is checked where it is used, but its names are checked
 * where it is defined: each must be a parameter, an earlier `let` or a word
 * of the language; a function may not call itself. self is the binding
 * being defined. */
int fold_check_names(Checker *c, const LrNode *n, int scope, const Frame *frame,
                     const LetBinding *self)
{
    int status = 0;
    switch (n->kind) {
    case AST_NAME:
        if (fold_frame_find(c, frame, n->name) >= 0 || fold_let_find(c, n->name, scope) ||
            check_is_known_word(c, n->name))
            return 0;
        if (self && n->name.length == self->name.length &&
            memcmp(AST_TEXT(c->src, n->name), AST_TEXT(c->src, self->name), n->name.length) == 0) {
            diag_error(c->diag, c->src, n->span,
                       "'%.*s' is defined in terms of itself (recursion is not allowed)",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        report_unknown_name(c, (Scoped){n, scope, frame}, NULL);
        return -1;
    case AST_CALL:
        if (fold_is_sweep(c, n) && self && n != self->value) {
            diag_error(c->diag, c->src, n->span, "%s", misplaced_sweep);
            return -1;
        }
        if (self && n->name.length == self->name.length &&
            memcmp(AST_TEXT(c->src, n->name), AST_TEXT(c->src, self->name), n->name.length) == 0) {
            diag_error(c->diag, c->src, n->name,
                       "'%.*s' is defined in terms of itself (recursion is not allowed)",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        if (!fold_let_find(c, n->name, scope) && fold_let_find(c, n->name, c->all_lets) &&
            !check_is_known_word(c, n->name)) {
            report_unknown_name(c, (Scoped){n, scope, frame}, NULL);
            return -1;
        }
        /* fallthrough */
    case AST_LIST:
        for (const LrNode *a = n->items; a; a = a->next)
            status |= fold_check_names(c, a, scope, frame, self);
        return status;
    case AST_KEYWORD:
    case AST_MEMBER:
    case AST_UNARY:
        return fold_check_names(c, n->lhs, scope, frame, self);
    case AST_BINARY:
    case AST_CHAIN:
        return fold_check_names(c, n->lhs, scope, frame, self) |
               fold_check_names(c, n->rhs, scope, frame, self);
    default:
        return 0;
    }
}

int fold_check_let(Checker *c, const LrStmt *st)
{
    int scope = c->let_count;
    if (scope < c->all_lets && c->lets[scope].stmt == st)
        c->let_count++;
    else
        return -1; /* not registered: already reported */
    const LetBinding *self = &c->lets[scope];
    Frame frame = {st->params, st->param_count, NULL, NULL};
    int status = fold_check_names(c, self->value, scope, st->is_function ? &frame : NULL, self);
    return fold_mark_let(c, scope, status);
}

int fold_mark_let(Checker *c, int i, int status)
{
    LetBinding *b = &c->lets[i];
    b->failed |= status < 0 || fold_uses_failed_let(c, b->value, i, false);
    return status;
}

bool fold_uses_failed_let(const Checker *c, const LrNode *n, int scope, bool chained)
{
    for (; n; n = chained ? n->next : NULL) {
        bool failed = false;
        switch (n->kind) {
        case AST_NAME:
        case AST_CALL: {
            const LetBinding *b = fold_let_find(c, n->name, scope);
            failed = (b && b->failed) ||
                     (n->kind == AST_CALL && fold_uses_failed_let(c, n->items, scope, true));
            break;
        }
        case AST_LIST:
            failed = fold_uses_failed_let(c, n->items, scope, true);
            break;
        case AST_KEYWORD:
        case AST_MEMBER:
        case AST_UNARY:
            failed = fold_uses_failed_let(c, n->lhs, scope, false);
            break;
        case AST_BINARY:
        case AST_CHAIN:
            failed = fold_uses_failed_let(c, n->lhs, scope, false) ||
                     fold_uses_failed_let(c, n->rhs, scope, false);
            break;
        default:
            break;
        }
        if (failed)
            return true;
    }
    return false;
}
