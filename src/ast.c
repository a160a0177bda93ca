/* ast.c — constructors for syntax tree nodes (in the compile arena), which
 * the grammar's actions call, and the s-expression printer the parser
 * tests compare against. */
#include "ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

LrNode *ast_new_node(LrArena *a, LrNodeKind kind, LrSpan span)
{
    LrNode *n = arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->span = span;
    n->depth = 1;
    return n;
}

LrNode *ast_new_leaf(LrArena *a, LrNodeKind kind, LrSpan span, double number)
{
    LrNode *n = ast_new_node(a, kind, span);
    if (!n)
        return NULL;
    n->name = span;
    n->number = number;
    return n;
}

static int ast_deeper(int a, int b)
{
    return a > b ? a : b;
}

static int ast_items_depth(const LrNode *items)
{
    int d = 0;
    for (const LrNode *i = items; i; i = i->next)
        d = ast_deeper(d, i->depth);
    return d;
}

LrNode *ast_new_unary(LrArena *a, LrSpan op_span, int op, LrNode *operand)
{
    LrNode *n = ast_new_node(a, AST_UNARY, ast_span_join(op_span, operand->span));
    if (!n)
        return NULL;
    n->op = op;
    n->lhs = operand;
    n->depth = operand->depth + 1;
    return n;
}

LrNode *ast_new_binary(LrArena *a, LrNodeKind kind, int op, LrNode *lhs, LrNode *rhs)
{
    LrNode *n = ast_new_node(a, kind, ast_span_join(lhs->span, rhs->span));
    if (!n)
        return NULL;
    n->op = op;
    n->lhs = lhs;
    n->rhs = rhs;
    n->depth = ast_deeper(lhs->depth, rhs->depth) + 1;
    return n;
}

LrNode *ast_new_member(LrArena *a, LrNode *lhs, LrSpan name)
{
    LrNode *n = ast_new_node(a, AST_MEMBER, ast_span_join(lhs->span, name));
    if (!n)
        return NULL;
    n->name = name;
    n->lhs = lhs;
    n->depth = lhs->depth + 1;
    return n;
}

LrNode *ast_new_keyword(LrArena *a, LrSpan key, LrNode *value)
{
    LrNode *n = ast_new_node(a, AST_KEYWORD, ast_span_join(key, value->span));
    if (!n)
        return NULL;
    n->name = key;
    n->lhs = value;
    n->depth = value->depth + 1;
    return n;
}

LrNode *ast_new_call(LrArena *a, LrSpan name, LrNodeList args, LrSpan close)
{
    LrNode *n = ast_new_node(a, AST_CALL, ast_span_join(name, close));
    if (!n)
        return NULL;
    n->name = name;
    n->items = args.first;
    n->count = args.count;
    n->depth = ast_items_depth(args.first) + 1;
    return n;
}

LrNode *ast_new_list(LrArena *a, LrSpan open, LrNodeList items, LrSpan close)
{
    LrNode *n = ast_new_node(a, AST_LIST, ast_span_join(open, close));
    if (!n)
        return NULL;
    n->items = items.first;
    n->count = items.count;
    n->depth = ast_items_depth(items.first) + 1;
    return n;
}

LrStmt *ast_new_stmt(LrArena *a, LrStmtKind kind, LrSpan keyword, LrSpan end)
{
    LrStmt *s = arena_alloc(a, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    s->keyword = keyword;
    s->span = ast_span_join(keyword, end);
    return s;
}

void ast_list_add(LrNodeList *list, LrNode *node)
{
    node->next = NULL;
    if (list->last)
        list->last->next = node;
    else
        list->first = node;
    list->last = node;
    list->count++;
}

LrSpan ast_list_end(LrNodeList list, LrSpan otherwise)
{
    return list.last ? list.last->span : otherwise;
}

LrSpan ast_span_join(LrSpan a, LrSpan b)
{
    uint32_t start = a.offset < b.offset ? a.offset : b.offset;
    uint32_t end_a = a.offset + a.length, end_b = b.offset + b.length;
    uint32_t end = end_a > end_b ? end_a : end_b;
    LrSpan s = {start, end - start};
    return s;
}

/* ---- printing -------------------------------------------------------- */

/* An output buffer that counts what would have been written, as snprintf. */
typedef struct AstOut {
    char *buf;
    size_t size, used;
} AstOut;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void ast_put(AstOut *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->used < o->size ? o->size - o->used : 0;
    int n = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n;
}

static void ast_put_span(AstOut *o, const LrSource *src, LrSpan span)
{
    ast_put(o, "%.*s", (int)span.length, AST_TEXT(src, span));
}

static void ast_put_string(AstOut *o, const char *text)
{
    ast_put(o, "\"");
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '"': ast_put(o, "\\\""); break;
        case '\\': ast_put(o, "\\\\"); break;
        case '\n': ast_put(o, "\\n"); break;
        case '\t': ast_put(o, "\\t"); break;
        default: ast_put(o, "%c", *p); break;
        }
    }
    ast_put(o, "\"");
}

static void ast_put_node(AstOut *o, const LrSource *src, const LrNode *n);

static void ast_put_items(AstOut *o, const LrSource *src, const LrNode *item)
{
    for (; item; item = item->next) {
        ast_put(o, " ");
        ast_put_node(o, src, item);
    }
}

/* Recursion depth is bounded by the parser's limits on nesting. */
static void ast_put_node(AstOut *o, const LrSource *src, const LrNode *n)
{
    if (!n) {
        ast_put(o, "nil");
        return;
    }
    switch (n->kind) {
    case AST_NUMBER:
        ast_put(o, "%g", n->number);
        break;
    case AST_STRING:
        ast_put_string(o, n->text ? n->text : "");
        break;
    case AST_BOOL:
        ast_put(o, "%s", n->number != 0 ? "true" : "false");
        break;
    case AST_NAME:
        ast_put_span(o, src, n->name);
        break;
    case AST_LIST:
        ast_put(o, "(list");
        ast_put_items(o, src, n->items);
        ast_put(o, ")");
        break;
    case AST_CALL:
        ast_put(o, "(call ");
        ast_put_span(o, src, n->name);
        ast_put_items(o, src, n->items);
        ast_put(o, ")");
        break;
    case AST_KEYWORD:
        ast_put(o, "(kw ");
        ast_put_span(o, src, n->name);
        ast_put(o, " ");
        ast_put_node(o, src, n->lhs);
        ast_put(o, ")");
        break;
    case AST_UNARY:
        ast_put(o, "(neg ");
        ast_put_node(o, src, n->lhs);
        ast_put(o, ")");
        break;
    case AST_BINARY:
        ast_put(o, "(%c ", n->op);
        ast_put_node(o, src, n->lhs);
        ast_put(o, " ");
        ast_put_node(o, src, n->rhs);
        ast_put(o, ")");
        break;
    case AST_CHAIN:
        ast_put(o, "(-> ");
        ast_put_node(o, src, n->lhs);
        ast_put(o, " ");
        ast_put_node(o, src, n->rhs);
        ast_put(o, ")");
        break;
    case AST_MEMBER:
        ast_put(o, "(. ");
        ast_put_node(o, src, n->lhs);
        ast_put(o, " ");
        ast_put_span(o, src, n->name);
        ast_put(o, ")");
        break;
    }
}

static int ast_out_finish(AstOut *o)
{
    if (o->size)
        o->buf[o->used < o->size ? o->used : o->size - 1] = 0;
    return (int)o->used;
}

int ast_format(const LrSource *src, const LrNode *node, char *buf, int size)
{
    AstOut o = {buf, size > 0 ? (size_t)size : 0, 0};
    ast_put_node(&o, src, node);
    return ast_out_finish(&o);
}

int ast_format_stmt(const LrSource *src, const LrStmt *stmt, char *buf, int size)
{
    AstOut o = {buf, size > 0 ? (size_t)size : 0, 0};
    ast_put(&o, "(");
    ast_put_span(&o, src, stmt->keyword);
    if (stmt->name.length) {
        ast_put(&o, " ");
        ast_put_span(&o, src, stmt->name);
    }
    if (stmt->is_function) {
        ast_put(&o, " (params");
        ast_put_items(&o, src, stmt->params);
        ast_put(&o, ")");
    }
    if (stmt->value) {
        ast_put(&o, " ");
        ast_put_node(&o, src, stmt->value);
    }
    if (stmt->from) {
        ast_put(&o, " (from");
        ast_put_items(&o, src, stmt->from);
        ast_put(&o, ")");
    }
    ast_put_items(&o, src, stmt->options);
    ast_put(&o, ")");
    return ast_out_finish(&o);
}
