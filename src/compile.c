/* compile.c — a minimize's formula compiled to expr.c's tape: the
 * variables become tape entries, let functions are inlined with their
 * arguments' entries, and whatever does not involve a variable is folded
 * (fold.c) into a constant (check_int.h). */
#include <string.h>

#include "check_int.h"

typedef struct Tape {
    LrExprNode *nodes;
    int count, capacity;
} Tape;

static int tape_push(Checker *c, Tape *t, LrExprOp op, int a, int b, double value, LrSpan span)
{
    if (t->count == t->capacity) {
        int bigger = t->capacity ? 2 * t->capacity : 256;
        if (bigger > EXPR_MAX_NODES) {
            diag_error(c->diag, c->src, span, "the formula is too large (limit is %d operations)",
                       EXPR_MAX_NODES);
            return -1;
        }
        LrExprNode *nodes = arena_array(c->arena, (size_t)bigger, sizeof *nodes);
        if (!nodes) {
            diag_error(c->diag, c->src, span, "out of memory");
            return -1;
        }
        if (t->count)
            memcpy(nodes, t->nodes, (size_t)t->count * sizeof *nodes);
        t->nodes = nodes;
        t->capacity = bigger;
    }
    t->nodes[t->count] = (LrExprNode){op, a, b, value, span};
    return t->count++;
}

/* Compiles a numeric expression whose frame's names are tape entries
 * (variables, or an inlined function's arguments). Returns the entry, or -1
 * after reporting. Constant parts still go through fold_number's checks. */
static int compile_expr_at(Checker *c, Scoped v, Tape *t);

static int compile_expr(Checker *c, Scoped v, Tape *t)
{
    if (fold_too_deep(c, v.node))
        return -1;
    c->nesting++;
    int status = compile_expr_at(c, v, t);
    c->nesting--;
    return status;
}

static int compile_expr_at(Checker *c, Scoped v, Tape *t)
{
    /* A let cannot see the variables: it is a constant (folded once). */
    if (v.node->kind == AST_NAME && fold_frame_find(c, v.frame, v.node->name) < 0) {
        double value;
        if (fold_number(c, (Scoped){v.node, v.scope, NULL}, &value) < 0)
            return -1;
        return tape_push(c, t, EXPR_CONST, 0, 0, value, v.node->span);
    }
    v = fold_resolve(c, v);
    const LrNode *n = v.node;
    switch (n->kind) {
    case AST_NAME: {
        int param = fold_frame_find(c, v.frame, n->name);
        if (param >= 0)
            return v.frame->entries[param];
        break;
    }
    case AST_UNARY: {
        int a = compile_expr(c, (Scoped){n->lhs, v.scope, v.frame}, t);
        return a < 0 ? -1 : tape_push(c, t, EXPR_NEG, a, 0, 0, n->span);
    }
    case AST_BINARY: {
        int a = compile_expr(c, (Scoped){n->lhs, v.scope, v.frame}, t);
        int b = a < 0 ? -1 : compile_expr(c, (Scoped){n->rhs, v.scope, v.frame}, t);
        if (b < 0)
            return -1;
        return tape_push(c, t, fold_operator(n->op), a, b, 0, n->span);
    }
    case AST_CALL: {
        const LetBinding *user = fold_called_function(c, v);
        int args[MAX_CALL_ARGS], count = 0;
        if (user && fold_check_call(c, n, user) < 0)
            return -1;
        int want = 0;
        int op = user ? -1 : check_math_function(c, n->name, false, &want);
        if (!user && op < 0)
            break; /* fold_number reports what it is */
        for (const LrNode *a = n->items; a; a = a->next) {
            if (a->kind == AST_KEYWORD || count == MAX_CALL_ARGS)
                break;
            if ((args[count++] = compile_expr(c, (Scoped){a, v.scope, v.frame}, t)) < 0)
                return -1;
        }
        if (user) {
            Frame frame = {user->stmt->params, user->stmt->param_count, NULL, args};
            return compile_expr(c, (Scoped){user->value, (int)(user - c->lets), &frame}, t);
        }
        if ((want > 0 && count != want) || (want < 0 && count < 1) || count != n->count)
            break; /* fold_number reports the arity */
        if (want < 0) { /* min and max of several: pairwise, from the left */
            int acc = args[0];
            for (int i = 1; i < count && acc >= 0; i++)
                acc = tape_push(c, t, (LrExprOp)op, acc, args[i], 0, n->span);
            return acc;
        }
        return tape_push(c, t, (LrExprOp)op, args[0], want == 2 ? args[1] : 0, 0, n->span);
    }
    default:
        break;
    }
    /* Whatever is left does not involve the variables: a constant. */
    double value;
    if (fold_number(c, (Scoped){n, v.scope, NULL}, &value) < 0)
        return -1;
    return tape_push(c, t, EXPR_CONST, 0, 0, value, n->span);
}

int compile_formula(Checker *c, const LrNode *vars, int var_count, Scoped value, LrExpr *out)
{
    Tape tape = {0};
    int entries[EXPR_MAX_VARS];
    for (int i = 0; i < var_count; i++)
        if ((entries[i] = tape_push(c, &tape, EXPR_VAR, i, 0, 0, vars->span)) < 0)
            return -1;
    Frame frame = {vars, var_count, NULL, entries};
    int root = compile_expr(c, (Scoped){value.node, value.scope, &frame}, &tape);
    if (root < 0)
        return -1;
    *out = (LrExpr){tape.nodes, tape.count, root, var_count};
    return 0;
}

/* ------------------------------------------ the lets a formula names */

/* Marks the lets v names in c->formula_lets: a value let as it is (it is
 * written as its number), a function let with the lets its body names. */
static void mark_lets(Checker *c, Scoped v)
{
    const LrNode *n = v.node;
    switch (n->kind) {
    case AST_NAME:
        if (fold_frame_find(c, v.frame, n->name) < 0) {
            const LetBinding *b = fold_let_find(c, n->name, v.scope);
            if (b)
                c->formula_lets[b - c->lets] = true;
        }
        return;
    case AST_CALL: {
        for (const LrNode *a = n->items; a; a = a->next)
            mark_lets(c, (Scoped){a, v.scope, v.frame});
        const LetBinding *fn = fold_called_function(c, v);
        int i = fn ? (int)(fn - c->lets) : 0;
        if (fn && !c->formula_lets[i]) { /* each body once: calls may repeat */
            c->formula_lets[i] = true;
            Frame params = {fn->stmt->params, fn->stmt->param_count, NULL, NULL};
            mark_lets(c, (Scoped){fn->value, i, &params});
        }
        return;
    }
    case AST_UNARY:
        mark_lets(c, (Scoped){n->lhs, v.scope, v.frame});
        return;
    case AST_BINARY:
        mark_lets(c, (Scoped){n->lhs, v.scope, v.frame});
        mark_lets(c, (Scoped){n->rhs, v.scope, v.frame});
        return;
    default:
        return;
    }
}

int compile_note_lets(Checker *c, const LrNode *vars, int var_count, Scoped value)
{
    if (!c->formula_lets && c->all_lets > 0) {
        c->formula_lets = arena_array(c->arena, (size_t)c->all_lets, sizeof *c->formula_lets);
        if (!c->formula_lets)
            return -1;
        memset(c->formula_lets, 0, (size_t)c->all_lets * sizeof *c->formula_lets);
    }
    if (!c->formula_lets)
        return 0;
    Frame frame = {vars, var_count, NULL, NULL};
    mark_lets(c, (Scoped){value.node, value.scope, &frame});
    return 0;
}

/* Text written to out (NULL: only counted). */
typedef struct Text {
    char *out;
    size_t length;
} Text;

static void put(Text *t, const char *s, size_t n)
{
    if (t->out)
        memcpy(t->out + t->length, s, n);
    t->length += n;
}

/* Whether n was written in parentheses (they widen its span: parse.c). */
static bool parenthesized(const Checker *c, const LrNode *n)
{
    switch (n->kind) {
    case AST_BINARY: return n->span.offset != n->lhs->span.offset;
    case AST_UNARY: return AST_TEXT(c->src, n->span)[0] == '(';
    default: return n->span.offset != n->name.offset;
    }
}

/* A formula as .lr text that reads back to the same tree: its names and
 * numbers as written, the parentheses it was written with, and lrc fmt's
 * spacing (whatever spacing, line breaks and comments it was written
 * with), so that the text is one line and the same for a formatted file. */
static void formula_text(const Checker *c, const LrNode *n, Text *t)
{
    bool parens = parenthesized(c, n);
    if (parens)
        put(t, "(", 1);
    switch (n->kind) {
    case AST_CALL:
        put(t, AST_TEXT(c->src, n->name), n->name.length);
        put(t, "(", 1);
        for (const LrNode *a = n->items; a; a = a->next) {
            formula_text(c, a, t);
            if (a->next)
                put(t, ", ", 2);
        }
        put(t, ")", 1);
        break;
    case AST_UNARY:
        put(t, "-", 1);
        formula_text(c, n->lhs, t);
        break;
    case AST_BINARY: {
        char op[3] = {' ', (char)n->op, ' '};
        formula_text(c, n->lhs, t);
        if (n->op == '^')
            put(t, op + 1, 1);
        else
            put(t, op, 3);
        formula_text(c, n->rhs, t);
        break;
    }
    default: /* a name or a number (nothing else compiles) */
        put(t, AST_TEXT(c->src, n->name), n->name.length);
        break;
    }
    if (parens)
        put(t, ")", 1);
}

/* formula_text or a function's parameters into the arena; NULL when out of
 * memory. */
static char *arena_text(Checker *c, const LrNode *formula, const LrNode *params)
{
    Text t = {NULL, 0};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !(t.out = arena_alloc(c->arena, t.length + 1)))
            return NULL;
        t.length = 0;
        if (formula)
            formula_text(c, formula, &t);
        for (const LrNode *p = params; p; p = p->next) {
            put(&t, AST_TEXT(c->src, p->name), p->name.length);
            if (p->next)
                put(&t, ", ", 2);
        }
    }
    t.out[t.length] = '\0';
    return t.out;
}

int compile_formula_lets(Checker *c, LrSpec *spec)
{
    int count = 0;
    for (int i = 0; c->formula_lets && i < c->all_lets; i++)
        count += c->formula_lets[i];
    if (count == 0)
        return 0;
    LrLetSpec *lets = arena_array(c->arena, (size_t)count, sizeof *lets);
    if (!lets) {
        diag_error(c->diag, NULL, (LrSpan){0, 0}, "out of memory");
        return -1;
    }
    /* A let names only lets defined before it: in their order, each comes
     * after those it names. */
    int k = 0;
    for (int i = 0; i < c->all_lets; i++) {
        if (!c->formula_lets[i])
            continue;
        const LetBinding *b = &c->lets[i];
        LrLetSpec *l = &lets[k++];
        memset(l, 0, sizeof *l);
        l->name = check_span_string(c, b->name);
        if (b->stmt->is_function) {
            l->params = arena_text(c, NULL, b->stmt->params);
            l->body = arena_text(c, b->value, NULL);
        } else if (fold_number(c, (Scoped){b->value, i, NULL}, &l->value) < 0) {
            return -1; /* not reached: the formula that names it compiled */
        }
        if (!l->name || (b->stmt->is_function && (!l->params || !l->body))) {
            diag_error(c->diag, NULL, (LrSpan){0, 0}, "out of memory");
            return -1;
        }
    }
    spec->lets = lets;
    spec->let_count = count;
    return 0;
}
