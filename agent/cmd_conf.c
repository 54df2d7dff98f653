/* cmd_conf.c -- placeholder until implemented. */
#include <stdio.h>
#include "agent/commands.h"
int
cmd_check_conf(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: check_conf: not implemented yet\n", stderr);
	return 1;
}
