/* lsp.c — see lsp.h. One request at a time: a document is checked again
 * whole (parse, check) for each change and each question about it, which
 * takes milliseconds for any .lr file a person writes. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "lsp.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "csv.h"
#include "diag.h"
#include "fileio.h"
#include "fmt.h"
#include "lex.h"
#include "lr.h"
#include "options.h"
#include "parse.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "source.h"
#include "version.h"
#include "words.h"

/* JSON-RPC 2.0's and the protocol's error codes. */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_SERVER_NOT_INITIALIZED = -32002
};

/* A message larger than this is read past and refused: the largest source
 * lrc reads, in a JSON string whose escapes may double it, and some room. */
#define LSP_MAX_MESSAGE (2u * LR_SOURCE_MAX_BYTES + 65536u)

/* Header lines longer than this are not the protocol's. */
enum { LSP_MAX_HEADER_LINE = 1024 };

/* ------------------------------------------------------------ documents */

typedef struct Document {
    char *uri;
    char *path; /* the file the URI names: where its relative paths start */
    char *text;
} Document;

typedef struct Server {
    Document *docs;
    int doc_count, doc_capacity;
    const char *const *module_dirs;
    int module_dir_count;
    const char *const *data_dirs;
    int data_dir_count;
    const char *const *allow_read; /* --allow-read's directories */
    int allow_read_count;
    bool initialized, shut_down;
} Server;

static Document *doc_find(Server *s, const char *uri)
{
    for (int i = 0; i < s->doc_count; i++)
        if (strcmp(s->docs[i].uri, uri) == 0)
            return &s->docs[i];
    return NULL;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The path of a file: URI, its %XX decoded; another scheme keeps its text
 * (an unsaved buffer has no directory: its paths start at the current
 * one). Returns a malloc'd string or NULL. */
static char *uri_to_path(const char *uri)
{
    const char *p = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
    char *out = malloc(strlen(p) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (; *p; p++) {
        int hi, lo;
        if (*p == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0 &&
            (hi || lo)) {
            out[n++] = (char)(hi << 4 | lo);
            p += 2;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return out;
}

/* The file: URI of path (made absolute), with every byte but the
 * unreserved ones and '/' as %XX. Returns a malloc'd string or NULL. */
static char *path_to_uri(const char *path)
{
    char real[PATH_MAX];
    if (realpath(path, real))
        path = real;
    size_t len = strlen(path);
    char *out = malloc(sizeof "file://" + 3 * len);
    if (!out)
        return NULL;
    size_t n = (size_t)sprintf(out, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            out[n++] = (char)*p;
        else
            n += (size_t)sprintf(out + n, "%%%02X", *p);
    }
    out[n] = '\0';
    return out;
}

/* -------------------------------------------------- positions (UTF-16) */

/* The LSP position of byte offset of text (length bytes): a 0-based line
 * and the character in UTF-16 code units, as the protocol counts them by
 * default (a character past U+FFFF is two). */
static void text_position(const char *text, size_t length, size_t offset, int *line,
                          int *character)
{
    int l = 0, c = 0;
    if (offset > length)
        offset = length;
    for (size_t i = 0; i < offset; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n') {
            l++;
            c = 0;
        } else if ((b & 0xc0) != 0x80) {
            c += b >= 0xf0 ? 2 : 1; /* a lead byte (or ASCII) starts a character */
        }
    }
    *line = l;
    *character = c;
}

/* The byte offset of an LSP position in text; a line or character past
 * the end is the end of the text or of the line. */
static size_t text_offset(const char *text, size_t length, long line, long character)
{
    size_t i = 0;
    for (long l = 0; l < line && i < length; i++)
        if (text[i] == '\n')
            l++;
    long c = 0;
    while (i < length && text[i] != '\n' && c < character) {
        unsigned char b = (unsigned char)text[i];
        c += b >= 0xf0 ? 2 : 1;
        i++;
        while (i < length && ((unsigned char)text[i] & 0xc0) == 0x80)
            i++;
    }
    return i;
}

static json_t *json_position(int line, int character)
{
    return json_pack("{s:i,s:i}", "line", line, "character", character);
}

/* The range of [offset, offset + length) in text. */
static json_t *json_range(const char *text, size_t text_length, size_t offset, size_t length)
{
    int l1, c1, l2, c2;
    text_position(text, text_length, offset, &l1, &c1);
    text_position(text, text_length, offset + length, &l2, &c2);
    return json_pack("{s:o,s:o}", "start", json_position(l1, c1), "end", json_position(l2, c2));
}

/* --------------------------------------------------------- the checker */

typedef struct LetInfo {
    const LrStmt *stmt;
    bool has_number;
    double number;
} LetInfo;

/* A document as the checker sees it: what the diagnostics sink collected,
 * the program and the lets. */
typedef struct Analysis {
    const Document *doc;
    LrSource src;
    LrArena arena;
    LrDiag diag;
    LrProgram prog;
    LrSpec spec;
    LrSandbox sandbox;
    json_t *diagnostics;
    /* What the sink collected, put in the order `lrc check` prints
     * (diag_hold's: by place, a note with its error) by finish_diagnostics. */
    struct Collected {
        size_t place;
        unsigned long order;
        int severity;
        json_t *diagnostic;
    } *collected;
    int collected_count, collected_capacity;
    unsigned long order;
    size_t last_error_place;
    LetInfo *lets;
    int let_count, let_capacity;
} Analysis;

static const char *segment_text(const LrSource *src, uint32_t offset, size_t *length,
                                uint32_t *start)
{
    const LrSegment *seg = source_segment(src, offset);
    *start = seg ? seg->offset : 0;
    *length = seg ? seg->length : src->length;
    return src->text + *start;
}

static void collect_diagnostic(void *ctx, const char *kind, const LrSource *src, LrSpan span,
                               const char *file, int line, int col, const char *message)
{
    Analysis *a = ctx;
    int severity = strcmp(kind, "error") == 0 ? 1 : strcmp(kind, "warning") == 0 ? 2 : 3;
    json_t *range;
    char text[1400];
    const char *shown = message;
    /* (The end of the file is in it: "expected ... at the end".) */
    if (src && (!src->segments || span.offset <= src->segments[0].offset + src->segments[0].length)) {
        range = json_range(src->text, src->length, span.offset, span.length);
    } else {
        /* In a module or a data file: shown at the document's start, with
         * where it is. */
        if (src)
            source_position(src, span.offset, &line, &col);
        const char *name = src ? source_name_at(src, span.offset) : file ? file : "lrc";
        snprintf(text, sizeof text, "%s:%d:%d: %s", name, line, col, message);
        shown = text;
        range = json_pack("{s:o,s:o}", "start", json_position(0, 0), "end", json_position(0, 0));
    }
    json_t *d = json_pack("{s:o,s:i,s:s,s:s}", "range", range, "severity", severity, "source",
                          "lrc", "message", shown);
    if (!d)
        return;
    if (a->collected_count == a->collected_capacity) {
        int capacity = a->collected_capacity ? 2 * a->collected_capacity : 32;
        struct Collected *grown = realloc(a->collected, (size_t)capacity * sizeof *grown);
        if (!grown) {
            json_decref(d);
            return;
        }
        a->collected = grown;
        a->collected_capacity = capacity;
    }
    /* A note sorts with the error before it; a file's error (no source)
     * after the source's, as diag_hold places them. */
    size_t place = severity == 3 ? a->last_error_place : src ? span.offset : SIZE_MAX;
    if (severity == 1)
        a->last_error_place = place;
    a->collected[a->collected_count++] = (struct Collected){place, a->order++, severity, d};
}

static int by_place(const void *x, const void *y)
{
    const struct Collected *a = x, *b = y;
    if (a->place != b->place)
        return a->place < b->place ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* The collected diagnostics as `lrc check` prints them: in order of place,
 * an error given twice at one place once, the first 20 errors (and their
 * notes), as `lrc check` keeps them. */
static void finish_diagnostics(Analysis *a)
{
    if (a->collected_count > 1)
        qsort(a->collected, (size_t)a->collected_count, sizeof *a->collected, by_place);
    int errors = 0;
    const struct Collected *last_error = NULL;
    bool keep = true;
    for (int i = 0; i < a->collected_count; i++) {
        struct Collected *c = &a->collected[i];
        if (c->severity == 1) {
            bool twice = last_error && last_error->place == c->place &&
                         json_equal(last_error->diagnostic, c->diagnostic);
            keep = !twice && errors < 20;
            errors += keep;
            if (keep)
                last_error = c;
        } else if (c->severity == 2) {
            keep = true;
        }
        if (keep)
            json_array_append(a->diagnostics, c->diagnostic);
        json_decref(c->diagnostic);
    }
    free(a->collected);
    a->collected = NULL;
    a->collected_count = a->collected_capacity = 0;
}

static void remember_let(void *ctx, const LrStmt *let, const double *number)
{
    Analysis *a = ctx;
    if (a->let_count == a->let_capacity) {
        int capacity = a->let_capacity ? 2 * a->let_capacity : 32;
        LetInfo *grown = realloc(a->lets, (size_t)capacity * sizeof *grown);
        if (!grown)
            return;
        a->lets = grown;
        a->let_capacity = capacity;
    }
    a->lets[a->let_count++] = (LetInfo){let, number != NULL, number ? *number : 0};
}

/* The directory of path ("." without one). */
static void dir_of(const char *path, char dir[PATH_MAX])
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, PATH_MAX, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else
        snprintf(dir, PATH_MAX, ".");
}

/* Parses and checks doc as `lrc check` would, its diagnostics collected in
 * a->diagnostics. Returns -1 only when out of memory. */
static int analyze(Server *s, const Document *doc, Analysis *a)
{
    memset(a, 0, sizeof *a);
    a->doc = doc;
    a->diagnostics = json_array();
    diag_init(&a->diag, NULL);
    /* Every error reaches the sink; finish_diagnostics keeps the first 20
     * by place, as `lrc check` does. */
    a->diag.max_errors = 1 << 20;
    a->diag.sink = collect_diagnostic;
    a->diag.sink_ctx = a;
    if (!a->diagnostics || source_from_string(&a->src, doc->path, doc->text) < 0)
        return -1;
    char dir[PATH_MAX];
    dir_of(doc->path, dir);
    /* The sandbox of a run without --out or --allow-write: what the checker
     * reads (modules, CSV headers) it may read in the editor too. */
    int failed = sandbox_allow_read(&a->sandbox, dir, false);
    for (int i = 0; i < s->module_dir_count; i++)
        failed |= sandbox_allow_read(&a->sandbox, s->module_dirs[i], false);
    for (int i = 0; i < s->data_dir_count; i++)
        failed |= sandbox_allow_read(&a->sandbox, s->data_dirs[i], false);
    for (int i = 0; i < s->allow_read_count; i++)
        failed |= sandbox_allow_read(&a->sandbox, s->allow_read[i], true);
    failed |= sandbox_allow_write(&a->sandbox, dir, false);
    a->sandbox.write_place = "the experiment's directory";
    if (failed)
        return -1;
    LrCheckOptions check = {.module_path = s->module_dirs,
                            .module_path_count = s->module_dir_count,
                            .sandbox = &a->sandbox,
                            .on_let = remember_let,
                            .on_let_ctx = a,
                            .data_path = s->data_dirs,
                            .data_path_count = s->data_dir_count};
    /* As `lrc check`: the statements that parsed are checked even when
     * others did not. */
    int parsed = parse_program(&a->src, &a->arena, &a->diag, &a->prog);
    if (parsed == 0 || a->prog.first) {
        if (check_program_with(&a->prog, &a->src, &check, &a->arena, &a->diag, &a->spec) == 0 &&
            parsed == 0)
            run_check_inputs(&a->spec, &a->src, &a->diag);
        else
            run_check_data(&a->spec, &a->src, &a->diag);
    }
    finish_diagnostics(a);
    return 0;
}

static void analysis_free(Analysis *a)
{
    json_decref(a->diagnostics);
    for (int i = 0; i < a->collected_count; i++)
        json_decref(a->collected[i].diagnostic);
    free(a->collected);
    free(a->lets);
    arena_free(&a->arena);
    source_free(&a->src);
    sandbox_free(&a->sandbox);
}

/* --------------------------------------------------------------- output */

static void send(json_t *message)
{
    char *text = json_dumps(message, JSON_COMPACT);
    if (text)
        report_message(text, strlen(text));
    free(text);
    json_decref(message);
}

static void respond(json_t *id, json_t *result)
{
    json_t *null = json_pack("n");
    send(json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id ? id : null, "result",
                   result ? result : json_pack("n")));
    json_decref(null);
}

static void respond_error(json_t *id, int code, const char *message)
{
    json_t *null = json_pack("n");
    send(json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id ? id : null, "error",
                   "code", code, "message", message));
    json_decref(null);
}

static void publish(Server *s, const Document *doc)
{
    Analysis a;
    json_t *diagnostics = NULL;
    if (analyze(s, doc, &a) == 0)
        diagnostics = json_incref(a.diagnostics);
    analysis_free(&a);
    send(json_pack("{s:s,s:s,s:{s:s,s:o}}", "jsonrpc", "2.0", "method",
                   "textDocument/publishDiagnostics", "params", "uri", doc->uri, "diagnostics",
                   diagnostics ? diagnostics : json_array()));
}

/* ------------------------------------------------------- the cursor's place */

/* What may be written at a place of a file. */
typedef enum Place {
    PLACE_NONE,
    PLACE_STATEMENT,   /* a statement keyword */
    PLACE_LAYER,       /* a layer (or a let of one) */
    PLACE_OPTIMIZER,
    PLACE_LOSS,
    PLACE_SOURCE,      /* a dataset's source */
    PLACE_SCHEDULE,    /* a learning rate: a schedule or a number */
    PLACE_ACTIVATION,
    PLACE_INITIALIZER,
    PLACE_METRIC,
    PLACE_NORMALIZER,
    PLACE_COLUMN,      /* a CSV column's name */
    PLACE_OPTIONS,     /* an option of options (below) */
    PLACE_VALUE        /* a value: a let's name */
} Place;

/* Where the cursor is: the place, and for PLACE_OPTIONS the table of the
 * options valid there (for an optimizer, only those it accepts). */
typedef struct Context {
    Place place;
    const OptionRow *options;
    const char *accepts;      /* an optimizer's names (options.h), or NULL: all */
    int optimizer;            /* its code, -1 none: its own defaults */
    const char *owner;        /* what the options belong to ("dense", "train") */
    LrToken word;             /* the identifier at the cursor (length 0: none) */
} Context;

enum { CONTEXT_MAX_DEPTH = 64, CONTEXT_MAX_TOKENS = 1 << 20 };

typedef struct Frame {
    int open;      /* TK_LPAREN or TK_LBRACKET */
    LrToken callee; /* the identifier before '(' (length 0: none) */
    LrToken key;    /* for '[': the option name of `key=[` (length 0: none) */
} Frame;

static bool token_is(const char *text, const LrToken *t, const char *word)
{
    return t->length == strlen(word) && memcmp(text + t->offset, word, t->length) == 0;
}

static const LrWord *token_word(const char *text, const LrToken *t, const LrWord *table)
{
    return t->length ? words_find(table, text + t->offset, t->length) : NULL;
}

/* The options of a call named callee, or NULL when it takes none that
 * way. */
static const OptionRow *call_options(const char *text, const LrToken *callee, const char **owner)
{
    const LrWord *w;
    *owner = NULL;
    if ((w = token_word(text, callee, words_layers)) && w->supported && w->code < LAYER_WORD_ACTIVATION)
        return *owner = w->name, options_layers[w->code];
    if ((w = token_word(text, callee, words_schedules)))
        return *owner = w->name, options_schedules[w->code];
    if ((w = token_word(text, callee, words_sources)))
        return *owner = w->name, options_sources[w->code].rows;
    if ((w = token_word(text, callee, words_initializers)))
        return *owner = w->name, options_initializers[w->code];
    if (token_is(text, callee, LR_PATIENCE_WORD))
        return *owner = LR_PATIENCE_WORD, options_patience;
    return NULL;
}

/* The value place of option key. */
static Place key_place(const char *text, const LrToken *key)
{
    static const struct {
        const char *key;
        Place place;
    } keys[] = {{"activation", PLACE_ACTIVATION}, {"init", PLACE_INITIALIZER},
                {"bias_init", PLACE_INITIALIZER}, {"lr", PLACE_SCHEDULE},
                {"metrics", PLACE_METRIC},         {"label", PLACE_COLUMN},
                {"labels", PLACE_COLUMN},         {"features", PLACE_COLUMN},
                {"exclude", PLACE_COLUMN},        {"keep", PLACE_COLUMN},
                {"normalize", PLACE_NORMALIZER},   {"optimizer", PLACE_OPTIMIZER}};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (token_is(text, key, keys[i].key))
            return keys[i].place;
    return PLACE_VALUE;
}

/* The context at byte offset of src: the statement, the calls and lists
 * open there, and the tokens before it, read by the lexer (its errors
 * unreported). */
static Context context_at(const LrSource *src, size_t offset)
{
    Context ctx = {.place = PLACE_NONE, .optimizer = -1};
    const char *text = src->text;
    uint32_t end = src->segments ? src->segments[0].length : (uint32_t)src->length;
    LrDiag silent;
    diag_init(&silent, NULL);
    LrLexer lx;
    lex_init_range(&lx, src, 0, end, &silent);
    Frame frames[CONTEXT_MAX_DEPTH];
    int depth = 0, in_statement = 0;
    LrToken first = {0}, prev = {0}, prev2 = {0}, prev3 = {0}, tok;
    for (int n = 0; n < CONTEXT_MAX_TOKENS; n++) {
        int kind = lex_next(&lx, &tok);
        if (kind == LEX_END)
            break;
        if (kind == LEX_ERROR)
            continue;
        if (tok.offset >= offset) {
            /* The identifier the cursor is in or just after is the word
             * being written, not a token before it. */
            break;
        }
        if (tok.offset + tok.length >= offset && (kind == TK_IDENT || words_is_reserved(kind))) {
            ctx.word = tok;
            break;
        }
        if (kind == TK_NEWLINE) {
            in_statement = 0;
            depth = 0;
            prev = prev2 = prev3 = (LrToken){0};
            continue;
        }
        if (in_statement++ == 0)
            first = tok;
        if ((kind == TK_LPAREN || kind == TK_LBRACKET) && depth < CONTEXT_MAX_DEPTH) {
            Frame f = {kind, {0}, {0}};
            if (kind == TK_LPAREN && prev.kind == TK_IDENT)
                f.callee = prev;
            if (kind == TK_LBRACKET && prev.kind == TK_EQ && prev2.kind == TK_IDENT)
                f.key = prev2;
            frames[depth++] = f;
        } else if ((kind == TK_RPAREN || kind == TK_RBRACKET) && depth > 0) {
            depth--;
        }
        prev3 = prev2;
        prev2 = prev;
        prev = tok;
    }
    if (ctx.word.length == 0)
        ctx.word = (LrToken){0};
    if (in_statement == 0) {
        ctx.place = PLACE_STATEMENT;
        return ctx;
    }
    int statement = first.kind;
    const Frame *top = depth > 0 ? &frames[depth - 1] : NULL;
    if (prev.kind == TK_EQ && prev2.kind == TK_IDENT) {
        bool binding = depth == 0 && prev3.kind == statement && prev3.offset == first.offset;
        if (binding && statement == TK_DATASET)
            ctx.place = PLACE_SOURCE;
        else if (binding && (statement == TK_MODEL || statement == TK_LET))
            ctx.place = statement == TK_MODEL ? PLACE_LAYER : PLACE_VALUE;
        else
            ctx.place = key_place(text, &prev2);
        return ctx;
    }
    if (top && top->open == TK_LBRACKET && (prev.kind == TK_LBRACKET || prev.kind == TK_COMMA)) {
        ctx.place = top->key.length ? key_place(text, &top->key) : PLACE_VALUE;
        return ctx;
    }
    if (top && top->open == TK_LPAREN && (prev.kind == TK_LPAREN || prev.kind == TK_COMMA)) {
        ctx.options = call_options(text, &top->callee, &ctx.owner);
        ctx.place = ctx.options ? PLACE_OPTIONS : PLACE_VALUE;
        return ctx;
    }
    if (prev.kind == TK_ARROW) {
        ctx.place = PLACE_LAYER;
        return ctx;
    }
    if (depth > 0) {
        ctx.place = PLACE_VALUE;
        return ctx;
    }
    if (prev.kind == statement && prev.offset == first.offset) {
        ctx.place = statement == TK_MODEL       ? PLACE_LAYER
                    : statement == TK_OPTIMIZER ? PLACE_OPTIMIZER
                    : statement == TK_LOSS      ? PLACE_LOSS
                    : statement == TK_DATASET   ? PLACE_SOURCE
                    : statement == TK_USE || statement == TK_LET || statement == TK_SEED
                        ? PLACE_NONE
                        : PLACE_OPTIONS;
    } else if (prev.kind == TK_EQ || prev.kind == TK_PLUS || prev.kind == TK_MINUS ||
               prev.kind == TK_STAR || prev.kind == TK_SLASH || prev.kind == TK_CARET) {
        ctx.place = PLACE_VALUE;
        return ctx;
    } else {
        ctx.place = PLACE_OPTIONS;
    }
    if (ctx.place != PLACE_OPTIONS)
        return ctx;
    /* The statement's own options, after its value. */
    ctx.owner = words_name(words_statements, statement);
    switch (statement) {
    case TK_DATASET:
        ctx.options = options_dataset;
        break;
    case TK_TRAIN:
        ctx.options = options_train;
        break;
    case TK_EVALUATE:
        ctx.options = options_evaluate;
        break;
    case TK_PREDICT:
        ctx.options = options_predict;
        break;
    case TK_MINIMIZE:
        ctx.options = options_minimize;
        break;
    case TK_OPTIMIZER: {
        /* The optimizer is the statement's second token. */
        LrLexer again;
        lex_init_range(&again, src, first.offset, end, &silent);
        LrToken t1, t2;
        lex_next(&again, &t1);
        const LrWord *w = lex_next(&again, &t2) == TK_IDENT ? token_word(text, &t2, words_optimizers)
                                                            : NULL;
        ctx.options = options_optimizer;
        if (w) {
            ctx.accepts = options_optimizers[w->code].accepts;
            ctx.optimizer = w->code;
            ctx.owner = w->name;
        }
        break;
    }
    default:
        ctx.place = PLACE_NONE;
    }
    return ctx;
}

/* Whether name is a word of accepts (space-separated); NULL accepts all. */
static bool accepted(const char *accepts, const char *name)
{
    if (!accepts)
        return true;
    size_t len = strlen(name);
    for (const char *p = accepts; (p = strstr(p, name)); p += len)
        if ((p == accepts || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return true;
    return false;
}

/* An option's default, as the checker fills it in. */
static void option_default(const Context *ctx, const OptionRow *rows, int i, char *out,
                           size_t size)
{
    const OptionRow *r = &rows[i];
    double value = r->dflt;
    if (ctx->optimizer >= 0 && rows == options_optimizer) {
        const OptimizerRow *o = &options_optimizers[ctx->optimizer];
        value = i == OPTIMIZER_LR                    ? o->lr
                : i == OPTIMIZER_WEIGHT_DECAY        ? o->weight_decay
                : i == OPTIMIZER_INITIAL_ACCUMULATOR ? o->initial_accumulator
                                                     : value;
    }
    if (r->required)
        snprintf(out, size, "required");
    else if (r->default_from)
        snprintf(out, size, "default: the value of %s", rows[r->default_from - 1].name);
    else if (r->given_only)
        snprintf(out, size, "default: none");
    else if (r->type == OPTION_BOOL)
        snprintf(out, size, "default: %s", value ? "true" : "false");
    else if (r->type == OPTION_OTHER)
        snprintf(out, size, "optional");
    else
        snprintf(out, size, "default: %.15g", value);
}

/* ----------------------------------------------------------- completion */

static void add_item(json_t *items, const char *label, int kind, const char *detail,
                     const char *insert)
{
    json_t *item = json_pack("{s:s,s:i}", "label", label, "kind", kind);
    if (!item)
        return;
    if (detail)
        json_object_set_new(item, "detail", json_pack("s", detail));
    if (insert)
        json_object_set_new(item, "insertText", json_pack("s", insert));
    json_array_append_new(items, item);
}

/* The protocol's CompletionItemKind values used here. */
enum { ITEM_FUNCTION = 3, ITEM_VARIABLE = 6, ITEM_PROPERTY = 10, ITEM_VALUE = 12,
       ITEM_KEYWORD = 14, ITEM_ENUM_MEMBER = 20 };

static void add_words(json_t *items, const LrWord *table, int kind)
{
    for (const LrWord *w = table; w->name; w++)
        if (w->supported)
            add_item(items, w->name, kind, words_doc(table, w->code), NULL);
}

static void add_lets(json_t *items, const Analysis *a)
{
    for (int i = 0; i < a->let_count; i++) {
        const LrStmt *st = a->lets[i].stmt;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)st->name.length, a->src.text + st->name.offset);
        bool repeated = false;
        for (size_t j = 0; j < json_array_size(items) && !repeated; j++)
            repeated = strcmp(json_string_value(json_object_get(json_array_get(items, j), "label")),
                              name) == 0;
        if (!repeated)
            add_item(items, name, ITEM_VARIABLE, "let", NULL);
    }
}

/* The names of the columns of the CSV files of the file's datasets, read
 * from their headers where the sandbox lets the file read. */
static void add_columns(json_t *items, const Analysis *a)
{
    char dir[PATH_MAX];
    dir_of(a->doc->path, dir);
    for (const LrStmt *st = a->prog.first; st; st = st->next) {
        const LrNode *v = st->value;
        if (st->kind != STMT_DATASET || !v || v->kind != AST_CALL || !v->items ||
            v->items->kind != AST_STRING || v->name.length != 3 ||
            memcmp(a->src.text + v->name.offset, "csv", 3) != 0)
            continue;
        char path[2 * PATH_MAX], why[2 * PATH_MAX + 256];
        const char *file = v->items->text;
        if (file[0] == '/')
            snprintf(path, sizeof path, "%s", file);
        else
            snprintf(path, sizeof path, "%s/%s", dir, file);
        if (sandbox_check_read(&a->sandbox, path, why, sizeof why) < 0)
            continue;
        char delimiter = ',';
        for (const LrNode *k = v->items; k; k = k->next)
            if (k->kind == AST_KEYWORD && k->name.length == 9 &&
                memcmp(a->src.text + k->name.offset, "delimiter", 9) == 0 && k->lhs &&
                k->lhs->kind == AST_STRING && k->lhs->text[0])
                delimiter = k->lhs->text[0];
        LrDiag silent;
        diag_init(&silent, NULL);
        LrCsvReader r;
        if (csv_open(&r, path, file, delimiter, NULL, &silent, why, sizeof why) < 0)
            continue;
        if (csv_next(&r) == 1)
            for (int i = 0; i < r.field_count; i++) {
                size_t len;
                const char *name = csv_field(&r, i, &len);
                char quoted[512];
                snprintf(quoted, sizeof quoted, "\"%s\"", name);
                json_t *item = json_pack("{s:s,s:i,s:s,s:s}", "label", name, "kind", ITEM_VALUE,
                                         "detail", file, "insertText", quoted);
                if (item)
                    json_array_append_new(items, item);
            }
        csv_close(&r);
    }
}

static json_t *complete(const Analysis *a, size_t offset)
{
    Context ctx = context_at(&a->src, offset);
    json_t *items = json_array();
    switch (ctx.place) {
    case PLACE_STATEMENT:
        add_words(items, words_statements, ITEM_KEYWORD);
        break;
    case PLACE_LAYER:
        add_words(items, words_layers, ITEM_FUNCTION);
        add_lets(items, a);
        break;
    case PLACE_OPTIMIZER:
        add_words(items, words_optimizers, ITEM_ENUM_MEMBER);
        break;
    case PLACE_LOSS:
        add_words(items, words_losses, ITEM_ENUM_MEMBER);
        break;
    case PLACE_SOURCE:
        add_words(items, words_sources, ITEM_FUNCTION);
        break;
    case PLACE_SCHEDULE:
        add_words(items, words_schedules, ITEM_FUNCTION);
        add_lets(items, a);
        break;
    case PLACE_ACTIVATION:
        add_words(items, words_activations, ITEM_ENUM_MEMBER);
        break;
    case PLACE_INITIALIZER:
        add_words(items, words_initializers, ITEM_ENUM_MEMBER);
        break;
    case PLACE_METRIC:
        add_words(items, words_metrics, ITEM_ENUM_MEMBER);
        break;
    case PLACE_NORMALIZER:
        add_words(items, words_normalizers, ITEM_ENUM_MEMBER);
        break;
    case PLACE_COLUMN:
        add_columns(items, a);
        break;
    case PLACE_OPTIONS:
        for (int i = 0; ctx.options && ctx.options[i].name; i++) {
            if (!accepted(ctx.accepts, ctx.options[i].name))
                continue;
            char detail[256], insert[128];
            option_default(&ctx, ctx.options, i, detail, sizeof detail);
            snprintf(insert, sizeof insert, "%s=", ctx.options[i].name);
            add_item(items, ctx.options[i].name, ITEM_PROPERTY, detail, insert);
        }
        break;
    case PLACE_VALUE:
        add_lets(items, a);
        add_words(items, words_functions, ITEM_FUNCTION);
        add_words(items, words_constants, ITEM_VALUE);
        break;
    case PLACE_NONE:
        break;
    }
    return items;
}

/* ---------------------------------------------------------------- hover */

/* The let of name visible at offset of the document (the last defined
 * before it there, else one of a module), or NULL. */
static const LetInfo *let_named(const Analysis *a, const char *name, size_t length, size_t offset)
{
    const LetInfo *found = NULL;
    uint32_t doc_end = a->src.segments ? a->src.segments[0].length : (uint32_t)a->src.length;
    for (int i = 0; i < a->let_count; i++) {
        const LrStmt *st = a->lets[i].stmt;
        if (st->name.length != length || memcmp(a->src.text + st->name.offset, name, length) != 0)
            continue;
        bool in_doc = st->name.offset < doc_end;
        if (!in_doc && !found)
            found = &a->lets[i];
        else if (in_doc && (st->name.offset <= offset || !found))
            found = &a->lets[i];
    }
    return found;
}

/* The tables a word is looked up in, the place's own first. */
static const LrWord *place_table(Place place)
{
    switch (place) {
    case PLACE_LAYER:
        return words_layers;
    case PLACE_OPTIMIZER:
        return words_optimizers;
    case PLACE_LOSS:
        return words_losses;
    case PLACE_SOURCE:
        return words_sources;
    case PLACE_SCHEDULE:
        return words_schedules;
    case PLACE_ACTIVATION:
        return words_activations;
    case PLACE_INITIALIZER:
        return words_initializers;
    case PLACE_METRIC:
        return words_metrics;
    case PLACE_NORMALIZER:
        return words_normalizers;
    default:
        return NULL;
    }
}

static json_t *hover(const Analysis *a, size_t offset)
{
    const char *text = a->src.text;
    /* The word the cursor is on (its first character included), and the
     * context at its end, where it is the word being written. */
    Context at = context_at(&a->src, offset + 1);
    if (!at.word.length)
        return NULL;
    Context ctx = context_at(&a->src, at.word.offset + at.word.length);
    LrToken word = at.word;
    const char *name = text + word.offset;
    char value[2048] = "";
    /* An option: the word before '='. */
    LrDiag silent;
    diag_init(&silent, NULL);
    LrLexer lx;
    uint32_t end = a->src.segments ? a->src.segments[0].length : (uint32_t)a->src.length;
    lex_init_range(&lx, &a->src, word.offset + word.length, end, &silent);
    LrToken next;
    bool is_key = lex_next(&lx, &next) == TK_EQ;
    if (is_key && ctx.place == PLACE_OPTIONS && ctx.options) {
        int i = options_find(ctx.options, name, word.length);
        if (i >= 0 && accepted(ctx.accepts, ctx.options[i].name)) {
            char dflt[256];
            option_default(&ctx, ctx.options, i, dflt, sizeof dflt);
            const OptionRow *r = &ctx.options[i];
            snprintf(value, sizeof value, "option %s of %s; %s%s%s", r->name,
                     ctx.owner ? ctx.owner : "?", dflt, r->range ? "; " : "",
                     r->range ? r->range : "");
        }
    }
    /* (`let NAME =`'s own name is followed by '=' too.) */
    const LetInfo *let = value[0] ? NULL : let_named(a, name, word.length, word.offset);
    if (let) {
        const LrStmt *st = let->stmt;
        /* The let as written (to its end, on one line), then its value. */
        uint32_t from = st->keyword.offset, to = st->span.offset + st->span.length;
        const char *eol = memchr(text + from, '\n', to - from);
        int n = snprintf(value, sizeof value, "%.*s",
                         (int)((eol ? (uint32_t)(eol - text) : to) - from), text + from);
        if (let->has_number && n > 0 && (size_t)n < sizeof value)
            snprintf(value + n, sizeof value - (size_t)n, "\n= %.15g", let->number);
    }
    if (!value[0] && !is_key) {
        const LrWord *tables[] = {place_table(ctx.place), words_statements, words_optimizers,
                                  words_losses,           words_layers,     words_schedules,
                                  words_sources,          words_initializers, words_metrics,
                                  words_normalizers,      words_functions,  words_constants};
        for (size_t t = 0; t < sizeof tables / sizeof *tables && !value[0]; t++) {
            const LrWord *w = tables[t] ? words_find(tables[t], name, word.length) : NULL;
            const char *doc = w ? words_doc(tables[t], w->code) : NULL;
            if (doc)
                snprintf(value, sizeof value, "%s: %s", w->name, doc);
        }
        /* An optimizer's learning rate is its own. */
        const LrWord *w = words_find(words_optimizers, name, word.length);
        size_t used = strlen(value);
        if (w && used && used < sizeof value)
            snprintf(value + used, sizeof value - used, " (lr default %g)",
                     options_optimizers[w->code].lr);
    }
    if (!value[0])
        return NULL;
    return json_pack("{s:{s:s,s:s},s:o}", "contents", "kind", "plaintext", "value", value,
                     "range", json_range(text, a->src.length, word.offset, word.length));
}

/* ----------------------------------------------------------- definition */

/* A location in the file segment of src that offset lies in. */
static json_t *location(const Analysis *a, uint32_t offset, uint32_t length)
{
    size_t seg_length;
    uint32_t start;
    const char *seg = segment_text(&a->src, offset, &seg_length, &start);
    bool in_doc = !a->src.segments || offset < a->src.segments[0].length;
    char *uri = in_doc ? strdup(a->doc->uri) : path_to_uri(source_name_at(&a->src, offset));
    json_t *loc = uri ? json_pack("{s:s,s:o}", "uri", uri, "range",
                                  json_range(seg, seg_length, offset - start, length))
                      : NULL;
    free(uri);
    return loc;
}

/* The module segment a `use` statement read: named NAME.lr for `use NAME`,
 * or with the file name of `use "path"`. */
static json_t *module_location(const Analysis *a, const LrStmt *st)
{
    const LrNode *v = st->value;
    char file[PATH_MAX];
    if (v->kind == AST_NAME)
        snprintf(file, sizeof file, "%.*s.lr", (int)v->name.length, a->src.text + v->name.offset);
    else if (v->kind == AST_STRING)
        snprintf(file, sizeof file, "%s", strrchr(v->text, '/') ? strrchr(v->text, '/') + 1 : v->text);
    else
        return NULL;
    for (int i = 1; i < a->src.segment_count; i++) {
        const char *name = a->src.segments[i].name;
        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
        if (strcmp(base, file) == 0)
            return location(a, a->src.segments[i].offset, 0);
    }
    return NULL;
}

static json_t *definition(const Analysis *a, size_t offset)
{
    for (const LrStmt *st = a->prog.first; st; st = st->next)
        if (st->kind == STMT_USE && st->value && offset >= st->span.offset &&
            offset <= st->span.offset + st->span.length)
            return module_location(a, st);
    Context at = context_at(&a->src, offset + 1);
    if (!at.word.length)
        return NULL;
    const LetInfo *let = let_named(a, a->src.text + at.word.offset, at.word.length, at.word.offset);
    return let ? location(a, let->stmt->name.offset, let->stmt->name.length) : NULL;
}

/* ---------------------------------------------------------- code actions */

/* The quick fixes of the diagnostics the client sends: each "did you mean
 * 'X'?" replaces its range with X. */
static json_t *code_actions(const char *uri, json_t *params)
{
    json_t *actions = json_array();
    json_t *diagnostics = json_object_get(json_object_get(params, "context"), "diagnostics");
    size_t i;
    json_t *d;
    json_array_foreach(diagnostics, i, d) {
        const char *message = json_string_value(json_object_get(d, "message"));
        const char *mean = message ? strstr(message, "did you mean '") : NULL;
        json_t *range = json_object_get(d, "range");
        if (!mean || !json_is_object(range))
            continue;
        mean += strlen("did you mean '");
        const char *close = strchr(mean, '\'');
        if (!close)
            continue;
        char title[300];
        snprintf(title, sizeof title, "Change to '%.*s'", (int)(close - mean), mean);
        json_t *edit = json_pack("{s:O,s:s%}", "range", range, "newText", mean,
                                 (size_t)(close - mean));
        json_t *action = json_pack("{s:s,s:s,s:[O],s:b,s:{s:{s:[o]}}}", "title", title, "kind",
                                   "quickfix", "diagnostics", d, "isPreferred", 1, "edit",
                                   "changes", uri, edit);
        if (action)
            json_array_append_new(actions, action);
    }
    return actions;
}

/* ------------------------------------------------------------- messages */

static json_t *capabilities(void)
{
    return json_pack("{s:{s:{s:b,s:i},s:b,s:{s:[s,s,s,s,s]},s:b,s:{s:[s]},s:b},s:{s:s,s:s}}",
                     "capabilities", "textDocumentSync", "openClose", 1, "change", 1,
                     "hoverProvider", 1, "completionProvider", "triggerCharacters", "=", "(",
                     ",", " ", ">", "definitionProvider", 1, "codeActionProvider",
                     "codeActionKinds", "quickfix", "documentFormattingProvider", 1, "serverInfo",
                     "name", "lrc", "version", LRC_VERSION);
}

/* textDocument/formatting: the document in lrc fmt's layout (fmt_text, the
 * command's own), as one edit of the whole text; none when it is so
 * already, or when it does not parse (its diagnostics say why). */
static json_t *format_document(const Document *doc)
{
    json_t *edits = json_array();
    LrDiag diag;
    diag_init(&diag, NULL);
    LrBuffer out = {0};
    size_t length = strlen(doc->text);
    if (edits && fmt_text(doc->path, doc->text, length, &out, &diag) == 0 && !out.failed &&
        (out.length != length || memcmp(out.data ? out.data : "", doc->text, length) != 0))
        json_array_append_new(edits, json_pack("{s:o,s:s%}", "range",
                                               json_range(doc->text, length, 0, length),
                                               "newText", out.data ? out.data : "", out.length));
    buffer_free(&out);
    return edits;
}

/* The document of params.textDocument.uri, or NULL. */
static Document *params_doc(Server *s, json_t *params)
{
    const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
    return uri ? doc_find(s, uri) : NULL;
}

static void doc_open(Server *s, json_t *params)
{
    json_t *td = json_object_get(params, "textDocument");
    const char *uri = json_string_value(json_object_get(td, "uri"));
    const char *text = json_string_value(json_object_get(td, "text"));
    if (!uri || !text)
        return;
    Document *doc = doc_find(s, uri);
    if (!doc) {
        if (s->doc_count == s->doc_capacity) {
            int capacity = s->doc_capacity ? 2 * s->doc_capacity : 8;
            Document *grown = realloc(s->docs, (size_t)capacity * sizeof *grown);
            if (!grown)
                return;
            s->docs = grown;
            s->doc_capacity = capacity;
        }
        doc = &s->docs[s->doc_count];
        *doc = (Document){strdup(uri), uri_to_path(uri), NULL};
        if (!doc->uri || !doc->path) {
            free(doc->uri);
            free(doc->path);
            return;
        }
        s->doc_count++;
    }
    char *copy = strdup(text);
    if (!copy)
        return;
    free(doc->text);
    doc->text = copy;
    publish(s, doc);
}

static void doc_change(Server *s, json_t *params)
{
    Document *doc = params_doc(s, params);
    json_t *changes = json_object_get(params, "contentChanges");
    /* Full synchronization: the last change holds the whole text. */
    const char *text = json_string_value(
        json_object_get(json_array_get(changes, json_array_size(changes) - 1), "text"));
    char *copy = doc && text ? strdup(text) : NULL;
    if (!copy)
        return;
    free(doc->text);
    doc->text = copy;
    publish(s, doc);
}

static void doc_close(Server *s, json_t *params)
{
    Document *doc = params_doc(s, params);
    if (!doc)
        return;
    /* Its diagnostics go with it. */
    send(json_pack("{s:s,s:s,s:{s:s,s:[]}}", "jsonrpc", "2.0", "method",
                   "textDocument/publishDiagnostics", "params", "uri", doc->uri, "diagnostics"));
    free(doc->uri);
    free(doc->path);
    free(doc->text);
    *doc = s->docs[--s->doc_count];
}

typedef json_t *(*Question)(const Analysis *a, size_t offset);

/* Answers a question about a position of a document. */
static void answer(Server *s, json_t *id, json_t *params, Question question)
{
    Document *doc = params_doc(s, params);
    json_t *pos = json_object_get(params, "position");
    json_t *line = json_object_get(pos, "line"), *character = json_object_get(pos, "character");
    if (!doc || !json_is_integer(line) || !json_is_integer(character)) {
        respond_error(id, RPC_INVALID_PARAMS, "expected an open textDocument and a position");
        return;
    }
    Analysis a;
    json_t *result = NULL;
    if (analyze(s, doc, &a) == 0) {
        size_t offset = text_offset(a.src.text, a.src.segments ? a.src.segments[0].length
                                                               : a.src.length,
                                    (long)json_integer_value(line),
                                    (long)json_integer_value(character));
        result = question(&a, offset);
    }
    analysis_free(&a);
    respond(id, result);
}

/* Handles one message; returns true after `exit`. */
static bool handle(Server *s, json_t *msg, int *exit_status)
{
    json_t *id = json_object_get(msg, "id");
    json_t *method_json = json_object_get(msg, "method");
    const char *method = json_string_value(method_json);
    json_t *params = json_object_get(msg, "params");
    bool valid_id = !id || json_is_string(id) || json_is_integer(id);
    if (!json_is_object(msg) || !method || !valid_id ||
        !json_is_string(json_object_get(msg, "jsonrpc")) ||
        strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0) {
        /* A response from the client (to nothing we asked) is ignored. */
        if (json_is_object(msg) && !method_json && id &&
            (json_object_get(msg, "result") || json_object_get(msg, "error")))
            return false;
        respond_error(valid_id ? id : NULL, RPC_INVALID_REQUEST, "not a JSON-RPC 2.0 request");
        return false;
    }
    if (strcmp(method, "exit") == 0) {
        *exit_status = s->shut_down ? 0 : 1;
        return true;
    }
    if (!s->initialized && strcmp(method, "initialize") != 0) {
        if (id)
            respond_error(id, RPC_SERVER_NOT_INITIALIZED, "the server is not initialized");
        return false;
    }
    if (s->shut_down) {
        if (id)
            respond_error(id, RPC_INVALID_REQUEST, "the server is shut down");
        return false;
    }
    if (strcmp(method, "initialize") == 0) {
        s->initialized = true;
        respond(id, capabilities());
    } else if (strcmp(method, "shutdown") == 0) {
        s->shut_down = true;
        respond(id, NULL);
    } else if (strcmp(method, "textDocument/didOpen") == 0) {
        doc_open(s, params);
    } else if (strcmp(method, "textDocument/didChange") == 0) {
        doc_change(s, params);
    } else if (strcmp(method, "textDocument/didClose") == 0) {
        doc_close(s, params);
    } else if (strcmp(method, "textDocument/hover") == 0) {
        answer(s, id, params, hover);
    } else if (strcmp(method, "textDocument/completion") == 0) {
        answer(s, id, params, complete);
    } else if (strcmp(method, "textDocument/definition") == 0) {
        answer(s, id, params, definition);
    } else if (strcmp(method, "textDocument/formatting") == 0) {
        const Document *doc = params_doc(s, params);
        if (doc)
            respond(id, format_document(doc));
        else
            respond_error(id, RPC_INVALID_PARAMS, "expected an open textDocument");
    } else if (strcmp(method, "textDocument/codeAction") == 0) {
        const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
        if (uri)
            respond(id, code_actions(uri, params));
        else
            respond_error(id, RPC_INVALID_PARAMS, "expected a textDocument");
    } else if (id) {
        respond_error(id, RPC_METHOD_NOT_FOUND, "method not supported");
    }
    /* Other notifications ($/cancelRequest, initialized, ...) need nothing. */
    return false;
}

/* ---------------------------------------------------------------- input */

/* Reads one header line (without its "\r\n") into line. Returns its length,
 * or -1 at the end of input. A longer line is cut. */
static long read_header_line(char *line, size_t size)
{
    size_t n = 0;
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        if (n + 1 < size)
            line[n++] = (char)c;
    if (c == EOF && n == 0)
        return -1;
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return (long)n;
}

/* Reads the next message's body (malloc'd into *body). Returns 1, 0 at
 * the end of input, or -1 for a message that cannot be read (no or a bad
 * Content-Length, too large: read past). */
static int read_message(char **body, size_t *length)
{
    char line[LSP_MAX_HEADER_LINE];
    long content_length = -1;
    long n;
    bool any = false;
    while ((n = read_header_line(line, sizeof line)) != 0) {
        if (n < 0)
            return any ? -1 : 0;
        any = true;
        if (strncasecmp(line, "Content-Length:", 15) == 0) {
            char *end;
            errno = 0;
            long v = strtol(line + 15, &end, 10);
            content_length = errno || end == line + 15 || v < 0 ? -1 : v;
        }
    }
    if (!any)
        return -1; /* a blank line alone */
    if (content_length < 0)
        return -1;
    if ((unsigned long)content_length > LSP_MAX_MESSAGE) {
        for (long i = 0; i < content_length && getchar() != EOF; i++)
            ;
        return -1;
    }
    *body = malloc((size_t)content_length + 1);
    if (!*body) {
        for (long i = 0; i < content_length && getchar() != EOF; i++)
            ;
        return -1;
    }
    *length = fread(*body, 1, (size_t)content_length, stdin);
    if (*length < (size_t)content_length) {
        free(*body);
        return 0; /* the input ended inside the message */
    }
    return 1;
}

LrStatus lsp_serve(const char *const *module_dirs, int module_dir_count,
                   const char *const *data_dirs, int data_dir_count,
                   const char *const *allow_read, int allow_read_count)
{
    Server s = {.module_dirs = module_dirs,
                .module_dir_count = module_dir_count,
                .data_dirs = data_dirs,
                .data_dir_count = data_dir_count,
                .allow_read = allow_read,
                .allow_read_count = allow_read_count};
    int exit_status = 1; /* the input ended without exit */
    for (;;) {
        char *body = NULL;
        size_t length = 0;
        int got = read_message(&body, &length);
        if (got == 0)
            break;
        if (got < 0) {
            respond_error(NULL, RPC_PARSE_ERROR, "a message without a valid Content-Length");
            continue;
        }
        json_error_t error;
        json_t *msg = json_loadb(body, length, JSON_REJECT_DUPLICATES, &error);
        free(body);
        if (!msg) {
            char why[300];
            snprintf(why, sizeof why, "invalid JSON: %s", error.text);
            respond_error(NULL, RPC_PARSE_ERROR, why);
            continue;
        }
        bool done = handle(&s, msg, &exit_status);
        json_decref(msg);
        if (done || report_failed())
            break;
    }
    for (int i = 0; i < s.doc_count; i++) {
        free(s.docs[i].uri);
        free(s.docs[i].path);
        free(s.docs[i].text);
    }
    free(s.docs);
    return status_of(exit_status == 0 ? LR_OK : LR_RUN_FAILED);
}
