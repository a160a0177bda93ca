/* ast.h — the syntax tree: tagged nodes in the compile arena, each with the
 * source span it came from. The parser builds it through the ast_* functions;
 * the checker reads it. Nothing here has meaning yet: `dense`, `sgd` and
 * `grades` are all just names. */
#ifndef LR_AST_H
#define LR_AST_H
#include <stdbool.h>

#include "arena.h"
#include "source.h"

typedef enum LrNodeKind {
    AST_NUMBER, /* number */
    AST_STRING, /* string (escapes decoded) */
    AST_BOOL,   /* number is 0 or 1 */
    AST_NAME,   /* name */
    AST_LIST,   /* [items] */
    AST_CALL,   /* name(items); items may be AST_KEYWORD nodes */
    AST_KEYWORD,/* name=lhs, inside calls, options and `from` lists */
    AST_UNARY,  /* op lhs; op is '-' */
    AST_BINARY, /* lhs op rhs; op is one of + - * / ^ */
    AST_CHAIN,  /* lhs -> rhs (layer chains) */
    AST_MEMBER  /* lhs.name (e.g. grades.validation) */
} LrNodeKind;

typedef struct LrNode LrNode;
struct LrNode {
    LrNodeKind kind;
    LrSpan span;      /* the whole node */
    LrSpan name;      /* NAME, CALL (callee), KEYWORD (key), MEMBER (member) */
    double number;    /* NUMBER, BOOL */
    const char *text; /* STRING: decoded, NUL-terminated */
    int op;           /* UNARY, BINARY: the operator character */
    LrNode *lhs, *rhs;
    LrNode *items;    /* LIST, CALL: first element; elements chain by next */
    int count;        /* number of items */
    int depth;        /* 1 for a leaf; 1 + the deepest child otherwise */
    LrNode *next;     /* next sibling in a list */
};

/* Expressions deeper than this are refused by the parser, which bounds the
 * recursion of everything that walks them (a sum of 10,000 terms is a tree
 * 10,000 deep). */
#define AST_MAX_DEPTH 1000

typedef enum LrStmtKind {
    STMT_SEED,      /* seed value */
    STMT_USE,       /* use value (STRING or NAME) */
    STMT_LET,       /* let name = value, or let name(params) = value */
    STMT_DATASET,   /* dataset [name =] value options */
    STMT_MODEL,     /* model [name =] value */
    STMT_LOSS,      /* loss value */
    STMT_OPTIMIZER, /* optimizer value options */
    STMT_TRAIN,     /* train options */
    STMT_EVALUATE,  /* evaluate options */
    STMT_SAVE,      /* save value */
    STMT_LOAD,      /* load value */
    STMT_MINIMIZE,  /* minimize value from assigns options */
    STMT_PREDICT    /* predict options */
} LrStmtKind;

typedef struct LrStmt LrStmt;
struct LrStmt {
    LrStmtKind kind;
    LrSpan span;        /* from the keyword to the end of the statement */
    LrSpan keyword;     /* the statement keyword */
    LrSpan name;        /* the bound name, length 0 when absent */
    LrNode *params;     /* let f(params): AST_NAME nodes; NULL otherwise */
    int param_count;
    bool is_function;   /* let f(...) = ... (even with no parameters) */
    LrNode *value;      /* NULL for train/evaluate */
    LrNode *options;    /* AST_KEYWORD nodes chained by next */
    LrNode *from;       /* minimize: AST_KEYWORD nodes chained by next */
    LrStmt *next;
};

typedef struct LrProgram {
    const LrSource *src;
    LrStmt *first, *last;
    int count;
    LrNode *expr;       /* set instead of statements when parsing an expression */
    /* Statements a syntax error dropped (the parse resumes at the next
     * statement): the checker then reports nothing that their absence
     * explains, such as a missing 'train' or a use of the names below. */
    int dropped;
    LrSpan *dropped_names; /* names the dropped let and dataset statements bound */
    int dropped_name_count, dropped_name_capacity;
} LrProgram;

/* A list under construction (arguments, items, options): O(1) append;
 * first is what the tree keeps. Zero-initialized is empty. */
typedef struct LrNodeList {
    LrNode *first, *last;
    int count;
} LrNodeList;

/* Constructors. Each allocates from arena and returns NULL when out of
 * memory. A node's span covers its parts (the parser gives the tokens'
 * spans); its depth is 1 + its deepest child's, and the parser refuses
 * one deeper than AST_MAX_DEPTH. */
LrNode *ast_new_node(LrArena *a, LrNodeKind kind, LrSpan span);
/* NUMBER, BOOL, NAME: name is the token's span, number its value. */
LrNode *ast_new_leaf(LrArena *a, LrNodeKind kind, LrSpan span, double number);
/* op operand, e.g. -x (op_span is the operator's). */
LrNode *ast_new_unary(LrArena *a, LrSpan op_span, int op, LrNode *operand);
/* lhs op rhs (AST_BINARY), or lhs -> rhs (AST_CHAIN, op 0). */
LrNode *ast_new_binary(LrArena *a, LrNodeKind kind, int op, LrNode *lhs, LrNode *rhs);
/* lhs.name */
LrNode *ast_new_member(LrArena *a, LrNode *lhs, LrSpan name);
/* key=value */
LrNode *ast_new_keyword(LrArena *a, LrSpan key, LrNode *value);
/* name(args), from the name to the closing ')'. */
LrNode *ast_new_call(LrArena *a, LrSpan name, LrNodeList args, LrSpan close);
/* [items], from '[' to ']'. */
LrNode *ast_new_list(LrArena *a, LrSpan open, LrNodeList items, LrSpan close);
/* A statement from its keyword to end (the span of its last part). */
LrStmt *ast_new_stmt(LrArena *a, LrStmtKind kind, LrSpan keyword, LrSpan end);
/* Appends node to list (keeps order). */
void ast_list_add(LrNodeList *list, LrNode *node);
/* The span of the list's last node, or otherwise when it is empty. */
LrSpan ast_list_end(LrNodeList list, LrSpan otherwise);
/* The span covering both a and b (a before b). */
LrSpan ast_span_join(LrSpan a, LrSpan b);

/* Text of a name span (not NUL-terminated): src->text + span.offset. */
#define AST_TEXT(src, span) ((src)->text + (span).offset)

/* Writes a compact s-expression of node (for parser tests):
 * (call dense 1 (kw init (call normal (kw stddev 0.01)))). Returns length. */
int ast_format(const LrSource *src, const LrNode *node, char *buf, int size);
/* The same for a statement: (KEYWORD [name] [(params p ...)] [value]
 * [(from (kw x 1) ...)] [options ...]), e.g. (optimizer sgd (kw lr 0.002)). */
int ast_format_stmt(const LrSource *src, const LrStmt *stmt, char *buf, int size);

#endif
