/* cli_doc.h - man pages and bash completion generated from the same as_cmd_t
 * option tables that generate --help and drive parsing, so none of the
 * three can drift from the others. The build runs the hidden command
 * `allocscope __gen-docs DIR`; the completion script asks the installed CLI
 * for module and workload names and param keys at completion time through
 * the hidden `allocscope __complete WHAT [NAME]`. */
#ifndef AS_CLI_DOC_H
#define AS_CLI_DOC_H

#include <stdio.h>

#include "cli.h"

/* Write DIR/man1/allocscope.1, DIR/man1/allocscope-CMD.1 per command (a
 * command's subcommands go into its page), DIR/man5/allocscope-results.5 and
 * DIR/bash-completion/allocscope. `cmds` is NULL-terminated. Returns 0, or
 * -1 after a one-line message on stderr naming the file. */
int as_cli_gen_docs(const char *dir, const as_cmd_t *const *cmds);

/* The man page of one command (cmd), or of allocscope itself (cmd NULL). */
void as_cli_man(FILE *f, const as_cmd_t *const *cmds, const as_cmd_t *cmd);

/* The bash completion script. */
void as_cli_bash_completion(FILE *f, const as_cmd_t *const *cmds);

/* Completion queries, one word a line on f: "modules", "workloads",
 * "suites" (suites and scenarios), "module-params NAME", "workload-params
 * NAME". Returns 0, or 2 for an unknown WHAT. */
int as_cli_complete(FILE *f, const char *what, const char *name);

#endif /* AS_CLI_DOC_H */
