/* sets.c — --set NAME=VALUE: each value parsed, typed and put in place of
 * its let's; and the lets whose value is sweep(...), collected for the runs
 * of a sweep (check_int.h). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "check_int.h"
#include "parse.h"

typedef enum ValueType { TYPE_NUMBER, TYPE_STRING, TYPE_BOOL, TYPE_LIST, TYPE_CHAIN, TYPE_WORD, TYPE_OTHER } ValueType;

/* The type of a value, for --set: numbers (whatever folds to one), strings,
 * booleans, lists, layer chains, and words of one category (a schedule, a
 * layer, ...), whose name is put in *category. */
static ValueType value_type(Checker *c, Scoped v, const char **category)
{
    v = fold_resolve(c, v);
    const LrNode *n = v.node;
    *category = NULL;
    switch (n->kind) {
    case AST_NUMBER:
    case AST_UNARY:
    case AST_BINARY:
        return TYPE_NUMBER;
    case AST_STRING:
        return TYPE_STRING;
    case AST_BOOL:
        return TYPE_BOOL;
    case AST_LIST:
        return TYPE_LIST;
    case AST_CHAIN:
        return TYPE_CHAIN;
    case AST_NAME:
    case AST_CALL:
        /* A bare function name (tanh) is the word (the activation), not a number. */
        if (check_constant(c, n->name, NULL) ||
            (n->kind == AST_CALL && (check_is_function(c, n->name) || fold_called_function(c, v))))
            return TYPE_NUMBER;
        *category = check_word_kind(c, n->name);
        if (!*category && check_is_activation(c, n->name))
            *category = "an activation";
        return *category ? TYPE_WORD : TYPE_OTHER;
    default:
        return TYPE_OTHER;
    }
}

static const char *type_name(ValueType t, const char *category)
{
    static const char *const names[] = {"a number", "a string", "a boolean", "a list",
                                        "a layer chain", "", "a value"};
    return t == TYPE_WORD ? category : names[t];
}

/* --set NAME=VALUE replaces a let's value with one of the same type. */
void sets_apply(Checker *c)
{
    for (int i = 0; i < c->options->set_count; i++) {
        const char *set = c->options->sets[i];
        const char *eq = strchr(set, '=');
        size_t len = eq ? (size_t)(eq - set) : strlen(set);
        LetBinding *b = NULL;
        for (int k = 0; k < c->all_lets; k++)
            if (c->lets[k].name.length == len &&
                memcmp(AST_TEXT(c->src, c->lets[k].name), set, len) == 0)
                b = &c->lets[k];
        if (!eq || len == 0) {
            diag_error(c->diag, NULL, (LrSpan){0, 0}, "--set takes NAME=VALUE, not '%s'", set);
            continue;
        }
        if (!b) {
            const char *names[CHECK_MAX_LETS + 1];
            int n = 0;
            for (int k = 0; k < c->all_lets && n < CHECK_MAX_LETS && diag_showing(c->diag); k++)
                names[n++] = arena_strndup(c->arena, AST_TEXT(c->src, c->lets[k].name),
                                           c->lets[k].name.length);
            names[n] = NULL;
            const char *guess = diag_suggest(set, len, names);
            if (guess)
                diag_error(c->diag, NULL, (LrSpan){0, 0},
                           "--set %.*s: no let named '%.*s'; did you mean '%s'?", (int)len, set,
                           (int)len, set, guess);
            else
                diag_error(c->diag, NULL, (LrSpan){0, 0}, "--set %.*s: no let named '%.*s'",
                           (int)len, set, (int)len, set);
            continue;
        }
        if (b->stmt->is_function) {
            diag_error(c->diag, NULL, (LrSpan){0, 0},
                       "--set %.*s: '%.*s' is a function; --set replaces values", (int)len, set,
                       (int)len, set);
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "--set %.*s", (int)len, set);
        int segment = source_append(c->modules_src, name, eq + 1, strlen(eq + 1));
        LrProgram value;
        if (segment < 0 ||
            parse_expression_segment(c->src, segment, c->arena, c->diag, &value) < 0)
            continue;
        int scope = (int)(b - c->lets);
        const char *old_cat, *new_cat;
        ValueType old_type = value_type(c, (Scoped){b->value, scope, NULL}, &old_cat);
        ValueType new_type = value_type(c, (Scoped){value.expr, scope, NULL}, &new_cat);
        if (old_type != new_type || (old_type == TYPE_WORD && strcmp(old_cat, new_cat) != 0)) {
            const char *wanted = type_name(old_type, old_cat);
            if (new_type == TYPE_OTHER)
                diag_error(c->diag, c->src, value.expr->span,
                           "--set %s: '%s' is not %s (%.*s is %s)", set, eq + 1, wanted,
                           (int)len, set, wanted);
            else
                diag_error(c->diag, c->src, value.expr->span,
                           "--set %s: '%s' is %s, not %s (%.*s is %s)", set, eq + 1,
                           type_name(new_type, new_cat), wanted, (int)len, set, wanted);
            continue;
        }
        b->value = value.expr;
        /* --set NAME=sweep(...) sweeps NAME, as the let would. */
        b->overridden = !fold_is_sweep(c, value.expr);
    }
}

/* Every let whose value is sweep(...) and that no --set replaced. */
void sets_collect_sweeps(Checker *c, LrSpec *spec)
{
    for (int i = 0; i < c->all_lets; i++) {
        const LetBinding *b = &c->lets[i];
        if (b->overridden || !fold_is_sweep(c, b->value))
            continue;
        if (b->stmt->is_function) {
            /* Runs replace a swept let with --set, which takes values. */
            diag_error(c->diag, c->src, b->value->span,
                       "a function cannot be a sweep; sweep a value, as in let rate = "
                       "sweep(0.1, 0.01)");
            continue;
        }
        if (!b->value->items) {
            diag_error(c->diag, c->src, b->value->span, "sweep needs at least one value");
            continue;
        }
        if (spec->sweep_count == SPEC_MAX_SWEEPS) {
            diag_error(c->diag, c->src, b->value->span, "too many sweeps (limit is %d)",
                       SPEC_MAX_SWEEPS);
            return;
        }
        LrSweepSpec *sw = &spec->sweeps[spec->sweep_count++];
        sw->name = check_span_string(c, b->name);
        sw->count = b->value->count;
        sw->values = arena_array(c->arena, (size_t)sw->count, sizeof *sw->values);
        if (!sw->values)
            return;
        int k = 0;
        for (const LrNode *item = b->value->items; item; item = item->next) {
            if (item->kind == AST_KEYWORD) {
                diag_error(c->diag, c->src, item->span, "sweep takes values, not options");
                return;
            }
            sw->values[k++] = check_span_string(c, item->span);
        }
    }
}
