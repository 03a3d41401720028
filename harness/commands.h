/* commands.h - the CLI's commands, one as_cmd_t each, defined in cmd_*.c. */
#ifndef AS_COMMANDS_H
#define AS_COMMANDS_H

#include "cli.h"

extern const as_cmd_t as_cmd_run;
extern const as_cmd_t as_cmd_list;
extern const as_cmd_t as_cmd_check;
extern const as_cmd_t as_cmd_exec;
extern const as_cmd_t as_cmd_suite;
extern const as_cmd_t as_cmd_plot;

#endif /* AS_COMMANDS_H */
