/* check.c — from AST to Spec. See check.h.
 *
 * Values are evaluated where they are used, in the context that gives them
 * meaning: `relu` is an activation after `activation=`, `sgd` an optimizer
 * after `optimizer`. This file holds the statements' checks and the words of
 * the language; lets and folding (fold.c), modules and paths (modules.c) live
 * beside it (check_int.h lists the files). */
#include "check.h"
#include "check_int.h"
#include "metrics.h"
#include "layers.h"
#include "options.h"
#include "plot.h"

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
    const LrWord *e = table_find(c, functions, name);
    if (!e || !e->supported) {
        if (report)
            lookup(c, functions, name, "function");
        return -1;
    }
    *arity = e->arity;
    return e->code;
}

/* --------------------------------------------------------- arguments */

enum { MAX_PARAMS = 16 };

/* Binds a call's arguments (or a statement's options, positional = 0) to
 * rows: positional in order, then by name. bound[i] is NULL for an absent
 * option. what names the callee in messages. */
static int bind_args(Checker *c, const char *what, LrSpan where, const LrNode *args,
                     int allow_positional, const OptionRow *rows, const LrNode **bound)
{
    int nparams = 0;
    while (rows[nparams].name)
        nparams++;
    for (int i = 0; i < nparams; i++)
        bound[i] = NULL;
    int position = 0, seen_keyword = 0, status = 0;
    for (const LrNode *a = args; a; a = a->next) {
        if (a->kind != AST_KEYWORD) {
            /* Each wrong argument is reported; the right ones stay bound,
             * so that their own errors are found too. */
            if (!allow_positional) {
                diag_error(c->diag, c->src, a->span, "expected NAME=VALUE");
                status = -1;
                continue;
            }
            if (seen_keyword) {
                diag_error(c->diag, c->src, a->span,
                           "positional argument after a named one");
                status = -1;
                continue;
            }
            if (position >= nparams) {
                diag_error(c->diag, c->src, a->span, "%s takes at most %d argument%s", what,
                           nparams, nparams == 1 ? "" : "s");
                status = -1;
                continue;
            }
            bound[position++] = a;
            continue;
        }
        seen_keyword = 1;
        int found = -1;
        for (int i = 0; i < nparams; i++)
            if (span_is(c, a->name, rows[i].name))
                found = i;
        if (found < 0) {
            const char *names[MAX_PARAMS + 1];
            for (int i = 0; i < nparams; i++)
                names[i] = rows[i].name;
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
            diag_error(c->diag, c->src, a->name, "'%s' is given twice", rows[found].name);
            status = -1;
            continue;
        }
        bound[found] = a;
    }
    for (int i = 0; i < nparams; i++) {
        if (rows[i].required && !bound[i]) {
            diag_error(c->diag, c->src, where, "%s needs '%s'", what, rows[i].name);
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

/* Reports a range error at the bound argument's value. */
static int range_error(Checker *c, const LrNode *bound, int scope, LrSpan fallback,
                       const char *msg)
{
    LrSpan span = bound ? fold_resolve(c, arg_value(bound, scope)).node->span : fallback;
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
    diag_error(c->diag, c->src, v.node->span, "expected %s, got %s", kind, fold_describe(v.node));
    return -1;
}

/* A number row's value in the spec at base. */
static double row_value(const OptionRow *r, const char *base)
{
    switch (r->type) {
    case OPTION_NUMBER: return *(const double *)(base + r->field);
    case OPTION_INT: return *(const int *)(base + r->field);
    case OPTION_INT64: return (double)*(const int64_t *)(base + r->field);
    case OPTION_BOOL:
    case OPTION_OTHER: break;
    }
    return 0;
}

static bool row_in_range(const OptionRow *rows, const OptionRow *r, const char *base)
{
    double x = row_value(r, base);
    if (r->whole && x != floor(x))
        return false;
    switch (r->valid) {
    case RANGE_ANY: return true;
    case RANGE_NONNEGATIVE: return x >= 0;
    case RANGE_POSITIVE: return x > 0;
    case RANGE_FRACTION: return x >= 0 && x < 1;
    case RANGE_UNIT: return x >= 0 && x <= 1;
    case RANGE_ABOVE_ROW: return x > row_value(&rows[r->other], base);
    case RANGE_FROM_ROW: return x >= row_value(&rows[r->other], base);
    }
    return false;
}

/* Folds one row's value (its default when absent) into its field. */
static int eval_row(Checker *c, const OptionRow *rows, const OptionRow *r, const LrNode *bound,
                    int scope, char *base)
{
    void *field = base + r->field;
    switch (r->type) {
    case OPTION_NUMBER:
        if (!bound) {
            *(double *)field = r->default_from ? *(double *)(base + rows[r->default_from - 1].field)
                                               : r->dflt;
            return 0;
        }
        return fold_number(c, arg_value(bound, scope), field);
    case OPTION_BOOL:
        if (!bound) {
            *(bool *)field = r->dflt != 0;
            return 0;
        }
        return fold_bool(c, arg_value(bound, scope), field);
    case OPTION_INT:
    case OPTION_INT64: {
        int64_t x = (int64_t)r->dflt;
        if (bound && fold_int(c, arg_value(bound, scope), r->what ? r->what : r->name, r->min,
                              r->max, &x) < 0)
            return -1;
        if (r->type == OPTION_INT)
            *(int *)field = (int)x;
        else
            *(int64_t *)field = x;
        return 0;
    }
    case OPTION_OTHER:
        break;
    }
    return 0;
}

/* Evaluates the bound options (defaults for the absent) into spec's
 * fields, in row order, then checks their ranges: the rows checked_last
 * after the others; where is the span a range error falls back to. */
static int eval_rows(Checker *c, const OptionRow *rows, const LrNode **bound, int scope,
                     LrSpan where, void *spec)
{
    char *base = spec;
    /* Every option is evaluated and checked: one's error hides no other's.
     * A range is not checked on a value that failed, nor against one. */
    bool failed[MAX_PARAMS] = {false};
    int status = 0;
    for (int i = 0; rows[i].name; i++)
        if (eval_row(c, rows, &rows[i], bound[i], scope, base) < 0)
            failed[i] = true, status = -1;
    for (int last = 0; last < 2; last++)
        for (int i = 0; rows[i].name; i++) {
            const OptionRow *r = &rows[i];
            bool relative = r->valid == RANGE_ABOVE_ROW || r->valid == RANGE_FROM_ROW;
            if (r->type == OPTION_OTHER || r->type == OPTION_BOOL || !r->range ||
                r->checked_last != last || (r->given_only && !bound[i]) || failed[i] ||
                (relative && failed[r->other]) || (r->required && !bound[i]))
                continue;
            if (!row_in_range(rows, r, base)) {
                range_error(c, bound[i], scope, where, r->range);
                failed[i] = true;
                status = -1;
            }
        }
    return status;
}

/* Binds a call's (or a statement's) options to rows and evaluates them
 * into spec: bind_args, then eval_rows. */
static int eval_options(Checker *c, const char *what, LrSpan where, const LrNode *args,
                        int allow_positional, const OptionRow *rows, const LrNode **bound,
                        int scope, void *spec)
{
    int status = bind_args(c, what, where, args, allow_positional, rows, bound);
    return eval_rows(c, rows, bound, scope, where, spec) < 0 ? -1 : status;
}

/* ----------------------------------------------------------- schedules */


static int eval_schedule(Checker *c, Scoped v, LrScheduleSpec *s)
{
    v = fold_resolve(c, v);
    memset(s, 0, sizeof *s);
    const LrNode *n = v.node;
    if (n->kind != AST_CALL || table_find(c, functions, n->name) || fold_called_function(c, v)) {
        /* A plain number (or arithmetic on numbers): a constant rate. */
        if (n->kind == AST_NAME && !table_find(c, constants, n->name) &&
            table_find(c, schedules, n->name)) {
            diag_error(c->diag, c->src, n->span, "'%.*s' needs arguments",
                       (int)n->name.length, AST_TEXT(c->src, n->name));
            return -1;
        }
        s->kind = SCHED_CONSTANT;
        if (fold_number(c, v, &s->initial) < 0)
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
    const OptionRow *rows = options_schedules[s->kind];
    int status = eval_options(c, what, n->span, n->items, 1, rows, b, sc, s);
    s->span = n->span;
    s->has_target = s->kind == SCHED_COSINE && b[SCHEDULE_COSINE_TARGET] != NULL;
    if (s->kind != SCHED_PIECEWISE) {
        /* The decay's length: steps=, or epochs= that the plan turns
         * into steps once it knows the steps of an epoch. */
        int epochs = 0;
        while (strcmp(rows[epochs].name, "epochs") != 0)
            epochs++;
        if (b[SCHEDULE_STEPS] && b[epochs]) {
            diag_error(c->diag, c->src, b[epochs]->kind == AST_KEYWORD ? b[epochs]->name : b[epochs]->span,
                       "%s takes steps= or epochs=, not both", what);
            return -1;
        }
        if (!b[SCHEDULE_STEPS] && !b[epochs]) {
            diag_error(c->diag, c->src, n->span, "%s needs 'steps' (or 'epochs')", what);
            return -1;
        }
        return status;
    }
    if (status < 0)
        return -1;
    double *bounds, *values;
    int nb, nv;
    if (fold_number_list(c, arg_value(b[PIECEWISE_BOUNDARIES], sc), "boundaries", &bounds,
                         &nb) < 0 ||
        fold_number_list(c, arg_value(b[PIECEWISE_VALUES], sc), "values", &values, &nv) < 0)
        return -1;
    if (nv != nb + 1) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "piecewise needs one more value than boundaries (%d boundar%s, %d value%s)",
                 nb, nb == 1 ? "y" : "ies", nv, nv == 1 ? "" : "s");
        return range_error(c, b[PIECEWISE_VALUES], sc, n->span, msg);
    }
    for (int i = 1; i < nb; i++)
        if (bounds[i] <= bounds[i - 1])
            return range_error(c, b[PIECEWISE_BOUNDARIES], sc, n->span,
                               "boundaries must be strictly increasing");
    for (int i = 0; i < nv; i++)
        if (values[i] < 0)
            return range_error(c, b[PIECEWISE_VALUES], sc, n->span, "learning rates must be >= 0");
    s->count = nb;
    s->boundaries = bounds;
    s->values = values;
    s->initial = values[0];
    return 0;
}

/* --------------------------------------------------------- initializers */


static int eval_init(Checker *c, Scoped v, LrInitSpec *init)
{
    v = fold_resolve(c, v);
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
    return eval_options(c, what, v.node->span, args, 1, options_initializers[kind], b, v.scope,
                        init);
}

/* --------------------------------------------------------------- layers */


/* An activation name (dense's and conv2d's activation=). */
static int eval_activation_word(Checker *c, Scoped v, LrActivation *out, LrLayerSpec *layer)
{
    Scoped a = fold_resolve(c, v);
    if (a.node->kind != AST_NAME) {
        diag_error(c->diag, c->src, a.node->span, "expected an activation, got %s",
                   fold_describe(a.node));
        return -1;
    }
    int act = lookup(c, activations, a.node->name, "activation");
    if (act < 0)
        return -1;
    *out = (LrActivation)act;
    /* The activation's parameters (alpha, approximate) take their defaults. */
    const LrNode *none[MAX_PARAMS] = {NULL};
    return eval_rows(c, options_activations[act], none, v.scope, a.node->span, layer);
}

/* A window's size or stride: one integer for both sides, or [h, w]. */
static int eval_window(Checker *c, Scoped v, const char *what, int *out)
{
    int dims[2], count;
    if (fold_dims(c, v, what, true, 2, 2, SPEC_MAX_UNITS, dims, &count) < 0)
        return -1;
    out[0] = dims[0];
    out[1] = count == 2 ? dims[1] : dims[0];
    return 0;
}

/* One of a table's words (padding=, mode=): its code, or -1 after the
 * error ("expected a padding (valid or same)"). */
static int eval_word(Checker *c, Scoped v, const LrWord *table, const char *what)
{
    Scoped a = fold_resolve(c, v);
    if (a.node->kind != AST_NAME) {
        char choices[160] = "";
        for (int i = 0; table[i].name; i++)
            snprintf(choices + strlen(choices), sizeof choices - strlen(choices), "%s%s",
                     i == 0 ? "" : table[i + 1].name ? ", " : " or ", table[i].name);
        diag_error(c->diag, c->src, a.node->span, "expected a %s (%s), got %s", what, choices,
                   fold_describe(a.node));
        return -1;
    }
    return lookup(c, table, a.node->name, what);
}

int check_shape(Checker *c, Scoped v, const char *what, LrShape *out)
{
    int count;
    if (fold_dims(c, v, what, false, 1, SHAPE_MAX_RANK, SPEC_MAX_UNITS, out->dims, &count) < 0)
        return -1;
    if (count == 2) {
        diag_error(c->diag, c->src, fold_resolve(c, v).node->span,
                   "%s must be [n] or an image's [height, width, channels]", what);
        return -1;
    }
    out->rank = count;
    return 0;
}

/* A layer's options that are not numbers (the rows OPTION_OTHER of
 * options_layers), by name, with Keras's defaults: dense and conv2d take
 * glorot_uniform kernels and zero biases, a pooling window of 2 moves by
 * itself, a conv2d kernel of 3 by 1. Each option is checked; the first
 * error is returned after all are reported. */
static int eval_layer_words(Checker *c, const OptionRow *rows, const LrNode **b, int sc,
                            LrLayerSpec *layer)
{
    if (layer->kind == LAYER_DENSE || layer->kind == LAYER_CONV2D) {
        layer->activation = ACT_LINEAR;
        layer->init.kind = INIT_GLOROT_UNIFORM;
        layer->bias_init.kind = INIT_ZEROS;
    }
    bool pooling = layer->kind == LAYER_MAXPOOL2D || layer->kind == LAYER_AVGPOOL2D;
    layer->kernel[0] = layer->kernel[1] = pooling ? 2 : 3;
    bool stride_given = false;
    int status = 0;
    for (int i = 0; rows[i].name; i++) {
        if (rows[i].type != OPTION_OTHER || !b[i])
            continue;
        const char *name = rows[i].name;
        Scoped v = arg_value(b[i], sc);
        int one = 0;
        if (strcmp(name, "activation") == 0)
            one = eval_activation_word(c, v, &layer->activation, layer);
        else if (strcmp(name, "init") == 0)
            one = eval_init(c, v, &layer->init);
        else if (strcmp(name, "bias_init") == 0)
            one = eval_init(c, v, &layer->bias_init);
        else if (strcmp(name, "kernel") == 0 || strcmp(name, "size") == 0)
            one = eval_window(c, v, name, layer->kernel);
        else if (strcmp(name, "stride") == 0) {
            one = eval_window(c, v, name, layer->stride);
            stride_given = true;
        } else if (strcmp(name, "padding") == 0) {
            int pad = one = eval_word(c, v, words_paddings, "padding");
            layer->same = pad == PAD_SAME;
        } else if (strcmp(name, "mode") == 0) {
            int mode = one = eval_word(c, v, words_flip_modes, "flip mode");
            layer->flip = mode < 0 ? FLIP_BOTH : (LrFlipMode)mode;
        }
        else if (strcmp(name, "shape") == 0)
            one = check_shape(c, v, "reshape's shape", &layer->target);
        if (one < 0)
            status = -1;
    }
    if (!stride_given) {
        layer->stride[0] = pooling ? layer->kernel[0] : 1;
        layer->stride[1] = pooling ? layer->kernel[1] : 1;
    }
    return status;
}

static int eval_layer(Checker *c, Scoped v, LrLayerSpec *layer)
{
    v = fold_resolve(c, v);
    LrSpan name;
    const LrNode *args;
    if (as_call(c, v, "a layer", &name, &args) < 0)
        return -1;
    int kind = lookup(c, layers, name, "layer");
    if (kind < 0)
        return -1;
    memset(layer, 0, sizeof *layer);
    layer->span = v.node->span;
    const char *what = words_name(layers, kind);
    if (kind >= LAYER_WORD_ACTIVATION) {
        layer->kind = LAYER_ACTIVATION;
        layer->activation = (LrActivation)(kind - LAYER_WORD_ACTIVATION);
        what = activations[layer->activation].name;
    } else {
        layer->kind = (LrLayerKind)kind;
    }
    const LrNode *b[MAX_PARAMS];
    const OptionRow *rows = layer->kind == LAYER_ACTIVATION
                                ? options_activations[layer->activation]
                                : options_layers[layer->kind];
    int status = eval_options(c, what, v.node->span, args, 1, rows, b, v.scope, layer);
    if (eval_layer_words(c, rows, b, v.scope, layer) < 0)
        status = -1;
    return status;
}

/* Flattens a `->` chain (possibly through lets) into spec->layers; every
 * layer is checked whatever the others' errors. With *input set, the
 * chain's first element is the input shape (then *input becomes NULL). */
static int collect_layers(Checker *c, Scoped v, LrLayerSpec *out, int *count, LrShape **input,
                          LrSpan *input_span)
{
    v = fold_resolve(c, v);
    if (v.node->kind == AST_CHAIN) {
        int lhs = collect_layers(c, (Scoped){v.node->lhs, v.scope, NULL}, out, count, input,
                                 input_span);
        if (lhs < 0 && *count == SPEC_MAX_LAYERS)
            return -1; /* reported once */
        int rhs = collect_layers(c, (Scoped){v.node->rhs, v.scope, NULL}, out, count, input,
                                 input_span);
        return lhs < 0 || rhs < 0 ? -1 : 0;
    }
    if (*input) {
        LrShape *shape = *input;
        *input = NULL;
        *input_span = v.node->span;
        return check_shape(c, v, "input", shape);
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
                   fold_line_of(c, (*slot)->keyword));
        return -1;
    }
    *slot = st;
    return 0;
}

bool check_is_dropped_name(const Checker *c, LrSpan span)
{
    for (int i = 0; c->prog && i < c->prog->dropped_name_count; i++) {
        LrSpan d = c->prog->dropped_names[i];
        if (d.length == span.length &&
            memcmp(AST_TEXT(c->src, d), AST_TEXT(c->src, span), span.length) == 0)
            return true;
    }
    return false;
}

char *check_span_string(Checker *c, LrSpan span)
{
    return arena_strndup(c->arena, AST_TEXT(c->src, span), span.length);
}

static int eval_string(Checker *c, Scoped v, const char *what, const char **out, LrSpan *span)
{
    v = fold_resolve(c, v);
    if (v.node->kind != AST_STRING) {
        diag_error(c->diag, c->src, v.node->span, "%s must be a string, got %s", what,
                   fold_describe(v.node));
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
    v = fold_resolve(c, v);
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

/* csv's shape=; that the product is the feature count is data.c's to
 * check, with the file's header. */
static int eval_shape(Checker *c, Scoped v, LrDatasetSpec *d)
{
    d->shape_span = fold_resolve(c, v).node->span;
    return check_shape(c, v, "shape", &d->shape);
}

/* idx(images, labels=, scale=): the images' file and the labels', each
 * found as csv's path is. */
static int check_idx(Checker *c, Scoped v, const LrNode *args, LrDatasetSpec *d)
{
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    const OptionRow *rows = options_sources[DATA_IDX].rows;
    /* Each argument checked whatever the others' errors. */
    int status = bind_args(c, words_name(sources, DATA_IDX), v.node->span, args, 1, rows, b);
    d->data_path = c->options->data_path;
    d->data_path_count = c->options->data_path_count;
    if (eval_rows(c, rows, b, sc, v.node->span, d) < 0)
        status = -1;
    if (!b[IDX_PATH] ||
        eval_string(c, arg_value(b[IDX_PATH], sc), "the path", &d->path, &d->path_span) < 0 ||
        modules_find_data(c, d->path, d->path_span, &d->resolved_path, &d->portable_path) < 0)
        status = -1;
    if (!b[IDX_LABELS] ||
        eval_string(c, arg_value(b[IDX_LABELS], sc), "labels", &d->labels_path, &d->label_span) < 0 ||
        modules_find_data(c, d->labels_path, d->label_span, &d->labels_resolved,
                          &d->labels_portable) < 0)
        status = -1;
    return status;
}

/* csv(...): each option checked whatever the others' errors; the path's
 * place and the sandbox only when the path is a string. */
static int check_csv(Checker *c, Scoped v, const LrNode *args, LrDatasetSpec *d)
{
    const LrNode *b[MAX_PARAMS];
    int sc = v.scope;
    const OptionRow *rows = options_sources[DATA_CSV].rows;
    int bound = bind_args(c, words_name(sources, DATA_CSV), v.node->span, args, 1, rows, b);
    int status = bound;
    d->data_path = c->options->data_path;
    d->data_path_count = c->options->data_path_count;
    bool path = b[CSV_PATH] && eval_string(c, arg_value(b[CSV_PATH], sc), "the path", &d->path,
                                           &d->path_span) == 0;
    if (eval_rows(c, rows, b, sc, v.node->span, d) < 0 || !path)
        status = -1;
    if (path &&
        modules_find_data(c, d->path, d->path_span, &d->resolved_path, &d->portable_path) < 0)
        status = -1;
    if (b[CSV_SHAPE] && eval_shape(c, arg_value(b[CSV_SHAPE], sc), d) < 0)
        status = -1;
    if (b[CSV_LABEL] && b[CSV_LABELS]) {
        diag_error(c->diag, c->src, v.node->span, "csv takes 'label' or 'labels', not both");
        status = -1;
    } else if (!b[CSV_LABEL] && !b[CSV_LABELS]) {
        /* An option bind_args refused may be the label misspelled. */
        if (bound == 0)
            diag_error(c->diag, c->src, v.node->span,
                       "csv needs the target column: label=\"name\" or labels=[...]");
        status = -1;
    } else if (b[CSV_LABEL]) {
        const char **one = arena_alloc(c->arena, sizeof *one);
        if (!one || eval_string(c, arg_value(b[CSV_LABEL], sc), "label", one, &d->label_span) < 0)
            status = -1;
        d->labels = one;
        d->label_count = 1;
    } else if (eval_string_list(c, arg_value(b[CSV_LABELS], sc), "labels", &d->labels,
                                &d->label_count, &d->label_span, &d->label_spans) < 0) {
        status = -1;
    }
    if (b[CSV_FEATURES] &&
        eval_string_list(c, arg_value(b[CSV_FEATURES], sc), "features", &d->feature_names,
                         &d->feature_count, &d->features_span, &d->feature_spans) < 0)
        status = -1;
    if (b[CSV_EXCLUDE] &&
        eval_string_list(c, arg_value(b[CSV_EXCLUDE], sc), "exclude", &d->exclude_names,
                         &d->exclude_count, &d->exclude_span, &d->exclude_spans) < 0)
        status = -1;
    else if (b[CSV_FEATURES] && b[CSV_EXCLUDE]) {
        diag_error(c->diag, c->src, d->exclude_span,
                   "csv takes 'features' or 'exclude', not both (exclude leaves out columns "
                   "from every column that is not a label)");
        status = -1;
    }
    d->delimiter = ',';
    if (b[CSV_DELIMITER]) {
        const char *delim;
        LrSpan span;
        if (eval_string(c, arg_value(b[CSV_DELIMITER], sc), "delimiter", &delim, &span) < 0) {
            status = -1;
        } else if (strlen(delim) != 1 || delim[0] == '"' || delim[0] == '\n' ||
                   delim[0] == '\r') {
            diag_error(c->diag, c->src, span, "delimiter must be one character (not a quote or newline)");
            status = -1;
        } else {
            d->delimiter = delim[0];
        }
    }
    return status;
}

/* linear's weights: every one 1 unless given, one per feature. */
static int eval_linear_weights(Checker *c, const LrNode *bound, int sc, LrSpan where,
                               LrDatasetSpec *d)
{
    double *w = NULL;
    int count = d->features;
    if (bound) {
        if (fold_number_list(c, arg_value(bound, sc), "weights", &w, &count) < 0)
            return -1;
        if (count != d->features) {
            char msg[96];
            snprintf(msg, sizeof msg, "weights has %d entr%s but features=%d", count,
                     count == 1 ? "y" : "ies", d->features);
            return range_error(c, bound, sc, where, msg);
        }
    } else {
        w = arena_array(c->arena, (size_t)d->features, sizeof *w);
        if (!w) {
            diag_error(c->diag, c->src, where, "out of memory");
            return -1;
        }
        for (int i = 0; i < d->features; i++)
            w[i] = 1.0; /* documented default: every weight 1 */
    }
    d->weights = w;
    return 0;
}


static int check_generator(Checker *c, Scoped v, const LrNode *args, LrDatasetSpec *d,
                           const char *what)
{
    const GeneratorRow *g = &options_sources[d->kind];
    const LrNode *b[MAX_PARAMS];
    d->features = g->features;
    d->classes = g->classes;
    if (eval_options(c, what, v.node->span, args, 1, g->rows, b, v.scope, d) < 0)
        return -1;
    if (d->kind == DATA_LINEAR)
        return eval_linear_weights(c, b[LINEAR_WEIGHTS], v.scope, v.node->span, d);
    return 0;
}

/* A dataset statement's value: the data source and its arguments. */
static int check_dataset_source(Checker *c, const LrStmt *st, LrDatasetSpec *d, int sc)
{
    Scoped v = fold_resolve(c, (Scoped){st->value, sc, NULL});
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
    return d->kind == DATA_CSV   ? check_csv(c, v, args, d)
           : d->kind == DATA_IDX ? check_idx(c, v, args, d)
                                 : check_generator(c, v, args, d, sources[kind].name);
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
                       spec->datasets[i].name, fold_line_of(c, seen->datasets[i]->keyword));
            return -1;
        }
    }
    LrDatasetSpec *d = &spec->datasets[spec->dataset_count];
    memset(d, 0, sizeof *d);
    d->span = st->span;
    d->name = st->name.length ? check_span_string(c, st->name) : "";
    const LrNode *o[MAX_PARAMS];
    int sc = c->let_count;
    /* The options and the source are checked whatever the other's errors;
     * a dataset with any error is not defined, and uses of it say nothing
     * more (failed_datasets). */
    int status = eval_options(c, "dataset", st->keyword, st->options, 0, options_dataset, o, sc, d);
    if (status == 0 && d->validation + d->test >= 1)
        status = range_error(c, o[DATASET_TEST], sc, st->span,
                             "validation and test together must leave rows for training");
    d->normalize = NORM_NONE;
    if (o[DATASET_NORMALIZE]) {
        Scoped nv = fold_resolve(c, arg_value(o[DATASET_NORMALIZE], sc));
        int kind = -1;
        if (nv.node->kind != AST_NAME)
            diag_error(c->diag, c->src, nv.node->span,
                       "normalize must be standard, minmax or none, got %s",
                       fold_describe(nv.node));
        else
            kind = lookup(c, normalizers, nv.node->name, "normalization");
        if (kind < 0)
            status = -1;
        else
            d->normalize = (LrNormalizeKind)kind;
    }
    if (check_dataset_source(c, st, d, sc) < 0)
        status = -1;
    /* Classes are what a stratified split keeps the proportions of. */
    if (status == 0 && d->stratify) {
        const char *why = NULL;
        if (d->validation == 0 && d->test == 0)
            why = "stratify=true needs validation= or test=: it chooses the held-out rows";
        else if (d->kind == DATA_LINEAR)
            why = "stratify=true needs labels that are classes, and linear's are numbers";
        else if (d->kind == DATA_CSV && d->label_count != 1)
            why = "stratify=true needs one label column, of classes";
        if (why)
            status = range_error(c, o[DATASET_STRATIFY], sc, st->span, why);
    }
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
    v = fold_resolve(c, v);
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
        diag_error(c->diag, c->src, n->span, "expected a dataset name, got %s", fold_describe(n));
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
    if (c->failed_datasets || check_is_dropped_name(c, n->name))
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

static int eval_metrics(Checker *c, Scoped v, LrMetricKind *out, LrSpan *spans, int *count)
{
    v = fold_resolve(c, v);
    if (v.node->kind != AST_LIST) {
        diag_error(c->diag, c->src, v.node->span, "metrics must be a list, e.g. [accuracy]");
        return -1;
    }
    *count = 0;
    for (const LrNode *e = v.node->items; e; e = e->next) {
        Scoped m = fold_resolve(c, (Scoped){e, v.scope, NULL});
        if (m.node->kind != AST_NAME) {
            diag_error(c->diag, c->src, m.node->span, "expected a metric name, got %s",
                       fold_describe(m.node));
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
        spans[*count] = m.node->span;
        out[(*count)++] = (LrMetricKind)kind;
    }
    return 0;
}


/* An optimizer named at name with its options (statement options, or a
 * call's named arguments); where is the span range errors fall back to. */
static int eval_optimizer(Checker *c, LrSpan name, const LrNode *options, LrSpan where,
                          LrOptimizerSpec *o)
{
    int kind = lookup(c, optimizers, name, "optimizer");
    if (kind < 0) {
        /* Which options it takes depends on the optimizer; its lr=
         * schedule does not, so that one is still checked. */
        for (const LrNode *a = options; a; a = a->next) {
            if (a->kind == AST_KEYWORD && span_is(c, a->name, options_optimizer[OPTIMIZER_LR].name)) {
                LrScheduleSpec lr;
                eval_schedule(c, (Scoped){a->lhs, c->let_count, NULL}, &lr);
                break;
            }
        }
        return -1;
    }
    memset(o, 0, sizeof *o);
    o->kind = (LrOptimizerKind)kind;
    o->span = where;
    const OptimizerRow *row = &options_optimizers[kind];
    const char *oname = optimizers[kind].name;
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    int status = bind_args(c, oname, name, options, 0, options_optimizer, b);
    for (int i = 0; options_optimizer[i].name; i++) {
        if (!b[i])
            continue;
        const char *list = row->accepts, *option = options_optimizer[i].name;
        size_t len = strlen(option);
        const char *at = strstr(list, option);
        while (at && ((at != list && at[-1] != ' ') || (at[len] != ' ' && at[len] != '\0')))
            at = strstr(at + 1, option);
        if (!at) {
            diag_error(c->diag, c->src, b[i]->name, "%s has no option '%s' (its options: %s)",
                       oname, option, list);
            b[i] = NULL; /* reported: not evaluated as well */
            status = -1;
        }
    }
    if (b[OPTIMIZER_LR]) {
        if (eval_schedule(c, arg_value(b[OPTIMIZER_LR], sc), &o->lr) < 0)
            status = -1;
    } else {
        o->lr.kind = SCHED_CONSTANT;
        o->lr.initial = row->lr;
    }
    if (eval_rows(c, options_optimizer, b, sc, where, o) < 0 || status < 0)
        return -1;
    if (!b[OPTIMIZER_WEIGHT_DECAY])
        o->weight_decay = row->weight_decay;
    if (!b[OPTIMIZER_INITIAL_ACCUMULATOR])
        o->initial_accumulator = row->initial_accumulator;
    return 0;
}

static int check_optimizer(Checker *c, const LrStmt *st, LrSpec *spec)
{
    Scoped v = fold_resolve(c, (Scoped){st->value, c->let_count, NULL});
    if (v.node->kind != AST_NAME) {
        diag_error(c->diag, c->src, v.node->span, "expected an optimizer name, got %s",
                   fold_describe(v.node));
        return -1;
    }
    if (eval_optimizer(c, v.node->name, st->options, st->span, &spec->optimizer) < 0)
        return -1;
    spec->has_optimizer = true;
    return 0;
}

static int check_early_stop(Checker *c, Scoped v, LrEarlyStopSpec *e)
{
    v = fold_resolve(c, v);
    if (v.node->kind != AST_CALL || !span_is(c, v.node->name, LR_PATIENCE_WORD)) {
        diag_error(c->diag, c->src, v.node->span,
                   "early_stop takes patience(N, min_delta=0, restore_best=true)");
        return -1;
    }
    const LrNode *b[MAX_PARAMS];
    if (eval_options(c, LR_PATIENCE_WORD, v.node->span, v.node->items, 1, options_patience, b, v.scope,
                     e) < 0)
        return -1;
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
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    /* Each option is checked whatever the others' errors. */
    int status = bind_args(c, "train", st->keyword, st->options, 0, options_train, b);
    LrTrainSpec *t = &spec->train;
    t->span = st->span;
    t->validation.dataset = -1;
    int on = b[TRAIN_ON] ? eval_data_ref(c, arg_value(b[TRAIN_ON], sc), spec, &t->on)
                         : only_dataset(c, st, spec, &t->on, "train");
    /* on= is evaluated before the rows, the rest after. */
    status |= on | eval_rows(c, options_train, b, sc, st->keyword, t);
    if (b[TRAIN_VALIDATION]) {
        status |= eval_data_ref(c, arg_value(b[TRAIN_VALIDATION], sc), spec, &t->validation);
    } else if (on == 0 && t->on.part == PART_TRAIN &&
               spec->datasets[t->on.dataset].validation > 0) {
        t->validation = (LrDataRef){t->on.dataset, PART_VALIDATION, t->on.span};
    }
    if (b[TRAIN_METRICS])
        status |= eval_metrics(c, arg_value(b[TRAIN_METRICS], sc), t->metrics,
                               t->metric_spans, &t->metric_count);
    if (b[TRAIN_EARLY_STOP])
        status |= check_early_stop(c, arg_value(b[TRAIN_EARLY_STOP], sc), &t->early_stop);
    if (b[TRAIN_SHARD])
        t->shard_span = b[TRAIN_SHARD]->span;
    if (status < 0)
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
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    /* Each option is checked whatever the others' errors. */
    int status = bind_args(c, "evaluate", st->keyword, st->options, 0, options_evaluate, b);
    if (b[EVALUATE_ON]) {
        status |= eval_data_ref(c, arg_value(b[EVALUATE_ON], sc), spec, &e->on);
    } else if (only_dataset(c, st, spec, &e->on, "evaluate") < 0) {
        status = -1;
    } else if (spec->datasets[0].test > 0) {
        /* Default: the held-out test part of the only dataset, else all of
         * its training part. */
        e->on.part = PART_TEST;
    }
    e->metric_count = -1; /* the train statement's, filled in at the end */
    e->own_metrics = b[EVALUATE_METRICS] != NULL;
    if (b[EVALUATE_METRICS])
        status |= eval_metrics(c, arg_value(b[EVALUATE_METRICS], sc), e->metrics,
                               e->metric_spans, &e->metric_count);
    if (eval_rows(c, options_evaluate, b, sc, st->keyword, e) < 0 || status < 0)
        return -1;
    if (b[EVALUATE_CONFUSION])
        e->confusion_span = b[EVALUATE_CONFUSION]->span;
    spec->evaluate_count++;
    return 0;
}

/* predict on= to= keep=: on= as evaluate's; to= a path written as save's
 * is; keep= columns of the data set's CSV file (its header is read before
 * the run: predict_check_columns). */
static int check_predict(Checker *c, const LrStmt *st, LrSpec *spec)
{
    if (spec->predict_count == SPEC_MAX_PREDICTS) {
        diag_error(c->diag, c->src, st->keyword, "too many predict statements (limit is %d)",
                   SPEC_MAX_PREDICTS);
        return -1;
    }
    LrPredictSpec *p = &spec->predicts[spec->predict_count];
    memset(p, 0, sizeof *p);
    p->span = st->span;
    const LrNode *b[MAX_PARAMS];
    int sc = c->let_count;
    /* Each option is checked whatever the others' errors; keep= against
     * its data set only when on= names one. */
    int status = bind_args(c, "predict", st->keyword, st->options, 0, options_predict, b);
    int on = -1;
    if (b[PREDICT_ON]) {
        on = eval_data_ref(c, arg_value(b[PREDICT_ON], sc), spec, &p->on);
    } else if ((on = only_dataset(c, st, spec, &p->on, "predict")) == 0 &&
               spec->datasets[0].test > 0) {
        p->on.part = PART_TEST;
    }
    if (on < 0)
        status = -1;
    const char *path;
    if (!b[PREDICT_TO]) {
        diag_error(c->diag, c->src, st->keyword,
                   "predict needs the file to write: to=\"predictions.csv\"");
        status = -1;
    } else if (eval_string(c, arg_value(b[PREDICT_TO], sc), "to", &path, &p->path_span) < 0) {
        status = -1;
    } else if (!path[0]) {
        diag_error(c->diag, c->src, p->path_span, "the path is empty");
        status = -1;
    } else {
        p->path = modules_resolve_path(c, path, p->path_span);
        p->portable = modules_portable_path(c, path, p->path_span);
        if (modules_sandbox_allows(c, p->path_span, p->path, true) < 0)
            status = -1;
    }
    if (b[PREDICT_KEEP]) {
        if (eval_string_list(c, arg_value(b[PREDICT_KEEP], sc), "keep", &p->keep,
                             &p->keep_count, &p->keep_span, &p->keep_spans) < 0) {
            status = -1;
        } else if (on == 0 && spec->datasets[p->on.dataset].kind != DATA_CSV) {
            const LrDatasetSpec *d = &spec->datasets[p->on.dataset];
            diag_error(c->diag, c->src, p->keep_span,
                       "keep= copies columns of a CSV file, and '%s' is %s (%s)",
                       d->name[0] ? d->name : "the dataset",
                       d->kind == DATA_IDX ? "read from IDX files" : "generated",
                       words_name(sources, d->kind));
            status = -1;
        }
    }
    if (status < 0)
        return -1;
    spec->predict_count++;
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
    *out = modules_resolve_path(c, path, *span);
    *portable = modules_portable_path(c, path, *span);
    return 0;
}

/* The name minimize's output gives its formula (value): a call of a let
 * function as its name and arguments without spaces, f(x,y), anything
 * else as written, each run of white space (a formula may span lines)
 * one space. */
static void minimize_label(Checker *c, const LrNode *value, int scope, LrMinimizeSpec *m)
{
    bool call = value->kind == AST_CALL && fold_let_find(c, value->name, scope);
    char *label = check_span_string(c, value->span);
    size_t k = 0;
    bool space = false;
    for (const char *p = label; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = true;
            continue;
        }
        if (space && k > 0 && !call)
            label[k++] = ' ';
        space = false;
        label[k++] = *p;
    }
    label[k] = '\0';
    m->label = label;
    m->function = call ? check_span_string(c, value->name) : NULL;
}

/* plot="FIGURE": a .png, .svg or .pdf file the experiment may write, of
 * a function of one or two variables (a curve, or contour lines). */
static int check_minimize_plot(Checker *c, Scoped v, LrMinimizeSpec *m)
{
    const char *path;
    LrSpan span;
    if (eval_string(c, v, "plot", &path, &span) < 0)
        return -1;
    if (!plot_device(path)) {
        diag_error(c->diag, c->src, span, "plot= needs a file name ending in .png, .svg or .pdf");
        return -1;
    }
    if (m->var_count > 2) {
        diag_error(c->diag, c->src, span,
                   "plot= draws a function of one or two variables, not %d", m->var_count);
        return -1;
    }
    m->plot_path = modules_resolve_path(c, path, span);
    m->plot_portable = modules_portable_path(c, path, span);
    return modules_sandbox_allows(c, span, m->plot_path, true);
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
    m->text = check_span_string(c, st->value->span);
    int sc = c->let_count;
    /* The variables, with their starting points, the options and the
     * formula are each checked whatever the others' errors; what needs
     * the variables (plot=, the formula) only when they are listed right. */
    int status = 0, n = 0;
    bool vars = true;
    for (const LrNode *v = st->from; v; v = v->next, n++) {
        if (n == EXPR_MAX_VARS) {
            diag_error(c->diag, c->src, v->span, "too many variables (limit is %d)", EXPR_MAX_VARS);
            status = -1, vars = false;
            break;
        }
        for (const LrNode *w = st->from; w != v; w = w->next)
            if (w->name.length == v->name.length &&
                memcmp(AST_TEXT(c->src, w->name), AST_TEXT(c->src, v->name), v->name.length) == 0) {
                diag_error(c->diag, c->src, v->name, "variable '%.*s' is listed twice",
                           (int)v->name.length, AST_TEXT(c->src, v->name));
                status = -1, vars = false;
                break;
            }
        m->var_names[n] = check_span_string(c, v->name);
        if (fold_number(c, (Scoped){v->lhs, sc, NULL}, &m->start[n]) < 0)
            status = -1;
    }
    m->var_count = n;
    const LrNode *b[MAX_PARAMS];
    /* lr= and optimizer= are evaluated after steps and trace. */
    if (eval_options(c, "minimize", st->keyword, st->options, 0, options_minimize, b, sc, m) < 0)
        status = -1;
    /* optimizer=NAME or optimizer=NAME(option=value, ...); lr= applies to it. */
    int optimizer = 0;
    if (b[MINIMIZE_OPTIMIZER]) {
        Scoped o = fold_resolve(c, arg_value(b[MINIMIZE_OPTIMIZER], sc));
        if (o.node->kind != AST_NAME && o.node->kind != AST_CALL) {
            diag_error(c->diag, c->src, o.node->span, "expected an optimizer, got %s",
                       fold_describe(o.node));
            optimizer = -1;
        } else {
            optimizer = eval_optimizer(c, o.node->name,
                                       o.node->kind == AST_CALL ? o.node->items : NULL, st->span,
                                       &m->optimizer);
        }
    } else {
        m->optimizer.kind = OPT_SGD;
        m->optimizer.span = st->span;
        m->optimizer.lr.kind = SCHED_CONSTANT;
        m->optimizer.lr.initial = 0.01;
    }
    if (b[MINIMIZE_LR] && eval_schedule(c, arg_value(b[MINIMIZE_LR], sc), &m->optimizer.lr) < 0)
        optimizer = -1;
    if (optimizer == 0 && m->optimizer.lr.epochs > 0) {
        diag_error(c->diag, c->src, m->optimizer.lr.span,
                   "minimize has no epochs: give the schedule steps=");
        optimizer = -1;
    }
    if (optimizer < 0)
        status = -1;
    if (b[MINIMIZE_PLOT] && vars && check_minimize_plot(c, arg_value(b[MINIMIZE_PLOT], sc), m) < 0)
        status = -1;
    if (!vars || compile_formula(c, st->from, n, (Scoped){st->value, sc, NULL}, &m->expr) < 0)
        return -1;
    if (status < 0)
        return -1;
    if (compile_note_lets(c, st->from, n, (Scoped){st->value, sc, NULL}) < 0) {
        diag_error(c->diag, c->src, st->span, "out of memory");
        return -1;
    }
    minimize_label(c, st->value, sc, m);
    spec->minimize_count++;
    return 0;
}

static int check_stmt(Checker *c, const LrStmt *st, LrSpec *spec, Seen *seen)
{
    /* A statement that uses a let with an error would only repeat it: it
     * is left unchecked. */
    if (st->kind != STMT_LET && st->kind != STMT_USE &&
        (fold_uses_failed_let(c, st->value, c->let_count, false) ||
         fold_uses_failed_let(c, st->options, c->let_count, true) ||
         fold_uses_failed_let(c, st->from, c->let_count, true))) {
        c->failed_datasets += st->kind == STMT_DATASET;
        return -1;
    }
    if (st->kind != STMT_LET && (fold_check_no_sweep(c, st->value) |
                                 fold_check_no_sweep(c, st->options) |
                                 fold_check_no_sweep(c, st->from)) < 0)
        return -1;
    switch (st->kind) {
    case STMT_SEED: {
        int64_t seed;
        if (check_duplicate(c, st, &seen->seed) < 0 ||
            fold_int(c, (Scoped){st->value, c->let_count, NULL}, "seed", 0, 9007199254740992.0,
                     &seed) < 0)
            return -1;
        spec->seed = (uint64_t)seed;
        spec->has_seed = true;
        return 0;
    }
    case STMT_LET:
        return fold_check_let(c, st);
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
        Scoped chain = {st->value, c->let_count, NULL};
        /* `model input=[28, 28, 1] -> conv2d(32) -> ...`: the chain's head
         * is the shape of one sample. */
        LrShape *input = NULL;
        if (st->name.length && check_span_is(c, st->name, "input")) {
            if (st->value->kind != AST_CHAIN) {
                diag_error(c->diag, c->src, st->value->span,
                           "input= needs layers after it: input=[28, 28, 1] -> conv2d(32) -> ...");
                return -1;
            }
            input = &spec->input;
        }
        if (collect_layers(c, chain, layers_out, &count, &input, &spec->input_span) < 0)
            return -1;
        spec->layers = layers_out;
        spec->layer_count = count;
        spec->has_model = true;
        return 0;
    }
    case STMT_LOSS: {
        if (check_duplicate(c, st, &seen->loss) < 0)
            return -1;
        Scoped v = fold_resolve(c, (Scoped){st->value, c->let_count, NULL});
        LrSpan name;
        const LrNode *args;
        if (as_call(c, v, "a loss", &name, &args) < 0)
            return -1;
        int kind = lookup(c, losses, name, "loss");
        if (kind < 0)
            return -1;
        spec->loss.kind = (LrLossKind)kind;
        spec->loss.delta = 1.0; /* Keras Huber default */
        const LrNode *b[MAX_PARAMS];
        if (eval_options(c, losses[kind].name, v.node->span, args, 1,
                         options_losses[kind], b, v.scope, &spec->loss) < 0)
            return -1;
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
                       modules_sandbox_allows(c, spec->save_span, spec->save_path, true) < 0
                   ? -1
                   : 0;
    case STMT_LOAD:
        if (check_duplicate(c, st, &seen->load) < 0)
            return -1;
        spec->load_span = st->span;
        return check_path_stmt(c, st, &spec->load_path, &spec->load_portable,
                               &spec->load_span) < 0 ||
                       modules_sandbox_allows(c, spec->load_span, spec->load_path, false) < 0
                   ? -1
                   : 0;
    case STMT_USE:
        return modules_use(c, st);
    case STMT_MINIMIZE:
        return check_minimize(c, st, spec);
    case STMT_PREDICT:
        return check_predict(c, st, spec);
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
    bool weights = false;
    for (int i = 0; i < spec->layer_count; i++)
        weights |= spec->layers[i].kind == LAYER_DENSE || spec->layers[i].kind == LAYER_CONV2D;
    const LrLayerSpec *last = &spec->layers[spec->layer_count - 1];
    if (!weights) {
        diag_error(c->diag, c->src, last->span,
                   "the model has no dense or conv2d layer: nothing to train");
        return;
    }
    /* 0: the width follows from the input's shape (the plan checks it). */
    int width = layers_output_width(spec->layers, spec->layer_count);
    if (width == 0)
        return;
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

/* Each metric fits the model: the loss and the model's output width (its
 * last dense layer's units) are known here. */
static void check_metrics_fit(Checker *c, const LrSpec *spec)
{
    int width = layers_output_width(spec->layers, spec->layer_count);
    if (width > 0) /* else check_model_output said so, or the plan will */
        metrics_check_fit(spec, spec->loss.kind, width, c->src, c->diag);
}

/* A file that loads a model and evaluates or predicts without training:
 * the model, its loss and its normalization are the loaded file's (its
 * description), so statements that would set them are refused rather
 * than silently unused. */
static void check_inference(Checker *c, const Seen *seen, LrSpec *spec)
{
    const LrStmt *unused[] = {seen->model, seen->loss, seen->optimizer, seen->save};
    for (int i = 0; i < 4; i++)
        if (unused[i])
            diag_error(c->diag, c->src, unused[i]->keyword,
                       "a file without 'train' uses the model, loss and normalization saved in "
                       "its 'load' file: remove this '%.*s'",
                       (int)unused[i]->keyword.length, AST_TEXT(c->src, unused[i]->keyword));
    for (int i = 0; i < spec->evaluate_count; i++)
        if (spec->evaluates[i].metric_count < 0)
            spec->evaluates[i].metric_count = 0;
}

static void check_fit(Checker *c, LrSpec *spec);

/* batchnorm normalizes by the statistics of the rows it is given, and a
 * step gives it a shard at a time (dist.h): with shards smaller than the
 * batch it would normalize by each shard, and its moving statistics would
 * follow the shards of one rank. */
static void check_shards(Checker *c, const LrSpec *spec)
{
    const LrTrainSpec *t = &spec->train;
    if (t->shard == 0 || t->shard >= t->batch)
        return;
    for (int i = 0; i < spec->layer_count; i++)
        if (spec->layers[i].kind == LAYER_BATCHNORM) {
            diag_error(c->diag, c->src, t->shard_span,
                       "shard=%lld splits each batch of %lld rows, but batchnorm needs the "
                       "whole batch for its statistics: remove shard= (or batchnorm)",
                       (long long)t->shard, (long long)t->batch);
            return;
        }
}

/* A `train` needs everything it trains with. */
static void check_complete(Checker *c, const Seen *seen, LrSpec *spec)
{
    if (!seen->train && seen->load && (spec->evaluate_count > 0 || spec->predict_count > 0)) {
        check_inference(c, seen, spec);
        return;
    }
    if (!seen->train) {
        if (spec->minimize_count > 0 && spec->evaluate_count == 0 && !seen->save &&
            spec->predict_count == 0)
            return;
        LrSpan end = {c->src->segment_count ? c->src->segments[0].length
                                            : (uint32_t)c->src->length, 0};
        diag_error(c->diag, c->src, end,
                   spec->minimize_count || spec->evaluate_count || seen->save ||
                           spec->predict_count
                       ? "evaluate, predict and save need a 'train' statement (or, for "
                         "evaluate and predict, a 'load' of a saved model)"
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
    if (!missing)
        check_fit(c, spec);
}

/* The model's output and the metrics against the data: only when the
 * model, loss and train (and so the data set it trains on) checked,
 * whatever other statements' errors. */
static void check_fit(Checker *c, LrSpec *spec)
{
    if (!spec->has_train || !spec->has_model || !spec->has_loss || spec->layer_count == 0)
        return;
    check_model_output(c, spec);
    check_shards(c, spec);
    for (int i = 0; i < spec->evaluate_count; i++) {
        LrEvaluateSpec *e = &spec->evaluates[i];
        if (e->metric_count < 0) {
            e->metric_count = spec->train.metric_count;
            memcpy(e->metrics, spec->train.metrics, sizeof e->metrics);
            memcpy(e->metric_spans, spec->train.metric_spans, sizeof e->metric_spans);
        }
    }
    check_metrics_fit(c, spec);
}

/* Gives on_let every let defined, folding the number lets nothing used yet;
 * an error in one is not reported here (a use of it reports it). */
static void report_lets(Checker *c)
{
    LrDiag silent, *reported = c->diag;
    diag_init(&silent, NULL);
    c->diag = &silent;
    for (int i = 0; i < c->let_count; i++) {
        LetBinding *b = &c->lets[i];
        if (!b->stmt->is_function && b->folded == 0 && !fold_is_sweep(c, b->value))
            b->folded = fold_number(c, (Scoped){b->value, i, NULL}, &b->number) == 0 ? 1 : -1;
        c->options->on_let(c->options->on_let_ctx, b->stmt,
                           !b->stmt->is_function && b->folded > 0 ? &b->number : NULL);
    }
    c->diag = reported;
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
    /* Every statement is checked whatever errors came before: an error
     * marks what it spoils (a failed let or dataset, a module that did not
     * load), and uses of that say nothing more. */
    int before = diag->errors;
    modules_begin(&c);
    modules_register_program(&c, prog);
    sets_apply(&c);
    sets_collect_sweeps(&c, spec);
    Seen seen;
    memset(&seen, 0, sizeof seen);
    for (const LrStmt *st = prog->first; st; st = st->next)
        check_stmt(&c, st, spec, &seen);
    /* What the whole file needs is not asked of a file with errors or that
     * lost statements to syntax errors (the statement may be the one with
     * the error); how the model fits its data is, when those checked. */
    if (!prog->dropped && diag->errors == before)
        check_complete(&c, &seen, spec);
    else
        check_fit(&c, spec);
    if (diag->errors == before)
        compile_formula_lets(&c, spec);
    int status = diag->errors == before ? 0 : -1;
    if (c.options->on_let)
        report_lets(&c);
    return status;
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
