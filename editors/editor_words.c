/* editor_words.c — prints a sed script that fills the editor files'
 * templates (the NAME.in files under editors/) with the words of
 * src/words.h, so that what the editors highlight is the language's one
 * vocabulary. For each category
 * NAME three forms: @NAME@ the words separated by spaces (Vim's syn
 * keyword), @NAME|@ by '|' (a regex alternation: TextMate), @NAME"@ each in
 * double quotes (an Emacs list for regexp-opt). The words are [a-z0-9_], so
 * they need no escaping in sed, a regex or a string.
 *
 * Only the spellings are taken from the X-macro lists (the codes are never
 * expanded), so this needs neither the parser's lr.h nor any object file. */
#include <stdio.h>

#include "words.h"

#define SPELLING(code, name) name,
#define FUNCTION_SPELLING(code, name, arity) name,

static const char *const statements[] = {LR_STATEMENTS(SPELLING) NULL};
static const char *const reserved[] = {LR_RESERVED_VALUES(SPELLING) NULL};
static const char *const sources[] = {LR_SOURCES(SPELLING) NULL};
/* Option values that are words (normalize=, padding=, mode=) share a group. */
static const char *const normalizers[] = {LR_NORMALIZERS(SPELLING) LR_PADDINGS(SPELLING)
                                              LR_FLIP_MODES(SPELLING) NULL};
static const char *const layers[] = {LR_LAYERS(SPELLING) NULL};
static const char *const activations[] = {LR_ACTIVATIONS(SPELLING) NULL};
static const char *const initializers[] = {LR_INITIALIZERS(SPELLING) NULL};
static const char *const losses[] = {LR_LOSSES(SPELLING) NULL};
static const char *const metrics[] = {LR_METRICS(SPELLING) NULL};
static const char *const optimizers[] = {LR_OPTIMIZERS(SPELLING) NULL};
static const char *const schedules[] = {LR_SCHEDULES(SPELLING) NULL};
/* sweep(...) and patience(...) are calls too, of their own. */
static const char *const functions[] = {LR_FUNCTIONS(FUNCTION_SPELLING) LR_SWEEP_WORD,
                                        LR_PATIENCE_WORD, NULL};
static const char *const constants[] = {LR_CONSTANTS(SPELLING) NULL};

static const struct {
    const char *name;
    const char *const *words;
} categories[] = {
    {"STATEMENTS", statements},   {"RESERVED", reserved},         {"SOURCES", sources},
    {"NORMALIZERS", normalizers}, {"LAYERS", layers},             {"ACTIVATIONS", activations},
    {"INITIALIZERS", initializers}, {"LOSSES", losses},           {"METRICS", metrics},
    {"OPTIMIZERS", optimizers},   {"SCHEDULES", schedules},       {"FUNCTIONS", functions},
    {"CONSTANTS", constants},
};

static void substitution(const char *name, const char *const *words, const char *form)
{
    const char *separator = form[0] == '|' ? "|" : " ";
    const char *quote = form[0] == '"' ? "\"" : "";
    printf("s/@%s%s@/", name, form);
    for (const char *const *w = words; *w; w++)
        printf("%s%s%s%s", w == words ? "" : separator, quote, *w, quote);
    printf("/g\n");
}

int main(void)
{
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++) {
        substitution(categories[i].name, categories[i].words, "");
        substitution(categories[i].name, categories[i].words, "|");
        substitution(categories[i].name, categories[i].words, "\"");
    }
    return ferror(stdout) ? 1 : 0;
}
