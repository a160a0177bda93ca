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
