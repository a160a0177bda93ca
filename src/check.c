/* check.c — from AST to Spec. See check.h.
 *
 * Values are evaluated where they are used, in the context that gives them
 * meaning: `relu` is an activation after `activation=`, `sgd` an optimizer
 * after `optimizer`. A `let` name stands for its expression; the expression is
 * evaluated in the scope of its definition (only earlier `let`s are visible),
 * so a name can never refer to itself or to something defined later. */
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not every C library defines M_PI and M_E in strict C11 mode. */
static const double LR_PI = 3.14159265358979323846;
static const double LR_E = 2.71828182845904523536;

typedef struct LetBinding {
    LrSpan name;
    const LrStmt *stmt;
} LetBinding;

enum { CHECK_MAX_LETS = 4096 };

typedef struct Checker {
    const LrSource *src;
    LrArena *arena;
    LrDiag *diag;
    LetBinding *lets;  /* every `let` of the program, in order */
    int all_lets;
    int let_count;     /* how many of them are defined at this point */
    const LrProgram *prog;
} Checker;

/* A node together with the number of `let`s visible where it was written. */
typedef struct Scoped {
    const LrNode *node;
    int scope;
} Scoped;

/* ---------------------------------------------------------------- names */

/* A name the language knows, in one of the tables below. Names that are in
 * the contract but whose runtime is not built yet are listed too, so that
 * they get "not supported yet" rather than "unknown". */
typedef struct NameEntry {
    const char *name;
    int code;
    int supported;
} NameEntry;

enum { UNSUPPORTED = -1 };

static const NameEntry sources[] = {
    {"linear", DATA_LINEAR, 1}, {"csv", UNSUPPORTED, 0},    {"blobs", UNSUPPORTED, 0},
    {"moons", UNSUPPORTED, 0},  {"spiral", UNSUPPORTED, 0}, {NULL, 0, 0}};

static const NameEntry layers[] = {
    {"dense", LAYER_DENSE, 1},   {"dropout", UNSUPPORTED, 0}, {"linear", UNSUPPORTED, 0},
    {"relu", UNSUPPORTED, 0},    {"sigmoid", UNSUPPORTED, 0}, {"tanh", UNSUPPORTED, 0},
    {"softmax", UNSUPPORTED, 0}, {NULL, 0, 0}};

static const NameEntry activations[] = {
    {"linear", ACT_LINEAR, 1}, {"relu", ACT_RELU, 1},        {"sigmoid", ACT_SIGMOID, 1},
    {"tanh", ACT_TANH, 1},     {"softmax", UNSUPPORTED, 0}, {NULL, 0, 0}};

static const NameEntry initializers[] = {
    {"zeros", INIT_ZEROS, 1},
    {"ones", INIT_ONES, 1},
    {"constant", INIT_CONSTANT, 1},
    {"normal", INIT_NORMAL, 1},
    {"uniform", INIT_UNIFORM, 1},
    {"glorot_uniform", INIT_GLOROT_UNIFORM, 1},
    {"glorot_normal", UNSUPPORTED, 0},
    {"he_normal", UNSUPPORTED, 0},
    {"he_uniform", UNSUPPORTED, 0},
    {"lecun_normal", UNSUPPORTED, 0},
    {NULL, 0, 0}};

static const NameEntry losses[] = {{"mse", LOSS_MSE, 1},
                                   {"half_mse", LOSS_HALF_MSE, 1},
                                   {"mae", LOSS_MAE, 1},
                                   {"huber", UNSUPPORTED, 0},
                                   {"binary_crossentropy", UNSUPPORTED, 0},
                                   {"categorical_crossentropy", UNSUPPORTED, 0},
                                   {NULL, 0, 0}};

static const NameEntry optimizers[] = {
    {"sgd", OPT_SGD, 1},           {"adam", UNSUPPORTED, 0},    {"adamw", UNSUPPORTED, 0},
    {"rmsprop", UNSUPPORTED, 0},   {"adagrad", UNSUPPORTED, 0}, {NULL, 0, 0}};

static const NameEntry schedules[] = {
    {"exp_decay", SCHED_EXP_DECAY, 1},       {"piecewise", SCHED_PIECEWISE, 1},
    {"polynomial", SCHED_POLYNOMIAL, 1},     {"inverse_time", SCHED_INVERSE_TIME, 1},
    {"cosine", SCHED_COSINE, 1},             {NULL, 0, 0}};

enum {
    FN_SIN, FN_COS, FN_TAN, FN_EXP, FN_LOG, FN_SQRT, FN_ABS, FN_SINH, FN_COSH, FN_TANH,
    FN_POW, FN_MIN, FN_MAX
};
static const NameEntry functions[] = {
    {"sin", FN_SIN, 1},   {"cos", FN_COS, 1},   {"tan", FN_TAN, 1},     {"exp", FN_EXP, 1},
    {"log", FN_LOG, 1},   {"sqrt", FN_SQRT, 1}, {"abs", FN_ABS, 1},     {"sinh", FN_SINH, 1},
    {"cosh", FN_COSH, 1}, {"tanh", FN_TANH, 1}, {"pow", FN_POW, 1},     {"min", FN_MIN, 1},
    {"max", FN_MAX, 1},   {"sweep", UNSUPPORTED, 0}, {NULL, 0, 0}};

static int span_is(const Checker *c, LrSpan span, const char *word)
{
    size_t n = strlen(word);
    return span.length == n && memcmp(AST_TEXT(c->src, span), word, n) == 0;
}

static const NameEntry *table_find(const Checker *c, const NameEntry *table, LrSpan span)
{
    for (const NameEntry *e = table; e->name; e++)
        if (span_is(c, span, e->name))
            return e;
    return NULL;
}

/* Reports "unknown KIND 'x'; did you mean 'y'?" over a table's names. */
static void report_unknown(Checker *c, LrSpan span, const char *kind, const NameEntry *table)
{
    const char *names[64];
    int n = 0;
    for (const NameEntry *e = table; e->name && n < 63; e++)
        names[n++] = e->name;
    names[n] = NULL;
    const char *guess = diag_suggest(AST_TEXT(c->src, span), span.length, names);
    if (guess)
        diag_error(c->diag, c->src, span, "unknown %s '%.*s'; did you mean '%s'?", kind,
                   (int)span.length, AST_TEXT(c->src, span), guess);
    else
        diag_error(c->diag, c->src, span, "unknown %s '%.*s'", kind, (int)span.length,
                   AST_TEXT(c->src, span));
}

static void report_unsupported(Checker *c, LrSpan span)
{
    diag_error(c->diag, c->src, span, "'%.*s' is not supported yet", (int)span.length,
               AST_TEXT(c->src, span));
}

/* Finds name in table; reports unknown or unsupported names. Returns the
 * entry's code, or -1 after an error. */
static int lookup(Checker *c, const NameEntry *table, LrSpan span, const char *kind)
{
    const NameEntry *e = table_find(c, table, span);
    if (!e) {
        report_unknown(c, span, kind, table);
        return -1;
    }
    if (!e->supported) {
        report_unsupported(c, span);
        return -1;
    }
    return e->code;
}

/* ----------------------------------------------------------------- lets */

static const LetBinding *let_find(const Checker *c, LrSpan name, int scope)
{
    for (int i = scope - 1; i >= 0; i--) {
        const LetBinding *b = &c->lets[i];
        if (b->name.length == name.length &&
            memcmp(AST_TEXT(c->src, b->name), AST_TEXT(c->src, name), name.length) == 0)
            return b;
    }
    return NULL;
}

/* Follows `let` names to the expression they stand for. */
static Scoped resolve(const Checker *c, Scoped v)
{
    for (;;) {
        if (v.node->kind != AST_NAME)
            return v;
        const LetBinding *b = let_find(c, v.node->name, v.scope);
        if (!b || b->stmt->is_function)
            return v;
        v.node = b->stmt->value;
        v.scope = (int)(b - c->lets);
    }
}

static int line_of(const Checker *c, LrSpan span)
{
    int line, col;
    source_position(c->src, span.offset, &line, &col);
    return line;
}

/* Reports a name that is neither a let visible here nor a known word: it may
 * be defined later, or be a typo of a visible name. */
static void report_unknown_name(Checker *c, Scoped v, const char *extra[])
{
    LrSpan span = v.node->name;
    const LetBinding *later = let_find(c, span, c->all_lets);
    if (later && (int)(later - c->lets) >= v.scope) {
        diag_error(c->diag, c->src, span, "'%.*s' is used before it is defined (at line %d)",
                   (int)span.length, AST_TEXT(c->src, span), line_of(c, later->name));
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

static const char *describe(const LrNode *n)
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

static int eval_number(Checker *c, Scoped v, double *out);

static int fold_call(Checker *c, Scoped v, double *out)
{
    const LrNode *n = v.node;
    int fn = lookup(c, functions, n->name, "function");
    if (fn < 0)
        return -1;
    double args[64];
    int count = 0;
    for (const LrNode *a = n->items; a; a = a->next) {
        if (a->kind == AST_KEYWORD) {
            diag_error(c->diag, c->src, a->span, "'%.*s' takes no named arguments",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        if (count == 64) {
            diag_error(c->diag, c->src, a->span, "too many arguments (limit is 64)");
            return -1;
        }
        if (eval_number(c, (Scoped){a, v.scope}, &args[count++]) < 0)
            return -1;
    }
    int want = fn == FN_POW ? 2 : (fn == FN_MIN || fn == FN_MAX) ? -1 : 1;
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
    double x = args[0], r = 0;
    switch (fn) {
    case FN_SIN: r = sin(x); break;
    case FN_COS: r = cos(x); break;
    case FN_TAN: r = tan(x); break;
    case FN_EXP: r = exp(x); break;
    case FN_LOG: r = x > 0 ? log(x) : NAN; break;
    case FN_SQRT: r = x >= 0 ? sqrt(x) : NAN; break;
    case FN_ABS: r = fabs(x); break;
    case FN_SINH: r = sinh(x); break;
    case FN_COSH: r = cosh(x); break;
    case FN_TANH: r = tanh(x); break;
    case FN_POW: r = pow(x, args[1]); break;
    case FN_MIN:
    case FN_MAX:
        r = x;
        for (int i = 1; i < count; i++)
            r = fn == FN_MIN ? fmin(r, args[i]) : fmax(r, args[i]);
        break;
    }
    *out = r;
    return 0;
}

/* Folds a numeric expression; every intermediate must be finite. */
static int eval_number(Checker *c, Scoped v, double *out)
{
    v = resolve(c, v);
    const LrNode *n = v.node;
    double a, b;
    switch (n->kind) {
    case AST_NUMBER:
        *out = n->number;
        return 0;
    case AST_NAME:
        if (span_is(c, n->name, "pi")) {
            *out = LR_PI;
            return 0;
        }
        if (span_is(c, n->name, "e")) {
            *out = LR_E;
            return 0;
        }
        report_unknown_name(c, v, (const char *[]){"pi", "e", NULL});
        return -1;
    case AST_UNARY:
        if (eval_number(c, (Scoped){n->lhs, v.scope}, &a) < 0)
            return -1;
        *out = -a;
        return 0;
    case AST_BINARY:
        if (eval_number(c, (Scoped){n->lhs, v.scope}, &a) < 0 ||
            eval_number(c, (Scoped){n->rhs, v.scope}, &b) < 0)
            return -1;
        switch (n->op) {
        case '+': *out = a + b; break;
        case '-': *out = a - b; break;
        case '*': *out = a * b; break;
        case '/':
            if (b == 0) {
                diag_error(c->diag, c->src, n->span, "division by zero");
                return -1;
            }
            *out = a / b;
            break;
        default: *out = pow(a, b); break;
        }
        break;
    case AST_CALL:
        if (fold_call(c, v, out) < 0)
            return -1;
        break;
    default:
        diag_error(c->diag, c->src, n->span, "expected a number, got %s", describe(n));
        return -1;
    }
    if (!isfinite(*out)) {
        diag_error(c->diag, c->src, n->span, "value is not a finite number");
        return -1;
    }
    return 0;
}

static int eval_bool(Checker *c, Scoped v, bool *out)
{
    v = resolve(c, v);
    if (v.node->kind != AST_BOOL) {
        diag_error(c->diag, c->src, v.node->span, "expected true or false, got %s",
                   describe(v.node));
        return -1;
    }
    *out = v.node->number != 0;
    return 0;
}

/* An integer in [lo, hi]; what names the value in the message. */
static int eval_int(Checker *c, Scoped v, const char *what, double lo, double hi, int64_t *out)
{
    double x;
    if (eval_number(c, v, &x) < 0)
        return -1;
    if (x != floor(x) || x < lo || x > hi) {
        const LrNode *n = resolve(c, v).node;
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

/* A list of numbers, copied into the arena. */
static int eval_number_list(Checker *c, Scoped v, const char *what, double **out, int *count)
{
    v = resolve(c, v);
    if (v.node->kind != AST_LIST) {
        diag_error(c->diag, c->src, v.node->span, "%s must be a list of numbers, got %s", what,
                   describe(v.node));
        return -1;
    }
    double *xs = arena_array(c->arena, (size_t)v.node->count + 1, sizeof *xs);
    if (!xs) {
        diag_error(c->diag, c->src, v.node->span, "out of memory");
        return -1;
    }
    int i = 0;
    for (const LrNode *e = v.node->items; e; e = e->next)
        if (eval_number(c, (Scoped){e, v.scope}, &xs[i++]) < 0)
            return -1;
    *out = xs;
    *count = i;
    return 0;
}

/* --------------------------------------------------------- arguments */

/* A parameter of a call or an option of a statement. */
typedef struct Param {
    const char *name;
    int required;
} Param;

enum { MAX_PARAMS = 16 };

/* Binds a call's arguments (or a statement's options, positional = 0) to
 * params: positional in order, then by name. bound[i] is NULL for an
 * absent parameter. what names the callee in messages. */
static int bind_args(Checker *c, const char *what, LrSpan where, const LrNode *args,
                     int allow_positional, const Param *params, const LrNode **bound)
{
    int nparams = 0;
    while (params[nparams].name)
        nparams++;
    for (int i = 0; i < nparams; i++)
        bound[i] = NULL;
    int position = 0, seen_keyword = 0, status = 0;
    for (const LrNode *a = args; a; a = a->next) {
        if (a->kind != AST_KEYWORD) {
            if (!allow_positional) {
                diag_error(c->diag, c->src, a->span, "expected NAME=VALUE");
                return -1;
            }
            if (seen_keyword) {
                diag_error(c->diag, c->src, a->span,
                           "positional argument after a named one");
                return -1;
            }
            if (position >= nparams) {
                diag_error(c->diag, c->src, a->span, "%s takes at most %d argument%s", what,
                           nparams, nparams == 1 ? "" : "s");
                return -1;
            }
            bound[position++] = a;
            continue;
        }
        seen_keyword = 1;
        int found = -1;
        for (int i = 0; i < nparams; i++)
            if (span_is(c, a->name, params[i].name))
                found = i;
        if (found < 0) {
            const char *names[MAX_PARAMS + 1];
            for (int i = 0; i < nparams; i++)
                names[i] = params[i].name;
            names[nparams] = NULL;
            const char *guess = diag_suggest(AST_TEXT(c->src, a->name), a->name.length, names);
            if (guess)
                diag_error(c->diag, c->src, a->name, "%s has no option '%.*s'; did you mean '%s'?",
                           what, (int)a->name.length, AST_TEXT(c->src, a->name), guess);
            else
                diag_error(c->diag, c->src, a->name, "%s has no option '%.*s'", what,
                           (int)a->name.length, AST_TEXT(c->src, a->name));
            status = -1;
            continue;
        }
        if (bound[found]) {
            diag_error(c->diag, c->src, a->name, "'%s' is given twice", params[found].name);
            status = -1;
            continue;
        }
        bound[found] = a;
    }
    if (status < 0)
        return -1;
    for (int i = 0; i < nparams; i++) {
        if (params[i].required && !bound[i]) {
            diag_error(c->diag, c->src, where, "%s needs '%s'", what, params[i].name);
            status = -1;
        }
    }
    return status;
}

/* The value node of a bound argument (keyword or positional). */
static Scoped arg_value(const LrNode *bound, int scope)
{
    return (Scoped){bound->kind == AST_KEYWORD ? bound->lhs : bound, scope};
}

/* A bound option whose runtime is not built yet is reported, not ignored. */
static int reject_unsupported(Checker *c, const LrNode *bound)
{
    if (!bound)
        return 0;
    report_unsupported(c, bound->kind == AST_KEYWORD ? bound->name : bound->span);
    return -1;
}

/* Optional number argument with a default. */
static int opt_number(Checker *c, const LrNode *bound, int scope, double dflt, double *out)
{
    if (!bound) {
        *out = dflt;
        return 0;
    }
    return eval_number(c, arg_value(bound, scope), out);
}

static int opt_bool(Checker *c, const LrNode *bound, int scope, bool dflt, bool *out)
{
    if (!bound) {
        *out = dflt;
        return 0;
    }
    return eval_bool(c, arg_value(bound, scope), out);
}

/* Reports a range error at the bound argument's value. */
static int range_error(Checker *c, const LrNode *bound, int scope, LrSpan fallback,
                       const char *msg)
{
    LrSpan span = bound ? resolve(c, arg_value(bound, scope)).node->span : fallback;
    diag_error(c->diag, c->src, span, "%s", msg);
    return -1;
}

/* The callee and arguments of a value written as `name` or `name(args)`. */
static int as_call(Checker *c, Scoped v, const char *kind, LrSpan *name, const LrNode **args)
{
    if (v.node->kind == AST_NAME) {
        *name = v.node->name;
        *args = NULL;
        return 0;
    }
    if (v.node->kind == AST_CALL) {
        *name = v.node->name;
        *args = v.node->items;
        return 0;
    }
    diag_error(c->diag, c->src, v.node->span, "expected %s, got %s", kind, describe(v.node));
    return -1;
}

/* ----------------------------------------------------------- schedules */

static int eval_schedule(Checker *c, Scoped v, LrScheduleSpec *s)
{
    v = resolve(c, v);
    memset(s, 0, sizeof *s);
    const LrNode *n = v.node;
    if (n->kind != AST_CALL || table_find(c, functions, n->name)) {
        /* A plain number (or arithmetic on numbers): a constant rate. */
        if (n->kind == AST_NAME && !span_is(c, n->name, "pi") && !span_is(c, n->name, "e") &&
            table_find(c, schedules, n->name)) {
            diag_error(c->diag, c->src, n->span, "'%.*s' needs arguments",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        s->kind = SCHED_CONSTANT;
        if (eval_number(c, v, &s->initial) < 0)
            return -1;
        if (s->initial < 0)
            return range_error(c, NULL, 0, n->span, "learning rate must be >= 0");
        return 0;
    }
    int kind = lookup(c, schedules, n->name, "schedule");
    if (kind < 0)
        return -1;
    s->kind = (LrScheduleKind)kind;
    const LrNode *b[MAX_PARAMS];
    char what[64];
    snprintf(what, sizeof what, "%.*s", (int)n->name.length, AST_TEXT(c->src, n->name));
    int sc = v.scope;
    switch (s->kind) {
    case SCHED_EXP_DECAY:
    case SCHED_INVERSE_TIME: {
        static const Param p[] = {
            {"initial", 1}, {"steps", 1}, {"rate", 1}, {"staircase", 0}, {NULL, 0}};
        if (bind_args(c, what, n->span, n->items, 1, p, b) < 0 ||
            opt_number(c, b[0], sc, 0, &s->initial) < 0 ||
            opt_number(c, b[1], sc, 0, &s->steps) < 0 ||
            opt_number(c, b[2], sc, 0, &s->rate) < 0 ||
            opt_bool(c, b[3], sc, false, &s->staircase) < 0)
            return -1;
        if (s->kind == SCHED_EXP_DECAY && s->rate <= 0)
            return range_error(c, b[2], sc, n->span, "decay rate must be > 0");
        if (s->kind == SCHED_INVERSE_TIME && s->rate < 0)
            return range_error(c, b[2], sc, n->span, "decay rate must be >= 0");
        break;
    }
    case SCHED_POLYNOMIAL: {
        static const Param p[] = {{"initial", 1}, {"steps", 1}, {"end", 0},
                                  {"power", 0},   {"cycle", 0}, {NULL, 0}};
        if (bind_args(c, what, n->span, n->items, 1, p, b) < 0 ||
            opt_number(c, b[0], sc, 0, &s->initial) < 0 ||
            opt_number(c, b[1], sc, 0, &s->steps) < 0 ||
            opt_number(c, b[2], sc, 0.0001, &s->end) < 0 ||
            opt_number(c, b[3], sc, 1.0, &s->power) < 0 ||
            opt_bool(c, b[4], sc, false, &s->cycle) < 0)
            return -1;
        if (s->end < 0)
            return range_error(c, b[2], sc, n->span, "end must be >= 0");
        if (s->power <= 0)
            return range_error(c, b[3], sc, n->span, "power must be > 0");
        break;
    }
    case SCHED_COSINE: {
        static const Param p[] = {{"initial", 1}, {"steps", 1},  {"alpha", 0},
                                  {"warmup", 0},  {"target", 0}, {NULL, 0}};
        if (bind_args(c, what, n->span, n->items, 1, p, b) < 0 ||
            opt_number(c, b[0], sc, 0, &s->initial) < 0 ||
            opt_number(c, b[1], sc, 0, &s->steps) < 0 ||
            opt_number(c, b[2], sc, 0, &s->alpha) < 0 ||
            opt_number(c, b[3], sc, 0, &s->warmup) < 0 ||
            opt_number(c, b[4], sc, s->initial, &s->target) < 0)
            return -1;
        if (s->alpha < 0 || s->alpha > 1)
            return range_error(c, b[2], sc, n->span, "alpha must be between 0 and 1");
        if (s->warmup < 0 || s->warmup != floor(s->warmup))
            return range_error(c, b[3], sc, n->span, "warmup must be an integer >= 0");
        if (s->target < 0)
            return range_error(c, b[4], sc, n->span, "target must be >= 0");
        break;
    }
    case SCHED_PIECEWISE: {
        static const Param p[] = {{"boundaries", 1}, {"values", 1}, {NULL, 0}};
        double *bounds, *values;
        int nb, nv;
        if (bind_args(c, what, n->span, n->items, 1, p, b) < 0 ||
            eval_number_list(c, arg_value(b[0], sc), "boundaries", &bounds, &nb) < 0 ||
            eval_number_list(c, arg_value(b[1], sc), "values", &values, &nv) < 0)
            return -1;
        if (nv != nb + 1) {
            char msg[128];
            snprintf(msg, sizeof msg,
                     "piecewise needs one more value than boundaries (%d boundar%s, %d value%s)",
                     nb, nb == 1 ? "y" : "ies", nv, nv == 1 ? "" : "s");
            return range_error(c, b[1], sc, n->span, msg);
        }
        for (int i = 1; i < nb; i++)
            if (bounds[i] <= bounds[i - 1])
                return range_error(c, b[0], sc, n->span,
                                   "boundaries must be strictly increasing");
        for (int i = 0; i < nv; i++)
            if (values[i] < 0)
                return range_error(c, b[1], sc, n->span, "learning rates must be >= 0");
        s->count = nb;
        s->boundaries = bounds;
        s->values = values;
        s->initial = values[0];
        return 0;
    }
    case SCHED_CONSTANT:
        break;
    }
    if (s->initial < 0)
        return range_error(c, b[0], sc, n->span, "initial learning rate must be >= 0");
    if (s->steps <= 0)
        return range_error(c, b[1], sc, n->span, "decay steps must be > 0");
    return 0;
}

/* --------------------------------------------------------- initializers */

static int eval_init(Checker *c, Scoped v, LrInitSpec *init)
{
    v = resolve(c, v);
    LrSpan name;
    const LrNode *args;
    if (as_call(c, v, "an initializer", &name, &args) < 0)
        return -1;
    int kind = lookup(c, initializers, name, "initializer");
    if (kind < 0)
        return -1;
    memset(init, 0, sizeof *init);
    init->kind = (LrInitKind)kind;
    const LrNode *b[MAX_PARAMS];
    char what[64];
    snprintf(what, sizeof what, "%.*s", (int)name.length, AST_TEXT(c->src, name));
    int sc = v.scope;
    switch (init->kind) {
    case INIT_ZEROS:
    case INIT_ONES:
    case INIT_GLOROT_UNIFORM: {
        static const Param p[] = {{NULL, 0}};
        return bind_args(c, what, v.node->span, args, 1, p, b);
    }
    case INIT_CONSTANT: {
        static const Param p[] = {{"value", 1}, {NULL, 0}};
        if (v.node->kind == AST_NAME) {
            diag_error(c->diag, c->src, v.node->span, "constant needs 'value'");
            return -1;
        }
        return bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
                       opt_number(c, b[0], sc, 0, &init->a) < 0
                   ? -1
                   : 0;
    }
    case INIT_NORMAL: {
        static const Param p[] = {{"mean", 0}, {"stddev", 0}, {NULL, 0}};
        if (bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
            opt_number(c, b[0], sc, 0, &init->a) < 0 ||
            opt_number(c, b[1], sc, 0.05, &init->b) < 0)
            return -1;
        if (init->b < 0)
            return range_error(c, b[1], sc, v.node->span, "stddev must be >= 0");
        return 0;
    }
    case INIT_UNIFORM: {
        static const Param p[] = {{"low", 0}, {"high", 0}, {NULL, 0}};
        if (bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
            opt_number(c, b[0], sc, -0.05, &init->a) < 0 ||
            opt_number(c, b[1], sc, 0.05, &init->b) < 0)
            return -1;
        if (init->b < init->a)
            return range_error(c, b[1], sc, v.node->span, "high must be >= low");
        return 0;
    }
    }
    return 0;
}

/* --------------------------------------------------------------- layers */

static int eval_layer(Checker *c, Scoped v, LrLayerSpec *layer)
{
    v = resolve(c, v);
    LrSpan name;
    const LrNode *args;
    if (as_call(c, v, "a layer", &name, &args) < 0)
        return -1;
    int kind = lookup(c, layers, name, "layer");
    if (kind < 0)
        return -1;
    memset(layer, 0, sizeof *layer);
    layer->kind = LAYER_DENSE;
    layer->span = v.node->span;
    static const Param p[] = {{"units", 1},     {"activation", 0}, {"init", 0},
                              {"bias_init", 0}, {"l2", 0},         {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    int64_t units;
    if (bind_args(c, "dense", v.node->span, args, 1, p, b) < 0 ||
        eval_int(c, arg_value(b[0], sc), "units", 1, SPEC_MAX_UNITS, &units) < 0 ||
        reject_unsupported(c, b[4]) < 0)
        return -1;
    layer->units = (int)units;
    layer->activation = ACT_LINEAR;
    if (b[1]) {
        Scoped a = resolve(c, arg_value(b[1], sc));
        if (a.node->kind != AST_NAME) {
            diag_error(c->diag, c->src, a.node->span, "expected an activation, got %s",
                       describe(a.node));
            return -1;
        }
        int act = lookup(c, activations, a.node->name, "activation");
        if (act < 0)
            return -1;
        layer->activation = (LrActivation)act;
    }
    layer->init.kind = INIT_GLOROT_UNIFORM;
    layer->bias_init.kind = INIT_ZEROS;
    if (b[2] && eval_init(c, arg_value(b[2], sc), &layer->init) < 0)
        return -1;
    if (b[3] && eval_init(c, arg_value(b[3], sc), &layer->bias_init) < 0)
        return -1;
    return 0;
}

/* Flattens a `->` chain (possibly through lets) into spec->layers. */
static int collect_layers(Checker *c, Scoped v, LrLayerSpec *out, int *count)
{
    v = resolve(c, v);
    if (v.node->kind == AST_CHAIN) {
        return collect_layers(c, (Scoped){v.node->lhs, v.scope}, out, count) < 0 ||
                       collect_layers(c, (Scoped){v.node->rhs, v.scope}, out, count) < 0
                   ? -1
                   : 0;
    }
    if (*count == SPEC_MAX_LAYERS) {
        diag_error(c->diag, c->src, v.node->span, "too many layers (limit is %d)",
                   SPEC_MAX_LAYERS);
        return -1;
    }
    return eval_layer(c, v, &out[(*count)++]);
}

/* ------------------------------------------------------------ statements */

typedef struct Seen {
    const LrStmt *dataset, *model, *loss, *optimizer, *train, *seed;
} Seen;

static int check_duplicate(Checker *c, const LrStmt *st, const LrStmt **slot)
{
    if (*slot) {
        diag_error(c->diag, c->src, st->keyword,
                   "a second '%.*s' statement (the first is at line %d)",
                   (int)st->keyword.length, AST_TEXT(c->src, st->keyword),
                   line_of(c, (*slot)->keyword));
        return -1;
    }
    *slot = st;
    return 0;
}

static char *span_string(Checker *c, LrSpan span)
{
    return arena_strndup(c->arena, AST_TEXT(c->src, span), span.length);
}

static int check_dataset(Checker *c, const LrStmt *st, LrSpec *spec)
{
    static const Param opts[] = {{"validation", 0}, {"test", 0}, {"normalize", 0}, {NULL, 0}};
    const LrNode *o[MAX_PARAMS];
    if (bind_args(c, "dataset", st->keyword, st->options, 0, opts, o) < 0)
        return -1;
    int status = 0;
    for (int i = 0; i < 3; i++)
        status |= reject_unsupported(c, o[i]);
    Scoped v = resolve(c, (Scoped){st->value, c->let_count});
    LrSpan name;
    const LrNode *args;
    if (status < 0 || as_call(c, v, "a data source", &name, &args) < 0)
        return -1;
    if (lookup(c, sources, name, "data source") < 0)
        return -1;
    LrDatasetSpec *d = &spec->dataset;
    d->kind = DATA_LINEAR;
    d->span = st->span;
    d->name = st->name.length ? span_string(c, st->name) : "";
    static const Param p[] = {{"n", 1},       {"features", 1}, {"low", 0},   {"high", 0},
                              {"weights", 0}, {"bias", 0},     {"noise", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    int64_t n, features;
    if (bind_args(c, "linear", v.node->span, args, 1, p, b) < 0 ||
        eval_int(c, arg_value(b[0], sc), "n", 1, 9.2e18, &n) < 0 ||
        eval_int(c, arg_value(b[1], sc), "features", 1, SPEC_MAX_UNITS, &features) < 0 ||
        opt_number(c, b[2], sc, 0, &d->low) < 0 || opt_number(c, b[3], sc, 1, &d->high) < 0 ||
        opt_number(c, b[5], sc, 0, &d->bias) < 0 || opt_number(c, b[6], sc, 0, &d->noise) < 0)
        return -1;
    d->n = n;
    d->features = (int)features;
    if (d->high <= d->low)
        return range_error(c, b[3], sc, v.node->span, "high must be > low");
    if (d->noise < 0)
        return range_error(c, b[6], sc, v.node->span, "noise must be >= 0");
    if (b[4]) {
        double *w;
        int count;
        if (eval_number_list(c, arg_value(b[4], sc), "weights", &w, &count) < 0)
            return -1;
        if (count != d->features) {
            char msg[96];
            snprintf(msg, sizeof msg, "weights has %d entr%s but features=%d", count,
                     count == 1 ? "y" : "ies", d->features);
            return range_error(c, b[4], sc, v.node->span, msg);
        }
        d->weights = w;
    } else {
        double *w = arena_array(c->arena, (size_t)d->features, sizeof *w);
        if (!w) {
            diag_error(c->diag, c->src, st->span, "out of memory");
            return -1;
        }
        for (int i = 0; i < d->features; i++)
            w[i] = 1.0;
        d->weights = w;
    }
    spec->has_dataset = true;
    return 0;
}

static int check_optimizer(Checker *c, const LrStmt *st, LrSpec *spec)
{
    Scoped v = resolve(c, (Scoped){st->value, c->let_count});
    if (v.node->kind != AST_NAME) {
        diag_error(c->diag, c->src, v.node->span, "expected an optimizer name, got %s",
                   describe(v.node));
        return -1;
    }
    if (lookup(c, optimizers, v.node->name, "optimizer") < 0)
        return -1;
    LrOptimizerSpec *o = &spec->optimizer;
    o->kind = OPT_SGD;
    o->span = st->span;
    static const Param p[] = {
        {"lr", 0}, {"momentum", 0}, {"nesterov", 0}, {"clip_norm", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    if (bind_args(c, "sgd", st->keyword, st->options, 0, p, b) < 0 ||
        reject_unsupported(c, b[3]) < 0)
        return -1;
    if (b[0]) {
        if (eval_schedule(c, arg_value(b[0], sc), &o->lr) < 0)
            return -1;
    } else {
        o->lr.kind = SCHED_CONSTANT;
        o->lr.initial = 0.01; /* Keras SGD default */
    }
    if (opt_number(c, b[1], sc, 0, &o->momentum) < 0 ||
        opt_bool(c, b[2], sc, false, &o->nesterov) < 0)
        return -1;
    if (o->momentum < 0 || o->momentum >= 1)
        return range_error(c, b[1], sc, st->span, "momentum must be >= 0 and < 1");
    spec->has_optimizer = true;
    return 0;
}

static int check_train(Checker *c, const LrStmt *st, LrSpec *spec, LrSpan *on)
{
    static const Param p[] = {{"on", 0},         {"epochs", 0},  {"batch", 0},
                              {"shuffle", 0},    {"validation", 0}, {"metrics", 0},
                              {"early_stop", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    if (bind_args(c, "train", st->keyword, st->options, 0, p, b) < 0)
        return -1;
    int status = 0;
    for (int i = 4; i < 7; i++)
        status |= reject_unsupported(c, b[i]);
    if (status < 0)
        return -1;
    LrTrainSpec *t = &spec->train;
    t->span = st->span;
    t->epochs = 1; /* Keras fit defaults */
    t->batch = 32;
    t->shuffle = true;
    if (b[0]) {
        Scoped v = arg_value(b[0], sc);
        if (v.node->kind != AST_NAME) {
            diag_error(c->diag, c->src, v.node->span, "expected a dataset name, got %s",
                       describe(v.node));
            return -1;
        }
        *on = v.node->name;
    }
    if ((b[1] && eval_int(c, arg_value(b[1], sc), "epochs", 1, 1e9, &t->epochs) < 0) ||
        (b[2] && eval_int(c, arg_value(b[2], sc), "batch", 1, 1e9, &t->batch) < 0) ||
        opt_bool(c, b[3], sc, true, &t->shuffle) < 0)
        return -1;
    spec->has_train = true;
    return 0;
}

/* Registers a `let` before any statement is checked, so that a name used
 * too early can be told apart from an unknown one. */
static int register_let(Checker *c, const LrStmt *st)
{
    if (st->is_function) {
        report_unsupported(c, st->keyword);
        return -1;
    }
    if (span_is(c, st->name, "pi") || span_is(c, st->name, "e")) {
        diag_error(c->diag, c->src, st->name, "'%.*s' is a built-in constant",
                   (int)st->name.length, AST_TEXT(c->src, st->name));
        return -1;
    }
    const LetBinding *prev = let_find(c, st->name, c->all_lets);
    if (prev) {
        diag_error(c->diag, c->src, st->name, "'%.*s' is already defined (at line %d)",
                   (int)st->name.length, AST_TEXT(c->src, st->name),
                   line_of(c, prev->name));
        return -1;
    }
    if (c->all_lets == CHECK_MAX_LETS) {
        diag_error(c->diag, c->src, st->name, "too many names (limit is %d)", CHECK_MAX_LETS);
        return -1;
    }
    c->lets[c->all_lets].name = st->name;
    c->lets[c->all_lets].stmt = st;
    c->all_lets++;
    return 0;
}

static int is_known_word(const Checker *c, LrSpan span)
{
    static const NameEntry *const tables[] = {sources,  layers,     activations, initializers,
                                              losses,   optimizers, schedules,   functions};
    if (span_is(c, span, "pi") || span_is(c, span, "e"))
        return 1;
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        if (table_find(c, tables[i], span))
            return 1;
    return 0;
}

/* A `let` value is checked where it is used, but its names are checked
 * where it is defined: each must be an earlier `let` or a word of the
 * language. Callees are checked at use. */
static int check_names(Checker *c, const LrNode *n, int scope)
{
    int status = 0;
    switch (n->kind) {
    case AST_NAME:
        if (let_find(c, n->name, scope) || is_known_word(c, n->name))
            return 0;
        report_unknown_name(c, (Scoped){n, scope}, NULL);
        return -1;
    case AST_CALL:
    case AST_LIST:
        for (const LrNode *a = n->items; a; a = a->next)
            status |= check_names(c, a, scope);
        return status;
    case AST_KEYWORD:
    case AST_MEMBER:
    case AST_UNARY:
        return check_names(c, n->lhs, scope);
    case AST_BINARY:
    case AST_CHAIN:
        return check_names(c, n->lhs, scope) | check_names(c, n->rhs, scope);
    default:
        return 0;
    }
}

static int check_let(Checker *c, const LrStmt *st)
{
    int scope = c->let_count;
    if (scope < c->all_lets && c->lets[scope].stmt == st)
        c->let_count++;
    else
        return -1; /* not registered: already reported */
    return check_names(c, st->value, scope);
}

static int check_stmt(Checker *c, const LrStmt *st, LrSpec *spec, Seen *seen, LrSpan *on)
{
    switch (st->kind) {
    case STMT_SEED: {
        int64_t seed;
        if (check_duplicate(c, st, &seen->seed) < 0 ||
            eval_int(c, (Scoped){st->value, c->let_count}, "seed", 0, 9007199254740992.0,
                     &seed) < 0)
            return -1;
        spec->seed = (uint64_t)seed;
        spec->has_seed = true;
        return 0;
    }
    case STMT_LET:
        return check_let(c, st);
    case STMT_DATASET:
        if (seen->dataset) {
            diag_error(c->diag, c->src, st->keyword,
                       "a second dataset is not supported yet (the first is at line %d)",
                       line_of(c, seen->dataset->keyword));
            return -1;
        }
        seen->dataset = st;
        return check_dataset(c, st, spec);
    case STMT_MODEL: {
        if (check_duplicate(c, st, &seen->model) < 0)
            return -1;
        LrLayerSpec *layers_out = arena_array(c->arena, SPEC_MAX_LAYERS, sizeof *layers_out);
        if (!layers_out) {
            diag_error(c->diag, c->src, st->span, "out of memory");
            return -1;
        }
        int count = 0;
        if (collect_layers(c, (Scoped){st->value, c->let_count}, layers_out, &count) < 0)
            return -1;
        spec->layers = layers_out;
        spec->layer_count = count;
        spec->has_model = true;
        return 0;
    }
    case STMT_LOSS: {
        if (check_duplicate(c, st, &seen->loss) < 0)
            return -1;
        Scoped v = resolve(c, (Scoped){st->value, c->let_count});
        LrSpan name;
        const LrNode *args;
        if (as_call(c, v, "a loss", &name, &args) < 0)
            return -1;
        int kind = lookup(c, losses, name, "loss");
        if (kind < 0)
            return -1;
        if (args) {
            diag_error(c->diag, c->src, args->span, "'%.*s' takes no arguments",
                       (int)name.length, AST_TEXT(c->src, name));
            return -1;
        }
        spec->loss = (LrLossKind)kind;
        spec->loss_span = st->span;
        spec->has_loss = true;
        return 0;
    }
    case STMT_OPTIMIZER:
        if (check_duplicate(c, st, &seen->optimizer) < 0)
            return -1;
        return check_optimizer(c, st, spec);
    case STMT_TRAIN:
        if (check_duplicate(c, st, &seen->train) < 0)
            return -1;
        return check_train(c, st, spec, on);
    case STMT_USE:
    case STMT_EVALUATE:
    case STMT_SAVE:
    case STMT_LOAD:
    case STMT_MINIMIZE:
        report_unsupported(c, st->keyword);
        return -1;
    }
    return 0;
}

/* A `train` needs everything it trains with. */
static void check_complete(Checker *c, const Seen *seen, const LrSpec *spec, LrSpan on)
{
    if (!seen->train) {
        LrSpan end = {(uint32_t)c->src->length, 0};
        diag_error(c->diag, c->src, end, "nothing to run: add a 'train' statement");
        return;
    }
    static const char *const needs[] = {"dataset", "model", "loss", "optimizer"};
    const LrStmt *have[] = {seen->dataset, seen->model, seen->loss, seen->optimizer};
    for (int i = 0; i < 4; i++)
        if (!have[i])
            diag_error(c->diag, c->src, seen->train->keyword,
                       "train needs a %s: add a '%s' statement", needs[i], needs[i]);
    if (spec->has_model && spec->has_dataset) {
        const LrLayerSpec *last = &spec->layers[spec->layer_count - 1];
        if (last->units != 1)
            diag_error(c->diag, c->src, last->span,
                       "the last layer has %d units but the dataset has 1 target per sample",
                       last->units);
    }
    if (on.length && seen->dataset && spec->has_dataset &&
        !span_is(c, on, spec->dataset.name)) {
        const char *names[] = {spec->dataset.name, NULL};
        const char *guess = diag_suggest(AST_TEXT(c->src, on), on.length, names);
        if (guess)
            diag_error(c->diag, c->src, on, "unknown dataset '%.*s'; did you mean '%s'?",
                       (int)on.length, AST_TEXT(c->src, on), guess);
        else
            diag_error(c->diag, c->src, on, "unknown dataset '%.*s'", (int)on.length,
                       AST_TEXT(c->src, on));
    }
}

int check_program(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrSpec *spec)
{
    memset(spec, 0, sizeof *spec);
    Checker c = {prog->src, arena, diag, NULL, 0, 0, prog};
    c.lets = arena_array(arena, CHECK_MAX_LETS, sizeof *c.lets);
    if (!c.lets) {
        diag_error(diag, NULL, (LrSpan){0, 0}, "out of memory");
        return -1;
    }
    int before = diag->errors;
    for (const LrStmt *st = prog->first; st; st = st->next)
        if (st->kind == STMT_LET)
            register_let(&c, st);
    Seen seen = {0};
    LrSpan on = {0, 0};
    for (const LrStmt *st = prog->first; st; st = st->next)
        check_stmt(&c, st, spec, &seen, &on);
    if (diag->errors == before)
        check_complete(&c, &seen, spec, on);
    return diag->errors == before ? 0 : -1;
}

int check_schedule(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrScheduleSpec *out)
{
    Checker c = {prog->src, arena, diag, NULL, 0, 0, prog};
    return eval_schedule(&c, (Scoped){prog->expr, 0}, out);
}
