/* expr.c — evaluation of an expression tape (expr.h): a forward pass for
 * the value, then reverse-mode automatic differentiation for the exact
 * gradient. Both passes are loops over the tape, never recursion, so a
 * tape as deep as EXPR_MAX_NODES needs no stack; nothing is allocated, the
 * caller's scratch arrays hold everything. */
#include "expr.h"

#include <math.h>
#include <stdbool.h>

/* ------------------------------------------------------------------------
 * Which entries depend on a variable
 *
 * The backward pass must know whether an operand is a constant-only
 * subtree: a^b with a constant b has no ln(a) term (x^3 at x = -2 is
 * differentiable although ln(-2) is not), and an infinite local derivative
 * inside a constant subtree (sqrt(0) of literals) is never used. Rather
 * than a third scratch array, the forward pass writes that flag into
 * adjoint[] as the sign of a zero: -0.0 for constant, +0.0 for dependent.
 * The backward pass only ever adds into dependent entries and writes a sum
 * that comes out zero back as +0.0 (round-to-nearest already gives +0.0;
 * other rounding modes need not), so a -0.0 still marks a constant entry
 * when the flag is read, while every other value is a true adjoint. */

static void dep_mark(double *adjoint, int i, bool depends)
{
    adjoint[i] = depends ? 0.0 : -0.0;
}

static bool dep_is_const(const double *adjoint, int i)
{
    return adjoint[i] == 0 && signbit(adjoint[i]);
}

/* Adds d to the adjoint of dependent entry j; constant entries are left
 * untouched (they lead to no variable) so that they keep their mark. */
static void adjoint_add(double *adjoint, int j, double d)
{
    if (dep_is_const(adjoint, j))
        return;
    double s = adjoint[j] + d;
    adjoint[j] = s == 0 ? 0.0 : s;
}

static bool op_is_binary(LrExprOp op)
{
    switch (op) {
    case EXPR_ADD: case EXPR_SUB: case EXPR_MUL: case EXPR_DIV: case EXPR_POW:
    case EXPR_MIN: case EXPR_MAX:
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------------
 * Forward */

/* min and max let a NaN through from either side (a plain comparison would
 * drop one in b) and pick a on ties, as the backward pass assumes. */
static double min_of(double a, double b)
{
    return isnan(a) || isnan(b) ? a + b : (b < a ? b : a);
}

static double max_of(double a, double b)
{
    return isnan(a) || isnan(b) ? a + b : (b > a ? b : a);
}

double expr_apply(LrExprOp op, double a, double b)
{
    switch (op) {
    case EXPR_CONST:
    case EXPR_VAR:   break; /* leaves: node_value reads them */
    case EXPR_ADD:   return a + b;
    case EXPR_SUB:   return a - b;
    case EXPR_MUL:   return a * b;
    case EXPR_DIV:   return a / b;
    case EXPR_POW:   return pow(a, b);
    case EXPR_NEG:   return -a;
    case EXPR_SIN:   return sin(a);
    case EXPR_COS:   return cos(a);
    case EXPR_TAN:   return tan(a);
    case EXPR_EXP:   return exp(a);
    case EXPR_LOG:   return log(a);
    case EXPR_SQRT:  return sqrt(a);
    case EXPR_ABS:   return fabs(a);
    case EXPR_SINH:  return sinh(a);
    case EXPR_COSH:  return cosh(a);
    case EXPR_TANH:  return tanh(a);
    case EXPR_MIN:   return min_of(a, b);
    case EXPR_MAX:   return max_of(a, b);
    }
    return NAN; /* an op outside the enum: refuse rather than guess */
}

static double node_value(const LrExprNode *n, const double *vars, const double *work)
{
    if (n->op == EXPR_CONST)
        return n->value;
    if (n->op == EXPR_VAR)
        return vars[n->a];
    return expr_apply(n->op, work[n->a], op_is_binary(n->op) ? work[n->b] : 0);
}

/* ------------------------------------------------------------------------
 * Backward */

/* Local derivative of pow(a, b) with respect to the exponent: a^b ln a.
 * At a = 0 with b > 0 the function is 0 on the right of the base and its
 * exponent derivative is taken as 0; for a negative base a^b is not
 * defined near b, so the derivative is NaN. */
static double pow_exponent_derivative(double a, double b, double value)
{
    if (a > 0)
        return value * log(a);
    if (a == 0 && b > 0)
        return 0;
    return NAN;
}

/* Propagates the adjoint of entry i to its operands. Only operands that
 * depend on a variable are differentiated against, so a constant operand's
 * derivative (which may not exist) is never formed. Returns false when a
 * local derivative that was used is not finite. */
static bool node_backward(const LrExprNode *n, const double *work, double *adjoint,
                          double adj, double value)
{
    int ia = n->a, ib = n->b;
    bool da = n->op != EXPR_CONST && n->op != EXPR_VAR && !dep_is_const(adjoint, ia);
    bool db = op_is_binary(n->op) && !dep_is_const(adjoint, ib);
    double a = n->op == EXPR_CONST || n->op == EXPR_VAR ? 0 : work[ia];
    double b = op_is_binary(n->op) ? work[ib] : 0;
    double la = 0, lb = 0; /* local derivatives with respect to a and b */

    switch (n->op) {
    case EXPR_CONST: case EXPR_VAR:
        return true;
    case EXPR_ADD:  la = 1; lb = 1; break;
    case EXPR_SUB:  la = 1; lb = -1; break;
    case EXPR_MUL:  la = b; lb = a; break;
    case EXPR_DIV:  la = 1 / b; lb = -a / (b * b); break;
    case EXPR_POW:
        if (da)
            la = b == 0 ? 0 : b * pow(a, b - 1);
        if (db)
            lb = pow_exponent_derivative(a, b, value);
        break;
    case EXPR_NEG:  la = -1; break;
    case EXPR_SIN:  la = cos(a); break;
    case EXPR_COS:  la = -sin(a); break;
    case EXPR_TAN:  la = 1 / (cos(a) * cos(a)); break;
    case EXPR_EXP:  la = value; break;
    case EXPR_LOG:  la = 1 / a; break;
    case EXPR_SQRT: la = 1 / (2 * value); break;
    /* A subgradient at 0: the one a minimizer can stop at. */
    case EXPR_ABS:  la = a > 0 ? 1 : a < 0 ? -1 : 0; break;
    case EXPR_SINH: la = cosh(a); break;
    case EXPR_COSH: la = sinh(a); break;
    case EXPR_TANH: la = 1 - value * value; break;
    /* The derivative follows the operand the forward pass selected, a on
     * ties; the other operand receives nothing. */
    case EXPR_MIN:  if (b < a) lb = 1; else la = 1; break;
    case EXPR_MAX:  if (b > a) lb = 1; else la = 1; break;
    }

    bool finite = true;
    if (da) {
        finite = finite && isfinite(la);
        adjoint_add(adjoint, ia, adj * la);
    }
    if (db) {
        finite = finite && isfinite(lb);
        adjoint_add(adjoint, ib, adj * lb);
    }
    return finite;
}

/* ------------------------------------------------------------------------
 * Evaluation */

double expr_eval(const LrExpr *e, const double *vars, double *grad, double *work,
                 double *adjoint, int *bad)
{
    int forward_bad = -1, backward_bad = -1;
    if (grad)
        for (int v = 0; v < e->var_count; v++)
            grad[v] = 0;
    if (e->count <= 0 || e->root < 0 || e->root >= e->count) {
        if (bad)
            *bad = -1;
        return NAN;
    }

    /* Entries after the root cannot reach it: they are not evaluated. */
    for (int i = 0; i <= e->root; i++) {
        const LrExprNode *n = &e->nodes[i];
        work[i] = node_value(n, vars, work);
        if (forward_bad < 0 && !isfinite(work[i]))
            forward_bad = i;
        bool depends = n->op == EXPR_VAR;
        if (n->op != EXPR_CONST && n->op != EXPR_VAR) {
            depends = !dep_is_const(adjoint, n->a);
            if (op_is_binary(n->op))
                depends = depends || !dep_is_const(adjoint, n->b);
        }
        dep_mark(adjoint, i, depends);
    }

    if (grad && !dep_is_const(adjoint, e->root)) {
        adjoint[e->root] = 1;
        for (int i = e->root; i >= 0; i--) {
            const LrExprNode *n = &e->nodes[i];
            double adj = adjoint[i];
            /* Constant entries lead to no variable; an entry with a zero
             * adjoint (the branch min/max did not select, a factor of 0)
             * contributes nothing, so its local derivative is not used. */
            if (dep_is_const(adjoint, i) || adj == 0)
                continue;
            if (n->op == EXPR_VAR) {
                grad[n->a] += adj;
                continue;
            }
            if (!node_backward(n, work, adjoint, adj, work[i]))
                backward_bad = i; /* the loop runs downward: ends at the lowest */
        }
    }

    if (bad)
        *bad = forward_bad >= 0 ? forward_bad : backward_bad;
    return work[e->root];
}
