/* commands.h - the CLI's commands, one as_cmd_t each, defined in cmd_*.c. */
#ifndef AS_COMMANDS_H
#define AS_COMMANDS_H

#include "cli.h"
#include "runner.h"

/* Helpers cmd_run.c shares with the commands that run a matrix (replay,
 * suite): long-option keys, defaults, and the common options' handler. */
enum { OPT_TIMEOUT = 256, OPT_VALIDATE, OPT_SAMPLE_EVERY, OPT_SEED };
void as_run_defaults(as_run_cfg_t *cfg, int argc, char **argv);
int as_run_common_opt(const char *cmd, int key, const char *arg, as_run_cfg_t *cfg, char **abuf);

extern const as_cmd_t as_cmd_run;
extern const as_cmd_t as_cmd_list;
extern const as_cmd_t as_cmd_trace;
extern const as_cmd_t as_cmd_capture;
extern const as_cmd_t as_cmd_replay;

#endif /* AS_COMMANDS_H */
