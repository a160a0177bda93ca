/* fmt.h — `lrc fmt`: an .lr text in the one canonical layout (lrc(1),
 * FORMATTING). Works from the lexer's tokens and the comments between
 * them, never from the syntax tree, which keeps no layout. */
#ifndef LR_FMT_H
#define LR_FMT_H
#include <stddef.h>

#include "diag.h"
#include "fileio.h"

/* Formats the length bytes of text (named name in diagnostics) and
 * appends the result to out. Returns 0; or -1 after reporting to diag the
 * text's parse errors (as `lrc check` words them) or a lack of memory,
 * with out as it was. The text is formatted only if it parses; the result
 * parses to the same program and formats to itself. */
int fmt_text(const char *name, const char *text, size_t length, LrBuffer *out, LrDiag *diag);

#endif
