/* check.c — from AST to Spec. See check.h.
 *
 * Values are evaluated where they are used, in the context that gives them
 * meaning: `relu` is an activation after `activation=`, `sgd` an optimizer
 * after `optimizer`. This file holds the statements' checks and the words of
 * the language; lets and folding (fold.c), modules and paths (modules.c) live
 * beside it (check_int.h lists the files). */
#include "check.h"
#include "check_int.h"

#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---------------------------------------------------------------- names */

/* The tables of words.h, under the names the checks below use. */
static const LrWord *const sources = words_sources;
static const LrWord *const layers = words_layers;
static const LrWord *const activations = words_activations;
static const LrWord *const initializers = words_initializers;
static const LrWord *const losses = words_losses;
static const LrWord *const metric_names = words_metrics;
static const LrWord *const optimizers = words_optimizers;
static const LrWord *const normalizers = words_normalizers;
static const LrWord *const schedules = words_schedules;
static const LrWord *const functions = words_functions;
static const LrWord *const constants = words_constants;

static int span_is(const Checker *c, LrSpan span, const char *word)
{
    size_t n = strlen(word);
    return span.length == n && memcmp(AST_TEXT(c->src, span), word, n) == 0;
}

static const LrWord *table_find(const Checker *c, const LrWord *table, LrSpan span)
{
    return words_find(table, AST_TEXT(c->src, span), span.length);
}

/* The names of a table that lrc supports, as "a, b, c" (at most size bytes). */
static void supported_names(const LrWord *table, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const LrWord *e = table; e->name && used < size; e++)
        if (e->supported)
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", e->name);
}

/* Reports "unknown KIND 'x'; did you mean 'y'?" over a table's names, or,
 * when none is close, lists them (but not the functions, where a let
 * function is valid too). */
static void report_unknown(Checker *c, LrSpan span, const char *kind, const LrWord *table)
{
    if (!diag_showing(c->diag)) {
        diag_error(c->diag, c->src, span, "unknown %s", kind);
        return;
    }
    const char *names[64];
    int n = 0;
    for (const LrWord *e = table; e->name && n < 63; e++)
        if (e->supported)
            names[n++] = e->name;
    names[n] = NULL;
    const char *guess = diag_suggest(AST_TEXT(c->src, span), span.length, names);
    char all[512] = "";
    if (!guess && table != functions)
        supported_names(table, all, sizeof all);
    if (guess)
        diag_error(c->diag, c->src, span, "unknown %s '%.*s'; did you mean '%s'?", kind,
                   (int)span.length, AST_TEXT(c->src, span), guess);
    else
        diag_error(c->diag, c->src, span, "unknown %s '%.*s'%s%s", kind, (int)span.length,
                   AST_TEXT(c->src, span), all[0] ? "; expected one of " : "", all);
}

/* A name of the language (or of other frameworks) that lrc does not
 * implement: says so, with what it has instead. */
static void report_unsupported(Checker *c, LrSpan span, const char *kind, const LrWord *table)
{
    char all[512] = "";
    if (table != functions)
        supported_names(table, all, sizeof all);
    diag_error(c->diag, c->src, span, "%s '%.*s' is not supported yet%s%s", kind,
               (int)span.length, AST_TEXT(c->src, span), all[0] ? "; use one of " : "", all);
}

/* Finds name in table; reports unknown or unsupported names. Returns the
 * entry's code, or -1 after an error. */
static int lookup(Checker *c, const LrWord *table, LrSpan span, const char *kind)
{
    const LrWord *e = table_find(c, table, span);
    if (!e) {
        report_unknown(c, span, kind, table);
        return -1;
    }
    if (!e->supported) {
        report_unsupported(c, span, kind, table);
        return -1;
    }
    return e->code;
}

/* ------------------------------------------------ words, for other files */

int check_span_is(const Checker *c, LrSpan span, const char *word)
{
    return span_is(c, span, word);
}

/* What a callee that is not a math function is, for "expected a number,
 * got a schedule". */
const char *check_word_kind(const Checker *c, LrSpan name)
{
    if (table_find(c, schedules, name))
        return "a schedule";
    if (table_find(c, layers, name))
        return "a layer";
    if (table_find(c, initializers, name))
        return "an initializer";
    if (table_find(c, sources, name))
        return "a data source";
    if (table_find(c, losses, name) || table_find(c, optimizers, name))
        return "a statement's value";
    return NULL;
}

int check_is_known_word(const Checker *c, LrSpan span)
{
    static const LrWord *const tables[] = {
        words_sources,    words_layers,    words_activations, words_initializers,
        words_losses,     words_optimizers, words_schedules,  words_functions,
        words_metrics,    words_normalizers};
    if (table_find(c, constants, span))
        return 1;
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        if (table_find(c, tables[i], span))
            return 1;
    return 0;
}

bool check_constant(const Checker *c, LrSpan name, double *value)
{
    /* Not every C library defines M_PI and M_E in strict C11 mode. */
    static const double values[] = {[CONST_PI] = 3.14159265358979323846,
                                    [CONST_E] = 2.71828182845904523536};
    const LrWord *e = table_find(c, constants, name);
    if (e && value)
        *value = values[e->code];
    return e != NULL;
}

bool check_is_function(const Checker *c, LrSpan name)
{
    return table_find(c, functions, name) != NULL;
}

bool check_is_activation(const Checker *c, LrSpan name)
{
    return table_find(c, activations, name) != NULL;
}

int check_math_function(Checker *c, LrSpan name, bool report, int *arity)
{
    static const LrExprOp ops[] = {
        [FN_SIN] = EXPR_SIN,   [FN_COS] = EXPR_COS,   [FN_TAN] = EXPR_TAN,
        [FN_EXP] = EXPR_EXP,   [FN_LOG] = EXPR_LOG,   [FN_SQRT] = EXPR_SQRT,
        [FN_ABS] = EXPR_ABS,   [FN_SINH] = EXPR_SINH, [FN_COSH] = EXPR_COSH,
        [FN_TANH] = EXPR_TANH, [FN_POW] = EXPR_POW,   [FN_MIN] = EXPR_MIN,
        [FN_MAX] = EXPR_MAX};
    int fn;
    if (report) {
        fn = lookup(c, functions, name, "function");
    } else {
        const LrWord *e = table_find(c, functions, name);
        fn = e && e->supported ? e->code : -1;
    }
    if (fn < 0)
        return -1;
    *arity = fn == FN_POW ? 2 : (fn == FN_MIN || fn == FN_MAX) ? -1 : 1;
    return (int)ops[fn];
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
            const char *guess = diag_showing(c->diag)
                                    ? diag_suggest(AST_TEXT(c->src, a->name), a->name.length, names)
                                    : NULL;
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
    return (Scoped){bound->kind == AST_KEYWORD ? bound->lhs : bound, scope, NULL};
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

/* An option of a schedule or an optimizer as a row: its name, whether it
 * is required, its default, its valid range with the message when out of
 * it, and the field of the spec it fills. A new option is a row. */
typedef enum OptionType { OPTION_NUMBER, OPTION_BOOL, OPTION_OTHER /* the caller's */ } OptionType;

typedef enum OptionRange {
    RANGE_ANY,
    RANGE_NONNEGATIVE, /* >= 0 */
    RANGE_POSITIVE,    /* > 0 */
    RANGE_FRACTION,    /* >= 0 and < 1 */
    RANGE_UNIT         /* from 0 to 1 */
} OptionRange;

typedef struct OptionRow {
    const char *name;
    int required;
    OptionType type;
    size_t field;         /* offsetof in the spec: a double, or a bool */
    double dflt;
    int default_from;     /* 1 + the row whose value an absent option takes; 0: dflt */
    OptionRange valid;
    bool whole;           /* an integer */
    bool given_only;      /* the default is outside the range (clip_norm's 0: none) */
    bool checked_last;    /* after the other rows (a schedule's initial and steps) */
    const char *range;    /* reported at the value when it is out of range */
} OptionRow;

/* Designated initializers for the rows' common shapes. */
#define ROW_NUMBER(n, req, f, d) .name = n, .required = req, .type = OPTION_NUMBER, .field = f, .dflt = d
#define ROW_BOOL(n, f, d) .name = n, .type = OPTION_BOOL, .field = f, .dflt = d

/* Binds args to rows (as bind_args does with params). */
static int bind_rows(Checker *c, const char *what, LrSpan where, const LrNode *args,
                     int allow_positional, const OptionRow *rows, const LrNode **bound)
{
    Param params[MAX_PARAMS + 1];
    int n = 0;
    for (; rows[n].name; n++)
        params[n] = (Param){rows[n].name, rows[n].required};
    params[n] = (Param){NULL, 0};
    return bind_args(c, what, where, args, allow_positional, params, bound);
}

static bool row_in_range(const OptionRow *r, double x)
{
    if (r->whole && x != floor(x))
        return false;
    switch (r->valid) {
    case RANGE_ANY: return true;
    case RANGE_NONNEGATIVE: return x >= 0;
    case RANGE_POSITIVE: return x > 0;
    case RANGE_FRACTION: return x >= 0 && x < 1;
    case RANGE_UNIT: return x >= 0 && x <= 1;
    }
    return false;
}

/* Evaluates the bound options (defaults for the absent) into spec's
 * fields, in row order, then checks their ranges: the rows checked_last
 * after the others; where is the span a range error falls back to. */
static int eval_rows(Checker *c, const OptionRow *rows, const LrNode **bound, int scope,
                     LrSpan where, void *spec)
{
    char *base = spec;
    for (int i = 0; rows[i].name; i++) {
        const OptionRow *r = &rows[i];
        if (r->type == OPTION_NUMBER) {
            double dflt = r->default_from ? *(double *)(base + rows[r->default_from - 1].field)
                                          : r->dflt;
            if (opt_number(c, bound[i], scope, dflt, (double *)(base + r->field)) < 0)
                return -1;
        } else if (r->type == OPTION_BOOL &&
                   opt_bool(c, bound[i], scope, r->dflt != 0, (bool *)(base + r->field)) < 0) {
            return -1;
        }
    }
    for (int last = 0; last < 2; last++)
        for (int i = 0; rows[i].name; i++) {
            const OptionRow *r = &rows[i];
            if (r->type != OPTION_NUMBER || !r->range || r->checked_last != last ||
                (r->given_only && !bound[i]))
                continue;
            if (!row_in_range(r, *(double *)(base + r->field)))
                return range_error(c, bound[i], scope, where, r->range);
        }
    return 0;
}

/* ----------------------------------------------------------- schedules */

#define SCHED(f) offsetof(LrScheduleSpec, f)
/* Every decaying schedule starts with these two. */
#define SCHED_INITIAL {ROW_NUMBER("initial", 1, SCHED(initial), 0), .valid = RANGE_NONNEGATIVE, .checked_last = true, \
                       .range = "initial learning rate must be >= 0"}
#define SCHED_STEPS {ROW_NUMBER("steps", 1, SCHED(steps), 0), .valid = RANGE_POSITIVE, \
                     .checked_last = true, .range = "decay steps must be > 0"}
static const OptionRow exp_decay_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("rate", 1, SCHED(rate), 0), .valid = RANGE_POSITIVE, .range = "decay rate must be > 0"},
    {ROW_BOOL("staircase", SCHED(staircase), 0)},
    {0}};
static const OptionRow inverse_time_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("rate", 1, SCHED(rate), 0), .valid = RANGE_NONNEGATIVE, .range = "decay rate must be >= 0"},
    {ROW_BOOL("staircase", SCHED(staircase), 0)},
    {0}};
static const OptionRow polynomial_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("end", 0, SCHED(end), 0.0001), .valid = RANGE_NONNEGATIVE, .range = "end must be >= 0"},
    {ROW_NUMBER("power", 0, SCHED(power), 1.0), .valid = RANGE_POSITIVE, .range = "power must be > 0"},
    {ROW_BOOL("cycle", SCHED(cycle), 0)},
    {0}};
static const OptionRow cosine_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("alpha", 0, SCHED(alpha), 0), .valid = RANGE_UNIT,
     .range = "alpha must be between 0 and 1"},
    {ROW_NUMBER("warmup", 0, SCHED(warmup), 0), .valid = RANGE_NONNEGATIVE, .whole = true,
     .range = "warmup must be an integer >= 0"},
    {ROW_NUMBER("target", 0, SCHED(target), 0), .default_from = 1, .valid = RANGE_NONNEGATIVE,
     .range = "target must be >= 0"},
    {0}};
static const OptionRow *const schedule_rows[] = {
    [SCHED_EXP_DECAY] = exp_decay_rows, [SCHED_INVERSE_TIME] = inverse_time_rows,
    [SCHED_POLYNOMIAL] = polynomial_rows, [SCHED_COSINE] = cosine_rows};
enum { COSINE_TARGET = 4 };

static int eval_schedule(Checker *c, Scoped v, LrScheduleSpec *s)
{
    v = resolve(c, v);
    memset(s, 0, sizeof *s);
    const LrNode *n = v.node;
    if (n->kind != AST_CALL || table_find(c, functions, n->name) || called_function(c, v)) {
        /* A plain number (or arithmetic on numbers): a constant rate. */
        if (n->kind == AST_NAME && !table_find(c, constants, n->name) &&
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
    if (s->kind != SCHED_PIECEWISE) {
        const OptionRow *rows = schedule_rows[s->kind];
        if (bind_rows(c, what, n->span, n->items, 1, rows, b) < 0)
            return -1;
        s->has_target = s->kind == SCHED_COSINE && b[COSINE_TARGET] != NULL;
        return eval_rows(c, rows, b, sc, n->span, s);
    }
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
    case INIT_GLOROT_UNIFORM:
    case INIT_GLOROT_NORMAL:
    case INIT_HE_NORMAL:
    case INIT_HE_UNIFORM:
    case INIT_LECUN_NORMAL: {
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

static int eval_dense(Checker *c, Scoped v, const LrNode *args, LrLayerSpec *layer)
{
    static const Param p[] = {{"units", 1},     {"activation", 0}, {"init", 0},
                              {"bias_init", 0}, {"l2", 0},         {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    int64_t units;
    if (bind_args(c, words_name(layers, LAYER_DENSE), v.node->span, args, 1, p, b) < 0 ||
        eval_int(c, arg_value(b[0], sc), "units", 1, SPEC_MAX_UNITS, &units) < 0 ||
        opt_number(c, b[4], sc, 0, &layer->l2) < 0)
        return -1;
    if (layer->l2 < 0)
        return range_error(c, b[4], sc, v.node->span, "l2 must be >= 0");
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
    layer->init.kind = INIT_GLOROT_UNIFORM; /* Keras Dense defaults */
    layer->bias_init.kind = INIT_ZEROS;
    if (b[2] && eval_init(c, arg_value(b[2], sc), &layer->init) < 0)
        return -1;
    if (b[3] && eval_init(c, arg_value(b[3], sc), &layer->bias_init) < 0)
        return -1;
    return 0;
}

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
    layer->span = v.node->span;
    const LrNode *b[MAX_PARAMS];
    if (kind >= LAYER_WORD_ACTIVATION) {
        static const Param p[] = {{NULL, 0}};
        layer->kind = LAYER_ACTIVATION;
        layer->activation = (LrActivation)(kind - LAYER_WORD_ACTIVATION);
        return bind_args(c, activations[layer->activation].name, v.node->span, args, 1, p, b);
    }
    if (kind == LAYER_DROPOUT) {
        static const Param p[] = {{"rate", 1}, {NULL, 0}};
        layer->kind = LAYER_DROPOUT;
        if (v.node->kind == AST_NAME) {
            diag_error(c->diag, c->src, v.node->span, "dropout needs 'rate'");
            return -1;
        }
        if (bind_args(c, words_name(layers, LAYER_DROPOUT), v.node->span, args, 1, p, b) < 0 ||
            opt_number(c, b[0], v.scope, 0, &layer->rate) < 0)
            return -1;
        if (layer->rate < 0 || layer->rate >= 1)
            return range_error(c, b[0], v.scope, v.node->span,
                               "dropout rate must be >= 0 and < 1");
        return 0;
    }
    layer->kind = LAYER_DENSE;
    if (v.node->kind == AST_NAME) {
        diag_error(c->diag, c->src, v.node->span, "dense needs 'units'");
        return -1;
    }
    return eval_dense(c, v, args, layer);
}

/* Flattens a `->` chain (possibly through lets) into spec->layers. */
static int collect_layers(Checker *c, Scoped v, LrLayerSpec *out, int *count)
{
    v = resolve(c, v);
    if (v.node->kind == AST_CHAIN) {
        return collect_layers(c, (Scoped){v.node->lhs, v.scope, NULL}, out, count) < 0 ||
                       collect_layers(c, (Scoped){v.node->rhs, v.scope, NULL}, out, count) < 0
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
    const LrStmt *model, *loss, *optimizer, *train, *seed, *load, *save;
    const LrStmt *datasets[SPEC_MAX_DATASETS];
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

char *span_string(Checker *c, LrSpan span)
{
    return arena_strndup(c->arena, AST_TEXT(c->src, span), span.length);
}

static int eval_string(Checker *c, Scoped v, const char *what, const char **out, LrSpan *span)
{
    v = resolve(c, v);
    if (v.node->kind != AST_STRING) {
        diag_error(c->diag, c->src, v.node->span, "%s must be a string, got %s", what,
                   describe(v.node));
        return -1;
    }
    *out = v.node->text;
    if (span)
        *span = v.node->span;
    return 0;
}

/* A list of strings (column names), copied into the arena, with the span
 * of the list and of each string. */
static int eval_string_list(Checker *c, Scoped v, const char *what, const char *const **out,
                            int *count, LrSpan *span, const LrSpan **item_spans)
{
    v = resolve(c, v);
    if (v.node->kind != AST_LIST || v.node->count == 0) {
        diag_error(c->diag, c->src, v.node->span, "%s must be a non-empty list of strings",
                   what);
        return -1;
    }
    const char **xs = arena_array(c->arena, (size_t)v.node->count, sizeof *xs);
    LrSpan *spans = arena_array(c->arena, (size_t)v.node->count, sizeof *spans);
    if (!xs || !spans) {
        diag_error(c->diag, c->src, v.node->span, "out of memory");
        return -1;
    }
    int i = 0;
    for (const LrNode *e = v.node->items; e; e = e->next, i++)
        if (eval_string(c, (Scoped){e, v.scope, NULL}, what, &xs[i], &spans[i]) < 0)
            return -1;
    *out = xs;
    *item_spans = spans;
    *count = i;
    *span = v.node->span;
    return 0;
}

static int check_csv(Checker *c, Scoped v, const LrNode *args, LrDatasetSpec *d)
{
    static const Param p[] = {{"path", 1},   {"label", 0},  {"labels", 0}, {"features", 0},
                              {"header", 0}, {"delimiter", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    if (bind_args(c, words_name(sources, DATA_CSV), v.node->span, args, 1, p, b) < 0 ||
        eval_string(c, arg_value(b[0], sc), "the path", &d->path, NULL) < 0 ||
        opt_bool(c, b[4], sc, true, &d->header) < 0)
        return -1;
    d->resolved_path = resolve_path(c, d->path, v.node->span);
    d->portable_path = portable_path(c, d->path, v.node->span);
    if (sandbox_allows(c, resolve(c, arg_value(b[0], sc)).node->span, d->resolved_path, false) < 0)
        return -1;
    if (!b[1] == !b[2]) {
        diag_error(c->diag, c->src, v.node->span,
                   b[1] ? "csv takes 'label' or 'labels', not both"
                        : "csv needs the target column: label=\"name\" or labels=[...]");
        return -1;
    }
    if (b[1]) {
        const char **one = arena_alloc(c->arena, sizeof *one);
        if (!one || eval_string(c, arg_value(b[1], sc), "label", one, &d->label_span) < 0)
            return -1;
        d->labels = one;
        d->label_count = 1;
    } else if (eval_string_list(c, arg_value(b[2], sc), "labels", &d->labels, &d->label_count,
                                &d->label_span, &d->label_spans) < 0) {
        return -1;
    }
    if (b[3] && eval_string_list(c, arg_value(b[3], sc), "features", &d->feature_names,
                                 &d->feature_count, &d->features_span, &d->feature_spans) < 0)
        return -1;
    d->delimiter = ',';
    if (b[5]) {
        const char *delim;
        LrSpan span;
        if (eval_string(c, arg_value(b[5], sc), "delimiter", &delim, &span) < 0)
            return -1;
        if (strlen(delim) != 1 || delim[0] == '"' || delim[0] == '\n' || delim[0] == '\r') {
            diag_error(c->diag, c->src, span, "delimiter must be one character (not a quote or newline)");
            return -1;
        }
        d->delimiter = delim[0];
    }
    return 0;
}

static int check_generator(Checker *c, Scoped v, const LrNode *args, LrDatasetSpec *d,
                           const char *what)
{
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    int64_t n = 0, features = 2, classes = 2;
    switch (d->kind) {
    case DATA_LINEAR: {
        static const Param p[] = {{"n", 1},       {"features", 1}, {"low", 0},   {"high", 0},
                                  {"weights", 0}, {"bias", 0},     {"noise", 0}, {NULL, 0}};
        if (bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
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
        double *w = NULL;
        int count = d->features;
        if (b[4]) {
            if (eval_number_list(c, arg_value(b[4], sc), "weights", &w, &count) < 0)
                return -1;
            if (count != d->features) {
                char msg[96];
                snprintf(msg, sizeof msg, "weights has %d entr%s but features=%d", count,
                         count == 1 ? "y" : "ies", d->features);
                return range_error(c, b[4], sc, v.node->span, msg);
            }
        } else {
            w = arena_array(c->arena, (size_t)d->features, sizeof *w);
            if (!w) {
                diag_error(c->diag, c->src, v.node->span, "out of memory");
                return -1;
            }
            for (int i = 0; i < d->features; i++)
                w[i] = 1.0; /* documented default: every weight 1 */
        }
        d->weights = w;
        return 0;
    }
    case DATA_BLOBS: {
        static const Param p[] = {{"n", 1}, {"features", 1}, {"classes", 1}, {"spread", 0}, {NULL, 0}};
        if (bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
            eval_int(c, arg_value(b[0], sc), "n", 1, 9.2e18, &n) < 0 ||
            eval_int(c, arg_value(b[1], sc), "features", 1, SPEC_MAX_UNITS, &features) < 0 ||
            eval_int(c, arg_value(b[2], sc), "classes", 2, SPEC_MAX_UNITS, &classes) < 0 ||
            opt_number(c, b[3], sc, 1.0, &d->spread) < 0)
            return -1;
        if (d->spread < 0)
            return range_error(c, b[3], sc, v.node->span, "spread must be >= 0");
        break;
    }
    case DATA_MOONS: {
        static const Param p[] = {{"n", 1}, {"noise", 0}, {NULL, 0}};
        if (bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
            eval_int(c, arg_value(b[0], sc), "n", 2, 9.2e18, &n) < 0 ||
            opt_number(c, b[1], sc, 0, &d->noise) < 0)
            return -1;
        if (d->noise < 0)
            return range_error(c, b[1], sc, v.node->span, "noise must be >= 0");
        break;
    }
    case DATA_SPIRAL: {
        static const Param p[] = {{"n", 1}, {"classes", 1}, {"noise", 0}, {NULL, 0}};
        if (bind_args(c, what, v.node->span, args, 1, p, b) < 0 ||
            eval_int(c, arg_value(b[0], sc), "n", 1, 9.2e18, &n) < 0 ||
            eval_int(c, arg_value(b[1], sc), "classes", 2, SPEC_MAX_UNITS, &classes) < 0 ||
            opt_number(c, b[2], sc, 0, &d->noise) < 0)
            return -1;
        if (d->noise < 0)
            return range_error(c, b[2], sc, v.node->span, "noise must be >= 0");
        if (n < classes)
            return range_error(c, b[0], sc, v.node->span, "spiral needs at least one point per class");
        break;
    }
    case DATA_CSV:
        break;
    }
    d->n = n;
    d->features = (int)features;
    d->classes = (int)classes;
    return 0;
}

static int check_dataset(Checker *c, const LrStmt *st, LrSpec *spec, Seen *seen)
{
    if (spec->dataset_count == SPEC_MAX_DATASETS) {
        diag_error(c->diag, c->src, st->keyword, "too many datasets (limit is %d)",
                   SPEC_MAX_DATASETS);
        return -1;
    }
    for (int i = 0; st->name.length && i < spec->dataset_count; i++) {
        if (span_is(c, st->name, spec->datasets[i].name)) {
            diag_error(c->diag, c->src, st->name, "dataset '%s' is already defined (at line %d)",
                       spec->datasets[i].name, line_of(c, seen->datasets[i]->keyword));
            return -1;
        }
    }
    LrDatasetSpec *d = &spec->datasets[spec->dataset_count];
    memset(d, 0, sizeof *d);
    d->span = st->span;
    d->name = st->name.length ? span_string(c, st->name) : "";
    static const Param opts[] = {{"validation", 0}, {"test", 0}, {"normalize", 0}, {NULL, 0}};
    const LrNode *o[MAX_PARAMS];
    int sc = c->let_count;
    if (bind_args(c, "dataset", st->keyword, st->options, 0, opts, o) < 0 ||
        opt_number(c, o[0], sc, 0, &d->validation) < 0 || opt_number(c, o[1], sc, 0, &d->test) < 0)
        return -1;
    if (d->validation < 0 || d->validation >= 1)
        return range_error(c, o[0], sc, st->span, "validation must be a fraction >= 0 and < 1");
    if (d->test < 0 || d->test >= 1)
        return range_error(c, o[1], sc, st->span, "test must be a fraction >= 0 and < 1");
    if (d->validation + d->test >= 1)
        return range_error(c, o[1], sc, st->span,
                           "validation and test together must leave rows for training");
    d->normalize = NORM_NONE;
    if (o[2]) {
        Scoped nv = resolve(c, arg_value(o[2], sc));
        if (nv.node->kind != AST_NAME) {
            diag_error(c->diag, c->src, nv.node->span,
                       "normalize must be standard, minmax or none, got %s", describe(nv.node));
            return -1;
        }
        int kind = lookup(c, normalizers, nv.node->name, "normalization");
        if (kind < 0)
            return -1;
        d->normalize = (LrNormalizeKind)kind;
    }
    Scoped v = resolve(c, (Scoped){st->value, sc, NULL});
    LrSpan name;
    const LrNode *args;
    if (as_call(c, v, "a data source", &name, &args) < 0)
        return -1;
    int kind = lookup(c, sources, name, "data source");
    if (kind < 0)
        return -1;
    d->kind = (LrSourceKind)kind;
    if (v.node->kind == AST_NAME) {
        diag_error(c->diag, c->src, v.node->span, "'%.*s' needs arguments", (int)name.length,
                   AST_TEXT(c->src, name));
        return -1;
    }
    int status = d->kind == DATA_CSV ? check_csv(c, v, args, d)
                                     : check_generator(c, v, args, d, sources[kind].name);
    if (status < 0) {
        c->failed_datasets++;
        return -1;
    }
    seen->datasets[spec->dataset_count++] = st;
    return 0;
}

/* NAME, NAME.validation or NAME.test, among the datasets defined so far. */
static int eval_data_ref(Checker *c, Scoped v, const LrSpec *spec, LrDataRef *ref)
{
    v = resolve(c, v);
    const LrNode *n = v.node;
    ref->span = n->span;
    ref->part = PART_TRAIN;
    if (n->kind == AST_MEMBER) {
        if (span_is(c, n->name, "validation"))
            ref->part = PART_VALIDATION;
        else if (span_is(c, n->name, "test"))
            ref->part = PART_TEST;
        else {
            static const char *const parts[] = {"validation", "test", NULL};
            const char *guess = diag_suggest(AST_TEXT(c->src, n->name), n->name.length, parts);
            diag_error(c->diag, c->src, n->name, "a dataset has no part '%.*s'%s%s%s",
                       (int)n->name.length, AST_TEXT(c->src, n->name),
                       guess ? "; did you mean '" : "; its parts are validation and test",
                       guess ? guess : "", guess ? "'?" : "");
            return -1;
        }
        n = n->lhs;
    }
    if (n->kind != AST_NAME) {
        diag_error(c->diag, c->src, n->span, "expected a dataset name, got %s", describe(n));
        return -1;
    }
    const char *names[SPEC_MAX_DATASETS + 1];
    int count = 0;
    for (int i = 0; i < spec->dataset_count; i++) {
        if (spec->datasets[i].name[0] && span_is(c, n->name, spec->datasets[i].name)) {
            ref->dataset = i;
            const LrDatasetSpec *d = &spec->datasets[i];
            if ((ref->part == PART_VALIDATION && d->validation == 0) ||
                (ref->part == PART_TEST && d->test == 0)) {
                const char *part = ref->part == PART_TEST ? "test" : "validation";
                diag_error(c->diag, c->src, v.node->span,
                           "dataset '%s' holds out no %s part; add %s=FRACTION to it", d->name,
                           part, part);
                return -1;
            }
            return 0;
        }
        if (spec->datasets[i].name[0])
            names[count++] = spec->datasets[i].name;
    }
    names[count] = NULL;
    if (c->failed_datasets)
        return -1;
    const char *guess = diag_showing(c->diag)
                            ? diag_suggest(AST_TEXT(c->src, n->name), n->name.length, names)
                            : NULL;
    if (guess)
        diag_error(c->diag, c->src, n->name, "unknown dataset '%.*s'; did you mean '%s'?",
                   (int)n->name.length, AST_TEXT(c->src, n->name), guess);
    else
        diag_error(c->diag, c->src, n->name, "unknown dataset '%.*s'", (int)n->name.length,
                   AST_TEXT(c->src, n->name));
    return -1;
}

static int eval_metrics(Checker *c, Scoped v, LrMetricKind *out, int *count)
{
    v = resolve(c, v);
    if (v.node->kind != AST_LIST) {
        diag_error(c->diag, c->src, v.node->span, "metrics must be a list, e.g. [accuracy]");
        return -1;
    }
    *count = 0;
    for (const LrNode *e = v.node->items; e; e = e->next) {
        Scoped m = resolve(c, (Scoped){e, v.scope, NULL});
        if (m.node->kind != AST_NAME) {
            diag_error(c->diag, c->src, m.node->span, "expected a metric name, got %s",
                       describe(m.node));
            return -1;
        }
        int kind = lookup(c, metric_names, m.node->name, "metric");
        if (kind < 0)
            return -1;
        if (*count == SPEC_MAX_METRICS) {
            diag_error(c->diag, c->src, m.node->span, "too many metrics (limit is %d)",
                       SPEC_MAX_METRICS);
            return -1;
        }
        out[(*count)++] = (LrMetricKind)kind;
    }
    return 0;
}

#define OPT(f) offsetof(LrOptimizerSpec, f)
/* One option table for all optimizers; each accepts its own subset, so
 * that a misplaced option is named as such. Defaults are Keras's. */
static const OptionRow optimizer_options[] = {
    {.name = "lr", .type = OPTION_OTHER}, /* a schedule */
    {ROW_NUMBER("momentum", 0, OPT(momentum), 0), .valid = RANGE_FRACTION,
     .range = "momentum must be >= 0 and < 1"},
    {ROW_BOOL("nesterov", OPT(nesterov), 0)},
    {ROW_NUMBER("beta1", 0, OPT(beta1), 0.9), .valid = RANGE_FRACTION,
     .range = "beta1 must be >= 0 and < 1"},
    {ROW_NUMBER("beta2", 0, OPT(beta2), 0.999), .valid = RANGE_FRACTION,
     .range = "beta2 must be >= 0 and < 1"},
    {ROW_NUMBER("epsilon", 0, OPT(epsilon), 1e-7), .valid = RANGE_POSITIVE,
     .range = "epsilon must be > 0"},
    {ROW_NUMBER("weight_decay", 0, OPT(weight_decay), 0), .valid = RANGE_NONNEGATIVE,
     .range = "weight_decay must be >= 0"},
    {ROW_NUMBER("rho", 0, OPT(rho), 0.9), .valid = RANGE_FRACTION,
     .range = "rho must be >= 0 and < 1"},
    {ROW_NUMBER("initial_accumulator", 0, OPT(initial_accumulator), 0),
     .valid = RANGE_NONNEGATIVE, .range = "initial_accumulator must be >= 0"},
    {ROW_NUMBER("clip_norm", 0, OPT(clip_norm), 0), .valid = RANGE_POSITIVE, .given_only = true,
     .range = "clip_norm must be > 0"},
    {0}};
enum { OPTION_LR = 0, OPTION_WEIGHT_DECAY = 6, OPTION_INITIAL_ACCUMULATOR = 8 };

/* An optimizer: the options it accepts, and the defaults that are its own. */
typedef struct OptimizerRow {
    const char *accepts;
    double lr, weight_decay, initial_accumulator;
} OptimizerRow;
static const OptimizerRow optimizer_rows[] = {
    [OPT_SGD] = {"lr momentum nesterov clip_norm", 0.01, 0, 0},
    [OPT_ADAM] = {"lr beta1 beta2 epsilon clip_norm", 0.001, 0, 0},
    [OPT_ADAMW] = {"lr beta1 beta2 epsilon weight_decay clip_norm", 0.001, 0.004, 0},
    [OPT_RMSPROP] = {"lr rho momentum epsilon clip_norm", 0.001, 0, 0},
    [OPT_ADAGRAD] = {"lr initial_accumulator epsilon clip_norm", 0.001, 0, 0.1}};

/* An optimizer named at name with its options (statement options, or a
 * call's named arguments); where is the span range errors fall back to. */
static int eval_optimizer(Checker *c, LrSpan name, const LrNode *options, LrSpan where,
                          LrOptimizerSpec *o)
{
    int kind = lookup(c, optimizers, name, "optimizer");
    if (kind < 0)
        return -1;
    memset(o, 0, sizeof *o);
    o->kind = (LrOptimizerKind)kind;
    o->span = where;
    const OptimizerRow *row = &optimizer_rows[kind];
    const char *oname = optimizers[kind].name;
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    if (bind_rows(c, oname, name, options, 0, optimizer_options, b) < 0)
        return -1;
    for (int i = 0; optimizer_options[i].name; i++) {
        if (!b[i])
            continue;
        const char *list = row->accepts, *option = optimizer_options[i].name;
        size_t len = strlen(option);
        const char *at = strstr(list, option);
        while (at && ((at != list && at[-1] != ' ') || (at[len] != ' ' && at[len] != '\0')))
            at = strstr(at + 1, option);
        if (!at) {
            diag_error(c->diag, c->src, b[i]->name, "%s has no option '%s' (its options: %s)",
                       oname, option, list);
            return -1;
        }
    }
    if (b[OPTION_LR]) {
        if (eval_schedule(c, arg_value(b[OPTION_LR], sc), &o->lr) < 0)
            return -1;
    } else {
        o->lr.kind = SCHED_CONSTANT;
        o->lr.initial = row->lr;
    }
    if (eval_rows(c, optimizer_options, b, sc, where, o) < 0)
        return -1;
    if (!b[OPTION_WEIGHT_DECAY])
        o->weight_decay = row->weight_decay;
    if (!b[OPTION_INITIAL_ACCUMULATOR])
        o->initial_accumulator = row->initial_accumulator;
    return 0;
}

static int check_optimizer(Checker *c, const LrStmt *st, LrSpec *spec)
{
    Scoped v = resolve(c, (Scoped){st->value, c->let_count, NULL});
    if (v.node->kind != AST_NAME) {
        diag_error(c->diag, c->src, v.node->span, "expected an optimizer name, got %s",
                   describe(v.node));
        return -1;
    }
    if (eval_optimizer(c, v.node->name, st->options, st->span, &spec->optimizer) < 0)
        return -1;
    spec->has_optimizer = true;
    return 0;
}

static int check_early_stop(Checker *c, Scoped v, LrEarlyStopSpec *e)
{
    v = resolve(c, v);
    if (v.node->kind != AST_CALL || !span_is(c, v.node->name, "patience")) {
        diag_error(c->diag, c->src, v.node->span,
                   "early_stop takes patience(N, min_delta=0, restore_best=true)");
        return -1;
    }
    static const Param p[] = {{"epochs", 1}, {"min_delta", 0}, {"restore_best", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    if (bind_args(c, "patience", v.node->span, v.node->items, 1, p, b) < 0 ||
        eval_int(c, arg_value(b[0], v.scope), "patience", 1, 1e9, &e->patience) < 0 ||
        opt_number(c, b[1], v.scope, 0, &e->min_delta) < 0 ||
        opt_bool(c, b[2], v.scope, true, &e->restore_best) < 0)
        return -1;
    if (e->min_delta < 0)
        return range_error(c, b[1], v.scope, v.node->span, "min_delta must be >= 0");
    e->enabled = true;
    return 0;
}

/* The dataset a statement uses by default: the only one there is. */
static int only_dataset(Checker *c, const LrStmt *st, const LrSpec *spec, LrDataRef *ref,
                        const char *what)
{
    if (spec->dataset_count == 1) {
        ref->dataset = 0;
        ref->part = PART_TRAIN;
        ref->span = st->keyword;
        return 0;
    }
    if (c->failed_datasets)
        return -1;
    if (spec->dataset_count == 0)
        diag_error(c->diag, c->src, st->keyword, "%s needs a dataset: add a 'dataset' statement",
                   what);
    else
        diag_error(c->diag, c->src, st->keyword,
                   "there are %d datasets: say which with %s on=NAME", spec->dataset_count, what);
    return -1;
}

static int check_train(Checker *c, const LrStmt *st, LrSpec *spec)
{
    static const Param p[] = {{"on", 0},      {"epochs", 0},  {"batch", 0},
                              {"shuffle", 0}, {"validation", 0}, {"metrics", 0},
                              {"early_stop", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    if (bind_args(c, "train", st->keyword, st->options, 0, p, b) < 0)
        return -1;
    LrTrainSpec *t = &spec->train;
    t->span = st->span;
    t->epochs = 1; /* Keras fit defaults */
    t->batch = 32;
    t->shuffle = true;
    t->validation.dataset = -1;
    if (b[0] ? eval_data_ref(c, arg_value(b[0], sc), spec, &t->on) < 0
             : only_dataset(c, st, spec, &t->on, "train") < 0)
        return -1;
    if ((b[1] && eval_int(c, arg_value(b[1], sc), "epochs", 1, 1e9, &t->epochs) < 0) ||
        (b[2] && eval_int(c, arg_value(b[2], sc), "batch", 1, 1e9, &t->batch) < 0) ||
        opt_bool(c, b[3], sc, true, &t->shuffle) < 0)
        return -1;
    if (b[4]) {
        if (eval_data_ref(c, arg_value(b[4], sc), spec, &t->validation) < 0)
            return -1;
    } else if (t->on.part == PART_TRAIN && spec->datasets[t->on.dataset].validation > 0) {
        t->validation = (LrDataRef){t->on.dataset, PART_VALIDATION, t->on.span};
    }
    if (b[5] && eval_metrics(c, arg_value(b[5], sc), t->metrics, &t->metric_count) < 0)
        return -1;
    if (b[6] && check_early_stop(c, arg_value(b[6], sc), &t->early_stop) < 0)
        return -1;
    spec->has_train = true;
    return 0;
}

static int check_evaluate(Checker *c, const LrStmt *st, LrSpec *spec)
{
    if (spec->evaluate_count == SPEC_MAX_EVALUATES) {
        diag_error(c->diag, c->src, st->keyword, "too many evaluate statements (limit is %d)",
                   SPEC_MAX_EVALUATES);
        return -1;
    }
    LrEvaluateSpec *e = &spec->evaluates[spec->evaluate_count];
    memset(e, 0, sizeof *e);
    e->span = st->span;
    static const Param p[] = {{"on", 0}, {"metrics", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    if (bind_args(c, "evaluate", st->keyword, st->options, 0, p, b) < 0)
        return -1;
    if (b[0]) {
        if (eval_data_ref(c, arg_value(b[0], sc), spec, &e->on) < 0)
            return -1;
    } else {
        /* Default: the held-out test part of the only dataset, else all of
         * its training part. */
        if (only_dataset(c, st, spec, &e->on, "evaluate") < 0)
            return -1;
        if (spec->datasets[0].test > 0)
            e->on.part = PART_TEST;
    }
    e->metric_count = -1; /* the train statement's, filled in at the end */
    if (b[1] && eval_metrics(c, arg_value(b[1], sc), e->metrics, &e->metric_count) < 0)
        return -1;
    spec->evaluate_count++;
    return 0;
}

static int check_path_stmt(Checker *c, const LrStmt *st, const char **out,
                           const char **portable, LrSpan *span)
{
    const char *path;
    if (eval_string(c, (Scoped){st->value, c->let_count, NULL}, "the path", &path, span) < 0)
        return -1;
    if (!path[0]) {
        diag_error(c->diag, c->src, *span, "the path is empty");
        return -1;
    }
    *out = resolve_path(c, path, *span);
    *portable = portable_path(c, path, *span);
    return 0;
}

static int check_minimize(Checker *c, const LrStmt *st, LrSpec *spec)
{
    if (spec->minimize_count == SPEC_MAX_MINIMIZES) {
        diag_error(c->diag, c->src, st->keyword, "too many minimize statements (limit is %d)",
                   SPEC_MAX_MINIMIZES);
        return -1;
    }
    LrMinimizeSpec *m = &spec->minimizes[spec->minimize_count];
    memset(m, 0, sizeof *m);
    m->span = st->span;
    m->text = span_string(c, st->value->span);
    int sc = c->let_count;
    /* The variables, with their starting points. */
    int n = 0;
    for (const LrNode *v = st->from; v; v = v->next, n++) {
        if (n == EXPR_MAX_VARS) {
            diag_error(c->diag, c->src, v->span, "too many variables (limit is %d)", EXPR_MAX_VARS);
            return -1;
        }
        for (const LrNode *w = st->from; w != v; w = w->next)
            if (w->name.length == v->name.length &&
                memcmp(AST_TEXT(c->src, w->name), AST_TEXT(c->src, v->name), v->name.length) == 0) {
                diag_error(c->diag, c->src, v->name, "variable '%.*s' is listed twice",
                           (int)v->name.length, AST_TEXT(c->src, v->name));
                return -1;
            }
        m->var_names[n] = span_string(c, v->name);
        if (eval_number(c, (Scoped){v->lhs, sc, NULL}, &m->start[n]) < 0)
            return -1;
    }
    m->var_count = n;
    static const Param p[] = {{"steps", 0}, {"lr", 0}, {"optimizer", 0}, {"trace", 0}, {NULL, 0}};
    const LrNode *b[MAX_PARAMS];
    if (bind_args(c, "minimize", st->keyword, st->options, 0, p, b) < 0)
        return -1;
    m->steps = 100;
    if ((b[0] && eval_int(c, arg_value(b[0], sc), "steps", 1, 1e9, &m->steps) < 0) ||
        opt_bool(c, b[3], sc, false, &m->trace) < 0)
        return -1;
    /* optimizer=NAME or optimizer=NAME(option=value, ...); lr= applies to it. */
    if (b[2]) {
        Scoped o = resolve(c, arg_value(b[2], sc));
        if (o.node->kind != AST_NAME && o.node->kind != AST_CALL) {
            diag_error(c->diag, c->src, o.node->span, "expected an optimizer, got %s",
                       describe(o.node));
            return -1;
        }
        if (eval_optimizer(c, o.node->name, o.node->kind == AST_CALL ? o.node->items : NULL,
                           st->span, &m->optimizer) < 0)
            return -1;
    } else {
        m->optimizer.kind = OPT_SGD;
        m->optimizer.span = st->span;
        m->optimizer.lr.kind = SCHED_CONSTANT;
        m->optimizer.lr.initial = 0.01;
    }
    if (b[1] && eval_schedule(c, arg_value(b[1], sc), &m->optimizer.lr) < 0)
        return -1;
    if (compile_formula(c, st->from, n, (Scoped){st->value, sc, NULL}, &m->expr) < 0)
        return -1;
    spec->minimize_count++;
    return 0;
}

static int check_stmt(Checker *c, const LrStmt *st, LrSpec *spec, Seen *seen)
{
    if (c->failed_lets && st->kind != STMT_LET && st->kind != STMT_USE)
        return -1;
    if (st->kind != STMT_LET && (check_no_sweep(c, st->value) | check_no_sweep(c, st->options) |
                                 check_no_sweep(c, st->from)) < 0)
        return -1;
    switch (st->kind) {
    case STMT_SEED: {
        int64_t seed;
        if (check_duplicate(c, st, &seen->seed) < 0 ||
            eval_int(c, (Scoped){st->value, c->let_count, NULL}, "seed", 0, 9007199254740992.0,
                     &seed) < 0)
            return -1;
        spec->seed = (uint64_t)seed;
        spec->has_seed = true;
        return 0;
    }
    case STMT_LET:
        return check_let(c, st);
    case STMT_DATASET:
        return check_dataset(c, st, spec, seen);
    case STMT_MODEL: {
        if (check_duplicate(c, st, &seen->model) < 0)
            return -1;
        LrLayerSpec *layers_out = arena_array(c->arena, SPEC_MAX_LAYERS, sizeof *layers_out);
        if (!layers_out) {
            diag_error(c->diag, c->src, st->span, "out of memory");
            return -1;
        }
        int count = 0;
        if (collect_layers(c, (Scoped){st->value, c->let_count, NULL}, layers_out, &count) < 0)
            return -1;
        spec->layers = layers_out;
        spec->layer_count = count;
        spec->has_model = true;
        return 0;
    }
    case STMT_LOSS: {
        if (check_duplicate(c, st, &seen->loss) < 0)
            return -1;
        Scoped v = resolve(c, (Scoped){st->value, c->let_count, NULL});
        LrSpan name;
        const LrNode *args;
        if (as_call(c, v, "a loss", &name, &args) < 0)
            return -1;
        int kind = lookup(c, losses, name, "loss");
        if (kind < 0)
            return -1;
        spec->loss.kind = (LrLossKind)kind;
        spec->loss.delta = 1.0; /* Keras Huber default */
        static const Param none[] = {{NULL, 0}};
        static const Param huber[] = {{"delta", 0}, {NULL, 0}};
        const LrNode *b[MAX_PARAMS];
        if (bind_args(c, losses[kind].name, v.node->span, args, 1,
                      kind == LOSS_HUBER ? huber : none, b) < 0)
            return -1;
        if (kind == LOSS_HUBER && opt_number(c, b[0], v.scope, 1.0, &spec->loss.delta) < 0)
            return -1;
        if (spec->loss.delta <= 0)
            return range_error(c, b[0], v.scope, v.node->span, "delta must be > 0");
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
        return check_train(c, st, spec);
    case STMT_EVALUATE:
        return check_evaluate(c, st, spec);
    case STMT_SAVE:
        if (check_duplicate(c, st, &seen->save) < 0)
            return -1;
        spec->save_span = st->span;
        return check_path_stmt(c, st, &spec->save_path, &spec->save_portable,
                               &spec->save_span) < 0 ||
                       sandbox_allows(c, spec->save_span, spec->save_path, true) < 0
                   ? -1
                   : 0;
    case STMT_LOAD:
        if (check_duplicate(c, st, &seen->load) < 0)
            return -1;
        spec->load_span = st->span;
        return check_path_stmt(c, st, &spec->load_path, &spec->load_portable,
                               &spec->load_span) < 0 ||
                       sandbox_allows(c, spec->load_span, spec->load_path, false) < 0
                   ? -1
                   : 0;
    case STMT_USE:
        return check_use(c, st);
    case STMT_MINIMIZE:
        return check_minimize(c, st, spec);
    }
    return 0;
}

/* How many target columns a dataset has: class-index data sets have one. */
static int dataset_targets(const LrDatasetSpec *d)
{
    return d->kind == DATA_CSV ? d->label_count : 1;
}

/* The model's output fits the loss and the data it is trained on. */
static void check_model_output(Checker *c, const LrSpec *spec)
{
    int width = 0;
    const LrLayerSpec *last_dense = NULL;
    for (int i = 0; i < spec->layer_count; i++)
        if (spec->layers[i].kind == LAYER_DENSE)
            last_dense = &spec->layers[i];
    const LrLayerSpec *last = &spec->layers[spec->layer_count - 1];
    if (!last_dense) {
        diag_error(c->diag, c->src, last->span, "the model has no dense layer: nothing to train");
        return;
    }
    width = last_dense->units;
    const LrDatasetSpec *d = &spec->datasets[spec->train.on.dataset];
    int targets = dataset_targets(d);
    LrLossKind loss = spec->loss.kind;
    if (loss == LOSS_CATEGORICAL_CROSSENTROPY) {
        if (width < 2) {
            diag_error(c->diag, c->src, last->span,
                       "categorical_crossentropy needs at least 2 outputs (for 2 classes with "
                       "one output, use binary_crossentropy)");
            return;
        }
        int classes = d->kind == DATA_MOONS ? 2 : d->classes;
        if (targets == 1 && classes > 0 && classes != width)
            diag_error(c->diag, c->src, last->span,
                       "the last layer has %d units but the dataset has %d classes", width,
                       classes);
        else if (targets != 1 && targets != width)
            diag_error(c->diag, c->src, last->span,
                       "the last layer has %d units but the dataset has %d one-hot label "
                       "columns", width, targets);
        return;
    }
    if (width != targets)
        diag_error(c->diag, c->src, last->span,
                   "the last layer has %d unit%s but the dataset has %d target%s per sample",
                   width, width == 1 ? "" : "s", targets, targets == 1 ? "" : "s");
}

/* A `train` needs everything it trains with. */
static void check_complete(Checker *c, const Seen *seen, LrSpec *spec)
{
    if (!seen->train) {
        if (spec->minimize_count > 0 && spec->evaluate_count == 0 && !seen->save)
            return;
        LrSpan end = {c->src->segment_count ? c->src->segments[0].length
                                            : (uint32_t)c->src->length, 0};
        diag_error(c->diag, c->src, end,
                   spec->minimize_count || spec->evaluate_count || seen->save
                       ? "evaluate and save need a 'train' statement"
                       : "nothing to run: add a 'train' or 'minimize' statement");
        return;
    }
    static const char *const needs[] = {"model", "loss", "optimizer"};
    const LrStmt *have[] = {seen->model, seen->loss, seen->optimizer};
    int missing = 0;
    for (int i = 0; i < 3; i++) {
        if (!have[i]) {
            diag_error(c->diag, c->src, seen->train->keyword,
                       "train needs a %s: add a '%s' statement", needs[i], needs[i]);
            missing = 1;
        }
    }
    if (missing || !spec->has_train)
        return;
    check_model_output(c, spec);
    for (int i = 0; i < spec->evaluate_count; i++) {
        LrEvaluateSpec *e = &spec->evaluates[i];
        if (e->metric_count < 0) {
            e->metric_count = spec->train.metric_count;
            memcpy(e->metrics, spec->train.metrics, sizeof e->metrics);
        }
    }
}

int check_program_with(const LrProgram *prog, LrSource *src, const LrCheckOptions *options,
                       LrArena *arena, LrDiag *diag, LrSpec *spec)
{
    static const LrCheckOptions none = {0};
    memset(spec, 0, sizeof *spec);
    Checker c = {.src = src, .modules_src = src, .options = options ? options : &none,
                 .arena = arena, .diag = diag, .prog = prog};
    if (fold_init_lets(&c) < 0) {
        diag_error(diag, NULL, (LrSpan){0, 0}, "out of memory");
        return -1;
    }
    int before = diag->errors;
    modules_begin(&c);
    register_program(&c, prog);
    if (diag->errors == before)
        apply_sets(&c);
    if (diag->errors == before)
        collect_sweeps(&c, spec);
    Seen seen;
    memset(&seen, 0, sizeof seen);
    if (diag->errors == before)
        for (const LrStmt *st = prog->first; st; st = st->next)
            check_stmt(&c, st, spec, &seen);
    if (diag->errors == before)
        check_complete(&c, &seen, spec);
    return diag->errors == before ? 0 : -1;
}

int check_program(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrSpec *spec)
{
    /* Without modules or --set nothing is appended to the source. */
    return check_program_with(prog, (LrSource *)prog->src, NULL, arena, diag, spec);
}

int check_schedule(const LrProgram *prog, LrArena *arena, LrDiag *diag, LrScheduleSpec *out)
{
    Checker c = {.src = prog->src, .arena = arena, .diag = diag, .prog = prog};
    return eval_schedule(&c, (Scoped){prog->expr, 0, NULL}, out);
}
