/* modules.c — the files an experiment names: `use` resolved to a module
 * (its directory, or the search path), read, parsed and registered at the
 * place of its use; the paths of data and weights, relative to the file
 * that writes them; the sandbox's verdict on each (check_int.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "check_int.h"
#include "fileio.h"
#include "parse.h"

/* ----------------------------------------------------------- paths */

/* Where the relative paths of the file holding offset start: the last '/'
 * of its name, or NULL for the current directory (a name without one, or
 * an experiment read from a stream, whose name such as /dev/stdin is no
 * directory of its). */
static const char *file_dir_end(Checker *c, uint32_t offset)
{
    const char *file = source_name_at(c->src, offset);
    if (c->options->from_stream && c->src->segment_count > 0 &&
        file == c->src->segments[0].name)
        return NULL;
    return strrchr(file, '/');
}

/* The real directory of file, with a trailing '/'; a name without one
 * (a --set value's) is in the current directory. */
static bool real_dir_of(const char *file, char out[PATH_MAX])
{
    char dir[PATH_MAX];
    const char *slash = strrchr(file, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", slash == file ? 1 : (int)(slash - file), file);
    else
        snprintf(dir, sizeof dir, ".");
    if (!realpath(dir, out))
        return false;
    size_t len = strlen(out);
    if (len + 1 >= PATH_MAX)
        return false;
    if (out[len - 1] != '/')
        memcpy(out + len, "/", 2);
    return true;
}

/* A path written at where, as the main file would write it: from the main
 * file's directory, or absolute when the two directories share only the
 * root. Unlike the path that is opened, it does not depend on the current
 * directory or on how the file was named, so neither does the resolved
 * experiment nor the SHA-256 that resume compares. */
const char *modules_portable_path(Checker *c, const char *path, LrSpan where)
{
    const LrSegment *seg = source_segment(c->src, where.offset);
    if (path[0] == '/' || !seg || seg == &c->src->segments[0])
        return path;
    char from[PATH_MAX], to[PATH_MAX];
    /* An experiment from a stream has the current directory (file_dir_end). */
    const char *main_file = c->options->from_stream ? "-" : c->src->name;
    if (!real_dir_of(main_file, from) || !real_dir_of(seg->name, to))
        return path;
    size_t common = 0;
    for (size_t i = 0; from[i] && from[i] == to[i]; i++)
        if (from[i] == '/')
            common = i + 1;
    size_t ups = 0;
    for (const char *s = from + common; common > 1 && *s; s++)
        ups += *s == '/';
    const char *rest = common > 1 ? to + common : to;
    size_t len = 3 * ups + strlen(rest) + strlen(path);
    char *out = arena_alloc(c->arena, len + 1);
    if (!out)
        return path;
    out[0] = '\0';
    for (size_t i = 0; i < ups; i++)
        strcat(out, "../");
    strcat(out, rest);
    strcat(out, path);
    return out;
}

/* Paths in a .lr file are relative to that file's directory. */
const char *modules_resolve_path(Checker *c, const char *path, LrSpan where)
{
    const char *file = source_name_at(c->src, where.offset);
    if (path[0] == '/')
        return path;
    const char *slash = file_dir_end(c, where.offset);
    if (!slash)
        return path;
    size_t dir = (size_t)(slash - file) + 1, len = strlen(path);
    char *out = arena_alloc(c->arena, dir + len + 1);
    if (!out)
        return path;
    memcpy(out, file, dir);
    memcpy(out + dir, path, len + 1);
    return out;
}

/* --------------------------------------------------------- modules */

void modules_begin(Checker *c)
{
    /* The file itself is being loaded: a module that uses it is a cycle. */
    char real[PATH_MAX];
    if (c->src->segment_count > 0 && realpath(c->src->segments[0].name, real)) {
        char *kept = arena_strndup(c->arena, real, strlen(real));
        if (kept) {
            c->loading[c->loading_depth++] = kept;
            c->loaded[c->loaded_count++] = kept;
        }
    }
}

/* By name only: opening a FIFO would wait for a writer (reading the
 * module then refuses anything but a regular file). */
static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Whether the sandbox lets the file read (or write) path; reports at span. */
int modules_sandbox_allows(Checker *c, LrSpan span, const char *path, bool write)
{
    const LrSandbox *box = c->options->sandbox;
    char why[2 * PATH_MAX + 200];
    if (!box)
        return 0;
    if ((write ? sandbox_check_write(box, path, why, sizeof why)
               : sandbox_check_read(box, path, why, sizeof why)) == 0)
        return 0;
    diag_error(c->diag, c->src, span, "%s", why);
    return -1;
}

int modules_find_data(Checker *c, const char *path, LrSpan span, const char **resolved,
                      const char **portable)
{
    *resolved = modules_resolve_path(c, path, span);
    *portable = modules_portable_path(c, path, span);
    /* Where the path leads when the sandbox refuses it says more than
     * that no file is there. */
    if (modules_sandbox_allows(c, span, *resolved, false) < 0)
        return -1;
    if (file_exists(*resolved) || path[0] == '/')
        return 0;
    const LrCheckOptions *o = c->options;
    for (int i = 0; i < o->data_path_count; i++) {
        size_t len = strlen(o->data_path[i]) + strlen(path) + 2;
        char *found = arena_alloc(c->arena, len);
        if (!found)
            break;
        snprintf(found, len, "%s/%s", o->data_path[i], path);
        if (file_exists(found)) {
            *resolved = *portable = found;
            return modules_sandbox_allows(c, span, found, false);
        }
    }
    return 0; /* found nowhere: reading it says so (data.h) */
}

/* Where `use` finds a module: "path.lr" relative to the using file's
 * directory; a bare name as NAME.lr in each search directory in order. */
static int find_module(Checker *c, const LrStmt *st, char *out, size_t size)
{
    const LrNode *v = st->value;
    if (v->kind == AST_STRING) {
        const char *path = v->text;
        const char *user = source_name_at(c->src, st->span.offset);
        const char *slash = file_dir_end(c, st->span.offset);
        if (path[0] == '/' || !slash)
            snprintf(out, size, "%s", path);
        else
            snprintf(out, size, "%.*s/%s", (int)(slash - user), user, path);
        if (!file_exists(out)) {
            diag_error(c->diag, c->src, v->span, "cannot find module '%s' (looked for '%s')",
                       path, out);
            return -1;
        }
        return modules_sandbox_allows(c, v->span, out, false);
    }
    for (int i = 0; i < c->options->module_path_count; i++) {
        snprintf(out, size, "%s/%.*s.lr", c->options->module_path[i], (int)v->name.length,
                 AST_TEXT(c->src, v->name));
        if (file_exists(out))
            return 0;
    }
    char searched[1024] = "";
    for (int i = 0; i < c->options->module_path_count; i++) {
        size_t used = strlen(searched);
        snprintf(searched + used, sizeof searched - used, "%s%s", i ? ", " : "",
                 c->options->module_path[i]);
    }
    diag_error(c->diag, c->src, v->span, "cannot find module '%.*s' (searched %s)",
               (int)v->name.length, AST_TEXT(c->src, v->name),
               searched[0] ? searched : "nowhere: LRC_PATH is empty and there is no stdlib");
    return -1;
}

/* Reads, parses and registers a module at the place of its `use`. */
static void load_module(Checker *c, const LrStmt *st)
{
    char path[PATH_MAX], real[PATH_MAX];
    if (find_module(c, st, path, sizeof path) < 0)
        return;
    if (!realpath(path, real))
        snprintf(real, sizeof real, "%s", path);
    for (int i = 0; i < c->loading_depth; i++) {
        if (strcmp(c->loading[i], real) == 0) {
            char chain[4 * PATH_MAX] = "";
            for (int j = i; j < c->loading_depth; j++) {
                size_t used = strlen(chain);
                snprintf(chain + used, sizeof chain - used, "%s -> ", c->loading[j]);
            }
            size_t used = strlen(chain);
            snprintf(chain + used, sizeof chain - used, "%s", real);
            diag_error(c->diag, c->src, st->value->span, "modules use each other in a cycle: %s",
                       chain);
            return;
        }
    }
    UseRecord *rec = c->use_count < CHECK_MAX_MODULES ? &c->uses[c->use_count] : NULL;
    for (int i = 0; i < c->loaded_count; i++) {
        if (strcmp(c->loaded[i], real) == 0) { /* read once; a second use adds nothing */
            if (rec) {
                *rec = (UseRecord){st, c->all_lets, c->all_lets};
                c->use_count++;
            }
            return;
        }
    }
    if (!rec || c->loaded_count == CHECK_MAX_MODULES || c->loading_depth == CHECK_MAX_MODULE_DEPTH) {
        diag_error(c->diag, c->src, st->value->span, "too many modules (limit is %d, nested %d deep)",
                   CHECK_MAX_MODULES, CHECK_MAX_MODULE_DEPTH);
        return;
    }
    char why[PATH_MAX + 256];
    size_t size;
    char *text = file_read_all(path, LR_SOURCE_MAX_BYTES, &size, why, sizeof why);
    if (!text) {
        diag_error(c->diag, c->src, st->value->span, "%s", why);
        return;
    }
    int segment = source_append(c->modules_src, path, text, size);
    free(text);
    if (segment < 0) {
        diag_error(c->diag, c->src, st->value->span, "out of memory reading module '%s'", path);
        return;
    }
    LrProgram *module = arena_alloc(c->arena, sizeof *module);
    char *kept = arena_strndup(c->arena, real, strlen(real));
    if (!module || !kept) {
        diag_error(c->diag, c->src, st->value->span, "out of memory");
        return;
    }
    if (parse_segment(c->src, segment, c->arena, c->diag, module) < 0)
        return;
    for (const LrStmt *m = module->first; m; m = m->next) {
        if (m->kind != STMT_LET && m->kind != STMT_USE) {
            diag_error(c->diag, c->src, m->keyword,
                       "a module holds only 'let' and 'use' statements, not '%.*s'",
                       (int)m->keyword.length, AST_TEXT(c->src, m->keyword));
            return;
        }
    }
    c->use_count++;
    rec->stmt = st;
    rec->first = c->all_lets;
    c->loaded[c->loaded_count++] = kept;
    c->loading[c->loading_depth++] = kept;
    modules_register_program(c, module);
    c->loading_depth--;
    rec->end = c->all_lets;
}

/* Registers a program's lets, and its modules' at the place of each use. */
void modules_register_program(Checker *c, const LrProgram *prog)
{
    for (const LrStmt *st = prog->first; st; st = st->next) {
        if (st->kind == STMT_LET)
            fold_register_let(c, st);
        else if (st->kind == STMT_USE)
            load_module(c, st);
    }
}

/* A `use` makes its module's lets visible from here on; their names are
 * checked as if they were written here. */
int modules_use(Checker *c, const LrStmt *st)
{
    for (int u = 0; u < c->use_count; u++) {
        if (c->uses[u].stmt != st)
            continue;
        int status = 0;
        for (int i = c->uses[u].first; i < c->uses[u].end; i++) {
            const LetBinding *b = &c->lets[i];
            Frame frame = {b->stmt->params, b->stmt->param_count, NULL, NULL};
            status |= fold_mark_let(
                c, i, fold_check_names(c, b->value, i, b->stmt->is_function ? &frame : NULL, b));
        }
        if (c->let_count < c->uses[u].end)
            c->let_count = c->uses[u].end;
        return status;
    }
    if (!c->failed_use)
        c->failed_use = st;
    return -1; /* the module failed to load: already reported */
}
