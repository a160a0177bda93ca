/* expr.h — scalar expressions with exact derivatives, for `minimize` (and
 * any formula of variables). The checker compiles an AST expression, with
 * `let` functions inlined, into a tape: a list of operations in evaluation
 * order, each reading earlier entries. Evaluation runs the tape forward for
 * the value and backward (reverse-mode automatic differentiation) for the
 * gradient with respect to every variable: derivatives are exact, never
 * finite differences. */
#ifndef LR_EXPR_H
#define LR_EXPR_H
#include <stddef.h>

#include "source.h"

typedef enum LrExprOp {
    EXPR_CONST, /* value */
    EXPR_VAR,   /* variable number a */
    EXPR_ADD, EXPR_SUB, EXPR_MUL, EXPR_DIV,
    EXPR_POW,   /* a ^ b */
    EXPR_NEG,
    EXPR_SIN, EXPR_COS, EXPR_TAN, EXPR_EXP, EXPR_LOG, EXPR_SQRT, EXPR_ABS,
    EXPR_SINH, EXPR_COSH, EXPR_TANH,
    EXPR_MIN, EXPR_MAX /* of two: a, b */
} LrExprOp;

typedef struct LrExprNode {
    LrExprOp op;
    int a, b;        /* operand entries (earlier in the tape); EXPR_VAR: a is the variable */
    double value;    /* EXPR_CONST */
    LrSpan span;     /* where the operation is written, for run-time errors */
} LrExprNode;

#define EXPR_MAX_NODES 100000
#define EXPR_MAX_VARS 16

typedef struct LrExpr {
    LrExprNode *nodes; /* owned by whoever built the tape (the compile arena) */
    int count;
    int root;          /* the entry holding the result */
    int var_count;
} LrExpr;

/* op applied to a (and b, for a binary op): the one definition of each
 * operation, for the tape and for the checker's constant folding. min and
 * max propagate a NaN from either operand (as IEEE minimum/maximum and
 * numpy do, unlike C's fmin), and pick a on ties. EXPR_CONST and EXPR_VAR
 * are leaves, not operations: NaN. */
double expr_apply(LrExprOp op, double a, double b);

/* Value of e at vars; grad (var_count entries) receives the exact gradient
 * when not NULL. work and adjoint are scratch of e->count doubles each (the
 * caller allocates them once). Returns the value; a non-finite value or
 * derivative is returned as is (the caller decides), and *bad (if not
 * NULL) is set to the first entry whose value or local derivative is not
 * finite, or -1. Allocates nothing. */
double expr_eval(const LrExpr *e, const double *vars, double *grad, double *work,
                 double *adjoint, int *bad);

#endif
