/* lsp.h — `lrc lsp`: a language server (the Language Server Protocol 3.17)
 * on standard input and output. It checks each open document as the
 * checker does (`lrc check`), publishes every error and warning with its
 * range, offers the did-you-mean as a quick fix, and answers hover,
 * completion and go-to-definition from the language's tables (words.h,
 * options.h). Messages are JSON-RPC 2.0 through jansson; report.c frames
 * what goes out, diag.c's sink collects the diagnostics (nothing is
 * written to stderr while serving). */
#ifndef LR_LSP_H
#define LR_LSP_H
#include "status.h"

/* Serves until the client's `exit` notification or the end of input.
 * module_dirs (count of them) is where `use NAME` looks, as for a run;
 * data_dirs where data files are looked for (LRC_DATA_PATH).
 * allow_read (count of them) are directories a document may read besides
 * its own and the module path, as --allow-read gives them to a run.
 * Returns LR_OK after an exit that followed a shutdown request, else
 * LR_RUN_FAILED (as the protocol asks: status 1); never stops on a
 * malformed message. */
LrStatus lsp_serve(const char *const *module_dirs, int module_dir_count,
                   const char *const *data_dirs, int data_dir_count,
                   const char *const *allow_read, int allow_read_count);

#endif
