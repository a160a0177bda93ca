/* version.h — the release, as `lrc --version`, run.json and weight files
 * report it. */
#ifndef LR_VERSION_H
#define LR_VERSION_H
#define LRC_VERSION "0.3.0"
#endif
